// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// CSV download of the robot-side buffer (/api/export.csv): the server holds more samples
// than the page draws, at full resolution.

// The export URL for some series over the last `seconds` (null: everything the server holds).
// Relative, like every URL of the page, so it works behind a proxy under a path prefix.
function exportUrl(seriesIds, seconds) {
  const query = new URLSearchParams({series: seriesIds.join(',')});
  if (seconds !== null) query.set('seconds', String(seconds));
  return `api/export.csv?${query}`;
}

// Point a chart's download link at its series and the current window.
function updateCsvLink(link, seriesIds, seconds) {
  link.href = exportUrl(seriesIds, seconds);
  const span = seconds === null ? 'the whole buffer' : `the last ${seconds} s`;
  link.title = `Download ${span} of this chart as CSV`;
}

export {updateCsvLink};
