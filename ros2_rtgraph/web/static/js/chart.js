// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// One chart card's plot, drawn with Rickshaw. This is the only module that touches
// window.Rickshaw (a classic script, see index.html); everything else sees a Chart.
//
// Rickshaw facts this relies on (rickshaw.js 1.5.1): the 'line' renderer draws a gap where
// y is null; render() rebuilds the SVG, so draw only when something changed; HoverDetail and
// Legend put series names in with innerHTML, so the hover box is rebuilt here with
// textContent and the legend is our own (legend.js). Functions given to Rickshaw.Class.create
// must use the `function` keyword: Rickshaw parses their source to find `$super`.

import {clampPoints, clampValue, clampY, enterFromLeft, sampleOf, yBounds} from './drawable.js';
import {decimate, upperBound} from './series.js';
import {formatRelative, formatTick, formatValue, niceStep, tickDecimals} from './format.js';
import {themeColor} from './theme.js';

const Rickshaw = window.Rickshaw;

// Line colours: the theme's --line-0 ... --line-7 (rtgraph.css); a series keeps its slot.
const PALETTE_SIZE = 8;
// Points drawn per series: decimation keeps each bucket's lowest and highest value, so one
// point per pixel would show every spike; two keep the line smooth. At least and at most:
const POINTS_PER_PIXEL = 2;
const MIN_DRAWN = 200;
const MAX_DRAWN = 2000;
// Pixels between y ticks (Rickshaw's Axis.Y option).
const Y_PIXELS_PER_TICK = 45;
// Pixels between x ticks.
const X_PIXELS_PER_TICK = 90;
// Share of the y range left free above and below the data.
const Y_PADDING = 0.06;
// Share of the time window left free right of the newest sample, so its point is not cut.
const X_PADDING = 0.01;
// What hover says for a series where it has no line.
const NO_DATA = 'no data';

// The line renderer with the domain chosen by the chart instead of taken from the data:
// Rickshaw's own puts 0 at the bottom unless min is 'auto', fails on empty series and makes
// the x range as wide as the data, whereas the chart shows a fixed time window ending at the
// newest sample, with the limit lines in view.
const WindowedLine = Rickshaw.Class.create(Rickshaw.Graph.Renderer.Line, {
  name: 'windowed_line',
  view: {x: [0, 1], y: [0, 1]},  // until the first draw() sets this graph's own
  domain: function () {
    return this.view;
  },
});

// Whether time x falls where a series has no line: in a gap (next to a null: a gap marker
// or a non-finite sample), before its first point, or past its newest by more than its gap
// limit. data: the points drawn (sorted by x).
function inGap(data, x, gapLimit) {
  const after = upperBound(data, x);
  const left = data[after - 1];
  const right = data[after];
  if (left === undefined) return true;
  if (right === undefined) return x - left.x > gapLimit || left.y === null;
  return left.y === null || right.y === null;
}

// Hover detail listing the time and every visible series' value, built with textContent.
// Time and values are the samples' (sampleOf), not where they are drawn.
const ValuesHover = Rickshaw.Class.create(Rickshaw.Graph.HoverDetail, {
  render: function (args) {
    const graph = this.graph;
    const mouseTime = graph.x.invert(args.mouseX);
    const box = document.createElement('div');
    box.className = 'hover-box';
    const time = document.createElement('div');
    time.className = 'hover-time';
    time.textContent = this.xFormatter(sampleOf(args.points.find((p) => p.active).value).x);
    box.appendChild(time);
    const anchor = graph.x(args.domainX);
    for (const point of args.points) {
      const row = document.createElement('div');
      row.className = 'hover-row';
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = point.series.color;
      const text = document.createElement('span');
      const gap = inGap(point.series.data, mouseTime, point.series.gapLimit);
      const value = gap ? NO_DATA : this.yFormatter(sampleOf(point.value).y);
      text.textContent = `${point.name}: ${value}`;
      row.append(swatch, text);
      box.appendChild(row);
      if (!gap && point.value.y !== null) {
        const dot = document.createElement('div');
        dot.className = 'hover-dot';
        dot.style.borderColor = point.series.color;
        dot.style.left = `${graph.x(point.value.x) - anchor}px`;
        dot.style.top = `${graph.y(point.value.y)}px`;
        this.element.appendChild(dot);
      }
    }
    // Open towards the wider side so the box stays inside the card on a phone.
    if (anchor > graph.width / 2) box.classList.add('flip');
    this.element.appendChild(box);
    this.show();
  },
});

function ticksFor(from, now, width) {
  const count = Math.max(2, Math.floor(width / X_PIXELS_PER_TICK));
  const step = niceStep((now - from) / count);
  const ticks = [];
  for (let x = now; x >= from - 1e-9; x -= step) ticks.push(x);
  return {ticks, step};
}

class Chart {
  // elements: {graph, xAxis, yAxis} (empty elements laid out by CSS); chart: the chart's
  // entry of the meta event; series: the entries of the series it draws, in chart order
  // (setSeries() changes them later).
  constructor(elements, chart, series) {
    this.element = elements.graph;
    this.plot = elements.yAxis.parentElement;
    this.yLabelChars = 0;
    this.unit = chart.unit || '';
    this.precision = Number.isInteger(chart.precision) ? chart.precision : null;
    this.min = chart.min;
    this.max = chart.max;
    this.limits = (chart.limits || []).filter((limit) => Number.isFinite(limit.value));
    // The array Rickshaw draws: setSeries() changes it in place, so the graph keeps it.
    this.series = [];
    this.setSeries(series);
    this.now = undefined;
    this.step = 1;
    this.renders = 0;
    this.drawn = {};
    this.bounds = yBounds(0, 1);  // where points are drawn at most (draw() sets it)
    this.graph = new Rickshaw.Graph({
      element: this.element,
      renderer: WindowedLine,
      interpolation: 'linear',  // the default cardinal spline overshoots real samples
      series: this.series,
    });
    this.xAxis = new Rickshaw.Graph.Axis.X({
      graph: this.graph,
      element: elements.xAxis,
      orientation: 'bottom',
      tickFormat: (x) => formatRelative(x - this.now, this.step < 1 ? 1 : 0),
    });
    this.yAxis = new Rickshaw.Graph.Axis.Y({
      graph: this.graph,
      element: elements.yAxis,
      orientation: 'left',
      pixelsPerTick: Y_PIXELS_PER_TICK,
      tickFormat: (y) => formatTick(y, this.yTickStep()),
    });
    const unit = this.unit ? ` ${this.unit}` : '';
    this.hover = new ValuesHover({
      graph: this.graph,
      xFormatter: (x) => `${formatRelative(x - this.now, 3)}  (t = ${x.toFixed(3)})`,
      yFormatter: (y) => (y === null ? NO_DATA : `${formatValue(y)}${unit}`),
    });
    this.graph.onUpdate(() => this.drawLimits());
  }

  // The time range drawn, [left, right] (the right one a little past the edge).
  get xDomain() {
    return this.graph.renderer.view.x.slice();
  }

  get colors() {
    return Object.fromEntries(this.series.map((s) => [s.id, s.color]));
  }

  // The newest sample time of the chart's series in store, or -Infinity.
  newest(store) {
    let newest = -Infinity;
    for (const s of this.series) {
      const last = store.get(s.id).newest;
      if (last !== undefined && last.x > newest) newest = last.x;
    }
    return newest;
  }

  // Draw the last `seconds` (null: everything held) up to time `edge` (the robot's now, or
  // null: the newest sample) from store (Map id -> SeriesData). Returns false when there is
  // nothing to draw yet.
  draw(store, seconds, edge) {
    const now = edge ?? this.newest(store);
    let first = Infinity;
    for (const s of this.series) {
      const head = store.get(s.id).first;
      if (head !== undefined && head.x < first) first = head.x;
    }
    if (!Number.isFinite(now)) return false;
    let from = seconds === null ? Math.min(first, now) : now - seconds;
    if (!(from < now)) from = now - 1;
    const budget = Math.min(MAX_DRAWN, Math.max(MIN_DRAWN, POINTS_PER_PIXEL * this.graph.width));
    for (const s of this.series) {
      const data = store.get(s.id);
      s.data = decimate(enterFromLeft(data.range(from, now), from, now), budget);
      s.gapLimit = data.gapLimit;
    }
    const y = this.yDomain(from);
    this.bounds = yBounds(...y);
    for (const s of this.series) s.data = clampPoints(s.data, this.bounds);
    this.now = now;
    const {ticks, step} = ticksFor(from, now, this.graph.width);
    this.step = step;
    this.xAxis.tickValues = ticks;
    this.graph.renderer.view = {x: [from, now + (now - from) * X_PADDING], y};
    this.render();
    this.fitYAxis();
    return true;
  }

  // Redraw what is already drawn (after a toggle or a resize), without taking new data.
  render() {
    this.graph.render();
    this.renders += 1;
    this.drawn = {};
    for (const s of this.series) {
      if (!s.disabled && s.path) s.path.setAttribute('data-series', s.id);
      const last = s.data.findLast((p) => !p.gap);
      const sample = last === undefined ? null : sampleOf(last);
      this.drawn[s.id] = {
        count: s.disabled ? 0 : s.data.length,
        last: sample === null ? null : {t: sample.x, v: sample.y},
      };
    }
    this.element.toggleAttribute('data-empty', !this.series.some((s) => s.data.length));
  }

  // Draw these series from now on: [{id, label, hidden}], in legend order. A series the chart
  // had keeps its colour and its points until the next draw; a new one takes the first colour
  // no other series of the chart has, so added series never recolour the ones already drawn.
  setSeries(series) {
    const had = new Map(this.series.map((s) => [s.id, s]));
    const taken = new Set(series.filter((s) => had.has(s.id)).map((s) => had.get(s.id).slot));
    const free = [...Array(PALETTE_SIZE).keys()].filter((slot) => !taken.has(slot));
    let extra = 0;  // new series beyond the palette: its colours again, in turn
    const entries = series.map((s) => {
      let entry = had.get(s.id);
      if (entry === undefined) {
        const slot = free.shift() ?? extra % PALETTE_SIZE;
        extra += 1;
        entry = {id: s.id, slot, color: themeColor(`--line-${slot}`), data: []};
      }
      entry.name = s.label;
      entry.disabled = Boolean(s.hidden);
      return entry;
    });
    this.series.splice(0, this.series.length, ...entries);
  }

  // Take the colours of the theme in force (it changed); draw() shows them.
  recolor() {
    for (const s of this.series) s.color = themeColor(`--line-${s.slot}`);
  }

  setDisabled(id, disabled) {
    const s = this.series.find((item) => item.id === id);
    s.disabled = disabled;
  }

  resize() {
    this.graph.setSize();
    this.xAxis.setSize();
    this.yAxis.setSize();
    if (this.now !== undefined) this.render();
  }

  // The y ticks d3 picks for this height, as Rickshaw's Axis.Y asks for them.
  yTicks() {
    return this.graph.y.ticks(Math.floor(this.graph.height / Y_PIXELS_PER_TICK));
  }

  yTickStep() {
    const ticks = this.yTicks();
    return ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  }

  // Decimals of the legend's readings: the chart's `precision` from the YAML, else two finer
  // than the y ticks (what the axis shows changing matters, the noise far below it does not).
  readingDecimals() {
    return this.precision ?? tickDecimals(this.yTickStep()) + 2;
  }

  // Widen or narrow the y-axis column to the longest tick label, so 11.574996 is not cut.
  // Changes only when the label length does, so the layout is not redone every frame.
  fitYAxis() {
    const step = this.yTickStep();
    const chars = Math.max(4, ...this.yTicks().map((y) => formatTick(y, step).length));
    if (chars === this.yLabelChars) return;
    this.yLabelChars = chars;
    this.plot.style.setProperty('--y-label-chars', String(chars));
    this.resize();
  }

  // y range: the configured min/max, else the visible values and the limit lines; all clamped
  // (clampValue) so that the span is finite.
  yDomain(from) {
    let low = Infinity;
    let high = -Infinity;
    for (const s of this.series) {
      if (s.disabled) continue;
      for (const p of s.data) {
        if (p.y === null || p.x < from) continue;
        if (p.y < low) low = p.y;
        if (p.y > high) high = p.y;
      }
    }
    for (const limit of this.limits) {
      low = Math.min(low, limit.value);
      high = Math.max(high, limit.value);
    }
    if (!Number.isFinite(low)) {
      low = 0;
      high = 1;
    }
    low = clampValue(low);
    high = clampValue(high);
    const pad = (high - low) * Y_PADDING || Math.max(Math.abs(high) * Y_PADDING, 1);
    low = Number.isFinite(this.min) ? clampValue(this.min) : low - pad;
    high = Number.isFinite(this.max) ? clampValue(this.max) : high + pad;
    if (!(low < high)) high = low + 1;
    return [low, high];
  }

  drawLimits() {
    if (!this.limits.length) return;
    const graph = this.graph;
    const layer = graph.vis.append('svg:g').attr('class', 'limits');
    for (const limit of this.limits) {
      const y = graph.y(clampY(limit.value, this.bounds));
      layer.append('svg:line')
        .attr('x1', 0).attr('x2', graph.width).attr('y1', y).attr('y2', y);
      if (limit.label) {
        layer.append('svg:text')
          .attr('x', graph.width - 4).attr('y', y - 4).attr('text-anchor', 'end')
          .text(limit.label);  // d3 .text() sets textContent
      }
    }
  }
}

export {Chart};
