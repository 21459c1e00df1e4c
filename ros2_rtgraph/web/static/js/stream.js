// Copyright 2026 ros2_rtgraph developers
// SPDX-License-Identifier: Apache-2.0
//
// The /stream client: an EventSource that stays connected over flaky Wi-Fi.
//
// EventSource reconnects by itself after a network error and then sends Last-Event-ID, but a
// 204 or 503 answer (or a failed reconnect) closes it for good: then this client opens a new
// one after a backoff and passes the last id as ?lastEventId=, which the server treats like
// the header, so the page resumes with exactly the samples it missed. A connection that
// stays silent (stats come every second) is dropped and reopened, as a half-open TCP
// connection after a Wi-Fi change never reports an error.
//
// Before each of its own retries the client asks ./api/config: an EventSource cannot see
// the status of a refused response, a fetch can. A 401 means the bridge answers but not to
// our cookie (it restarted with a new generated token): retrying faster cannot help, so the
// client says so and asks again every TOKEN_RETRY_MS; once the cookie is right again (the
// new URL opened in another tab) it reconnects by itself.
//
// States reported to handlers.state: 'connecting' (first attempt), 'live', 'stalled' while
// an open stream has brought no event for STALL_AFTER_MS (stats come every second: the link
// or the bridge is stuck; back to 'live' at the next event, reopened after
// SILENCE_LIMIT_MS), 'reconnecting', 'offline' once the stream has been down for
// OFFLINE_AFTER_MS (retries go on), and 'token-needed' while the bridge refuses the page's
// token.

const EVENTS = ['meta', 'snapshot', 'data', 'stats'];
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10000;
const OFFLINE_AFTER_MS = 10000;
const STALL_AFTER_MS = 3000;
const SILENCE_LIMIT_MS = 15000;
const WATCH_PERIOD_MS = 250;
const TOKEN_RETRY_MS = 10000;
const PROBE_URL = 'api/config';

class StreamClient {
  // url: the stream URL; handlers: {meta, snapshot, data, stats}(payload, id) and state(name).
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.source = null;
    this.lastId = null;
    this.state = null;
    this.failures = 0;
    this.downSince = null;
    this.lastEvent = 0;
    this.retryTimer = null;
    this.attempt = 0; // counts scheduled retries, so a late probe answer is ignored
  }

  start() {
    this.setState('connecting');
    this.open();
    setInterval(() => this.watch(), WATCH_PERIOD_MS);
    window.addEventListener('online', () => {
      if (this.state !== 'live') this.reconnect(0);
    });
  }

  // Reconnect without a resume id, so the server sends its window as a snapshot. For a
  // server that restarted: its sequence numbers start again and ours mean nothing to it.
  restart() {
    this.lastId = null;
    this.reconnect(0);
  }

  open() {
    this.retryTimer = null;
    const url = this.lastId === null
      ? this.url : `${this.url}?lastEventId=${encodeURIComponent(this.lastId)}`;
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      if (source === this.source) this.connected();
    };
    source.onerror = () => {
      if (source === this.source) this.failed(source);
    };
    for (const name of EVENTS) {
      source.addEventListener(name, (event) => {
        if (source === this.source) this.receive(name, event);
      });
    }
  }

  connected() {
    this.failures = 0;
    this.downSince = null;
    this.lastEvent = Date.now();
    this.setState('live');
  }

  receive(name, event) {
    this.lastEvent = Date.now();
    if (this.state === 'stalled') this.setState('live');
    this.handlers[name](JSON.parse(event.data), event.lastEventId);
    // An event without id keeps the previous one, so this is the newest id seen.
    if (event.lastEventId && this.source !== null) this.lastId = event.lastEventId;
  }

  failed(source) {
    if (this.downSince === null) this.downSince = Date.now();
    if (source.readyState === EventSource.CLOSED) {
      // Closed for good (204, 503, or a failed reconnect): our own retry from here.
      this.source = null;
      this.failures += 1;
      this.schedule(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (this.failures - 1)));
    }
    this.setState(this.isLongDown() ? 'offline' : 'reconnecting');
  }

  reconnect(delay) {
    if (this.source !== null) this.source.close();
    this.source = null;
    if (this.downSince === null) this.downSince = Date.now();
    // The probe before the retry tells whether the token is still refused.
    if (this.state !== 'token-needed') {
      this.setState(this.isLongDown() ? 'offline' : 'reconnecting');
    }
    this.schedule(delay);
  }

  schedule(delay) {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const attempt = ++this.attempt;
    // A little jitter so many pages do not hit a restarted bridge at the same instant.
    this.retryTimer = setTimeout(() => this.retry(attempt), delay + Math.random() * delay * 0.2);
  }

  // Ask whether the bridge takes our token, then reopen the stream; on 401 wait and ask
  // again. Any other answer, or none (bridge down), goes on to the stream as before.
  retry(attempt) {
    this.retryTimer = null;
    fetch(PROBE_URL, {cache: 'no-store'}).then(
      (response) => response.status === 401,
      () => false,
    ).then((refused) => {
      if (attempt !== this.attempt || this.source !== null) return;
      if (refused) {
        this.setState('token-needed');
        this.schedule(TOKEN_RETRY_MS);
      } else {
        this.open();
      }
    });
  }

  watch() {
    const open = this.state === 'live' || this.state === 'stalled';
    const silence = Date.now() - this.lastEvent;
    if (open && silence > SILENCE_LIMIT_MS) {
      this.reconnect(0);
    } else if (this.state === 'live' && silence > STALL_AFTER_MS) {
      this.setState('stalled');
    } else if (this.state === 'reconnecting' && this.isLongDown()) {
      this.setState('offline');
    }
  }

  isLongDown() {
    return this.downSince !== null && Date.now() - this.downSince > OFFLINE_AFTER_MS;
  }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    this.handlers.state(state);
  }
}

export {StreamClient};
