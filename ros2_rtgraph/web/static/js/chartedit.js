// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// A card's editor: rename the chart, set its unit, y range and limit lines, remove a series
// (the legend's remove buttons, shown while editing) or the whole chart. Each change goes to
// the bridge as a PATCH or DELETE of the chart's entry and comes back to every page as a
// `meta` event; the form itself changes nothing on the page. Removing takes two clicks, not a
// dialog: a page may be a phone in a glove.

import {getJson, sendChange} from './api.js';

// Milliseconds the "Remove chart" button waits for its second click.
const CONFIRM_MS = 4000;

// Limit lines written as text: "15, -15 shock" -> [15, {value: -15, label: 'shock'}].
function parseLimits(text) {
  const limits = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(\S+)\s*(.*)$/.exec(part);
    const value = Number(match[1]);
    if (!Number.isFinite(value)) throw new Error(`limit "${part}": a number first, then a label`);
    limits.push(match[2] ? {value, label: match[2]} : value);
  }
  return limits;
}

function formatLimits(limits) {
  return limits.map((l) => (l.label ? `${l.value} ${l.label}` : String(l.value))).join(', ');
}

// A y bound from its field: '' is none (null), else a finite number.
function parseBound(text, name) {
  if (!text.trim()) return null;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number or empty`);
  return value;
}

class ChartEditor {
  // card: the card <section>; chartMeta: its chart of the meta event; indexOf(): the chart's
  // place in the layout now (it moves when a chart before it goes).
  constructor(card, chartMeta, indexOf) {
    this.card = card;
    this.indexOf = indexOf;
    this.button = card.querySelector('.edit');
    this.form = card.querySelector('.chart-form');
    this.status = card.querySelector('.form-status');
    this.removeButton = card.querySelector('.remove-chart');
    this.confirmTimer = null;
    const field = (name) => this.form.elements.namedItem(name);
    field('title').value = chartMeta.title;
    field('unit').value = chartMeta.unit;
    field('min').value = chartMeta.min ?? '';
    field('max').value = chartMeta.max ?? '';
    field('limits').value = formatLimits(chartMeta.limits);
    this.button.addEventListener('click', () => this.setOpen(this.form.hidden));
    card.querySelector('.cancel').addEventListener('click', () => this.setOpen(false));
    this.removeButton.addEventListener('click', () => this.removeChart());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.save();
    });
  }

  // Editing on or off: the bridge allows it (meta.explore), or not.
  setAllowed(allowed) {
    this.button.hidden = !allowed;
    if (!allowed) this.setOpen(false);
  }

  setOpen(open) {
    this.form.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    this.card.classList.toggle('editing', open);
    this.status.textContent = '';
  }

  async save() {
    const field = (name) => this.form.elements.namedItem(name).value;
    let change;
    try {
      change = {
        title: field('title').trim(), unit: field('unit').trim(),
        min: parseBound(field('min'), 'y min'), max: parseBound(field('max'), 'y max'),
        limits: parseLimits(field('limits')),
      };
    } catch (error) {
      this.status.textContent = error.message;
      return;
    }
    await this.send('PATCH', change, 'Saved.');
  }

  // Remove one series of this chart (a legend's button); its last one cannot go alone.
  async removeSeries(id) {
    this.status.textContent = 'Removing…';
    try {
      const {charts} = await getJson('api/charts');
      const entry = charts[this.indexOf()];
      const series = entry.series.filter((s) => s.id !== id);
      if (!series.length) {
        this.status.textContent = 'That is the last series: remove the chart instead.';
        return;
      }
      await this.send('PATCH', {series}, 'Removed.');
    } catch (error) {
      this.status.textContent = error.message;
    }
  }

  removeChart() {
    if (this.confirmTimer === null) {
      this.removeButton.textContent = 'Remove: sure?';
      this.confirmTimer = setTimeout(() => this.resetRemove(), CONFIRM_MS);
      return;
    }
    this.resetRemove();
    this.send('DELETE', undefined, 'Removed.');
  }

  resetRemove() {
    clearTimeout(this.confirmTimer);
    this.confirmTimer = null;
    this.removeButton.textContent = 'Remove chart';
  }

  async send(method, body, done) {
    this.status.textContent = 'Saving…';
    try {
      await sendChange(method, `api/charts/${this.indexOf()}`, body);
      this.status.textContent = done;
    } catch (error) {
      this.status.textContent = error.message;
    }
  }
}

export {ChartEditor};
