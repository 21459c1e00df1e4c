// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The page's copy of one series: points {x: time in s, y: value or null} sorted by time.
// The points are Rickshaw's data format, so drawing needs no conversion, only a slice.
// Merging is by time and drops exact duplicates, so a snapshot or catch-up event that overlaps
// what the page already holds (a reconnect) never draws a sample twice.
//
// Gaps: where two consecutive samples are further apart than GAP_PERIODS typical periods
// (typical: the median of the last SPACINGS_KEPT spacings) and at least GAP_MIN_SECONDS, a
// gap marker {x, y: null, gap: true} goes between them, so the line breaks there (Rickshaw
// draws no line through null) and hover says "no data". A break can also be asked for
// (breakAfterNewest): across a bridge restart, or a span the bridge could not refill after a
// reconnect. Markers are drawing only: samples() leaves them out, and so does the CSV, which
// comes from the robot's rings.

// Fewest points trimmed at once: trimming shifts the array, so do it in batches.
const TRIM_BATCH = 512;
const GAP_PERIODS = 5;
const GAP_MIN_SECONDS = 1;
const SPACINGS_KEPT = 64;

function gapMarker(x) {
  return {x, y: null, gap: true};
}

function median(values) {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

// Index of the first point with x >= value (points.length when there is none).
function lowerBound(points, value) {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid].x < value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// Index of the first point with x > value.
function upperBound(points, value) {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid].x <= value) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function samePoint(a, b) {
  return a.x === b.x && a.y === b.y;
}

// Merge two sorted point arrays into one sorted array without exact duplicates.
function mergeSorted(old, added) {
  const out = [];
  let i = 0;
  let j = 0;
  while (i < old.length || j < added.length) {
    let next;
    if (j >= added.length || (i < old.length && old[i].x <= added[j].x)) next = old[i++];
    else next = added[j++];
    // Equal times are adjacent here; a duplicate can only sit among them.
    let duplicate = false;
    for (let k = out.length - 1; k >= 0 && out[k].x === next.x; k--) {
      if (samePoint(out[k], next)) { duplicate = true; break; }
    }
    if (!duplicate) out.push(next);
  }
  return out;
}

// Push points[a], points[b], points[c] (indices, -1 = none) in index order, once each.
function pushInOrder(out, points, a, b, c) {
  const kept = [a, b, c].filter((i, k, all) => i >= 0 && all.indexOf(i) === k);
  kept.sort((i, j) => i - j);
  for (const i of kept) out.push(points[i]);
}

// Keep at most maxPoints of points (sorted), spikes and gaps included: time is cut into
// equal buckets, each keeps its lowest and highest value in time order and one null if it
// had any (so a gap stays a gap). The very last point is always kept: it is the value the
// legend shows. Runs on every draw of a long window: keep the loop lean.
function decimate(points, maxPoints) {
  const n = points.length;
  if (n <= maxPoints) return points;
  const buckets = Math.max(1, Math.floor((maxPoints - 1) / 3));
  const first = points[0].x;
  const scale = buckets / ((points[n - 1].x - first) || 1);
  const out = [];
  let bucket = -1;
  let low = -1;
  let high = -1;
  let gap = -1;
  for (let i = 0; i < n - 1; i++) {
    const y = points[i].y;
    const b = Math.min(buckets - 1, Math.floor((points[i].x - first) * scale));
    if (b !== bucket) {
      pushInOrder(out, points, low, high, gap);
      bucket = b;
      low = high = gap = -1;
    }
    if (y === null) {
      if (gap < 0) gap = i;
    } else {
      if (low < 0 || y < points[low].y) low = i;
      if (high < 0 || y > points[high].y) high = i;
    }
  }
  pushInOrder(out, points, low, high, gap);
  out.push(points[n - 1]);
  return out;
}

class SeriesData {
  constructor() {
    this.points = [];
    this.spacings = []; // the last SPACINGS_KEPT spacings between consecutive samples
    this.breakAt = null; // a break is due after this time (see breakAfterNewest)
    // Robot time - sample time of the newest sample when it arrived (stamps on a clock of
    // their own, e.g. a sensor's); set from the stats events, null until known.
    this.skew = null;
  }

  get size() {
    return this.points.length;
  }

  // The oldest point, or undefined.
  get first() {
    return this.points[0];
  }

  clear() {
    this.points = [];
    this.spacings = [];
    this.breakAt = null;
  }

  // The newest sample (not a gap marker), or undefined.
  get newest() {
    for (let i = this.points.length - 1; i >= 0; i--) {
      if (!this.points[i].gap) return this.points[i];
    }
    return undefined;
  }

  // Seconds between two samples beyond which the line breaks.
  get gapLimit() {
    const typical = this.spacings.length ? median(this.spacings) : 0;
    return Math.max(GAP_PERIODS * typical, GAP_MIN_SECONDS);
  }

  // Break the line between the newest sample held now and whatever comes next.
  breakAfterNewest() {
    const newest = this.newest;
    if (newest !== undefined) this.breakAt = newest.x;
  }

  // The times of the gap markers held: where the line breaks.
  gapTimes() {
    return this.points.filter((p) => p.gap).map((p) => p.x);
  }

  // Remember the spacings of sorted samples (after `before`, the newest held, if any).
  noteSpacings(before, added) {
    let previous = before;
    for (const p of added) {
      if (previous !== undefined && p.x > previous.x) this.spacings.push(p.x - previous.x);
      previous = p;
    }
    if (this.spacings.length > SPACINGS_KEPT) {
      this.spacings.splice(0, this.spacings.length - SPACINGS_KEPT);
    }
  }

  // Return pts (sorted) with gap markers where the line must break; `before` is the point
  // just before pts[0] (undefined at the start).
  withGaps(before, pts) {
    const limit = this.gapLimit;
    const out = [];
    let previous = before;
    for (const p of pts) {
      if (previous !== undefined && previous.y !== null && p.y !== null) {
        const due = this.breakAt !== null && previous.x <= this.breakAt && p.x > this.breakAt;
        if (due || p.x - previous.x > limit) out.push(gapMarker((previous.x + p.x) / 2));
      }
      if (this.breakAt !== null && p.x > this.breakAt) this.breakAt = null;
      out.push(p);
      previous = p;
    }
    return out;
  }

  // Add samples given as parallel arrays t[] and v[] (v[i] null for a non-finite value).
  // Returns how many points were added.
  merge(t, v) {
    const n = Math.min(t.length, v.length);
    if (n === 0) return 0;
    const added = new Array(n);
    let sorted = true;
    for (let i = 0; i < n; i++) {
      added[i] = {x: t[i], y: v[i] === null ? null : v[i]};
      if (i > 0 && t[i] < t[i - 1]) sorted = false;
    }
    // Header stamps of one topic can arrive out of order; a line must not zig-zag back.
    if (!sorted) added.sort((a, b) => a.x - b.x);
    const points = this.points;
    const last = points[points.length - 1];
    if (last === undefined || added[0].x > last.x) {
      this.noteSpacings(this.newest, added);
      for (const p of this.withGaps(last, added)) points.push(p);
      return n;
    }
    const from = lowerBound(points, added[0].x);
    const merged = mergeSorted(points.slice(from), added);
    this.noteSpacings(undefined, added);
    const before = points.length;
    const head = points[from - 1];
    points.length = from;
    for (const p of this.withGaps(head, merged)) points.push(p);
    return points.length - before;
  }

  // The samples held, without gap markers: {t: [...], v: [...]}.
  samples() {
    const kept = this.points.filter((p) => !p.gap);
    return {t: kept.map((p) => p.x), v: kept.map((p) => p.y)};
  }

  // Forget points older than x (in batches: see TRIM_BATCH).
  trimBefore(x) {
    const count = lowerBound(this.points, x);
    if (count >= TRIM_BATCH || count > this.points.length / 2) this.points.splice(0, count);
  }

  // Keep memory bounded: above cap points, decimate everything to half the cap.
  compact(cap) {
    if (this.points.length > cap) this.points = decimate(this.points, Math.floor(cap / 2));
  }

  // The points with from <= x <= to, plus the one just before `from` so the line enters the
  // plot at its left edge. A new array: the caller may keep it while this one changes.
  range(from, to) {
    const start = Math.max(0, lowerBound(this.points, from) - 1);
    return this.points.slice(start, upperBound(this.points, to));
  }
}

export {SeriesData, decimate, upperBound};
