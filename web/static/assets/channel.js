// A channel: its threads, most recent activity first, with unread counts,
// and the composer that starts a new thread.

import { h, replace, ago, fullDate } from "./dom.js";
import { Composer } from "./composer.js";

const PAGE = 30;

export class ChannelView {
  constructor(app, id) {
    this.app = app;
    this.id = id;
    this.loadingMore = false;
  }

  channelID() {
    return this.id;
  }

  channel() {
    return this.app.channels.get(this.id);
  }

  mount(main) {
    const ch = this.channel();
    this.title = h("h1", { id: "view-title", tabindex: -1 }, h("span", { class: "hash", "aria-hidden": "true" }, "#"), ch.name);
    this.desc = h("p", { class: "view-desc" }, ch.description || "");
    this.join = h("div", { class: "join-banner", hidden: true });
    this.list = h("ol", { class: "thread-list", "aria-labelledby": "view-title" });
    this.status = h("p", { class: "list-status muted", role: "status" }, "Loading threads…");
    this.more = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => this.loadMore() }, "Show older threads");
    this.composer = new Composer({
      placeholder: `Start a new thread in #${ch.name}`,
      onSend: (m) => this.send(m),
    });
    this.scroller = h("div", { class: "scroll" }, this.join, this.list, this.status, h("div", { class: "more-row" }, this.more));
    replace(main, h("header", { class: "view-head" }, h("div", { class: "view-titles" }, this.title, this.desc)), this.scroller, this.composer.el);
    this.app.setTitle(`#${ch.name}`);
    this.app.clearActivity(this.id);
    this.load();
  }

  focus() {
    this.composer.focus();
  }

  async load() {
    const { app } = this;
    if (!app.lists.has(this.id)) {
      try {
        const page = await app.api.channelThreads(this.id, null, PAGE);
        if (app.view !== this) return;
        app.storeThreads(page);
        app.lists.set(this.id, { ids: [...this.arrivedDuring(page), ...page.map((t) => t.id)], done: page.length < PAGE });
      } catch (err) {
        if (app.view !== this) return;
        if (err.status === 403) return this.showJoin();
        this.status.textContent = err.message;
        return;
      }
    }
    this.render();
  }

  // arrivedDuring returns, newest first, the threads of this channel that
  // live events brought while page was loading and that page, read before
  // they were written, does not have.
  arrivedDuring(page) {
    const { app } = this;
    const inPage = new Set(page.map((t) => t.id));
    const oldest = page.length ? page[page.length - 1].updated_at : 0;
    const hiddenFromMe = (t) => t.bits.deleted || (t.bits.hidden && !app.canManageChannels());
    return [...app.threads.values()]
      .filter((t) => !inPage.has(t.id) && (t.xsr_ids || []).includes(this.id) && t.updated_at >= oldest && !hiddenFromMe(t))
      .sort((a, b) => b.updated_at - a.updated_at)
      .map((t) => t.id);
  }

  // showJoin offers to join a channel whose threads the reader may not read
  // yet.
  showJoin() {
    const ch = this.channel();
    const button = h("button", { type: "button", class: "primary" }, `Join #${ch.name}`);
    const error = h("p", { class: "form-error", role: "alert" });
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const updated = await this.app.api.joinChannel(this.id);
        this.app.channels.set(updated.id, updated);
        this.app.sidebar.renderChannels();
        this.app.lists.delete(this.id);
        this.join.hidden = true;
        this.composer.enable();
        this.status.textContent = "Loading threads…";
        await this.load();
        this.composer.focus();
      } catch (err) {
        error.textContent = err.message;
        button.disabled = false;
      }
    });
    replace(this.join, h("p", {}, `You are not in #${ch.name} yet. Join it to read and start threads.`), button, error);
    this.join.hidden = false;
    this.status.textContent = "";
    this.composer.disable(`Join #${ch.name} to post`);
    button.focus();
  }

  render() {
    const { app } = this;
    const list = app.lists.get(this.id);
    if (!list) return;
    const items = list.ids.map((id) => app.threads.get(id)).filter((t) => t && !t.bits.deleted);
    replace(this.list, items.map((t) => this.item(t)));
    this.status.textContent = items.length ? "" : "No threads yet. Write the first message below.";
    this.more.hidden = list.done;
  }

  item(t) {
    const { app } = this;
    const unread = (t.read && t.read.num_unread) || 0;
    const replies = Math.max(0, t.num_chats - 1);
    const meta = [app.nameOf(t.author_id), replies === 1 ? "1 reply" : `${replies} replies`].join(" · ");
    return h(
      "li",
      {},
      h(
        "a",
        { href: `/t/${t.url_path}`, class: `thread-item${unread ? " unread" : ""}`, dataset: { id: t.id } },
        h("span", { class: "thread-subject" }, t.subject || "(no subject)"),
        h(
          "span",
          { class: "thread-meta" },
          meta,
          " · ",
          h("time", { datetime: new Date(t.updated_at * 1000).toISOString(), title: fullDate(t.updated_at) }, ago(t.updated_at)),
        ),
        unread ? h("span", { class: "badge", "aria-label": `${unread} unread` }, unread > 99 ? "99+" : String(unread)) : null,
      ),
    );
  }

  async loadMore() {
    const { app } = this;
    const list = app.lists.get(this.id);
    if (!list || list.done || this.loadingMore) return;
    this.loadingMore = true;
    this.more.disabled = true;
    try {
      const page = await app.api.channelThreads(this.id, list.ids[list.ids.length - 1], PAGE);
      app.storeThreads(page);
      for (const t of page) if (!list.ids.includes(t.id)) list.ids.push(t.id);
      list.done = page.length < PAGE;
      if (app.view === this) this.render();
    } catch (err) {
      this.status.textContent = err.message;
    } finally {
      this.loadingMore = false;
      this.more.disabled = false;
    }
  }

  async send({ text, files, clientMsgID }) {
    const { app } = this;
    const images = await app.uploadAll(files);
    const r = await app.api.startThread(this.id, text, images, clientMsgID);
    // The live event usually comes first; without it (a dropped socket), load
    // the new thread so the author sees it at once.
    if (!app.threads.has(r.thread_id)) {
      const t = await app.api.thread(r.thread_id);
      app.storeThreads([{ ...t, chats: null }]);
    }
    app.bump(app.threads.get(r.thread_id));
    if (app.view === this) this.render();
  }

  onEvent(type) {
    if (type.startsWith("message.") || type.startsWith("thread.") || type === "read.moved") this.render();
    if (type === "channel.updated") {
      const ch = this.channel();
      if (ch) {
        this.title.lastChild.textContent = ch.name;
        this.desc.textContent = ch.description || "";
      }
    }
  }

  onResync() {
    this.app.lists.delete(this.id);
    this.load();
  }
}
