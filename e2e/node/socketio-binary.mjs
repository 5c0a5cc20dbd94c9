// Sends an event with a binary argument, which the server refuses by
// disconnecting the socket; reports the disconnect reason and that a fresh
// connect still works.
import { ack, connect, connected, waitFor, main } from "./socketio-lib.mjs";

main(async () => {
  const s = connect("", { transports: [process.argv[2] || "websocket"] });
  await connected(s);
  const first = s.id;
  const gone = waitFor(s, "disconnect");
  s.emit("echo", Buffer.from([1, 2, 3]));
  const [reason] = await gone;
  s.connect();
  await connected(s);
  const echo = await ack(s, "echo", "text is fine");
  const second = s.id;
  s.disconnect();
  return { first, reason, second, echo };
});
