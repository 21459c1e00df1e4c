// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The page: builds one card per chart from the `meta` event, keeps every series' points as
// events arrive, and draws the charts that changed once per animation frame.
//
// A `meta` event may come again at any time, when slices (series `expand`ed into one series
// per element) added series: the cards are changed in place, and every series that stays
// keeps its points, its colour and whether it is hidden; nothing restarts or scrolls.
//
// Pause stops drawing only: events keep arriving and are kept, and resume draws them all. A
// page opened paused draws each chart once, when its first samples come, and stops there.
// The right edge of every chart is robot time now (clock.js), never the browser's clock nor
// the newest sample: a series that stops slides left, and the charts keep moving (a tick
// redraws them a few times a second) while nothing arrives. A chart whose samples are all
// stamped on a clock of their own (a sensor's, a replayed bag's) is shifted by that clock's
// distance from the robot's, as measured when its samples arrived.
//
// The viewer's window, hidden series, pause and the chart to scroll to are kept in the URL's
// fragment (viewstate.js): read when the page opens and when the user edits the address,
// written back (replaceState: no history entry, no reload, no hashchange) on every change.
//
// A read-only hook, window.rtgraph, reports what is held and drawn (used by the browser
// tests and handy in the console).

import {Chart} from './chart.js';
import {ChartEditor} from './chartedit.js';
import {RobotClock} from './clock.js';
import {updateCsvLink} from './csv.js';
import {Explorer} from './explorer.js';
import {Legend} from './legend.js';
import {NamespacePicker} from './namespace.js';
import {SeriesData} from './series.js';
import {StreamClient} from './stream.js';
import {startTheme} from './theme.js';
import {formatViewState, parseViewState, WHOLE_BUFFER} from './viewstate.js';

// Seconds kept per series while a fixed window is shown, so that switching between the
// 10/30/60 s windows shows a full chart at once.
const KEEP_SECONDS = 60;
// Points kept per series; above it the series is decimated (peaks and gaps survive).
const STORE_CAP = 6000;
// A live series whose new samples are this much older than what it holds had its clock
// restarted (sim time, a replayed bag): start it afresh rather than draw into the past.
const CLOCK_RESET_SECONDS = 60;
// Milliseconds of drawing per animation frame (a frame lasts 16.7 ms at 60 Hz).
const FRAME_BUDGET_MS = 8;
// Milliseconds between ticks: legends' ages move on, and charts that nothing redrew since
// the last tick are redrawn so their time axis keeps moving.
const TICK_MS = 250;
// Seconds between a series' stamps and the robot's clock beyond which they are taken to be
// on a clock of their own (a sensor's clock, a replayed bag) rather than late or early.
const FOREIGN_CLOCK_SECONDS = 5;
// What the badge says for a connection state, where that differs from the state's name.
const STATE_LABELS = {'token-needed': 'token needed'};
// Why the connection is not live, where the page can tell more than the badge does.
const NOTICES = {
  // The bridge refuses the page's token: it restarted with a new one.
  'token-needed': 'The bridge restarted with a new access token: open the URL it printed ' +
    '(rtgraph: serving on ...).',
  'stalled': 'Nothing has come from the bridge for a few seconds: the link or the bridge is ' +
    'stuck. The charts end where the data stopped.',
};

const page = {
  clock: new RobotClock(),
  layout: null,
  instance: undefined,
  store: new Map(), // series id -> SeriesData, for every series with a line
  sources: new Map(), // series id -> its topic and field, as the last meta event said
  hidden: new Set(), // ids of the series the user hid, and ids from the URL still to come
  cards: [], // per chart index: {element, key, chart, legend, csv, ids (the series drawn)}
  cardOf: new Map(), // series id -> card, groups (templates) included
  seconds: 30, // the time window; null = everything held
  defaultSeconds: 30, // the bridge's window (meta.window), shown until the user chooses
  windowChosen: false,
  paused: false,
  chart: undefined, // index of the chart the URL scrolls to
  folded: new Set(), // indices of the charts folded away (only their header shows)
  scrollPending: false, // that chart is scrolled to once it is built
  dirty: new Set(),
  frameRequested: false,
  connectionLog: [],
  connectionTimes: [], // Date.now() of each entry of connectionLog
  events: {meta: 0, snapshot: 0, data: 0, stats: 0},
};

const chartsElement = document.getElementById('charts');
const placeholder = document.getElementById('placeholder');
const connectionBadge = document.getElementById('connection');
const connectionNotice = document.getElementById('connection-notice');
const windowSelect = document.getElementById('window-select');
const pauseButton = document.getElementById('pause-button');
const topBar = document.querySelector('.topbar');
const chartSelect = document.getElementById('chart-select');
const exploreButton = document.getElementById('explore-button');
const explorer = new Explorer(document.getElementById('explorer'), exploreButton);
const namespacePicker = new NamespacePicker(document.getElementById('ns-control'),
  document.getElementById('ns-select'));

// What a card shows besides its series: a change of it builds the card again.
function chartKey(chartMeta) {
  return JSON.stringify([chartMeta.title, chartMeta.unit, chartMeta.min, chartMeta.max,
    chartMeta.limits]);
}

// The note before the cards ('Waiting for the bridge...' until the first meta event).
function showNote(text) {
  placeholder.textContent = text;
  placeholder.hidden = !text;
}

// A new card for a chart, in place of `old` (a card of another chart at that index) if given.
function newCard(chartMeta, key, old) {
  const element = document.getElementById('chart-template').content.firstElementChild
    .cloneNode(true);
  element.querySelector('.title').textContent = chartMeta.title;
  element.querySelector('.unit').textContent = chartMeta.unit ? `[${chartMeta.unit}]` : '';
  if (old === undefined) {
    chartsElement.appendChild(element);
  } else {
    dropCard(old);
    old.element.replaceWith(element);
  }
  const chart = new Chart({
    graph: element.querySelector('.graph'),
    xAxis: element.querySelector('.x-axis'),
    yAxis: element.querySelector('.y-axis'),
  }, chartMeta, []);
  const card = {
    element, key, chart, ids: [], title: chartMeta.title, csv: element.querySelector('.csv'),
    drawnMs: 0,
  };
  card.legend = new Legend(
    element.querySelector('.legend'), document.getElementById('legend-template'), [],
    chartMeta.unit, (id, disabled) => {
      if (disabled) page.hidden.add(id);
      else page.hidden.delete(id);
      chart.setDisabled(id, disabled);
      redraw(card);
      saveView();
    }, (id) => card.editor.removeSeries(id));
  card.editor = new ChartEditor(element, chartMeta, () => page.cards.indexOf(card));
  element.querySelector('.fold').addEventListener('click', () => {
    const index = page.cards.indexOf(card);
    if (page.folded.has(index)) page.folded.delete(index);
    else page.folded.add(index);
    showFolds();
    saveView();
  });
  // Rickshaw sizes its SVG from the element once; follow the layout (rotation, resize).
  let resizeQueued = false;
  card.observer = new ResizeObserver(() => {
    if (resizeQueued) return;
    resizeQueued = true;
    requestAnimationFrame(() => {
      resizeQueued = false;
      chart.resize();
    });
  });
  card.observer.observe(element.querySelector('.graph'));
  return card;
}

function dropCard(card) {
  card.observer.disconnect();
  page.dirty.delete(card);
}

// Give a card these series (meta entries, in chart order): groups in the legend only.
function setCardSeries(card, series) {
  card.series = series;
  const drawn = series.filter((s) => s.expand !== true);
  const ids = drawn.map((s) => s.id);
  const hidden = (s) => ({...s, hidden: page.hidden.has(s.id)});
  card.chart.setSeries(drawn.map(hidden));
  const colors = card.chart.colors;
  card.legend.update(series.map((s) => ({...hidden(s), color: colors[s.id]})));
  for (const s of series) page.cardOf.set(s.id, card);
  for (const id of ids) {
    if (!page.store.has(id)) page.store.set(id, new SeriesData());
  }
  const changed = ids.join('\n') !== card.ids.join('\n');
  card.ids = ids;
  if (changed) {
    updateCsvLink(card.csv, ids, page.seconds);
    redraw(card);
  }
}

// Show the charts and series of a meta event, keeping what stays (see the top of this file).
function applyLayout(meta) {
  const seriesById = new Map(meta.series.map((s) => [s.id, s]));
  // A series whose topic or field changed under its id (another robot's namespace) is another
  // series now: its points go, as those of a series that is gone.
  const source = (s) => `${s.topic}\n${s.field}`;
  for (const id of [...page.store.keys()]) {
    const s = seriesById.get(id);
    if (s === undefined || s.expand === true || page.sources.get(id) !== source(s)) {
      page.store.delete(id);
    }
  }
  page.sources = new Map(meta.series.map((s) => [s.id, source(s)]));
  // A hidden id this layout lacks stays while a slice may still add it (a link made once the
  // members had come): a template's members are `<template id>.<n>` (layout.py).
  const memberPrefixes = meta.series.filter((s) => s.expand === true).map((s) => `${s.id}.`);
  for (const id of [...page.hidden]) {
    if (!seriesById.has(id) && !memberPrefixes.some((prefix) => id.startsWith(prefix))) {
      page.hidden.delete(id);
    }
  }
  page.cardOf.clear();
  showNote(meta.charts.length ? '' : 'The configuration has no charts.');
  const cards = meta.charts.map((chartMeta, index) => {
    const key = chartKey(chartMeta);
    const old = page.cards[index];
    const card = old !== undefined && old.key === key ? old : newCard(chartMeta, key, old);
    setCardSeries(card, chartMeta.series.filter((id) => seriesById.has(id))
      .map((id) => seriesById.get(id)));
    return card;
  });
  for (const card of page.cards.slice(cards.length)) {
    dropCard(card);
    card.element.remove();
  }
  page.cards = cards;
  // Exploring and editing where the bridge allows it (server.explore).
  const explore = meta.explore === true;
  for (const card of cards) card.editor.setAllowed(explore);
  exploreButton.hidden = !explore;
  if (!explore && !explorer.root.hidden) explorer.hide();
  explorer.setCharts(meta.charts);
  namespacePicker.update(meta);
  chartSelect.replaceChildren(
    ...meta.charts.map((chartMeta) => new Option(chartMeta.title, String(chartMeta.index))));
  chartSelect.value = String(page.chart ?? 0);
  showFolds();
}

// Show a window (seconds, null: the whole buffer) in the selector, adding a choice it lacks.
function showWindow(seconds) {
  const value = seconds === null ? WHOLE_BUFFER : String(seconds);
  if (![...windowSelect.options].some((option) => option.value === value)) {
    const option = new Option(`${value} s`, value);
    const later = [...windowSelect.options].find(
      (o) => o.value === WHOLE_BUFFER || Number(o.value) > seconds);
    windowSelect.insertBefore(option, later);
  }
  windowSelect.value = value;
  setWindow(seconds);
}

function chooseDefaultWindow(seconds) {
  if (seconds > 0) page.defaultSeconds = seconds;
  if (!page.windowChosen) showWindow(page.defaultSeconds);
}

// The card of the URL's chart, scrolled to just below the sticky top bar (where the first
// card sits), once it is built; an index the layout lacks is dropped.
function scrollToChart() {
  if (!page.scrollPending || page.layout === null) return;
  page.scrollPending = false;
  const card = page.cards[page.chart];
  if (card === undefined) {
    page.chart = undefined;
    return;
  }
  const gap = parseFloat(getComputedStyle(chartsElement).paddingTop) || 0;
  const top = card.element.getBoundingClientRect().top + window.scrollY;
  window.scrollTo({top: top - topBar.getBoundingClientRect().height - gap, behavior: 'instant'});
}

// Fold away the charts the viewer folded: header only, not drawn.
function showFolds() {
  page.cards.forEach((card, index) => {
    const folded = page.folded.has(index);
    card.element.classList.toggle('folded', folded);
    card.element.querySelector('.fold').setAttribute('aria-expanded', String(!folded));
    if (!folded) redraw(card);
  });
}

function onMeta(meta) {
  page.events.meta += 1;
  page.clock.update(meta.server_time);
  const layout = JSON.stringify([meta.charts, meta.series]);
  if (layout !== page.layout) {
    page.layout = layout;
    applyLayout(meta);
  }
  chooseDefaultWindow(meta.window);
  scrollToChart();
  saveView();
  // A restarted bridge numbers its samples from 1 again: resume ids from the old one mean
  // nothing to it. Ask for its snapshot; the points held here stay and are merged by time.
  const instance = meta.instance ?? null;
  const restarted = page.instance !== undefined && instance !== page.instance;
  page.instance = instance;
  if (restarted) {
    // What the old bridge had last and what the new one sends first are not one line.
    for (const data of page.store.values()) data.breakAfterNewest();
    client.restart();
  }
}

function onSamples(kind, payload) {
  page.events[kind] += 1;
  for (const [id, samples] of Object.entries(payload.series || {})) {
    const data = page.store.get(id);
    if (data === undefined || !Array.isArray(samples.t) || !samples.t.length) continue;
    const newest = samples.t[samples.t.length - 1];
    if (kind === 'data' && data.size && newest < data.newest.x - CLOCK_RESET_SECONDS) {
      data.clear();
    }
    // The bridge's rings no longer held every sample since the ones we have: a hole.
    if (samples.gap === true) data.breakAfterNewest();
    data.merge(samples.t, samples.v);
    // While paused nothing is trimmed: a longer window chosen then still finds its data.
    if (!page.paused && page.seconds !== null) {
      data.trimBefore(data.newest.x - Math.max(page.seconds, KEEP_SECONDS));
    }
    data.compact(STORE_CAP);
    page.dirty.add(page.cardOf.get(id));
  }
  scheduleFrame();
}

// stats: {"series": {"<id>": {rate, age, samples, decimated, nonfinite, errors,
//                              status: {state, reason}}},
//         "server_time": robot time when it was sent}
function onStats(stats) {
  page.events.stats += 1;
  const receivedMs = Date.now();
  page.clock.update(stats.server_time, receivedMs);
  for (const [id, entry] of Object.entries(stats.series || {})) {
    const card = page.cardOf.get(id);
    if (card === undefined) continue;
    card.legend.setStats(id, entry, receivedMs);
    const data = page.store.get(id);
    if (data === undefined) continue;  // a group: no samples of its own
    const newest = data.newest;
    if (newest !== undefined && typeof entry.age === 'number' &&
        Number.isFinite(stats.server_time)) {
      data.skew = stats.server_time - entry.age - newest.x;
    }
  }
  refreshLegends(receivedMs);
}

function isLive() {
  return client.state === 'live';
}

function refreshLegends(nowMs = Date.now()) {
  for (const card of page.cards) card.legend.refresh(nowMs, isLive());
}

// The right edge of a chart: robot time now, shifted for a chart whose every series is
// stamped on a clock of its own; never before the chart's newest sample. Null (draw up to
// the newest sample) until the robot's clock is known.
function edgeOf(card) {
  const robotNow = page.clock.now();
  if (robotNow === null) return null;
  // The skew of the series with the newest sample, unless one series is on the robot's clock.
  let shift = 0;
  let newestX = -Infinity;
  for (const id of card.ids) {
    const data = page.store.get(id);
    const newest = data.newest;
    if (newest === undefined || data.skew === null) continue;
    if (Math.abs(data.skew) <= FOREIGN_CLOCK_SECONDS) {
      shift = 0;
      break;
    }
    if (newest.x > newestX) {
      newestX = newest.x;
      shift = data.skew;
    }
  }
  return Math.max(robotNow - shift, card.chart.newest(page.store));
}

function onConnection(state) {
  page.connectionLog.push(state);
  page.connectionTimes.push(Date.now());
  connectionBadge.dataset.state = state;
  connectionBadge.textContent = STATE_LABELS[state] ?? state;
  document.body.dataset.connection = state;
  // Charts and data stay as they are: only the notice comes and goes.
  connectionNotice.textContent = NOTICES[state] ?? '';
  connectionNotice.hidden = !(state in NOTICES);
  refreshLegends();
}

// A few times a second: ages move on, and charts nothing redrew lately slide with time.
function tick() {
  const nowMs = Date.now();
  refreshLegends(nowMs);
  if (page.paused) return;
  for (const card of page.cards) {
    if (nowMs - card.drawnMs >= TICK_MS) page.dirty.add(card);
  }
  scheduleFrame();
}

function scheduleFrame() {
  if (page.frameRequested || !page.dirty.size) return;
  page.frameRequested = true;
  requestAnimationFrame(drawFrame);
}

// Draw the charts that changed, but stop after FRAME_BUDGET_MS: the rest are drawn in the
// next frames (a chart drawn is taken out and goes to the back of the queue when it changes
// again), so under heavy load charts update less often instead of the page stuttering.
function drawFrame() {
  page.frameRequested = false;
  const start = performance.now();
  for (const card of page.dirty) {
    page.dirty.delete(card);
    // Paused: only a chart never drawn is, so a page opened paused shows what came first.
    if (page.paused && card.chart.now !== undefined) continue;
    if (card.element.classList.contains('folded')) continue; // drawn again when unfolded
    card.drawnMs = Date.now();
    if (card.chart.draw(page.store, page.seconds, edgeOf(card))) showValues(card);
    if (performance.now() - start > FRAME_BUDGET_MS) break;
  }
  scheduleFrame();
}

// Draw one chart now, from the data held; while paused, up to the time it was paused at.
function redraw(card) {
  if (page.paused) {
    if (card.chart.now !== undefined) {
      card.chart.draw(page.store, page.seconds, card.chart.now);
      showValues(card);
    }
  } else {
    page.dirty.add(card);
    scheduleFrame();
  }
}

function showValues(card) {
  const decimals = card.chart.readingDecimals();
  for (const id of card.ids) {
    const last = card.chart.drawn[id] && card.chart.drawn[id].last;
    card.legend.setValue(id, last ? last.v : undefined, decimals);
  }
}

function setWindow(seconds) {
  page.seconds = seconds;
  for (const card of page.cards) {
    updateCsvLink(card.csv, card.ids, seconds);
    redraw(card);
  }
}

function setPaused(paused) {
  page.paused = paused;
  pauseButton.setAttribute('aria-pressed', String(paused));
  pauseButton.textContent = paused ? 'Resume' : 'Pause';
  document.body.classList.toggle('paused', paused);
  if (!paused) {
    for (const card of page.cards) page.dirty.add(card);
    scheduleFrame();
  }
}

// The view for viewstate.js: the window only once the user (or the URL) chose one.
function currentView() {
  return {
    window: page.windowChosen ? page.seconds : undefined,
    hide: [...page.hidden],
    paused: page.paused,
    chart: page.chart,
    fold: [...page.folded].sort((a, b) => a - b),
  };
}

// Write the view into the URL's fragment, in place (see the top of this file).
function saveView() {
  const fragment = formatViewState(currentView());
  const url = `${location.pathname}${location.search}${fragment ? `#${fragment}` : ''}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) {
    history.replaceState(history.state, '', url);
  }
}

// Show the view a URL fragment describes; what it leaves out is the default view.
function applyView(fragment) {
  const view = parseViewState(fragment);
  page.windowChosen = view.window !== undefined;
  showWindow(page.windowChosen ? view.window : page.defaultSeconds);
  page.hidden = new Set(view.hide);
  for (const card of page.cards) {
    for (const id of card.ids) {
      card.chart.setDisabled(id, page.hidden.has(id));
      card.legend.setHidden(id, page.hidden.has(id));
    }
    redraw(card);
  }
  setPaused(view.paused);
  page.folded = new Set(view.fold);
  showFolds();
  page.chart = view.chart;
  page.scrollPending = view.chart !== undefined;
  scrollToChart();
}

windowSelect.addEventListener('change', () => {
  page.windowChosen = true;
  setWindow(windowSelect.value === WHOLE_BUFFER ? null : Number(windowSelect.value));
  saveView();
});
chartSelect.addEventListener('change', () => {
  page.chart = Number(chartSelect.value);
  page.scrollPending = true;
  scrollToChart();
  saveView();
});
pauseButton.addEventListener('click', () => {
  setPaused(!page.paused);
  saveView();
});
// The user edited the address or followed a link: no reload, the page takes the new view.
window.addEventListener('hashchange', () => {
  applyView(location.hash);
  saveView();
});

const client = new StreamClient('stream', {
  meta: onMeta,
  snapshot: (payload) => onSamples('snapshot', payload),
  data: (payload) => onSamples('data', payload),
  stats: onStats,
  state: onConnection,
});

function describeState() {
  return {
    connection: client.state,
    connectionLog: page.connectionLog.slice(),
    connectionTimes: page.connectionTimes.slice(),
    lastEventMs: client.lastEvent,
    lastEventId: client.lastId,
    clockOffset: page.clock.offset,
    robotNow: page.clock.now(),
    paused: page.paused,
    theme: document.documentElement.dataset.theme,
    seconds: page.seconds,
    hidden: [...page.hidden],
    events: {...page.events},
    charts: page.cards.map((card) => ({
      title: card.title,
      renders: card.chart.renders,
      now: card.chart.now ?? null,
      xDomain: card.chart.now === undefined ? null : card.chart.xDomain,
      series: card.ids.map((id) => {
        const data = page.store.get(id);
        const drawn = card.chart.drawn[id];
        const last = data.newest;
        const gaps = data.gapTimes().length;
        return {
          id,
          disabled: Boolean(card.chart.series.find((s) => s.id === id).disabled),
          held: data.size - gaps,
          gaps,
          gapLimit: data.gapLimit,
          last: last === undefined ? null : {t: last.x, v: last.y},
          drawn: drawn ? drawn.count : 0,
          drawnLast: drawn ? drawn.last : null,
        };
      }),
    })),
  };
}

// Read-only: returns copies, never the page's own objects.
window.rtgraph = Object.freeze({
  state: describeState,
  points(id) {
    const data = page.store.get(id);
    return data === undefined ? null : data.samples();
  },
  // Times of the gap markers held for a series: where its line breaks.
  gaps(id) {
    const data = page.store.get(id);
    return data === undefined ? null : data.gapTimes();
  },
});

applyView(location.hash);
saveView();
// Dark or light (theme.js): the lines and the legends' swatches take the theme's colours.
startTheme(document.getElementById('theme-button'), () => {
  for (const card of page.cards) {
    card.chart.recolor();
    setCardSeries(card, card.series);
    redraw(card);
  }
});
client.start();
setInterval(tick, TICK_MS);
