// The composer: one text box labelled "Message" with image attachments.
// Enter sends, Shift+Enter starts a new line. A failed send keeps the text
// and the images, and sending again reuses the same client_msg_id, so the
// server stores the message once however often it is retried.

import { h, randomID } from "./dom.js";

const MAX_IMAGES = 10;

export class Composer {
  // opts: placeholder, onSend({text, files, clientMsgID}) -> Promise,
  // onTyping(), onEditLast(), disabledReason (string: read-only).
  constructor(opts) {
    this.opts = opts;
    this.files = []; // {file, url}
    this.pending = null; // {key, id}: the client_msg_id of the last failed send
    this.sending = false;

    this.text = h("textarea", {
      id: "composer-text",
      rows: 1,
      "aria-label": "Message",
      placeholder: opts.placeholder,
      maxlength: 40000,
      onkeydown: (e) => this.onKey(e),
      oninput: () => {
        this.grow();
        if (this.text.value.trim()) this.opts.onTyping?.();
      },
      onpaste: (e) => this.onPaste(e),
    });
    this.input = h("input", {
      type: "file",
      accept: "image/*",
      multiple: true,
      hidden: true,
      tabindex: -1,
      "aria-hidden": "true",
      onchange: () => {
        this.add([...this.input.files]);
        this.input.value = "";
      },
    });
    this.previews = h("ul", { class: "attachments", "aria-label": "Images to send", hidden: true });
    this.error = h("p", { class: "composer-error", role: "alert" });
    this.attach = h("button", { type: "button", class: "icon-btn", "aria-label": "Attach image", title: "Attach image", onclick: () => this.input.click() }, icon("image"));
    this.sendBtn = h("button", { type: "submit", class: "send-btn", "aria-label": "Send", title: "Send (Enter)" }, icon("send"));
    this.el = h(
      "form",
      {
        class: "composer",
        onsubmit: (e) => {
          e.preventDefault();
          this.send();
        },
        ondragover: (e) => e.preventDefault(),
        ondrop: (e) => {
          e.preventDefault();
          this.add([...(e.dataTransfer?.files || [])]);
        },
      },
      this.previews,
      h("div", { class: "composer-row" }, this.attach, this.input, this.text, this.sendBtn),
      h("p", { class: "composer-hint", "aria-hidden": "true" }, "Enter to send · Shift+Enter for a new line"),
      this.error,
    );
    if (opts.disabledReason) this.disable(opts.disabledReason);
  }

  disable(reason) {
    this.text.disabled = this.attach.disabled = this.sendBtn.disabled = true;
    this.text.placeholder = reason;
  }

  enable() {
    this.text.disabled = this.attach.disabled = this.sendBtn.disabled = false;
    this.text.placeholder = this.opts.placeholder;
  }

  focus() {
    if (!this.text.disabled) this.text.focus();
  }

  onKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.send();
    } else if (e.key === "ArrowUp" && !this.text.value && this.opts.onEditLast) {
      if (this.opts.onEditLast()) e.preventDefault();
    }
  }

  onPaste(e) {
    const files = [...(e.clipboardData?.files || [])];
    if (files.length) {
      e.preventDefault();
      this.add(files);
    }
  }

  grow() {
    this.text.style.height = "auto";
    this.text.style.height = `${Math.min(this.text.scrollHeight, window.innerHeight * 0.4)}px`;
  }

  add(files) {
    this.error.textContent = "";
    for (const file of files) {
      if (!file.type.startsWith("image/")) {
        this.error.textContent = `${file.name} is not an image; only images can be attached.`;
        continue;
      }
      if (this.files.length >= MAX_IMAGES) {
        this.error.textContent = `At most ${MAX_IMAGES} images per message.`;
        break;
      }
      this.files.push({ file, url: URL.createObjectURL(file) });
    }
    this.renderPreviews();
    this.focus();
  }

  remove(i) {
    URL.revokeObjectURL(this.files[i].url);
    this.files.splice(i, 1);
    this.renderPreviews();
    this.focus();
  }

  renderPreviews() {
    this.previews.replaceChildren(
      ...this.files.map((f, i) =>
        h(
          "li",
          { class: "attachment" },
          h("img", { src: f.url, alt: `Preview of ${f.file.name}` }),
          h("span", { class: "attachment-name" }, f.file.name),
          h("button", { type: "button", class: "icon-btn small", "aria-label": `Remove ${f.file.name}`, onclick: () => this.remove(i) }, "×"),
        ),
      ),
    );
    this.previews.hidden = this.files.length === 0;
  }

  async send() {
    if (this.sending || this.text.disabled) return;
    let text = this.text.value;
    if (!text.trim() && !this.files.length) return;
    if (!text.trim()) text = this.files.map((f) => f.file.name).join(", ");
    // The same text and images as a failed send: retry with its id.
    const key = text + "\u0000" + this.files.map((f) => f.url).join(",");
    const id = this.pending && this.pending.key === key ? this.pending.id : randomID();
    this.pending = { key, id };
    this.sending = true;
    this.el.classList.add("sending");
    this.error.textContent = "";
    try {
      await this.opts.onSend({ text, files: this.files.map((f) => f.file), clientMsgID: id });
      this.pending = null;
      this.text.value = "";
      for (const f of this.files) URL.revokeObjectURL(f.url);
      this.files = [];
      this.renderPreviews();
      this.grow();
    } catch (err) {
      this.error.textContent = `Not sent: ${err.message}`;
    } finally {
      this.sending = false;
      this.el.classList.remove("sending");
      this.focus();
    }
  }
}

// icon returns a small inline SVG icon.
export function icon(name) {
  const paths = {
    image: "M4 5h16v14H4z M4 16l5-5 4 4 3-3 4 4 M15 9.5a1.5 1.5 0 1 0 0-.01",
    send: "M4 12l16-8-6 16-2.5-6.5z M11.5 13.5L20 4",
    menu: "M4 7h16 M4 12h16 M4 17h16",
    smile: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18 M8.5 14.5c1.8 2 5.2 2 7 0 M9 9.5h.01 M15 9.5h.01",
    back: "M15 5l-7 7 7 7",
  };
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const p = document.createElementNS("http://www.w3.org/2000/svg", "path");
  p.setAttribute("d", paths[name]);
  svg.append(p);
  return svg;
}
