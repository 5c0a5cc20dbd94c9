// Three clients: a and b join room "r1", c joins "r2". a shouts to "r1";
// the server then sends a marker to everyone, so each client knows it has
// seen everything it will see. Reports what each received.
import { connect, connected, until, main } from "./socketio-lib.mjs";

main(async () => {
  const names = ["a", "b", "c"];
  const clients = Object.fromEntries(names.map((n, i) => [n, connect("", { transports: [i === 1 ? "polling" : "websocket"] })]));
  const got = Object.fromEntries(names.map((n) => [n, []]));
  const markers = Object.fromEntries(names.map((n) => [n, 0]));
  for (const n of names) {
    clients[n].on("shout", (msg) => got[n].push(msg));
    clients[n].on("marker", () => markers[n]++);
  }
  await Promise.all(names.map((n) => connected(clients[n])));
  const rooms = {};
  rooms.a = await clients.a.timeout(5000).emitWithAck("join", "r1");
  rooms.b = await clients.b.timeout(5000).emitWithAck("join", "r1");
  rooms.c = await clients.c.timeout(5000).emitWithAck("join", "r2");
  await clients.a.timeout(5000).emitWithAck("shout", "r1", "hello r1");
  await until(() => names.every((n) => markers[n] >= 1), 5000, "markers");
  const ids = Object.fromEntries(names.map((n) => [n, clients[n].id]));
  for (const n of names) clients[n].disconnect();
  return { got, rooms, ids };
});
