// Small DOM helpers. Everything the client shows is built with h(), which
// only ever sets text and attributes, never HTML: text from the server cannot
// become markup.

// h creates an element. attrs: "class", "text", "on<event>" handlers,
// boolean properties (hidden, disabled, ...), "dataset", "style" (an object of
// properties, set through CSSOM: the page's CSP refuses style attributes) and
// plain attributes (null or false leaves an attribute out). Children are nodes, strings,
// arrays or null.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style") for (const [p, x] of Object.entries(v)) el.style.setProperty(p, String(x));
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k in PROPS) el[k] = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

const PROPS = { hidden: 1, disabled: 1, value: 1, checked: 1, readOnly: 1, multiple: 1 };

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// replace empties el and fills it with children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// linkify turns text into a fragment where http(s) URLs are links.
export function linkify(text) {
  const frag = document.createDocumentFragment();
  const re = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    frag.append(h("a", { href: m[0], target: "_blank", rel: "noopener noreferrer" }, m[0]));
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}

// marked renders a search snippet in which only <mark>…</mark> is markup.
export function marked(snippet) {
  const frag = document.createDocumentFragment();
  const parts = String(snippet).split(/(<mark>|<\/mark>)/);
  let inMark = false;
  for (const p of parts) {
    if (p === "<mark>") inMark = true;
    else if (p === "</mark>") inMark = false;
    else if (p) frag.append(inMark ? h("mark", {}, p) : p);
  }
  return frag;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "short" });

// clock shows a unix time as a time of day, with the date when not today.
export function clock(sec) {
  const d = new Date(sec * 1000);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay ? timeFmt.format(d) : `${dayFmt.format(d)}, ${timeFmt.format(d)}`;
}

// fullDate is the long form of a unix time, for titles.
export function fullDate(sec) {
  return fullFmt.format(new Date(sec * 1000));
}

// ago shows how long ago a unix time was, briefly.
export function ago(sec) {
  const s = Math.max(0, Date.now() / 1000 - sec);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)} d ago`;
  return dayFmt.format(new Date(sec * 1000));
}

// initials of a display name, for avatars.
export function initials(name) {
  const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const first = [...(words[0] || "?")][0];
  const second = words.length > 1 ? [...words[words.length - 1]][0] : "";
  return (first + second).toUpperCase();
}

// hue picks a stable avatar colour for an id.
export function hue(id) {
  let n = 0;
  for (const c of String(id)) n = (n * 31 + c.charCodeAt(0)) % 360;
  return n;
}

// idCompare orders typed-hex ids ("1J1ae93") numerically: the hex part has no
// leading zeros, so a longer one is larger.
export function idCompare(a, b) {
  const x = a.slice(2), y = b.slice(2);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

// randomID returns a random id for client_msg_id (crypto.randomUUID needs a
// secure context; getRandomValues does not).
export function randomID() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

// slug mirrors the server's url_path: lowercase words joined by dashes.
export function slug(subject) {
  return (String(subject).toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).join("-").slice(0, 80);
}
