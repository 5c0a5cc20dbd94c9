// Stays connected until argv[2] server pings have been answered (the client
// answers them itself), checking the connection never dropped, then does an
// ack round trip on the same socket.
import { ack, connect, connected, until, main } from "./socketio-lib.mjs";

const want = Number(process.argv[2] || 3);
const transport = process.argv[3] || "websocket";

main(async () => {
  const s = connect("", { transports: [transport] });
  let pings = 0;
  const disconnects = [];
  s.io.on("ping", () => pings++);
  s.on("disconnect", (reason) => disconnects.push(reason));
  await connected(s);
  const id = s.id;
  const start = Date.now();
  await until(() => pings >= want, 20000, `${want} pings`);
  const elapsedMs = Date.now() - start;
  const echo = await ack(s, "echo", "still here");
  const out = { pings, disconnects: [...disconnects], sameId: s.id === id, connected: s.connected, elapsedMs, echo };
  s.disconnect();
  return out;
});
