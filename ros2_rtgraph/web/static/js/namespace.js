// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The robot the charts read, for a layout written with ${ns} (one YAML for a fleet): a
// selector of the namespaces in which the robot's graph has the layout's topics, and ?ns= in
// the page's address. Switching changes the bridge's shared layout: every viewer's charts move
// to that robot (their series start empty: another robot's samples), as a new `meta` event.

import {getJson, sendChange} from './api.js';

class NamespacePicker {
  // control: the label shown only when the layout uses ${ns}; select: its <select>.
  constructor(control, select) {
    this.control = control;
    this.select = select;
    this.current = null;
    this.offered = []; // what the bridge last offered: [{ns, topics}]
    this.asked = new URLSearchParams(location.search).get('ns'); // ?ns= not yet applied
    select.addEventListener('focus', () => this.offer());
    select.addEventListener('pointerdown', () => this.offer());
    select.addEventListener('change', () => this.choose(select.value));
  }

  // A meta event: namespace is the value of ${ns}, or null when no topic uses it.
  update(meta) {
    const namespace = meta.explore === true ? meta.namespace : null;
    this.control.hidden = typeof namespace !== 'string';
    if (this.control.hidden) return;
    this.current = namespace;
    this.show();
    if (this.asked !== null) {
      const asked = this.asked;
      this.asked = null;
      if (asked !== namespace) this.choose(asked);
    }
  }

  // The namespaces offered, the current one among them.
  show() {
    const entries = this.offered.some((n) => n.ns === this.current) ? this.offered
      : [{ns: this.current, topics: null}, ...this.offered];
    const options = entries.map(({ns, topics}) => new Option(
      (ns || '/ (root)') + (topics === null ? '' : ` (${topics} topics)`), ns));
    this.select.replaceChildren(...options);
    this.select.value = this.current;
  }

  // Ask the bridge which namespaces have the topics (when the user opens the selector).
  async offer() {
    try {
      this.offered = (await getJson('api/variables')).namespaces;
      this.show();
    } catch (error) {
      this.select.title = error.message;
    }
  }

  async choose(ns) {
    try {
      await sendChange('PATCH', 'api/variables', {ns});
      this.select.title = '';
    } catch (error) {
      this.select.value = this.current;
      this.select.title = error.message;
    }
  }
}

export {NamespacePicker};
