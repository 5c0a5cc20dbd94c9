// Connects to namespace argv[3] ("" or "/admin") with auth {token: argv[2]}
// and reports whether the connection was accepted, the connect_error
// message if not, and the server's whoami answer if so.
import { connect, connected, main } from "./socketio-lib.mjs";

const token = process.argv[2];
const nsp = process.argv[3] || "";

main(async () => {
  const s = connect(nsp, { auth: { token } });
  try {
    await connected(s);
  } catch (err) {
    s.close();
    return { connected: false, error: err.message };
  }
  const whoami = await s.timeout(5000).emitWithAck("whoami"); // one argument: the promise form
  const id = s.id;
  s.disconnect();
  return { connected: true, id, whoami };
});
