// Every Allo operation, driven by the real socket.io-client against Parley's
// Allo surface, checking the emits reference/allo.md lists. Three users:
// alice creates a group with bob; carol is outside it (then in a second
// conversation with alice, which a message is forwarded to).
//
// Environment: PARLEY_SIO_URL (the server's origin), PARLEY_ALLO (JSON:
// {"tokens": {name: token}, "users": {name: ObjectId}}) and
// PARLEY_SIO_TRANSPORTS ("websocket" for WebSocket only; empty for the
// client's default, HTTP long-polling upgraded to WebSocket).
// Prints {"conversation", "secondConversation", "messages": {...}} for the Go
// test to check through /v1.
import http from "node:http";
import { connect, connected, main, until, url } from "./socketio-lib.mjs";

const fixture = JSON.parse(process.env.PARLEY_ALLO || "{}");
const transports = process.env.PARLEY_SIO_TRANSPORTS ? process.env.PARLEY_SIO_TRANSPORTS.split(",") : undefined;

// client connects as name and records every event it receives.
function client(name, token = fixture.tokens[name]) {
  const socket = connect("", { auth: { token }, ...(transports ? { transports } : {}) });
  const events = [];
  socket.onAny((event, ...args) => events.push({ event, args }));
  return { name, socket, events };
}

// next waits for the first event named event (after those already taken)
// whose payload satisfies pred, and returns its payload.
async function next(c, event, pred = () => true, ms = 5000) {
  let found;
  await until(
    () => {
      for (let i = 0; i < c.events.length; i++) {
        const e = c.events[i];
        if (e.event === event && pred(e.args[0])) {
          found = e.args[0];
          c.events.splice(i, 1);
          return true;
        }
      }
      return false;
    },
    ms,
    `${c.name}: ${event}`,
  );
  return found;
}

// none checks that no event named event reached c.
function none(c, event, pred = () => true) {
  const hit = c.events.find((e) => e.event === event && pred(e.args[0]));
  if (hit) throw new Error(`${c.name} got ${event} ${JSON.stringify(hit.args)}`);
}

// call emits an operation with an acknowledgement and returns the reply.
async function call(c, event, payload) {
  const res = await c.socket.timeout(5000).emitWithAck(event, payload);
  if (!res.ok) throw new Error(`${c.name} ${event}: ${JSON.stringify(res.error)}`);
  return res.data;
}

// refused emits an operation that must fail: it returns the error emit.
async function refused(c, event, payload, code) {
  c.socket.emit(event, payload);
  const err = await next(c, "error", (e) => e.event === event);
  if (code && err.code !== code) throw new Error(`${c.name} ${event}: code ${err.code}, want ${code}: ${err.message}`);
  if (!err.message) throw new Error(`${event}: error without a message`);
  return err;
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

// typedHex is the native API's id for a conversation ObjectId (kind 2).
function typedHex(oid) {
  const h = BigInt("0x" + oid.slice(10)).toString(16);
  return "2" + String.fromCharCode(79 - h.length) + h;
}

// post sends a JSON POST without keeping the connection alive (a kept-alive
// connection would hold the process open after the scenario).
function post(token, path, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(url + path, {
      method: "POST",
      agent: false,
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) },
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(data);
  });
}

main(async () => {
  const { users, tokens } = fixture;
  const alice = client("alice"), bob = client("bob"), carol = client("carol"), mallory = client("mallory");
  await Promise.all([alice, bob, carol, mallory].map((c) => connected(c.socket)));
  for (const c of [alice, bob, carol]) {
    const hello = await next(c, "connected");
    check(hello.userId === users[c.name], `${c.name} connected as ${hello.userId}`);
  }

  // A bad token is refused with the original's message.
  const intruder = connect("", { auth: { token: "valid-token" }, ...(transports ? { transports } : {}) });
  const refusal = await connected(intruder).then(
    () => null,
    (err) => err.message,
  );
  intruder.close();
  check(refusal === "Authentication error", `bad token: ${refusal}`);

  // createConversation: the creator's socket joins and hears of it; so do
  // the other participants.
  alice.socket.emit("createConversation", { participants: [users.bob], type: "group", topic: "Plans", owner: users.bob });
  const conv = await next(alice, "conversationCreated");
  check(conv.owner === users.alice && conv.admins[0] === users.alice && conv.participants.length === 2, `conversation ${JSON.stringify(conv)}`);
  const heard = await next(bob, "conversationCreated");
  check(heard._id === conv._id, "bob heard of another conversation");
  const id = conv._id;

  // joinConversation takes a plain string, as the original's event did.
  bob.socket.emit("joinConversation", id);
  await refused(carol, "joinConversation", id, "not_found");
  await refused(carol, "joinConversation", "not-an-id", "invalid");
  await refused(mallory, "joinConversation", id, "not_found"); // another org
  // A join is done once its acknowledgement arrives.
  const joined = await call(bob, "joinConversation", { conversationID: id });
  check(joined._id === id, "join answered another conversation");

  // typing and stopTyping reach the others in the room, not the typist.
  alice.socket.emit("typing", id);
  check((await next(bob, "typing")).user === users.alice, "typing user");
  alice.socket.emit("stopTyping", id);
  check((await next(bob, "stopTyping")).user === users.alice, "stopTyping user");

  // sendMessage: the room gets the stored message with its _id; the
  // payload's userID is not trusted.
  alice.socket.emit("sendMessage", { userID: users.bob, conversationID: id, message: "hello" });
  const hello = await next(bob, "message", (m) => m.message === "hello");
  await next(alice, "message", (m) => m._id === hello._id);
  check(hello._id && hello.userID === users.alice && hello.conversationID === id && hello.status === "sent", `message ${JSON.stringify(hello)}`);
  none(carol, "message");

  bob.socket.emit("sendSecureMessage", { conversationID: id, message: "b64:q83vEjRWeJA=", encrypted: true, encryptionAlgorithm: "AES-256-GCM", signature: "sig:3045" });
  const secure = await next(alice, "message", (m) => m.encrypted);
  check(secure.encryptionAlgorithm === "AES-256-GCM" && secure.signature === "sig:3045" && secure.userID === users.bob, "secure message");

  alice.socket.emit("sendVoiceMessage", { conversationID: id, message: "listen", voiceUrl: "https://cdn.example.com/v/1.ogg" });
  const voice = await next(bob, "message", (m) => m.attachments.length && m.attachments[0].type === "voice");
  check(voice.attachments[0].url === "https://cdn.example.com/v/1.ogg", "voice url");

  bob.socket.emit("sendSticker", { conversationID: id, stickerUrl: "https://cdn.example.com/s/cat.webp" });
  const sticker = await next(alice, "message", (m) => m.attachments.length && m.attachments[0].type === "sticker");
  check(sticker.message === "", "a sticker has no text");

  alice.socket.emit("createPoll", { conversationID: id, question: "Lunch?", options: ["pizza", "sushi"] });
  const poll = await next(bob, "message", (m) => m.poll);
  check(poll.poll.question === "Lunch?" && poll.poll.votes.join() === "0,0", `poll ${JSON.stringify(poll.poll)}`);

  bob.socket.emit("votePoll", { conversationID: id, messageId: poll._id, optionIndex: 1 });
  const voted = await next(alice, "pollVoted");
  check(voted.messageId === poll._id && voted.optionIndex === 1 && voted.votes.join() === "0,1", `pollVoted ${JSON.stringify(voted)}`);
  bob.socket.emit("votePoll", { conversationID: id, messageId: poll._id, optionIndex: 0 });
  check((await next(alice, "pollVoted")).votes.join() === "1,0", "a changed vote replaces the first");
  await refused(bob, "votePoll", { conversationID: id, messageId: poll._id, optionIndex: 5 }, "invalid");

  bob.socket.emit("reactionMessage", { conversationID: id, messageId: hello._id, emoji: "👍" });
  const reaction = await next(alice, "messageReaction");
  check(reaction.messageId === hello._id && reaction.emoji === "👍" && reaction.userID === users.bob, "messageReaction");

  bob.socket.emit("messageRead", { conversationID: id, messageId: hello._id });
  const status = await next(alice, "messageStatusUpdate");
  check(status.messageId === hello._id && status.status === "read" && status.userID === users.bob, "messageStatusUpdate");

  alice.socket.emit("pinMessage", { conversationID: id, messageId: hello._id, pin: true });
  const pinned = await next(bob, "messagePinned");
  check(pinned.messageId === hello._id && pinned.pinned === true && pinned.pinnedBy === users.alice && pinned.pinnedAt, "messagePinned");

  alice.socket.emit("editMessage", { conversationID: id, messageId: hello._id, newMessage: "hello, edited" });
  const edited = await next(bob, "messageEdited");
  check(edited.messageId === hello._id && edited.newMessage === "hello, edited" && edited.editedAt, "messageEdited");
  await refused(bob, "editMessage", { conversationID: id, messageId: hello._id, newMessage: "mine now" }, "forbidden");

  // Reports reach the reporter and the conversation's admins.
  bob.socket.emit("reportMessage", { conversationID: id, messageId: hello._id, reason: "spam" });
  const reported = await next(bob, "messageReported");
  check(reported.messageId === hello._id && reported.reporter === users.bob && reported.reason === "spam", "messageReported");
  await next(alice, "messageReported");

  // forwardMessage: the target room gets the copy and messageForwarded.
  alice.socket.emit("createConversation", { participants: [users.carol], type: "private" });
  const second = await next(alice, "conversationCreated");
  await next(carol, "conversationCreated", (c) => c._id === second._id);
  await call(carol, "joinConversation", second._id);
  alice.socket.emit("forwardMessage", { fromConversationID: id, toConversationID: second._id, messageId: hello._id });
  const forwarded = await next(carol, "messageForwarded");
  const copy = await next(carol, "message", (m) => m._id === forwarded.messageId);
  check(copy.forwardedFrom === hello._id && copy.message === "hello, edited" && copy.conversationID === second._id, `copy ${JSON.stringify(copy)}`);
  none(bob, "messageForwarded");
  await refused(carol, "forwardMessage", { fromConversationID: id, toConversationID: second._id, messageId: hello._id }, "not_found");

  alice.socket.emit("deleteMessage", { conversationID: id, messageId: voice._id });
  check((await next(bob, "messageDeleted", (d) => d.messageId === voice._id)).messageId === voice._id, "messageDeleted");

  await refused(alice, "unsendMessage", { conversationID: id, messageId: sticker._id }, "forbidden");
  bob.socket.emit("unsendMessage", { conversationID: id, messageId: sticker._id });
  check((await next(alice, "messageUnsent")).messageId === sticker._id, "messageUnsent");

  // scheduleMessage: nothing until its time, then the room's message.
  const at = new Date(Date.now() + 1200);
  const scheduled = await call(alice, "scheduleMessage", { conversationID: id, message: "on time", scheduledTime: at.toISOString() });
  check(scheduled.status === "scheduled" && scheduled._id, `scheduled ${JSON.stringify(scheduled)}`);
  none(bob, "message", (m) => m.message === "on time");
  const late = await call(alice, "scheduleMessage", { conversationID: id, message: "late", scheduledTime: new Date(Date.now() - 3600e3).toISOString() });
  check(late._id && late.scheduledAt, "a past time sends now");
  await next(bob, "message", (m) => m.message === "late");
  await refused(alice, "scheduleMessage", { conversationID: id, message: "far", scheduledTime: new Date(Date.now() + 3 * 365 * 86400e3).toISOString() }, "invalid");

  // sendEphemeralMessage: the message, then messageDeleted with its id.
  bob.socket.emit("sendEphemeralMessage", { conversationID: id, message: "poof", expiresIn: 800 });
  const eph = await next(alice, "message", (m) => m.message === "poof");
  check(eph.ephemeralExpiresAt, "ephemeralExpiresAt");
  await refused(bob, "sendEphemeralMessage", { conversationID: id, message: "x", expiresIn: 0 }, "invalid");
  await refused(bob, "sendEphemeralMessage", { conversationID: id, message: "x", expiresIn: -1 }, "invalid");

  const onTime = await next(bob, "message", (m) => m.message === "on time", 8000);
  check(Date.parse(onTime.createdAt) >= at.getTime(), `sent at ${onTime.createdAt}, before ${at.toISOString()}`);
  const gone = await next(bob, "messageDeleted", (d) => d.messageId === eph._id, 8000);
  check(gone.messageId === eph._id, "the expired message's id");

  // Bad input: an error emit, nothing written.
  await refused(carol, "sendMessage", { conversationID: id, message: "let me in" }, "not_found");
  await refused(alice, "sendMessage", { conversationID: "5061726c02000000000fffff", message: "void" }, "not_found");
  await refused(alice, "sendMessage", { conversationID: hello._id, message: "wrong kind" }, "invalid");
  await refused(alice, "createPoll", { conversationID: "zzz", question: "Q", options: ["a", "b"] }, "invalid");
  await refused(alice, "sendMessage", "just a string", "invalid");

  // A REST call reaches the room's sockets.
  const viaRest = await post(tokens.alice, "/api/chat/sendMessage", { conversationID: id, message: "from REST" });
  check(viaRest.status === 201, `REST status ${viaRest.status}`);
  const got = await next(bob, "message", (m) => m.message === "from REST");
  check(got._id === viaRest.body._id, "REST message id");
  const pinRest = await post(tokens.alice, "/api/chat/pinMessage", { conversationID: id, messageId: hello._id, pin: false });
  check(pinRest.status === 200, `REST pin ${pinRest.status}`);
  check((await next(bob, "messagePinned", (p) => p.pinned === false)).messageId === hello._id, "REST unpin reached the room");

  // So does a chat sent through the native API.
  const v1 = await post(tokens.bob, "/v1/chats", { thread_id: typedHex(id), text: "from /v1" });
  check(v1.status === 200, `/v1 status ${v1.status}`);
  const fromV1 = await next(alice, "message", (m) => m.message === "from /v1");
  check(fromV1.userID === users.bob, "the /v1 chat's sender");

  // Carol, outside the group, and mallory, of another org, heard none of it.
  for (const c of [carol, mallory]) {
    for (const e of ["message", "typing", "messagePinned", "pollVoted", "messageReported", "conversationCreated"]) {
      none(c, e, (p) => p && (p._id === id || p.conversationID === id || p.messageId === hello._id || p.messageId === poll._id));
    }
  }
  none(mallory, "conversationCreated");

  const transport = alice.socket.io.engine.transport.name;
  for (const c of [alice, bob, carol, mallory]) c.socket.disconnect();
  return {
    conversation: id,
    secondConversation: second._id,
    transport,
    messages: { hello: hello._id, secure: secure._id, voice: voice._id, sticker: sticker._id, poll: poll._id, copy: copy._id, ephemeral: eph._id, onTime: onTime._id },
  };
});
