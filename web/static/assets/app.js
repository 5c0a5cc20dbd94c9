// Parley's web client. It uses only the public /v1 API and /v1/ws, as any
// other client would.
//
// app.js holds the state shared by the views (who I am, the org, channels,
// people, presence, the threads seen so far and each channel's list of them),
// routes between the views, and applies live events to the state before the
// current view redraws.

import { h, replace, initials, hue } from "./dom.js";
import { Api } from "./api.js";
import { Live } from "./live.js";
import { loadSession, saveSession, clearSession } from "./session.js";
import { showJoin, showWelcome } from "./join.js";
import { Sidebar } from "./sidebar.js";
import { ChannelView } from "./channel.js";
import { ThreadView, REACTIONS } from "./thread.js";
import { SearchView } from "./search.js";
import { icon } from "./composer.js";

class App {
  constructor(root) {
    this.root = root;
    this.session = loadSession();
    this.api = new Api(
      () => (this.session ? this.session.token : ""),
      () => this.signOut("Your session has ended. Open your team's join link to come back."),
    );
    this.users = new Map();
    this.channels = new Map();
    this.threads = new Map(); // id -> thread JSON (with read)
    this.lists = new Map(); // channel id -> {ids, done}
    this.active = new Set(); // user ids online
    this.activity = new Set(); // channel ids with activity not seen yet
    this.files = new Map(); // upload handle -> Promise<object URL>
    this.view = null;
  }

  async boot() {
    const fromHash = location.hash.match(/^#token=([^&]+)/);
    if (fromHash) {
      // An admin opens the client with a token made on the command line.
      this.session = { token: decodeURIComponent(fromHash[1]) };
      saveSession(this.session);
      history.replaceState(null, "", location.pathname);
    }
    const join = location.pathname.match(/^\/join\/([^/]+)\/?$/);
    if (!this.session) {
      if (join) {
        showJoin(this.root, this.api, decodeURIComponent(join[1]), (s) => {
          this.session = s;
          saveSession(s);
          // The join link holds the org's secret: keep it out of history.
          history.replaceState(null, "", "/");
          this.start();
        });
      } else showWelcome(this.root);
      return;
    }
    if (join) history.replaceState(null, "", "/");
    await this.start();
  }

  async start() {
    replace(this.root, h("p", { class: "boot", role: "status" }, "Loading…"));
    try {
      this.me = await this.api.me();
    } catch (err) {
      if (err.status !== 401) this.showFatal(err);
      return;
    }
    this.session.user = this.me;
    saveSession(this.session);
    this.live = new Live(this.session.token, {
      onFrame: (f) => this.onFrame(f),
      onStatus: (s) => this.onStatus(s),
      onResync: () => this.resync(),
      onUnauthenticated: () => this.signOut("Your session has ended. Open your team's join link to come back."),
      // A refused upgrade does not say why: a 401 here signs out (Api).
      onRefused: () => this.api.me().catch(() => {}),
    });
    // Listen first, then load: a change made while loading still arrives.
    await this.live.start();
    try {
      await this.loadBasics();
    } catch (err) {
      this.live?.close();
      if (err.status !== 401) this.showFatal(err);
      return;
    }
    this.renderShell();
    this.route();
    setInterval(() => {
      if (this.view instanceof ChannelView) this.view.render();
    }, 60_000);
  }

  async loadBasics() {
    const [org, channels, users] = await Promise.all([this.api.org(), this.api.channels(), this.api.users()]);
    this.org = org;
    this.channels = new Map(channels.map((c) => [c.id, c]));
    this.users = new Map(users.map((u) => [u.id, u]));
    this.users.set(this.me.id, { ...this.users.get(this.me.id), ...this.me });
  }

  showFatal(err) {
    replace(
      this.root,
      h(
        "main",
        { class: "gate" },
        h(
          "div",
          { class: "gate-card" },
          h("h1", {}, "Parley could not start"),
          h("p", { role: "alert" }, err.message),
          h("button", { type: "button", class: "primary", onclick: () => location.reload() }, "Try again"),
        ),
      ),
    );
  }

  renderShell() {
    this.sidebar = new Sidebar(this);
    this.main = h("main", { id: "main", class: "main", tabindex: -1 });
    this.conn = h("span", { class: "conn", role: "status" });
    this.toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
    this.menuBtn = h(
      "button",
      { type: "button", class: "icon-btn menu-btn", "aria-label": "Channels", "aria-expanded": "false", "aria-controls": "sidebar", onclick: () => this.toggleSidebar() },
      icon("menu"),
    );
    const q = h("input", { id: "search-q", type: "search", name: "q", placeholder: "Search threads", "aria-label": "Search threads", autocomplete: "off" });
    const search = h(
      "form",
      {
        class: "search",
        role: "search",
        onsubmit: (e) => {
          e.preventDefault();
          const v = q.value.trim();
          if (v) this.show(new SearchView(this, v));
        },
      },
      q,
    );
    const me = h(
      "div",
      { class: "me" },
      h("span", { class: "avatar small", style: { "--h": hue(this.me.id) }, "aria-hidden": "true" }, initials(this.me.name)),
      h("span", { class: "me-name" }, this.me.name),
      h("button", { type: "button", class: "text-btn", onclick: () => this.confirmSignOut() }, "Sign out"),
    );
    const top = h(
      "header",
      { class: "topbar" },
      this.menuBtn,
      h("a", { class: "brand", href: "/" }, h("span", { class: "logo small", "aria-hidden": "true" }, "P"), h("span", { class: "org-name" }, this.orgName())),
      search,
      this.conn,
      me,
    );
    this.scrim = h("div", { class: "scrim", onclick: () => this.toggleSidebar(false) });
    replace(
      this.root,
      h("a", { class: "skip", href: "#main" }, "Skip to conversation"),
      top,
      h("div", { class: "body" }, this.sidebar.el, this.scrim, this.main),
      this.toasts,
    );
    if (this.wired) return;
    this.wired = true;
    this.root.addEventListener("click", (e) => this.onClick(e));
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.main) {
        if (this.picker) this.closePicker(true);
        else this.toggleSidebar(false);
      }
    });
    window.addEventListener("popstate", () => this.main && this.route());
  }

  orgName() {
    return (this.org && (this.org.title || this.org.name)) || "Parley";
  }

  setTitle(what) {
    document.title = `${what} · ${this.orgName()}`;
  }

  toggleSidebar(open) {
    const on = open ?? !this.root.classList.contains("nav-open");
    this.root.classList.toggle("nav-open", on);
    this.menuBtn.setAttribute("aria-expanded", String(on));
    if (on) this.sidebar.el.querySelector("a, button, input")?.focus();
  }

  // onClick routes same-origin links inside the client without a reload.
  onClick(e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target.closest("a[href]");
    if (!a || a.target || a.hasAttribute("download")) return;
    const href = a.getAttribute("href");
    if (href === "#main") return;
    if (!href.startsWith("/") || href.startsWith("//") || href.startsWith("/v1/")) return;
    e.preventDefault();
    this.navigate(href);
  }

  navigate(path, replaceState = false) {
    if (replaceState) history.replaceState(null, "", path);
    else if (path !== location.pathname) history.pushState(null, "", path);
    this.route();
  }

  route() {
    const p = location.pathname;
    this.toggleSidebar(false);
    let m;
    if ((m = p.match(/^\/c\/([^/]+)$/)) && this.channels.has(m[1])) return this.show(new ChannelView(this, m[1]));
    if ((m = p.match(/^\/t\/(?:.*\/)?([^/]+)$/))) return this.show(new ThreadView(this, m[1]));
    const first = this.defaultChannel();
    if (first) return this.navigate(`/c/${first.id}`, true);
    if (p !== "/") history.replaceState(null, "", "/");
    this.show(new EmptyView(this));
  }

  // defaultChannel is where "/" leads: a joined channel, "general" first.
  defaultChannel() {
    const chans = [...this.channels.values()].sort((a, b) => a.name.localeCompare(b.name));
    const joined = chans.filter((c) => c.members.includes(this.me.id));
    return joined.find((c) => c.name === "general") || joined[0] || chans[0];
  }

  show(view) {
    this.view?.destroy?.();
    this.view = view;
    view.mount(this.main);
    this.sidebar.renderChannels();
    view.focus();
  }

  onStatus(s) {
    // A new connection asks for the full list of who is online (Live sends
    // /presence with users:true): start it afresh.
    if (s === "live") this.active.clear();
    if (!this.conn) return;
    this.conn.textContent = s === "live" ? "" : s === "connecting" ? "Connecting…" : "Reconnecting…";
    this.conn.classList.toggle("visible", s !== "live");
  }

  // resync reloads what is shown when live events may have been missed.
  async resync() {
    if (!this.main) return;
    try {
      await this.loadBasics();
    } catch {
      return; // the next reconnect tries again
    }
    this.threads.clear();
    this.lists.clear();
    this.sidebar.renderAdmin();
    this.sidebar.render();
    this.view?.onResync();
  }

  // onFrame applies a frame from /v1/ws. Frames can come before the shell is
  // drawn (the socket opens first): they update the state, and the shell
  // draws from it.
  onFrame(f) {
    if (!this.session) return;
    switch (f.path) {
      case "server/event":
        if (this.main) this.onEvent(f.event, f.data);
        break;
      case "/presence": {
        const ids = (f.data && f.data.user_ids) || [];
        for (const id of ids) f.data.status === "active" ? this.active.add(id) : this.active.delete(id);
        this.sidebar?.renderPeople();
        break;
      }
      case "/typing":
        if (this.main) this.view?.onTyping?.(f.data);
        break;
      case "/error":
        console.warn("parley: the server refused a frame:", f.data);
        break;
    }
  }

  onEvent(type, d) {
    switch (type) {
      case "message.created": {
        const t = this.threads.get(d.thread_id);
        if (t) {
          t.num_chats++;
          t.updated_at = d.created_at;
          const reading = this.view instanceof ThreadView && this.view.id === t.id && this.view.isReading();
          if (d.author_id !== this.me.id && !reading) t.read = { ...(t.read || {}), num_unread: ((t.read && t.read.num_unread) || 0) + 1 };
          this.bump(t);
          this.noteActivity(t, d.author_id);
        } else if (this.view instanceof ChannelView) {
          this.fetchIntoLists(d.thread_id);
        }
        break;
      }
      case "message.deleted": {
        const t = this.threads.get(d.thread_id);
        if (t) t.num_chats = Math.max(0, t.num_chats - 1);
        break;
      }
      case "thread.created": {
        // Its first chat follows as message.created, which counts it (the
        // event may already show the thread with that chat).
        this.storeThreads([{ ...d, num_chats: 0, read: { ...(d.read || {}), num_unread: 0 } }]);
        this.bump(this.threads.get(d.id));
        break;
      }
      case "thread.updated": {
        const t = this.threads.get(d.id);
        if (t) Object.assign(t, { ...d, read: t.read, num_chats: d.num_chats });
        if (d.bits.deleted || (d.bits.hidden && !this.canManageChannels())) {
          for (const l of this.lists.values()) l.ids = l.ids.filter((id) => id !== d.id);
        }
        break;
      }
      case "read.moved": {
        const t = this.threads.get(d.thread_id);
        if (t && d.user_id === this.me.id) t.read = d;
        break;
      }
      case "channel.created":
      case "channel.updated": {
        const before = this.channels.get(d.id);
        this.channels.set(d.id, d);
        const wasIn = before && before.members.includes(this.me.id);
        if (wasIn !== d.members.includes(this.me.id)) this.lists.delete(d.id);
        this.sidebar.renderChannels();
        if (this.view instanceof ChannelView && this.view.id === d.id && wasIn !== d.members.includes(this.me.id)) this.view.onResync();
        break;
      }
      case "channel.deleted":
        this.channels.delete(d.id);
        this.lists.delete(d.id);
        this.sidebar.renderChannels();
        if (this.view instanceof ChannelView && this.view.id === d.id) this.navigate("/", true);
        return;
      case "user.created":
      case "user.updated":
        this.users.set(d.id, d);
        this.sidebar.renderPeople();
        if (d.id === this.me.id) {
          // A new level may show or hide the join link and channel tools.
          this.me = { ...this.me, ...d };
          this.api.org().then((o) => {
            this.org = o;
            this.sidebar?.renderAdmin();
          }, () => {});
        }
        break;
      case "org.updated":
        this.api.org().then((o) => {
          this.org = o;
          this.sidebar.renderAdmin();
        }, () => {});
        break;
    }
    this.view?.onEvent(type, d);
  }

  // storeThreads keeps threads from the API, merging into known ones.
  storeThreads(list) {
    for (const t of list) {
      const old = this.threads.get(t.id);
      this.threads.set(t.id, old ? Object.assign(old, t, { read: t.read || old.read }) : t);
    }
  }

  // bump moves a thread to the top of its channels' lists: it has the newest
  // activity.
  bump(t) {
    for (const ch of t.xsr_ids || []) {
      const l = this.lists.get(ch);
      if (!l) continue;
      l.ids = [t.id, ...l.ids.filter((id) => id !== t.id)];
    }
  }

  async fetchIntoLists(threadID) {
    try {
      const t = await this.api.thread(threadID);
      this.storeThreads([{ ...t, chats: null }]);
      this.bump(this.threads.get(threadID));
      this.view?.onEvent("thread.updated", t);
    } catch {
      // not visible to us: nothing to show
    }
  }

  noteActivity(t, author) {
    if (author === this.me.id) return;
    for (const ch of t.xsr_ids || []) {
      if (this.view && this.view.channelID() === ch) continue;
      this.activity.add(ch);
    }
    this.sidebar.renderChannels();
  }

  clearActivity(ch) {
    if (this.activity.delete(ch)) this.sidebar.renderChannels();
  }

  nameOf(id) {
    const u = this.users.get(id);
    return (u && (u.name || u.username)) || "Someone";
  }

  canManageChannels() {
    const b = this.me.bits || {};
    return !!(b.owner || b.admin || b.mod);
  }

  // uploadAll uploads images and returns their handles.
  async uploadAll(files) {
    const handles = [];
    for (const f of files) handles.push((await this.api.upload(f)).handle);
    return handles;
  }

  fileURL(handle) {
    if (!this.files.has(handle)) {
      const p = this.api.file(handle);
      p.catch(() => this.files.delete(handle));
      this.files.set(handle, p);
    }
    return this.files.get(handle);
  }

  // openPicker shows the quick reactions next to anchor; onPick(name).
  openPicker(anchor, onPick) {
    this.closePicker();
    const buttons = REACTIONS.map(([name, emoji, label]) =>
      h("button", { type: "button", class: "pick", "aria-label": `React with ${label}`, title: label, onclick: () => { this.closePicker(); onPick(name); } }, emoji),
    );
    const picker = h("div", { class: "picker", role: "group", "aria-label": "Reactions" }, buttons);
    picker.addEventListener("keydown", (e) => {
      const i = buttons.indexOf(document.activeElement);
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
        e.preventDefault();
        buttons[(i + (e.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length].focus();
      }
    });
    anchor.parentElement.append(picker);
    this.picker = { el: picker, anchor };
    buttons[0].focus();
    this.pickerOutside = (e) => {
      if (!picker.contains(e.target) && e.target !== anchor && !anchor.contains(e.target)) this.closePicker();
    };
    setTimeout(() => document.addEventListener("pointerdown", this.pickerOutside));
  }

  closePicker(refocus = false) {
    if (!this.picker) return;
    this.picker.el.remove();
    document.removeEventListener("pointerdown", this.pickerOutside);
    if (refocus) this.picker.anchor.focus();
    this.picker = null;
  }

  toast(message) {
    const t = h("p", { class: "toast" }, message);
    this.toasts.append(t);
    setTimeout(() => t.remove(), 5000);
  }

  confirmSignOut() {
    if (confirm("Sign out? To come back you will need the join link, and you will join as a new member.")) {
      this.signOut("You signed out.");
    }
  }

  signOut(message) {
    this.live?.close();
    this.live = null;
    this.session = null;
    clearSession();
    this.view?.destroy?.();
    this.main = null;
    this.view = null;
    this.sidebar = null;
    this.root.classList.remove("nav-open");
    if (location.pathname !== "/") history.replaceState(null, "", "/");
    showWelcome(this.root, message);
  }
}

// EmptyView is shown when there is no channel to open.
class EmptyView {
  constructor(app) {
    this.app = app;
  }
  channelID() {
    return "";
  }
  mount(main) {
    const admin = this.app.canManageChannels();
    this.title = h("h1", { tabindex: -1 }, "No channels yet");
    replace(
      main,
      h(
        "div",
        { class: "empty-state" },
        this.title,
        h("p", {}, admin ? "Create the first channel with “New channel” in the side bar, then share the join link." : "An admin has not created a channel yet. It will show up here as soon as there is one."),
      ),
    );
    this.app.setTitle("Welcome");
  }
  focus() {
    this.title.focus();
  }
  onEvent(type) {
    if (type === "channel.created" || type === "channel.updated") this.app.route();
  }
  onResync() {
    this.app.route();
  }
}

const app = new App(document.getElementById("app"));
app.boot();
// For tests and debugging in the console.
window.parley = app;
