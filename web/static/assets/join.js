// The pages shown before signing in: the join form of a join link, and a
// welcome page for everyone else.

import { h, replace } from "./dom.js";

// showJoin asks for a name and joins the org of the join link's secret.
// onJoined({token, user}) is called with the new session.
export function showJoin(root, api, secret, onJoined) {
  const error = h("p", { class: "form-error", role: "alert" });
  const name = h("input", { id: "join-name", name: "name", type: "text", autocomplete: "name", required: true, maxlength: 100 });
  const button = h("button", { type: "submit", class: "primary" }, "Join");
  const form = h("form", { class: "stack", novalidate: true }, h("label", { for: "join-name" }, "Name"), name, button, error);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = name.value.trim();
    if (!value) {
      error.textContent = "Please enter your name.";
      name.focus();
      return;
    }
    button.disabled = true;
    button.textContent = "Joining…";
    error.textContent = "";
    try {
      const r = await api.join(secret, value);
      onJoined({ token: r.token, user: r.user });
    } catch (err) {
      error.textContent = err.code === "not_found" ? "This join link is not valid any more. Ask for a new one." : err.message;
      button.disabled = false;
      button.textContent = "Join";
      name.focus();
    }
  });
  replace(
    root,
    h(
      "main",
      { class: "gate" },
      h(
        "div",
        { class: "gate-card" },
        logo(),
        h("h1", {}, "Join the conversation"),
        h("p", { class: "muted" }, "You were invited to a Parley workspace. Pick the name the others will see."),
        form,
      ),
    ),
  );
  document.title = "Join · Parley";
  name.focus();
}

// showWelcome explains how to get in; message says why, when signed out.
export function showWelcome(root, message) {
  replace(
    root,
    h(
      "main",
      { class: "gate" },
      h(
        "div",
        { class: "gate-card" },
        logo(),
        h("h1", {}, "Parley"),
        message ? h("p", { class: "notice", role: "status" }, message) : null,
        h("p", {}, "To start chatting, open the join link someone on your team sent you."),
        h("p", { class: "muted" }, "Running the server yourself? The README explains how to create an organization and open it here as its admin."),
      ),
    ),
  );
  document.title = "Parley";
}

function logo() {
  return h("div", { class: "logo", "aria-hidden": "true" }, "P");
}
