// Search results: POST /v1/search {"q"} answers the threads that match, with
// highlighted snippets. A server without search (404) gets a clear note.

import { h, replace, marked, ago, slug } from "./dom.js";

export class SearchView {
  constructor(app, q) {
    this.app = app;
    this.q = q;
  }

  channelID() {
    return "";
  }

  mount(main) {
    this.title = h("h1", { id: "view-title", tabindex: -1 }, `Search: ${this.q}`);
    this.status = h("p", { class: "list-status muted", role: "status" }, "Searching…");
    this.list = h("ol", { class: "thread-list", "aria-labelledby": "view-title" });
    replace(main, h("header", { class: "view-head" }, h("div", { class: "view-titles" }, this.title)), h("div", { class: "scroll" }, this.status, this.list));
    this.app.setTitle(`Search: ${this.q}`);
    this.run();
  }

  focus() {
    this.title.focus();
  }

  async run() {
    try {
      const results = await this.app.api.search(this.q);
      if (this.app.view !== this) return;
      this.status.textContent = results.length ? `${results.length} ${results.length === 1 ? "thread" : "threads"} found.` : `Nothing matches "${this.q}".`;
      replace(this.list, results.map((t) => this.item(t)));
    } catch (err) {
      if (this.app.view !== this) return;
      this.status.textContent = [404, 405, 501].includes(err.status) ? "Search is not available on this server yet." : `Search failed: ${err.message}`;
    }
  }

  item(t) {
    const snippet = snippetOf(t.highlight);
    const path = t.url_path || `${slug(t.subject || "thread")}/${t.id}`;
    return h(
      "li",
      {},
      h(
        "a",
        { href: `/t/${path}`, class: "thread-item" },
        h("span", { class: "thread-subject" }, t.subject || "(no subject)"),
        snippet ? h("span", { class: "snippet" }, marked(snippet)) : null,
        t.updated_at ? h("span", { class: "thread-meta" }, ago(t.updated_at)) : null,
      ),
    );
  }

  onEvent() {}
  onResync() {}
}

// snippetOf finds a snippet in a highlight, whichever shape it has: a string,
// {field: {snippet}} or {field: string}, or a list of {snippet}.
function snippetOf(hl) {
  if (!hl) return "";
  if (typeof hl === "string") return hl;
  const values = Array.isArray(hl) ? hl : Object.values(hl);
  for (const v of values) {
    if (typeof v === "string" && v) return v;
    if (v && typeof v.snippet === "string" && v.snippet) return v.snippet;
    if (v && Array.isArray(v.snippets) && v.snippets[0]) return v.snippets[0];
  }
  return "";
}
