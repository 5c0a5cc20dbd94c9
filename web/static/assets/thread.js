// A thread: its chats, oldest at the top, older ones loading as the reader
// scrolls up (the API's before paging); live chats, edits, deletes,
// reactions and typing; the composer that replies.

import { h, replace, clock, fullDate, linkify, hue, initials, idCompare } from "./dom.js";
import { Composer, icon } from "./composer.js";

const PAGE = 50;
const TYPING_SHOWN = 6000;
const GROUP_GAP = 5 * 60; // seconds: consecutive chats of one author closer than this are grouped

// REACTIONS are the quick reactions: [name sent to the server, emoji, label].
export const REACTIONS = [
  ["+1", "👍", "thumbs up"],
  ["heart", "❤️", "heart"],
  ["joy", "😂", "laughing"],
  ["tada", "🎉", "celebrate"],
  ["eyes", "👀", "looking"],
  ["pray", "🙏", "thanks"],
];
const EMOJI = Object.fromEntries(REACTIONS.map(([n, e]) => [n, e]));

export class ThreadView {
  constructor(app, id) {
    this.app = app;
    this.id = id;
    this.chats = new Map(); // id -> chat JSON
    this.els = new Map(); // id -> <li>
    this.order = []; // chat ids, oldest first
    this.atStart = false;
    this.loadingOlder = false;
    this.typers = new Map(); // user id -> time the indicator expires
    this.typingTimer = 0;
    this.readTimer = 0;
    this.lastRead = "";
  }

  channelID() {
    const t = this.app.threads.get(this.id);
    return t && t.xsr_ids && t.xsr_ids[0];
  }

  mount(main) {
    this.back = h("a", { class: "back", href: "/" }, icon("back"), h("span", {}, "Back"));
    this.title = h("h1", { id: "view-title", tabindex: -1 }, "Loading…");
    this.history = h("p", { class: "history-status muted", role: "status" });
    this.list = h("ol", { class: "chats", role: "log", "aria-labelledby": "view-title", "aria-live": "polite" });
    this.scroller = h("div", { class: "scroll chat-scroll" }, this.history, this.list);
    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    this.newBelow = h("button", { type: "button", class: "new-below", hidden: true, onclick: () => this.scrollToBottom() }, "New messages ↓");
    this.typing = h("p", { class: "typing", "aria-live": "polite" });
    this.composer = new Composer({
      placeholder: "Reply…",
      onSend: (m) => this.send(m),
      onTyping: () => this.app.live.typing(this.id),
      onEditLast: () => this.editLast(),
    });
    replace(
      main,
      h("header", { class: "view-head" }, this.back, h("div", { class: "view-titles" }, this.title)),
      h("div", { class: "chat-area" }, this.scroller, this.newBelow),
      this.typing,
      this.composer.el,
    );
    this.onVisible = () => this.markRead();
    document.addEventListener("visibilitychange", this.onVisible);
    this.load();
  }

  destroy() {
    document.removeEventListener("visibilitychange", this.onVisible);
    clearTimeout(this.typingTimer);
    if (this.readTimer) this.flushRead();
    this.app.closePicker();
  }

  focus() {
    this.composer.focus();
  }

  async load() {
    const { app } = this;
    try {
      let t = app.threads.get(this.id);
      const [thread, page] = await Promise.all([t ? t : app.api.thread(this.id), app.api.chats(this.id, null, PAGE)]);
      if (app.view !== this) return;
      if (!t) app.storeThreads([{ ...thread, chats: null }]);
      this.renderHead();
      this.chats.clear();
      this.els.clear();
      this.order = [];
      this.list.replaceChildren();
      for (const c of page.reverse()) this.add(c);
      this.atStart = page.length < PAGE;
      this.renderHistory();
      this.scrollToBottom();
      this.markRead(true);
      this.fill();
    } catch (err) {
      if (app.view !== this) return;
      this.title.textContent = err.status === 404 ? "Thread not found" : "Could not load the thread";
      this.history.textContent = err.status === 404 ? "It was deleted, or you cannot see it." : err.message;
      this.composer.disable("You cannot reply here");
    }
  }

  renderHead() {
    const t = this.app.threads.get(this.id);
    if (!t) return;
    this.title.textContent = t.subject || "(no subject)";
    this.app.setTitle(t.subject || "Thread");
    const ch = t.xsr_ids && this.app.channels.get(t.xsr_ids[0]);
    if (ch) {
      this.back.href = `/c/${ch.id}`;
      this.back.lastChild.textContent = `#${ch.name}`;
      this.back.setAttribute("aria-label", `Back to #${ch.name}`);
    }
    this.app.sidebar.renderChannels();
  }

  renderHistory() {
    this.history.textContent = this.atStart ? "This is the start of the thread." : "";
  }

  // add inserts a chat in id order, or updates it when it is there already.
  add(c) {
    if (c.bits && c.bits.deleted) return this.remove(c.id);
    if (this.chats.has(c.id)) return this.update(c);
    this.chats.set(c.id, c);
    const el = this.render(c);
    this.els.set(c.id, el);
    let i = this.order.length;
    while (i > 0 && idCompare(this.order[i - 1], c.id) > 0) i--;
    this.order.splice(i, 0, c.id);
    const next = this.order[i + 1];
    this.list.insertBefore(el, next ? this.els.get(next) : null);
    this.regroup(i);
    this.regroup(i + 1);
  }

  update(c) {
    const cur = this.els.get(c.id);
    if (!cur) return;
    this.chats.set(c.id, c);
    const el = this.render(c);
    if (cur.classList.contains("editing")) {
      // Keep the edit box; show the rest as it is now.
      cur.querySelector(".reactions").replaceWith(el.querySelector(".reactions"));
      return;
    }
    el.classList.toggle("cont", cur.classList.contains("cont"));
    cur.replaceWith(el);
    this.els.set(c.id, el);
  }

  remove(id) {
    const el = this.els.get(id);
    if (!el) return;
    const i = this.order.indexOf(id);
    el.remove();
    this.els.delete(id);
    this.chats.delete(id);
    this.order.splice(i, 1);
    this.regroup(i);
  }

  // regroup marks the chat at index i as continuing the previous one when
  // both are by one author and close in time.
  regroup(i) {
    const id = this.order[i];
    if (!id) return;
    const prev = this.chats.get(this.order[i - 1]);
    const c = this.chats.get(id);
    const cont = prev && prev.author_id === c.author_id && c.created_at - prev.created_at < GROUP_GAP;
    this.els.get(id).classList.toggle("cont", !!cont);
  }

  render(c) {
    const { app } = this;
    const mine = c.author_id === app.me.id;
    const canDelete = mine || app.canManageChannels(); // moderators remove others' chats too
    const name = app.nameOf(c.author_id);
    const when = new Date(c.created_at * 1000);
    return h(
      "li",
      { class: `chat${mine ? " mine" : ""}`, id: `chat-${c.id}`, dataset: { id: c.id } },
      h("span", { class: "avatar", style: { "--h": hue(c.author_id) }, "aria-hidden": "true" }, initials(name)),
      h(
        "div",
        { class: "chat-main" },
        h(
          "div",
          { class: "chat-head" },
          h("span", { class: "author" }, name),
          h("time", { datetime: when.toISOString(), title: fullDate(c.created_at) }, clock(c.created_at)),
          c.bits && c.bits.edited ? h("span", { class: "edited muted" }, "(edited)") : null,
        ),
        h("div", { class: "chat-text" }, linkify(c.text)),
        this.images(c),
        this.reactions(c),
      ),
      h(
        "div",
        { class: "chat-actions", role: "group", "aria-label": "Chat actions" },
        h(
          "button",
          { type: "button", class: "icon-btn small", "aria-label": "Add reaction", title: "Add reaction", "aria-haspopup": "true", onclick: (e) => app.openPicker(e.currentTarget, (name) => this.react(c.id, name, true)) },
          icon("smile"),
        ),
        mine ? h("button", { type: "button", class: "text-btn", onclick: () => this.edit(c.id) }, "Edit") : null,
        canDelete ? h("button", { type: "button", class: "text-btn danger", onclick: (e) => this.confirmDelete(c.id, e.currentTarget) }, "Delete") : null,
      ),
    );
  }

  images(c) {
    if (!c.images || !c.images.length) return null;
    return h(
      "div",
      { class: "chat-images" },
      c.images.map((im) => {
        const isImage = /^image\/(png|jpeg|gif|webp|avif|bmp)/.test(im.ctype);
        const link = h("a", { class: isImage ? "image-link" : "file-link", target: "_blank", rel: "noopener", href: "#" }, isImage ? null : im.fname);
        if (isImage) {
          const img = h("img", { alt: im.fname, width: 240, height: 180 });
          link.append(img);
          this.app.fileURL(im.handle).then(
            (url) => {
              img.src = url;
              link.href = url;
              img.removeAttribute("width");
              img.removeAttribute("height");
            },
            () => link.replaceWith(h("span", { class: "file-link muted" }, `${im.fname} (could not be loaded)`)),
          );
        } else {
          link.setAttribute("download", im.fname);
          link.addEventListener("click", async (e) => {
            if (link.dataset.ready) return;
            e.preventDefault();
            link.href = await this.app.fileURL(im.handle);
            link.dataset.ready = "1";
            link.click();
          });
        }
        return link;
      }),
    );
  }

  reactions(c) {
    const rs = (c.reactions || []).filter((r) => r.count > 0);
    if (!rs.length) return h("div", { class: "reactions", hidden: true });
    const me = this.app.me.id;
    return h(
      "div",
      { class: "reactions" },
      rs.map((r) => {
        const mine = (r.user_ids || []).includes(me);
        const who = (r.user_ids || []).map((id) => this.app.nameOf(id)).join(", ");
        const emoji = EMOJI[r.name] || `:${r.name}:`;
        return h(
          "button",
          {
            type: "button",
            class: "reaction",
            "aria-pressed": mine ? "true" : "false",
            "aria-label": `${emoji} ${r.count}${who ? `, from ${who}` : ""}`,
            title: who,
            onclick: () => this.react(c.id, r.name, !mine),
          },
          h("span", { class: "emoji", "aria-hidden": "true" }, emoji),
          h("span", { class: "count", "aria-hidden": "true" }, String(r.count)),
        );
      }),
    );
  }

  async react(chatID, name, on) {
    try {
      await this.app.api.react(chatID, name, on);
      // The live event updates the chat; apply it now too (idempotent).
      this.applyReaction({ chat_id: chatID, user_id: this.app.me.id, name }, on);
    } catch (err) {
      this.app.toast(err.message);
    }
  }

  applyReaction(d, on) {
    const c = this.chats.get(d.chat_id);
    if (!c) return;
    const rs = (c.reactions || []).map((r) => ({ ...r, user_ids: [...(r.user_ids || [])] }));
    let r = rs.find((x) => x.name === d.name);
    if (!r) {
      if (!on) return;
      r = { name: d.name, count: 0, user_ids: [] };
      rs.push(r);
    }
    const has = r.user_ids.includes(d.user_id);
    if (on && !has) r.user_ids.push(d.user_id);
    if (!on && has) r.user_ids = r.user_ids.filter((u) => u !== d.user_id);
    r.count = r.user_ids.length;
    const next = { ...c, reactions: rs.filter((x) => x.count > 0) };
    this.chats.set(c.id, next);
    // Only the reactions change: an edit in progress stays.
    this.els.get(c.id).querySelector(".reactions").replaceWith(this.reactions(next));
  }

  // edit turns a chat of one's own into a text box: Enter saves, Escape
  // cancels.
  edit(id) {
    const c = this.chats.get(id);
    const el = this.els.get(id);
    if (!c || !el || el.classList.contains("editing")) return;
    el.classList.add("editing");
    const text = el.querySelector(".chat-text");
    const box = h("textarea", { class: "edit-box", "aria-label": "Edit message", value: c.text, rows: Math.min(10, c.text.split("\n").length + 1) });
    const error = h("p", { class: "form-error", role: "alert" });
    const done = () => {
      el.classList.remove("editing");
      form.replaceWith(text);
      this.composer.focus();
    };
    const save = async () => {
      const value = box.value;
      if (!value.trim()) {
        error.textContent = "A message cannot be empty; delete it instead.";
        return;
      }
      if (value === c.text) return done();
      try {
        const updated = await this.app.api.editChat(id, this.id, value);
        done();
        this.update(updated);
      } catch (err) {
        error.textContent = err.message;
      }
    };
    box.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        save();
      } else if (e.key === "Escape") {
        e.preventDefault();
        done();
      }
    });
    const form = h(
      "div",
      { class: "edit-form" },
      box,
      h("div", { class: "edit-actions" }, h("button", { type: "button", class: "primary small", onclick: save }, "Save"), h("button", { type: "button", class: "secondary small", onclick: done }, "Cancel"), h("span", { class: "muted tiny" }, "Enter to save · Escape to cancel")),
      error,
    );
    text.replaceWith(form);
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  // editLast edits the newest chat of one's own (ArrowUp in an empty
  // composer).
  editLast() {
    for (let i = this.order.length - 1; i >= 0; i--) {
      if (this.chats.get(this.order[i]).author_id === this.app.me.id) {
        this.edit(this.order[i]);
        return true;
      }
    }
    return false;
  }

  confirmDelete(id, button) {
    const actions = button.parentElement;
    const keep = [...actions.children];
    const yes = h("button", { type: "button", class: "text-btn danger" }, "Delete message");
    const no = h("button", { type: "button", class: "text-btn" }, "Keep");
    const restore = () => {
      actions.classList.remove("confirming");
      actions.replaceChildren(...keep);
      button.focus();
    };
    yes.addEventListener("click", async () => {
      try {
        await this.app.api.deleteChat(id);
        this.remove(id);
        this.composer.focus();
      } catch (err) {
        this.app.toast(err.message);
        restore();
      }
    });
    no.addEventListener("click", restore);
    actions.classList.add("confirming");
    actions.replaceChildren(h("span", { class: "muted tiny" }, "Delete this message?"), yes, no);
    no.focus();
  }

  async send({ text, files, clientMsgID }) {
    const images = await this.app.uploadAll(files);
    const c = await this.app.api.postChat(this.id, text, images, clientMsgID);
    this.add(c);
    this.scrollToBottom();
  }

  atBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.newBelow.hidden = true;
    this.markRead();
  }

  onScroll() {
    if (this.scroller.scrollTop < 200) this.loadOlder();
    if (this.atBottom()) {
      this.newBelow.hidden = true;
      this.markRead();
    }
  }

  async loadOlder() {
    if (this.atStart || this.loadingOlder || !this.order.length) return;
    this.loadingOlder = true;
    this.history.textContent = "Loading older messages…";
    try {
      const page = await this.app.api.chats(this.id, this.order[0], PAGE);
      if (this.app.view !== this) return;
      const before = this.scroller.scrollHeight;
      const top = this.scroller.scrollTop;
      for (const c of page) this.add(c);
      // Keep what the reader was looking at in place.
      this.scroller.scrollTop = top + (this.scroller.scrollHeight - before);
      this.atStart = page.length < PAGE;
      this.renderHistory();
    } catch (err) {
      this.history.textContent = `Could not load older messages: ${err.message}`;
      return;
    } finally {
      this.loadingOlder = false;
    }
    this.fill();
  }

  // fill loads older chats while they do not fill the view: the reader could
  // not scroll up to ask for them.
  fill() {
    if (!this.atStart && this.scroller.scrollHeight <= this.scroller.clientHeight) this.loadOlder();
  }

  // markRead moves the read marker to the newest chat while the reader can
  // see it: now, or after a moment (scrolling and live chats come in bursts).
  markRead(now = false) {
    clearTimeout(this.readTimer);
    this.readTimer = 0;
    if (now) this.flushRead();
    else this.readTimer = setTimeout(() => this.flushRead(), 300);
  }

  async flushRead() {
    clearTimeout(this.readTimer);
    this.readTimer = 0;
    const newest = this.order[this.order.length - 1];
    if (!newest || newest === this.lastRead || document.visibilityState !== "visible" || !this.atBottom()) return;
    this.lastRead = newest;
    const t = this.app.threads.get(this.id);
    if (t) t.read = { ...(t.read || {}), chat_id: newest, num_unread: 0 };
    try {
      await this.app.api.markRead(this.id, newest);
    } catch {
      this.lastRead = "";
    }
  }

  isReading() {
    return document.visibilityState === "visible" && this.atBottom();
  }

  onEvent(type, d) {
    switch (type) {
      case "message.created":
      case "message.edited":
        if (d.thread_id !== this.id) return;
        if (type === "message.created") {
          this.typers.delete(d.author_id);
          this.renderTyping();
          const follow = this.atBottom();
          this.add(d);
          if (follow) this.scrollToBottom();
          else if (d.author_id !== this.app.me.id) this.newBelow.hidden = false;
        } else {
          this.update(d);
        }
        break;
      case "message.deleted":
        if (d.thread_id === this.id) this.remove(d.id);
        break;
      case "reaction.set":
      case "reaction.unset":
        if (d.thread_id === this.id) this.applyReaction(d, type === "reaction.set");
        break;
      case "thread.updated":
        if (d.id === this.id) this.renderHead();
        break;
      case "user.updated":
        for (const c of this.chats.values()) if (c.author_id === d.id) this.update(c);
        break;
    }
  }

  onTyping(d) {
    if (d.thread_id !== this.id || d.user_id === this.app.me.id) return;
    this.typers.set(d.user_id, Date.now() + TYPING_SHOWN);
    this.renderTyping();
  }

  renderTyping() {
    clearTimeout(this.typingTimer);
    const now = Date.now();
    for (const [u, until] of this.typers) if (until <= now) this.typers.delete(u);
    const names = [...this.typers.keys()].map((u) => this.app.nameOf(u));
    this.typing.textContent =
      names.length === 0 ? "" : names.length === 1 ? `${names[0]} is typing…` : names.length === 2 ? `${names[0]} and ${names[1]} are typing…` : "Several people are typing…";
    if (this.typers.size) this.typingTimer = setTimeout(() => this.renderTyping(), 1000);
  }

  onResync() {
    this.load();
  }
}
