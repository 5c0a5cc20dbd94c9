// The /v1/ws connection: live events, presence and typing.
//
// The server numbers every durable event (update_id). Live keeps the last one
// it saw and reconnects with ?since=<it> after any drop, so the server replays
// what was missed: nothing is lost and nothing comes twice. When it has no
// number yet (no event arrived before the drop), or the server answers
// /reset (the number is older than its log), Live asks the app to reload what
// it shows instead (onResync).

const PRESENCE_EVERY = 150_000; // the server marks a user away after 10 minutes without one
const TYPING_EVERY = 3_000;
const RETRY_MIN = 300;
const RETRY_MAX = 10_000;

export class Live {
  // handlers: onFrame(frame), onStatus("connecting"|"live"|"reconnecting"),
  // onResync(), onUnauthenticated(), onRefused() (the socket closed before
  // it opened: the app checks whether the token still works).
  constructor(token, handlers) {
    this.token = token;
    this.h = handlers;
    this.lastID = 0;
    this.ws = null;
    this.retry = 0;
    this.timer = 0;
    this.presenceTimer = 0;
    this.resyncOnOpen = false;
    this.closed = false;
    this.typingSent = new Map(); // thread id -> time of the last /typing sent
    this.opened = null; // resolves on the first open
    this.onOnline = () => this.reconnectNow();
    window.addEventListener("online", this.onOnline);
  }

  // start connects and resolves once the socket is open (or after a few
  // seconds, so a slow socket does not hold up the first page).
  start() {
    this.opened = new Promise((resolve) => {
      this.resolveOpened = resolve;
      setTimeout(resolve, 4000);
    });
    this.connect();
    return this.opened;
  }

  connect() {
    clearTimeout(this.timer);
    if (this.closed) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const q = new URLSearchParams({ token: this.token });
    if (this.lastID > 0) q.set("since", String(this.lastID));
    else if (this.ws) this.resyncOnOpen = true; // a reconnect without a cursor
    this.h.onStatus(this.ws ? "reconnecting" : "connecting");
    const ws = new WebSocket(`${proto}//${location.host}/v1/ws?${q}`);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      opened = true;
      this.retry = 0;
      this.h.onStatus("live");
      this.send({ path: "/presence", args: { users: true } });
      clearInterval(this.presenceTimer);
      this.presenceTimer = setInterval(() => this.send({ path: "/presence" }), PRESENCE_EVERY);
      if (this.resyncOnOpen) {
        this.resyncOnOpen = false;
        this.h.onResync();
      }
      if (this.resolveOpened) this.resolveOpened();
    };
    ws.onmessage = (e) => {
      if (ws !== this.ws) return;
      let f;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (f.update_id > this.lastID) this.lastID = f.update_id;
      if (f.path === "/reset") this.h.onResync();
      else this.h.onFrame(f);
    };
    ws.onclose = (e) => {
      if (ws !== this.ws) return;
      clearInterval(this.presenceTimer);
      if (this.closed) return;
      if (e.code === 4401) {
        this.h.onUnauthenticated();
        return;
      }
      this.h.onStatus("reconnecting");
      if (!opened) this.h.onRefused?.();
      // 4001 (fell behind) and 1012 (server restarting) ask for an immediate
      // resume; anything else backs off.
      const soon = e.code === 4001 || e.code === 1012;
      const delay = soon ? 100 : Math.min(RETRY_MAX, RETRY_MIN * 2 ** this.retry) * (0.75 + Math.random() / 2);
      this.retry++;
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  reconnectNow() {
    if (this.closed || (this.ws && this.ws.readyState === WebSocket.OPEN)) return;
    this.retry = 0;
    this.connect();
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  // typing tells the thread's readers that this user is typing, at most
  // every few seconds.
  typing(threadID) {
    const now = Date.now();
    if (now - (this.typingSent.get(threadID) || 0) < TYPING_EVERY) return;
    this.typingSent.set(threadID, now);
    this.send({ path: "/typing", args: { thread_id: threadID } });
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.presenceTimer);
    window.removeEventListener("online", this.onOnline);
    if (this.ws) this.ws.close(1000, "signed out");
  }
}
