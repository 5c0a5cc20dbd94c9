// With transport argv[2]: first sends several messages that each fit the
// server's maxPayload but together exceed it (the client must split its
// polling batches using the maxPayload from the handshake), then one message
// of argv[3] characters, too big, and reports how the connection ended.
import { ack, connect, connected, waitFor, main } from "./socketio-lib.mjs";

const transport = process.argv[2] || "websocket";
const big = Number(process.argv[3] || 20000);

main(async () => {
  const s = connect("", { transports: [transport] });
  await connected(s);
  const id = s.id;
  const maxPayload = s.io.engine._maxPayload;
  const chunk = "m".repeat(Math.floor(maxPayload / 3));
  const acks = await Promise.all([0, 1, 2, 3, 4].map((i) => ack(s, "echo", i, chunk)));
  const smallOK = acks.every((a, i) => a[0] === i && a[1].length === chunk.length);
  const disconnected = waitFor(s, "disconnect", 5000);
  s.emit("echo", "x".repeat(big));
  const [reason] = await disconnected;
  s.close();
  return { id, maxPayload, smallOK, reason };
});
