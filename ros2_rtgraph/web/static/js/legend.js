// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// A chart's legend: one entry per series with a toggle button, the last value drawn, and the
// series' health from the `stats` event (rate, age of the last sample, status badge with the
// reason). Labels and error texts come from the config or from ROS: text only, never HTML.
//
// A slice (a template, `expand: true` in the meta event) is a group row: no line, so no swatch
// and no toggle, only its status ('waiting', 'ok' with how many series it has, or the error).
// Its members follow it, each an entry of its own. update() changes the entries in place when
// a new meta event adds series: the entries that stay keep their toggle, value and health.
//
// The age keeps growing between stats events (refresh() is called a few times a second), and
// health is only shown as the robot said it while that is current: when the stream is not
// live, or no stats came for STATS_CURRENT_MS, every entry says 'unknown' (greyed) and no rate,
// never an OK that nobody can vouch for.

import {formatAge, formatRate, formatReading} from './format.js';

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
  // list: the <ul>; template: the entry <template>; series: as for update(); onToggle(id,
  // disabled) is called when the user hides or shows a series, onRemove(id) when they remove
  // one (the remove buttons show while the card is edited; a slice's members have none).
  constructor(list, template, series, unit, onToggle, onRemove) {
    this.list = list;
    this.template = template;
    this.unit = unit ? ` ${unit}` : '';
    this.onToggle = onToggle;
    this.onRemove = onRemove;
    this.entries = new Map();
    this.update(series);
  }

  // Show these entries, in this order: [{id, label, topic, field, color, hidden, expand,
  // parent}]; entries of ids not given go away.
  update(series) {
    const wanted = new Set(series.map((s) => s.id));
    for (const [id, entry] of this.entries) {
      if (!wanted.has(id)) {
        entry.item.remove();
        this.entries.delete(id);
      }
    }
    series.forEach((s, index) => {
      const entry = this.entries.get(s.id) ?? this.create(s);
      setText(entry.label, s.label);
      if (!entry.group) entry.swatch.style.background = s.color;
      // Only what is out of place moves: a moved button would lose the keyboard focus.
      const here = this.list.children[index] ?? null;
      if (here !== entry.item) this.list.insertBefore(entry.item, here);
    });
  }

  create(s) {
    const item = this.template.content.firstElementChild.cloneNode(true);
    item.dataset.series = s.id;
    const toggle = item.querySelector('.toggle');
    const swatch = item.querySelector('.swatch');
    const group = s.expand === true;
    const remove = item.querySelector('.remove');
    if (typeof s.parent === 'string') remove.remove();  // it goes with its slice
    else remove.addEventListener('click', () => this.onRemove(s.id));
    if (group) {
      // Nothing of its own to draw: its members have the lines.
      item.classList.add('group');
      swatch.remove();
      toggle.disabled = true;
      toggle.removeAttribute('aria-pressed');
      toggle.title = `${s.topic} ${s.field}: one series per element`;
    } else {
      if (typeof s.parent === 'string') item.classList.add('member');
      toggle.title = `${s.topic} ${s.field}: click to hide or show`;
      toggle.addEventListener('click', () => {
        const disabled = toggle.getAttribute('aria-pressed') === 'true';
        this.setHidden(s.id, disabled);
        this.onToggle(s.id, disabled);
      });
    }
    const entry = {
      item,
      group,
      toggle,
      swatch,
      label: item.querySelector('.label'),
      stats: null,
      receivedMs: 0,
      value: item.querySelector('.value'),
      reading: undefined, // the text for .value at the next refresh()
      rate: item.querySelector('.rate'),
      age: item.querySelector('.age'),
      badge: item.querySelector('.status'),
      reason: item.querySelector('.reason'),
    };
    this.entries.set(s.id, entry);
    this.setHidden(s.id, Boolean(s.hidden));
    return entry;
  }

  // Show a series' toggle as hidden or shown (the page calls it when the URL's view changes).
  setHidden(id, hidden) {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.group) return;
    entry.toggle.setAttribute('aria-pressed', String(!hidden));
    entry.item.classList.toggle('disabled', hidden);
  }

  // The series' newest value drawn, shown at the next refresh(): readings change four times
  // a second at most, however fast the chart draws, so they can be read.
  setValue(id, value, decimals) {
    const entry = this.entries.get(id);
    entry.reading = value === undefined ? '' : `${formatReading(value, decimals)}${this.unit}`;
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
      if (entry.reading !== undefined) setText(entry.value, entry.reading);
      const stats = entry.stats;
      if (stats === null) continue;
      const current = live && nowMs - entry.receivedMs <= STATS_CURRENT_MS;
      const kind = current ? statusKind(stats.status) : 'unknown';
      entry.item.classList.toggle('unknown', !current);
      if (entry.badge.dataset.status !== kind) entry.badge.dataset.status = kind;
      setText(entry.badge, kind);
      entry.badge.hidden = false;
      // A group's reason says how many series it has, and it has no samples of its own.
      const reason = kind === 'error' || (entry.group && current);
      setText(entry.reason, reason ? String(stats.status.reason ?? '') : '');
      if (entry.group) {
        entry.reason.classList.toggle('count', kind !== 'error');
        continue;
      }
      setText(entry.rate, current ? formatRate(stats.rate) : '');
      const age = typeof stats.age === 'number'
        ? stats.age + Math.max(0, nowMs - entry.receivedMs) / 1000 : stats.age;
      setText(entry.age, formatAge(age));
    }
  }
}

export {Legend};
