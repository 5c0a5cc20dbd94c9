// Reconnection after server-side disconnects:
//  1. "kick": the server disconnects the socket ("io server disconnect");
//     the client does not reconnect by itself, so it calls connect().
//  2. "drop": the server closes the whole connection; the client sees
//     "transport close" and reconnects automatically.
// Reports the disconnect reasons and the socket IDs seen.
import { ack, connect, connected, waitFor, main } from "./socketio-lib.mjs";

main(async () => {
  const s = connect("", {
    transports: [process.argv[2] || "websocket"],
    reconnection: true,
    reconnectionDelay: 50,
    reconnectionDelayMax: 100,
  });
  const reasons = [];
  const ids = [];
  s.on("disconnect", (reason) => reasons.push(reason));
  await connected(s);
  ids.push(s.id);

  let gone = waitFor(s, "disconnect");
  s.emit("kick");
  await gone;
  s.connect();
  await connected(s);
  ids.push(s.id);
  const afterKick = await ack(s, "echo", "after kick");

  gone = waitFor(s, "disconnect");
  const back = waitFor(s, "connect", 10000);
  s.emit("drop");
  await gone;
  await back;
  ids.push(s.id);
  const afterDrop = await ack(s, "echo", "after drop");
  const out = { reasons: [...reasons], ids, afterKick, afterDrop };
  s.disconnect();
  return out;
});
