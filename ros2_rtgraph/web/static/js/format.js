// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// Number formatting shared by the axes, the hover detail and the legend. Plain strings only:
// callers put them into the DOM as text.

// A sample value: up to 6 significant digits, no trailing zeros (3.25 stays "3.25").
function formatValue(value) {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-4)) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(6)));
}

// Decimals that tell ticks `step` apart: 0.2 -> 1, 0.05 -> 2, 10 -> 0.
function tickDecimals(step) {
  return Math.max(0, Math.ceil(-Math.log10(step) - 1e-9));
}

// A reading in the legend, with a fixed number of decimals (so it does not jitter in width
// twenty times a second); formatValue's exponent form where that one uses it.
function formatReading(value, decimals) {
  const abs = Math.abs(value);
  if (!Number.isFinite(value) || decimals > 9 || abs >= 1e7 || (abs !== 0 && abs < 1e-4)) {
    return formatValue(value);
  }
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? text.replace('-', '') : text; // -0.004 reads 0.00, not -0.00
}

// A y-axis tick with as many decimals as the spacing of the ticks needs: a GPS latitude
// axis must read 48.1372, 48.1374, not 48.14 five times.
function formatTick(value, step) {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const decimals = tickDecimals(step);
  if (abs >= 1e6 || decimals > 9) {
    const digits = Math.floor(Math.log10(abs)) - Math.floor(Math.log10(step) + 1e-9);
    return value.toExponential(Math.max(0, digits));
  }
  return value.toFixed(decimals);
}

// Seconds relative to the newest sample, e.g. "-2.5 s".
function formatRelative(seconds, digits = 1) {
  const rounded = Number(seconds.toFixed(digits));
  return `${rounded === 0 ? 0 : rounded} s`;
}

// A step of 1, 2 or 5 times a power of ten, at least `raw`.
function niceStep(raw) {
  if (!(raw > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const factor of [1, 2, 5, 10]) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

function formatRate(hz) {
  if (hz === null || hz === undefined) return '';
  return `${hz >= 10 ? Math.round(hz) : hz.toFixed(1)} Hz`;
}

function formatAge(seconds) {
  if (seconds === null || seconds === undefined) return 'no data';
  if (seconds < 60) return `${seconds.toFixed(1)} s ago`;
  return `${Math.round(seconds / 60)} min ago`;
}

export {formatAge, formatRate, formatReading, formatRelative, formatTick, formatValue, niceStep,
  tickDecimals};
