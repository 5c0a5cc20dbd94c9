// The native /v1 API, as the web client uses it. Every call goes through
// request(), which adds the token and turns any failure into an ApiError
// whose message can be shown to the person.

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.status = status; // 0 when the server could not be reached
    this.code = code;
    this.fields = fields || {};
  }
}

export class Api {
  // token() returns the current token or ""; onUnauthenticated is called when
  // the server refuses it.
  constructor(token, onUnauthenticated) {
    this.token = token;
    this.onUnauthenticated = onUnauthenticated;
  }

  async request(method, path, body) {
    const headers = {};
    const tok = this.token();
    if (tok) headers.Authorization = `Bearer ${tok}`;
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, { method, headers, body: payload });
    } catch {
      throw new ApiError(0, "network", "Can't reach the server. Check your connection.");
    }
    let data = null;
    if ((res.headers.get("Content-Type") || "").startsWith("application/json")) {
      data = await res.json().catch(() => null);
    }
    if (res.ok && data) return data;
    const err = data && data.error;
    if (res.status === 401 && tok) this.onUnauthenticated();
    if (err) throw new ApiError(res.status, err.code, err.message, err.fields);
    throw new ApiError(res.status, res.status === 404 ? "not_found" : "http", `The server answered ${res.status} ${res.statusText}.`);
  }

  get(path) { return this.request("GET", path); }
  post(path, body) { return this.request("POST", path, body ?? {}); }
  put(path, body) { return this.request("PUT", path, body); }

  join(secret, name) { return this.post("/v1/join", { join_secret: secret, name }).then((r) => r.data); }
  me() { return this.get("/v1/users/me").then((r) => r.data); }
  org() { return this.get("/v1/org").then((r) => r.data); }
  async users() {
    const all = [];
    for (let page = 1; ; page++) {
      const batch = (await this.get(`/v1/users?per_page=500&page=${page}`)).data;
      all.push(...batch);
      if (batch.length < 500) return all;
    }
  }
  channels() { return this.get("/v1/channels").then((r) => r.data); }
  createChannel(name, description, autoJoin) {
    return this.post("/v1/channels", { name, description, bits: { chan_member: true, chan_auto_join: autoJoin } }).then((r) => r.data);
  }
  joinChannel(id) { return this.post(`/v1/channels/${id}/join`).then((r) => r.data); }
  channelThreads(id, before, num) {
    const q = new URLSearchParams({ num: String(num) });
    if (before) q.set("before", before);
    return this.get(`/v1/channels/${id}/threads?${q}`).then((r) => r.data);
  }
  thread(id) { return this.get(`/v1/threads/${id}`).then((r) => r.data); }
  chats(threadId, before, num) {
    const q = new URLSearchParams({ num: String(num) });
    if (before) q.set("before", before);
    return this.get(`/v1/chats/${threadId}?${q}`).then((r) => r.data);
  }
  startThread(channelId, text, images, clientMsgId) {
    return this.post("/v1/threads", { text, xsr_ids: [channelId], images, client_msg_id: clientMsgId });
  }
  postChat(threadId, text, images, clientMsgId) {
    return this.post("/v1/chats", { thread_id: threadId, text, images, client_msg_id: clientMsgId }).then((r) => r.data);
  }
  editChat(id, threadId, text) { return this.put("/v1/chats", { id, thread_id: threadId, text }).then((r) => r.data); }
  deleteChat(id) { return this.request("DELETE", `/v1/chats/${id}`).then((r) => r.data); }
  react(chatId, name, on) {
    return this.post("/v1/reactions", on ? { chat_id: chatId, name, set: true } : { chat_id: chatId, name, delete: true });
  }
  markRead(threadId, chatId) { return this.put("/v1/read", { thread_id: threadId, chat_id: chatId }).then((r) => r.data); }
  upload(file) {
    const form = new FormData();
    form.append("file", file, file.name || "image");
    return this.request("POST", "/v1/upload", form).then((r) => r.data);
  }
  search(q) { return this.post("/v1/search", { q }).then((r) => r.data || []); }

  // file fetches an upload with the token (an <img> cannot send it) and
  // returns an object URL for it.
  async file(handle) {
    let res;
    try {
      res = await fetch(`/v1/files/${encodeURIComponent(handle)}`, { headers: { Authorization: `Bearer ${this.token()}` } });
    } catch {
      throw new ApiError(0, "network", "Can't reach the server.");
    }
    if (!res.ok) throw new ApiError(res.status, "http", `The file could not be loaded (${res.status}).`);
    return URL.createObjectURL(await res.blob());
  }
}
