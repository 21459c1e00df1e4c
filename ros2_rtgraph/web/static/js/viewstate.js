// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// One viewer's view in the URL's fragment, so that a reload or a shared link shows the same
// view: `#window=10&hide=s3,s5&paused=1&chart=2&fold=0,4`. A fragment never reaches the
// server, and every viewer has their own. Pure functions from a fragment to a view and back;
// main.js reads and writes the address.
//
// A view: {window, hide, paused, chart}
//   window: seconds shown, null for the whole buffer (the selector's `buffer`), undefined when
//           the fragment does not choose (the bridge's default then);
//   hide: ids of the series the viewer hid (meta event ids), in the order given;
//   paused: boolean;
//   chart: index of the chart to scroll to, undefined for none;
//   fold: indices of the charts folded away (only their header shows), ascending.
//
// A fragment is whatever someone typed or linked: each key is checked on its own and a bad
// value counts as absent, silently. Nothing of it ever goes into the DOM as HTML.

// The window selector's value for the whole buffer.
const WHOLE_BUFFER = 'buffer';
// What a series id may be (the bridge's are `s3`, and `s3.0` for a slice's members); this
// also keeps the ids readable in the fragment, where none of these characters is escaped.
const SERIES_ID = /^[A-Za-z0-9_.-]{1,64}$/;
// A chart index: digits only (no sign, no exponent, no fraction).
const INDEX = /^\d{1,6}$/;

// The view a fragment describes (with or without its leading '#').
function parseViewState(fragment) {
  const query = new URLSearchParams(fragment.replace(/^#/, ''));
  const view = {window: undefined, hide: [], paused: query.get('paused') === '1', fold: []};
  const shown = query.get('window');
  const seconds = Number(shown);
  if (shown === WHOLE_BUFFER) view.window = null;
  else if (shown !== null && Number.isFinite(seconds) && seconds > 0) view.window = seconds;
  const hide = query.get('hide');
  if (hide !== null) {
    view.hide = [...new Set(hide.split(',').filter((id) => SERIES_ID.test(id)))];
  }
  const chart = query.get('chart');
  view.chart = chart !== null && INDEX.test(chart) ? Number(chart) : undefined;
  const fold = query.get('fold');
  if (fold !== null) {
    view.fold = [...new Set(fold.split(',').filter((i) => INDEX.test(i)).map(Number))]
      .sort((a, b) => a - b);
  }
  return view;
}

// The fragment (without '#') for a view; '' for the default view. Keys in a fixed order.
function formatViewState(view) {
  const parts = [];
  if (view.window === null) parts.push(`window=${WHOLE_BUFFER}`);
  else if (view.window !== undefined) parts.push(`window=${encodeURIComponent(view.window)}`);
  if (view.hide.length) parts.push(`hide=${view.hide.map(encodeURIComponent).join(',')}`);
  if (view.paused) parts.push('paused=1');
  if (view.chart !== undefined) parts.push(`chart=${view.chart}`);
  if (view.fold.length) parts.push(`fold=${view.fold.join(',')}`);
  return parts.join('&');
}

export {formatViewState, parseViewState, WHOLE_BUFFER};
