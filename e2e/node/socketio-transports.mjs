// Connects with the transports named by argv[2]: "default" (polling, then
// the upgrade to websocket), "websocket" or "polling". On connect it asks
// for a burst of numbered events (which, with the default transports,
// crosses the upgrade), checks they all arrive in order, then does an ack
// round trip.
import { ack, connect, connected, waitFor, until, main } from "./socketio-lib.mjs";

const mode = process.argv[2] || "default";

main(async () => {
  const s = connect("", mode === "default" ? {} : { transports: [mode] });
  const upgrade = mode === "default" ? waitFor(s.io.engine, "upgrade", 10000) : null;
  let first = null;
  s.io.engine.once("open", () => (first = s.io.engine.transport.name));
  const seq = [];
  s.on("seq", (i) => seq.push(i));
  await connected(s);
  const n = await s.timeout(5000).emitWithAck("burst", 500);
  let upgradedTo = null;
  if (upgrade) {
    const [transport] = await upgrade;
    upgradedTo = transport.name;
  }
  await until(() => seq.length >= n, 10000, `${n} seq events`);
  const inOrder = seq.every((v, i) => v === i);
  const echo = await ack(s, "echo", "after", { n: 1 });
  const out = { id: s.id, first, upgradedTo, last: s.io.engine.transport.name, received: seq.length, inOrder, echo };
  s.disconnect();
  return out;
});
