// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The page's copy of one series: points {x: time in s, y: value or null} sorted by time.
// The points are Rickshaw's data format, so drawing needs no conversion, only a slice.
// Merging is by time and drops exact duplicates, so a snapshot or catch-up event that overlaps
// what the page already holds (a reconnect) never draws a sample twice.

// Fewest points trimmed at once: trimming shifts the array, so do it in batches.
const TRIM_BATCH = 512;

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
  }

  get size() {
    return this.points.length;
  }

  // The newest point, or undefined.
  get last() {
    return this.points[this.points.length - 1];
  }

  // The oldest point, or undefined.
  get first() {
    return this.points[0];
  }

  clear() {
    this.points = [];
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
      for (const p of added) points.push(p);
      return n;
    }
    const from = lowerBound(points, added[0].x);
    const merged = mergeSorted(points.slice(from), added);
    const before = points.length;
    points.length = from;
    for (const p of merged) points.push(p);
    return points.length - before;
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

export {SeriesData, decimate};
