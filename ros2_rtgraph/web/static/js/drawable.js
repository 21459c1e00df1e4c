// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// Coordinates SVG can draw, from samples that may be any finite double. d3 maps a value v to
// (v - low) / (high - low) * height: with -1e308 and 1e308 in view that span overflows to
// Infinity and every coordinate is NaN; a value far outside a configured range becomes a
// pixel beyond what Chromium parses (path numbers are floats). Either way Chromium logs
// "attribute d: Expected number" and draws nothing. And a sample 2^31 s before the window
// (a stamp that jumped) lies 1e10 pixels left of the plot.
//
// So the chart takes its y range from values clamped to +-VALUE_LIMIT, draws no point more
// than MARGIN plot heights beyond that range (nor beyond +-VALUE_LIMIT), and none more than
// one window left of it. Drawing only: a point drawn elsewhere than its sample carries the
// sample in `sample` (sampleOf), which the legend and hover show; the samples the page holds,
// the robot's rings and the CSV are exact.

// Largest magnitude a value is drawn at: twice it, the widest span, is still finite.
const VALUE_LIMIT = 1e300;
// Plot heights beyond the y range a point may be drawn: far enough that a line to it leaves
// the plot nearly as steeply as to the real value, near enough for single precision.
const MARGIN = 100;

function clampValue(v) {
  return v > VALUE_LIMIT ? VALUE_LIMIT : v < -VALUE_LIMIT ? -VALUE_LIMIT : v;
}

// The sample a drawn point stands for.
function sampleOf(point) {
  return point.sample ?? point;
}

// A copy of point drawn at (x, y), standing for the same sample.
function drawnAt(point, x, y) {
  return {...point, x, y, sample: sampleOf(point)};
}

// The lowest and highest y a point is drawn at for the y range [low, high].
function yBounds(low, high) {
  const span = high - low;
  return [Math.max(low - MARGIN * span, -VALUE_LIMIT),
    Math.min(high + MARGIN * span, VALUE_LIMIT)];
}

// y clamped into bounds (from yBounds).
function clampY(y, bounds) {
  return y < bounds[0] ? bounds[0] : y > bounds[1] ? bounds[1] : y;
}

// points (sorted by x, the first possibly before `from`: the line enters there) with that
// first point no further than one window (to - from) left of `from`; moved along its line
// to the next point, so the line crosses the plot as before. The same array when it is near.
function enterFromLeft(points, from, to) {
  const first = points[0];
  const x = from - (to - from);
  if (first === undefined || !(first.x < x)) return points;
  const next = points[1];
  let y = first.y;
  if (y !== null && next !== undefined && next.y !== null) {
    const y0 = clampValue(y);
    y = y0 + (clampValue(next.y) - y0) * ((x - first.x) / (next.x - first.x));
  }
  const out = points.slice();
  out[0] = drawnAt(first, x, y);
  return out;
}

// points with every y within bounds (from yBounds); the same array when nothing is outside.
function clampPoints(points, bounds) {
  let out = null;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    if (p.y === null || (p.y >= bounds[0] && p.y <= bounds[1])) continue;
    if (out === null) out = points.slice();
    out[i] = drawnAt(p, p.x, clampY(p.y, bounds));
  }
  return out ?? points;
}

export {clampPoints, clampValue, clampY, enterFromLeft, sampleOf, yBounds};
