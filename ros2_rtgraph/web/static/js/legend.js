// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// A chart's legend: one entry per series with a toggle button, the last value drawn, and the
// series' health from the `stats` event (rate, age of the last sample, status badge with the
// reason). Labels and error texts come from the config or from ROS: text only, never HTML.
//
// The age keeps growing between stats events (refresh() is called a few times a second), and
// health is only shown as the robot said it while that is current: when the stream is not
// live, or no stats came for STATS_CURRENT_MS, every entry says 'unknown' (greyed) and no rate,
// never an OK that nobody can vouch for.

import {formatAge, formatRate, formatValue} from './format.js';

// Milliseconds a stats event stays current (they come once a second).
const STATS_CURRENT_MS = 2500;

// Set an element's text only when it changes: refresh() runs a few times a second, and an
// unchanged text must not cost the browser a layout.
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

const STATES = ['ok', 'waiting', 'stale', 'error'];

// Badge word for a status {state, reason}: one of STATES ('error' for a state it does not know).
function statusKind(status) {
  if (typeof status?.state !== 'string') return 'waiting';
  return STATES.includes(status.state) ? status.state : 'error';
}

class Legend {
  // list: the <ul>; template: the entry <template>; series: [{id, label, topic, field, color}];
  // onToggle(id, disabled) is called when the user hides or shows a series.
  constructor(list, template, series, unit, onToggle) {
    this.unit = unit ? ` ${unit}` : '';
    this.entries = new Map();
    for (const s of series) {
      const item = template.content.firstElementChild.cloneNode(true);
      item.dataset.series = s.id;
      const toggle = item.querySelector('.toggle');
      toggle.title = `${s.topic} ${s.field}: click to hide or show`;
      item.querySelector('.swatch').style.background = s.color;
      item.querySelector('.label').textContent = s.label;
      toggle.addEventListener('click', () => {
        const disabled = toggle.getAttribute('aria-pressed') === 'true';
        toggle.setAttribute('aria-pressed', String(!disabled));
        item.classList.toggle('disabled', disabled);
        onToggle(s.id, disabled);
      });
      list.appendChild(item);
      this.entries.set(s.id, {
        item,
        stats: null,
        receivedMs: 0,
        value: item.querySelector('.value'),
        rate: item.querySelector('.rate'),
        age: item.querySelector('.age'),
        badge: item.querySelector('.status'),
        reason: item.querySelector('.reason'),
      });
    }
  }

  setValue(id, value) {
    const entry = this.entries.get(id);
    setText(entry.value, value === undefined ? '' : `${formatValue(value)}${this.unit}`);
  }

  // stats: the series' entry of a stats event; receivedMs: when it arrived (Date.now()).
  setStats(id, stats, receivedMs) {
    const entry = this.entries.get(id);
    if (entry === undefined || stats === null || typeof stats !== 'object') return;
    entry.stats = stats;
    entry.receivedMs = receivedMs;
  }

  // Show every entry's health as of nowMs; live: whether the stream is live right now.
  refresh(nowMs, live) {
    for (const entry of this.entries.values()) {
      const stats = entry.stats;
      if (stats === null) continue;
      const current = live && nowMs - entry.receivedMs <= STATS_CURRENT_MS;
      const kind = current ? statusKind(stats.status) : 'unknown';
      entry.item.classList.toggle('unknown', !current);
      if (entry.badge.dataset.status !== kind) entry.badge.dataset.status = kind;
      setText(entry.badge, kind);
      entry.badge.hidden = false;
      setText(entry.reason, kind === 'error' ? String(stats.status.reason ?? '') : '');
      setText(entry.rate, current ? formatRate(stats.rate) : '');
      const age = typeof stats.age === 'number'
        ? stats.age + Math.max(0, nowMs - entry.receivedMs) / 1000 : stats.age;
      setText(entry.age, formatAge(age));
    }
  }
}

export {Legend};
