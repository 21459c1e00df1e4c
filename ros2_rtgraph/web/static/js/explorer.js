// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The topic browser: a drawer listing the robot's live topics (type, publishers, QoS), each
// opening to its message's fields as a tree, and a picker that charts a path on a new chart or
// an existing one. What it adds is the bridge's shared layout: every viewer's page gets the
// new `meta` event, this one too, so nothing here draws a chart itself.
//
// A topic's rate is measured only while its row is open (api/probe: a temporary subscription
// on the robot, dropped once the page stops asking), and the probe's newest message gives the
// names an array can be picked by (position[name=="elbow"]). The path field completes the paths
// the tree offers, and takes any path of the path language; the bridge checks it against the
// type as it checks the YAML, and its error (with the caret) is shown as it is. Names from ROS
// are text, never HTML.

import {getJson, sendChange} from './api.js';

// Milliseconds between two probes of the open topic.
const PROBE_MS = 1000;
// Milliseconds the path field waits after the last key before asking the bridge.
const CHECK_DELAY_MS = 250;
// The target choice that makes a new chart.
const NEW_CHART = 'new';

// A new element with a class and a text.
function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function actionButton(text, title, onClick) {
  const button = element('button', 'button small', text);
  button.type = 'button';
  button.title = title;
  button.addEventListener('click', onClick);
  return button;
}

// A name as a path literal: "elbow" (or 'say "hi"'); null for a name the syntax cannot hold.
function quoted(name) {
  if (!name.includes('"')) return `"${name}"`;
  return name.includes("'") ? null : `'${name}'`;
}

// "best effort, volatile, 2 publishers" for a topic entry of api/topics.
function describeTopic(topic) {
  const count = `${topic.publishers} publisher${topic.publishers === 1 ? '' : 's'}`;
  return [topic.reliability, topic.durability, count].filter(Boolean).join(' · ');
}

class Explorer {
  // root: the drawer <aside>; opener: the top bar's button that opens it.
  constructor(root, opener) {
    this.root = root;
    this.opener = opener;
    this.list = root.querySelector('.topic-list');
    this.filter = root.querySelector('.filter');
    this.showHidden = root.querySelector('.show-hidden');
    this.note = root.querySelector('.drawer-note');
    this.picker = root.querySelector('.picker');
    this.pickerTopic = root.querySelector('.picker-topic');
    this.path = root.querySelector('.path');
    this.completions = root.querySelector('#path-options');
    this.pathCheck = root.querySelector('.path-check');
    this.labelInput = root.querySelector('.label-input');
    this.target = root.querySelector('.target');
    this.addButton = root.querySelector('.add');
    this.status = root.querySelector('.picker-status');
    this.topics = [];
    this.charts = [];
    this.open = null; // {topic, row, body, probeTimer, names: Map(path -> [span])}
    this.chosen = null; // {topic, type}: what the picker charts from
    this.checkTimer = null;
    this.checked = false;
    opener.addEventListener('click', () => (this.root.hidden ? this.show() : this.hide()));
    root.querySelector('[data-action="close"]').addEventListener('click', () => this.hide());
    root.querySelector('[data-action="refresh"]').addEventListener('click', () => this.load());
    this.filter.addEventListener('input', () => this.render());
    this.showHidden.addEventListener('change', () => this.render());
    this.path.addEventListener('input', () => this.scheduleCheck());
    this.picker.addEventListener('submit', (event) => {
      event.preventDefault();
      this.add();
    });
    root.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.hide();
    });
  }

  // The layout's charts changed (a meta event): the picker's targets follow.
  setCharts(charts) {
    this.charts = charts;
    const chosen = this.target.value;
    this.target.replaceChildren(new Option('a new chart', NEW_CHART),
      ...charts.map((chart) => new Option(chart.title, String(chart.index))));
    if ([...this.target.options].some((o) => o.value === chosen)) this.target.value = chosen;
  }

  show() {
    this.root.hidden = false;
    this.opener.setAttribute('aria-expanded', 'true');
    document.body.classList.add('exploring');
    this.filter.focus();
    this.load();
  }

  hide() {
    this.root.hidden = true;
    this.opener.setAttribute('aria-expanded', 'false');
    document.body.classList.remove('exploring');
    this.closeTopic();
  }

  async load() {
    this.note.textContent = 'Listing the topics…';
    try {
      this.topics = (await getJson('api/topics')).topics;
      this.note.textContent = '';
    } catch (error) {
      this.note.textContent = `Cannot list the topics: ${error.message}`;
      return;
    }
    this.render();
  }

  // Show the topics the filter and the hidden choice let through; the open one stays open.
  render() {
    const words = this.filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const hidden = this.showHidden.checked;
    const matches = (topic) => words.every(
      (word) => `${topic.name} ${topic.types.join(' ')}`.toLowerCase().includes(word));
    const shown = this.topics.filter((topic) => (hidden || !topic.hidden) && matches(topic));
    const openName = this.open?.topic.name;
    const rows = shown.map((topic) => (topic.name === openName ? this.open.row : this.row(topic)));
    this.list.replaceChildren(...rows);
    const folded = this.topics.filter((topic) => topic.hidden && !hidden).length;
    this.note.textContent = this.topics.length && !shown.length ? 'No topic matches.' :
      (folded ? `${folded} hidden topics (ROS internals) not listed.` : '');
  }

  row(topic) {
    const row = element('li', 'topic');
    row.dataset.topic = topic.name;
    const head = element('button', 'topic-head');
    head.type = 'button';
    head.setAttribute('aria-expanded', 'false');
    head.append(element('span', 'topic-name', topic.name),
      element('span', 'topic-type', topic.types.join(', ')),
      element('span', 'topic-facts', describeTopic(topic)));
    if (topic.charted) head.appendChild(element('span', 'badge charted', 'charted'));
    head.addEventListener('click', () => {
      if (this.open?.row === row) this.closeTopic();
      else this.openTopic(topic, row, head);
    });
    row.appendChild(head);
    return row;
  }

  async openTopic(topic, row, head) {
    this.closeTopic();
    const body = element('div', 'topic-body');
    const probe = element('p', 'probe', 'Measuring…');
    probe.setAttribute('role', 'status');
    const tree = element('ul', 'tree');
    body.append(probe, tree);
    row.appendChild(body);
    head.setAttribute('aria-expanded', 'true');
    const open = {topic, row, head, body, probe, names: new Map(), probeTimer: null};
    this.open = open;
    open.probeTimer = setInterval(() => this.probe(open), PROBE_MS);
    this.probe(open);
    if (topic.types.length !== 1) {
      tree.appendChild(element('li', 'tree-note', topic.types.length ?
        `Publishers send ${topic.types.join(' and ')}: no one type to chart.` :
        'No publisher: its type is not known yet.'));
      return;
    }
    try {
      const {fields} = await getJson('api/fields', {type: topic.types[0]});
      if (this.open !== open) return;
      const offered = [];
      this.renderTree(fields, tree, topic, offered);
      this.completions.replaceChildren(...offered.map((path) => new Option('', path)));
    } catch (error) {
      tree.appendChild(element('li', 'tree-note', error.message));
    }
  }

  closeTopic() {
    const open = this.open;
    if (open === null) return;
    clearInterval(open.probeTimer);
    open.body.remove();
    open.head.setAttribute('aria-expanded', 'false');
    this.open = null;
  }

  async probe(open) {
    try {
      const report = await getJson('api/probe', {topic: open.topic.name});
      if (this.open !== open) return;
      open.probe.textContent = report.type === null ? 'No publisher now: nothing to measure.' :
        `${report.rate.toFixed(report.rate < 10 ? 2 : 1)} Hz · ` +
        `${report.messages} messages since opened`;
      for (const [path, spans] of open.names) {
        for (const span of spans) this.showNames(span, report.names[path] ?? []);
      }
    } catch (error) {
      if (this.open === open) open.probe.textContent = error.message;
    }
  }

  // The fields of a message as nested lists; numbers, arrays and reducers get their buttons,
  // whose paths go to `offered` too (the path field's completions).
  renderTree(fields, list, topic, offered) {
    for (const field of fields) {
      const item = element('li', `field kind-${field.kind}`);
      const line = element('span', 'field-line');
      line.append(element('span', 'field-name', field.name),
        element('span', 'field-type', field.type));
      item.appendChild(line);
      const pick = (path) => this.choose(topic, path);
      const button = (text, title, path) => {
        offered.push(path);
        return actionButton(text, title, () => pick(path));
      };
      if (field.kind === 'number') {
        line.appendChild(button('chart', `Chart ${field.path}`, field.path));
      } else if (field.kind === 'text') {
        line.appendChild(button('as number', `Chart ${field.path} read as a number`,
          `${field.path}.@number`));
      }
      for (const reducer of field.reducers ?? []) {
        line.appendChild(button(reducer, `Chart ${field.path}.${reducer}`,
          `${field.path}.${reducer}`));
      }
      if (field.kind === 'array' && field.element === 'number') {
        line.append(button('[0]', `Chart element 0 of ${field.path}`, `${field.path}[0]`),
          button('[:]', `Chart every element of ${field.path}, one series each`,
            `${field.path}[:]`));
        // The sibling sequences sit in the same message: the path up to the last '.'.
        const prefix = field.path.slice(0, field.path.lastIndexOf('.') + 1);
        for (const lookup of field.lookups ?? []) {
          const span = element('span', 'names');
          span.dataset.path = field.path;
          span.dataset.lookup = lookup;
          const spans = this.open.names.get(prefix + lookup) ?? [];
          spans.push(span);
          this.open.names.set(prefix + lookup, spans);
          item.appendChild(span);
        }
      }
      if (field.fields?.length) {
        const nested = element('ul', 'tree');
        this.renderTree(field.fields, nested, topic, offered);
        const details = element('details');
        details.append(element('summary', '', field.kind === 'array' ? 'each element' : 'fields'),
          nested);
        item.appendChild(details);
      }
      list.appendChild(item);
    }
  }

  // Buttons for the names a lookup's sequence held in the newest message.
  showNames(span, names) {
    const key = names.join('\n');
    if (span.dataset.shown === key) return;
    span.dataset.shown = key;
    const {path, lookup} = span.dataset;
    const buttons = names.map(quoted).filter((text) => text !== null).map((literal) =>
      actionButton(literal.slice(1, -1), `Chart ${path}[${lookup}==${literal}]`,
        () => this.choose(this.open.topic, `${path}[${lookup}==${literal}]`)));
    span.replaceChildren(...(buttons.length ? [element('span', 'names-label', 'by name:'),
      ...buttons] : []));
  }

  // Put a path into the picker, to check and add.
  choose(topic, path) {
    this.chosen = {topic: topic.name, type: topic.types[0]};
    this.pickerTopic.textContent = `${topic.name} (${topic.types[0]})`;
    this.path.value = path;
    this.picker.hidden = false;
    this.status.textContent = '';
    this.check();
    this.path.focus();
  }

  scheduleCheck() {
    this.checked = false;
    this.addButton.disabled = true;
    clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => this.check(), CHECK_DELAY_MS);
  }

  async check() {
    clearTimeout(this.checkTimer);
    const field = this.path.value.trim();
    this.checked = false;
    this.addButton.disabled = true;
    if (this.chosen === null || !field) return;
    let text;
    try {
      const result = await getJson('api/path', {type: this.chosen.type, field});
      this.checked = result.ok;
      text = result.ok ? (result.expands ? 'OK: one series per element' : 'OK') : result.error;
    } catch (error) {
      text = error.message;
    }
    if (this.path.value.trim() !== field) return; // typed on meanwhile: that one counts
    this.pathCheck.textContent = text;
    this.pathCheck.dataset.state = this.checked ? 'ok' : 'error';
    this.addButton.disabled = !this.checked;
  }

  // Add the picked path to the chosen chart (its series as the bridge has them, plus this).
  async add() {
    if (!this.checked || this.chosen === null) return;
    const series = {topic: this.chosen.topic, field: this.path.value.trim()};
    const label = this.labelInput.value.trim();
    if (label) series.label = label;
    this.addButton.disabled = true;
    this.status.textContent = 'Adding…';
    try {
      if (this.target.value === NEW_CHART) {
        await sendChange('POST', 'api/charts', {title: label || series.topic, series: [series]});
        this.status.textContent = 'Added on a new chart, at the end of the page.';
      } else {
        const index = Number(this.target.value);
        const {charts} = await getJson('api/charts');
        await sendChange('PATCH', `api/charts/${index}`,
          {series: [...charts[index].series, series]});
        this.status.textContent = `Added to ${charts[index].title}.`;
      }
      this.labelInput.value = '';
    } catch (error) {
      this.status.textContent = error.message;
    } finally {
      this.addButton.disabled = !this.checked;
    }
  }
}

export {Explorer};
