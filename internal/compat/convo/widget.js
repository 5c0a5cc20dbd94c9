/* Parley comments widget: renders a page's comments and keeps them live.
 *
 *   <script src="https://parley.example/api/widget.js" data-apikey="CS..."
 *           data-thread-id="my-page" data-url="https://example.com/my-page" async></script>
 *
 * data-thread-id defaults to the page's origin and path, data-url to the same,
 * and data-target (a CSS selector) says where to render; by default right after
 * the script tag. It talks only to the server it was loaded from.
 */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector('script[src*="/api/widget.js"]');
  if (!script) return;
  var base = new URL(script.src, location.href);
  var apikey = script.getAttribute("data-apikey") || "";
  var page = location.origin + location.pathname;
  var threadId = script.getAttribute("data-thread-id") || page;
  var target = script.getAttribute("data-target");

  var root = document.createElement("section");
  root.className = "parley-comments";
  root.setAttribute("data-state", "loading");
  var style = document.createElement("style");
  style.textContent =
    ".parley-comments{font:14px/1.45 system-ui,sans-serif;max-width:42em}" +
    ".parley-comments h3{font-size:1.05em;margin:.5em 0}" +
    ".parley-comments ol{list-style:none;margin:0;padding:0}" +
    ".parley-comments li{border-top:1px solid #ddd;padding:.6em 0}" +
    ".parley-comments .pc-meta{color:#666;font-size:.85em}" +
    ".parley-comments .pc-text{white-space:pre-wrap;overflow-wrap:anywhere;margin:.2em 0}" +
    ".parley-comments .pc-status{color:#888;font-size:.8em}";
  var title = document.createElement("h3");
  var list = document.createElement("ol");
  var status = document.createElement("div");
  status.className = "pc-status";
  root.appendChild(style);
  root.appendChild(title);
  root.appendChild(list);
  root.appendChild(status);
  var host = target && document.querySelector(target);
  if (host) host.appendChild(root);
  else script.parentNode.insertBefore(root, script.nextSibling);

  var comments = {}; // _id -> comment
  var order = [];    // _ids, oldest first

  function api(path, params) {
    var u = new URL(path, base);
    params.apikey = apikey;
    Object.keys(params).forEach(function (k) { u.searchParams.set(k, params[k]); });
    return u;
  }

  function short(addr) {
    return addr && addr.length > 14 && addr.indexOf("0x") === 0 ? addr.slice(0, 6) + "…" + addr.slice(-4) : addr;
  }

  function render() {
    title.textContent = order.length === 1 ? "1 comment" : order.length + " comments";
    while (list.firstChild) list.removeChild(list.firstChild);
    order.forEach(function (id) {
      var c = comments[id];
      var li = document.createElement("li");
      li.setAttribute("data-comment-id", c._id);
      var meta = document.createElement("div");
      meta.className = "pc-meta";
      var when = new Date(Number(c.createdOn));
      meta.textContent = short(c.author) + " · " + when.toLocaleString() +
        (c.editHistory && c.editHistory.length ? " · edited" : "");
      meta.title = c.author;
      var text = document.createElement("p");
      text.className = "pc-text";
      text.textContent = c.text;
      var votes = document.createElement("div");
      votes.className = "pc-meta pc-votes";
      votes.textContent = "▲ " + (c.upvotes || []).length + "  ▼ " + (c.downvotes || []).length;
      li.appendChild(meta);
      li.appendChild(text);
      li.appendChild(votes);
      list.appendChild(li);
    });
  }

  function put(c) {
    if (!comments[c._id]) order.push(c._id);
    comments[c._id] = c;
  }

  function remove(id) {
    if (!comments[id]) return;
    delete comments[id];
    order = order.filter(function (x) { return x !== id; });
  }

  function load() {
    return fetch(api("/api/comments", { threadId: threadId, page: "0", pageSize: "500" }))
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (list) {
        comments = {};
        order = [];
        list.forEach(put);
        render();
      });
  }

  var delay = 1000;
  function connect() {
    var u = api("/api/subscribe", { threadId: threadId });
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    var ws = new WebSocket(u);
    ws.onopen = function () {
      delay = 1000;
      // Refetch so nothing posted while connecting is missed.
      load().then(function () {
        root.setAttribute("data-state", "live");
        status.textContent = "Live";
      }, fail);
    };
    ws.onmessage = function (e) {
      var ev;
      try { ev = JSON.parse(e.data); } catch (err) { return; }
      if (!ev || !ev.data || !ev.data._id) return;
      if (ev.name === "commentDelete") remove(ev.data._id);
      else put(ev.data);
      render();
    };
    ws.onclose = function () {
      root.setAttribute("data-state", "reconnecting");
      status.textContent = "Reconnecting…";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  function fail(err) {
    root.setAttribute("data-state", "error");
    status.textContent = "Comments are unavailable (" + err.message + ").";
  }

  load().then(connect, function (err) { fail(err); setTimeout(connect, delay); });
})();
