// Helpers shared by the socketio-*.mjs scenarios, which drive Parley's Go
// Socket.IO server (internal/socketio) with the real socket.io-client.
// The server's origin comes from PARLEY_SIO_URL (e.g. http://127.0.0.1:1234);
// the Engine.IO endpoint is mounted at the default /socket.io/ path.
// Each scenario prints one JSON object on stdout and exits 0, or prints the
// error on stderr and exits 1.
import { io } from "socket.io-client";

export const url = process.env.PARLEY_SIO_URL;
if (!url) {
  console.error("PARLEY_SIO_URL is not set");
  process.exit(2);
}

// connect opens a new client (never sharing a Manager) on namespace nsp
// ("" for the main one). Reconnection is off unless opts turn it on.
export function connect(nsp = "", opts = {}) {
  return io(url + nsp, { forceNew: true, reconnection: false, timeout: 5000, ...opts });
}

// waitFor resolves with the arguments of the next `event` on emitter, or
// rejects after ms.
export function waitFor(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no "${event}" within ${ms} ms`));
    }, ms);
    const on = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    emitter.once(event, on);
  });
}

// connected resolves when socket connects and rejects with the
// connect_error's message if it is refused.
export function connected(socket, ms = 5000) {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`not connected within ${ms} ms`)), ms);
    const onConnect = () => done();
    const onError = (err) => done(err);
    const done = (err) => {
      clearTimeout(timer);
      socket.off("connect", onConnect);
      socket.off("connect_error", onError);
      err ? reject(err) : resolve();
    };
    socket.on("connect", onConnect);
    socket.on("connect_error", onError);
  });
}

// ack emits event with args and resolves with every argument of the
// server's acknowledgement (emitWithAck keeps only the first).
export function ack(socket, event, ...args) {
  return new Promise((resolve, reject) =>
    socket.timeout(5000).emit(event, ...args, (err, ...res) => (err ? reject(err) : resolve(res))),
  );
}

// until polls cond every 10 ms and rejects after ms.
export async function until(cond, ms = 5000, what = "condition") {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// main runs fn and prints its result as JSON; the whole scenario must
// finish within 25 s. On success Node exits by itself once the clients'
// last requests (a polling client's final POST, a WebSocket close) are
// done, so the server sees the clients leave; an unref'd timer exits anyway
// if some handle lingers.
export function main(fn) {
  const timer = setTimeout(() => {
    console.error("scenario timed out");
    process.exit(1);
  }, 25000);
  fn().then(
    (out) => {
      clearTimeout(timer);
      process.stdout.write(JSON.stringify(out) + "\n");
      setTimeout(() => process.exit(0), 5000).unref();
    },
    (err) => {
      console.error(err && err.stack ? err.stack : String(err));
      process.exit(1);
    },
  );
}
