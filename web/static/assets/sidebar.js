// The side bar: channels (with a mark for new activity), the invite link and
// the new-channel form for those who may use them, and people with their
// presence.

import { h, replace, hue, initials } from "./dom.js";

export class Sidebar {
  constructor(app) {
    this.app = app;
    this.channelList = h("ul", { class: "nav-list" });
    this.people = h("ul", { class: "people" });
    this.admin = h("div", { class: "sidebar-admin" });
    this.el = h(
      "nav",
      { id: "sidebar", class: "sidebar", "aria-label": "Channels and people" },
      h("section", { "aria-labelledby": "channels-h" }, h("h2", { id: "channels-h" }, "Channels"), this.channelList),
      this.admin,
      h("section", { "aria-labelledby": "people-h" }, h("h2", { id: "people-h" }, "People"), this.people),
    );
    this.renderAdmin();
    this.render();
  }

  render() {
    this.renderChannels();
    this.renderPeople();
  }

  renderChannels() {
    const { app } = this;
    const current = app.view?.channelID?.();
    const chans = [...app.channels.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (!chans.length) {
      replace(this.channelList, h("li", { class: "muted empty" }, "No channels yet."));
      return;
    }
    replace(
      this.channelList,
      chans.map((c) => {
        const joined = c.members.includes(app.me.id);
        const activity = app.activity.has(c.id);
        const label = `${c.name}${activity ? ", new activity" : ""}${joined ? "" : ", not joined"}`;
        return h(
          "li",
          {},
          h(
            "a",
            {
              href: `/c/${c.id}`,
              class: `nav-item${joined ? "" : " not-joined"}${activity ? " activity" : ""}`,
              "aria-current": c.id === current ? "page" : null,
              "aria-label": label,
            },
            h("span", { class: "hash", "aria-hidden": "true" }, "#"),
            h("span", { class: "nav-name" }, c.name),
            activity ? h("span", { class: "activity-dot", "aria-hidden": "true" }) : null,
          ),
        );
      }),
    );
  }

  renderPeople() {
    const { app } = this;
    const users = [...app.users.values()]
      .filter((u) => !u.bits.deleted)
      .sort((a, b) => (app.active.has(b.id) - app.active.has(a.id)) || (a.name || "").localeCompare(b.name || ""));
    replace(
      this.people,
      users.map((u) => {
        const on = app.active.has(u.id);
        return h(
          "li",
          { class: "person" },
          h("span", { class: "avatar small", style: { "--h": hue(u.id) }, "aria-hidden": "true" }, initials(app.nameOf(u.id))),
          h("span", { class: "person-name" }, app.nameOf(u.id), u.id === app.me.id ? h("span", { class: "muted" }, " (you)") : null),
          h("span", { class: `presence ${on ? "on" : "off"}`, role: "img", "aria-label": on ? "online" : "away", title: on ? "Online" : "Away" }),
        );
      }),
    );
  }

  // renderAdmin shows the invite link to those who may see it (admins get the
  // join secret from /v1/org) and the new-channel form to moderators and up.
  renderAdmin() {
    const { app } = this;
    const parts = [];
    if (app.org.join_secret) {
      const link = `${location.origin}/join/${encodeURIComponent(app.org.join_secret)}`;
      const field = h("input", { id: "invite-link", type: "text", readOnly: true, value: link, onfocus: (e) => e.target.select() });
      const status = h("span", { class: "copy-status", role: "status" });
      const copy = h("button", { type: "button", class: "secondary small" }, "Copy link");
      copy.addEventListener("click", async () => {
        field.select();
        let copied = false;
        try {
          await navigator.clipboard.writeText(link);
          copied = true;
        } catch {
          copied = document.execCommand && document.execCommand("copy");
        }
        status.textContent = copied ? "Copied" : "Select the link and copy it";
        setTimeout(() => (status.textContent = ""), 2500);
      });
      parts.push(
        h(
          "section",
          { class: "invite", "aria-labelledby": "invite-h" },
          h("h2", { id: "invite-h" }, "Invite people"),
          h("label", { for: "invite-link", class: "small-label" }, "Join link"),
          h("div", { class: "invite-row" }, field, copy),
          status,
          h("p", { class: "muted tiny" }, "Anyone with this link can join."),
        ),
      );
    }
    if (app.canManageChannels()) parts.push(this.newChannelForm());
    replace(this.admin, parts);
  }

  newChannelForm() {
    const { app } = this;
    const name = h("input", { id: "new-channel-name", type: "text", required: true, maxlength: 80, autocomplete: "off" });
    const desc = h("input", { id: "new-channel-desc", type: "text", maxlength: 1000, autocomplete: "off" });
    const auto = h("input", { id: "new-channel-auto", type: "checkbox", checked: true });
    const error = h("p", { class: "form-error", role: "alert" });
    const button = h("button", { type: "submit", class: "primary small" }, "Create channel");
    const form = h(
      "form",
      { class: "stack small-form" },
      h("label", { for: "new-channel-name" }, "Channel name"),
      name,
      h("label", { for: "new-channel-desc" }, "Description (optional)"),
      desc,
      h("label", { class: "check" }, auto, " Everyone joins it"),
      button,
      error,
    );
    const details = h("details", { class: "new-channel" }, h("summary", {}, "New channel"), form);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const n = name.value.trim().replace(/^#/, "");
      if (!n) {
        error.textContent = "Give the channel a name.";
        name.focus();
        return;
      }
      button.disabled = true;
      error.textContent = "";
      try {
        const ch = await app.api.createChannel(n, desc.value.trim(), auto.checked);
        app.channels.set(ch.id, ch);
        name.value = desc.value = "";
        details.open = false;
        this.renderChannels();
        app.navigate(`/c/${ch.id}`);
      } catch (err) {
        error.textContent = err.message;
      } finally {
        button.disabled = false;
      }
    });
    return h("section", { class: "admin-tools", "aria-label": "Channel tools" }, details);
  }
}
