// Acknowledgements in both directions: client -> server (echo), and
// server -> client, asked for from inside a server handler ("ask" makes the
// server emit "question" with an ack; the client's answer comes back as the
// ack of "ask").
import { ack, connect, connected, main } from "./socketio-lib.mjs";

main(async () => {
  const s = connect("", { transports: [process.argv[2] || "websocket"] });
  const questions = [];
  s.on("question", (q, cb) => {
    questions.push(q);
    cb(`answer to ${q}`, 42);
  });
  await connected(s);
  const echo = await ack(s, "echo", "hello", [1, 2], { deep: { x: null } });
  const ask = await ack(s, "ask", "why");
  const bare = await ack(s, "echo"); // no arguments either way
  const single = await s.timeout(5000).emitWithAck("echo", "only"); // the promise form
  s.disconnect();
  return { echo, ask, questions: [...questions], bare, single };
});
