// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The bridge's JSON routes, as the explorer and the chart editor call them. Relative URLs, so
// a reverse proxy's path prefix holds. A refusal becomes an Error whose message is the
// bridge's own ({"error": ...}: it names the key, the line, the caret under a bad path).
// Changes carry X-Requested-With: the bridge refuses changes without it, and a page of another
// origin cannot send it.

const CHANGE_HEADERS = {'X-Requested-With': 'rtgraph', 'Content-Type': 'application/json'};

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: a proxy's error page, say
  }
  if (!response.ok) {
    const why = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
    throw new Error(why);
  }
  return body;
}

// GET a JSON route: path relative to the page, query as an object.
async function getJson(path, query = {}) {
  const search = new URLSearchParams(query).toString();
  return answer(await fetch(search ? `${path}?${search}` : path, {cache: 'no-store'}));
}

// POST, PATCH or DELETE a change of the charts; body: an object (sent as JSON) or undefined.
async function sendChange(method, path, body) {
  return answer(await fetch(path, {
    method, headers: CHANGE_HEADERS, body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

export {getJson, sendChange};
