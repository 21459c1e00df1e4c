// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// A chart's legend: one entry per series with a toggle button, the last value drawn, and the
// series' health from the `stats` event (rate, age of the last sample, status badge with the
// reason). Labels and error texts come from the config or from ROS: text only, never HTML.

import {formatAge, formatRate, formatValue} from './format.js';

// Badge word for a status string: 'ok', 'waiting', 'stale' or 'error: <why>'.
function statusKind(status) {
  if (typeof status !== 'string') return 'waiting';
  if (status.startsWith('error')) return 'error';
  return ['ok', 'waiting', 'stale'].includes(status) ? status : 'error';
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
    entry.value.textContent = value === undefined ? '' : `${formatValue(value)}${this.unit}`;
  }

  setStats(id, stats) {
    const entry = this.entries.get(id);
    if (entry === undefined || stats === null || typeof stats !== 'object') return;
    const kind = statusKind(stats.status);
    entry.badge.dataset.status = kind;
    entry.badge.textContent = kind;
    entry.badge.hidden = false;
    entry.reason.textContent = kind === 'error' ? String(stats.status).replace(/^error:?\s*/, '') : '';
    entry.rate.textContent = formatRate(stats.rate);
    entry.age.textContent = formatAge(stats.age);
  }
}

export {Legend};
