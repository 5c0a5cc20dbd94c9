// Package socketio is a small Socket.IO v4 server: Engine.IO protocol
// revision 4 carrying Socket.IO protocol v5 packets, written on net/http and
// github.com/coder/websocket because no Go server for these protocol
// versions can be used here (see DEPENDENCIES.md §3). It serves the npm
// socket.io-client 4.x, which the tests drive for real.
//
// # Model
//
// A client opens an Engine.IO session (one connection, identified by its
// sid) over HTTP long-polling or a WebSocket; a polling session may then be
// upgraded to a WebSocket. Over the session the client connects one Socket
// per namespace ("/" and any listed in Options.Namespaces), optionally with
// an auth payload that Options.Authenticate checks. Sockets exchange events,
// with optional acknowledgements in both directions, and join rooms; a
// Broadcast sends one event to the sockets of a namespace that are in some
// rooms.
//
//	srv := socketio.NewServer(socketio.Options{
//		Authenticate: func(r *http.Request, auth json.RawMessage) (any, error) { ... },
//		OnConnect: func(s *socketio.Socket) {
//			s.Join("general")
//			s.On("chat", func(args []json.RawMessage, ack socketio.AckFunc) {
//				srv.To("general").Emit("chat", args[0])
//				ack("ok")
//			})
//		},
//	})
//	mux.Handle("/socket.io/", srv)
//	defer srv.Close(ctx)
//
// # Protocol coverage
//
// Engine.IO: the handshake (open packet with sid, upgrades, pingInterval,
// pingTimeout and maxPayload); HTTP long-polling (GET receives, POST sends,
// packets joined by the record separator 0x1e, base64 "b" packets for
// binary); WebSocket, directly or as an upgrade from polling (ping "probe",
// pong "probe", a noop that releases the pending poll, then upgrade "5");
// the server-driven heartbeat (ping every PingInterval, the session closes
// when no pong arrives within PingTimeout); MaxPayload on POST bodies and
// WebSocket messages (a larger one closes the session: status 413 or
// WebSocket close 1009); and the reference server's error responses, status
// 400 (403 for Forbidden) with {"code":N,"message":"..."} for codes 0-5.
// Not supported: protocol revision 3 clients, JSONP polling, WebTransport,
// HTTP compression, CORS headers (a browser page on another origin can use
// the WebSocket transport when OriginPatterns allows its origin).
//
// Socket.IO: CONNECT with namespace and auth payload, answered with
// {"sid":...} or CONNECT_ERROR {"message":...}; DISCONNECT both ways; EVENT
// with or without an ack id; ACK both ways. Binary packets (BINARY_EVENT,
// BINARY_ACK) are refused: their attachments are read and discarded, and
// the socket is disconnected from the server side (the client sees "io
// server disconnect") with ReasonBinaryUnsupported; the session stays up.
// Arguments are JSON: []byte is sent as encoding/json sends it, a base64
// string. Packets that break the protocol close the session with
// ReasonParseError, as the reference server closes the connection.
//
// # Delivery and ordering
//
// Packets to one session are written in the order they were queued, over
// whichever transport is current: nothing queued is lost or reordered by an
// upgrade. Delivery is at most once: what is queued when a session closes
// abnormally is dropped. Events from one client are handled in the order
// it sent them (see Handler).
//
// # Backpressure
//
// Each session has one writer (the pending poll, or the WebSocket writer
// goroutine) and an outbound queue bounded by Options.MaxQueuedBytes,
// counting the batch being written. Sending never blocks: a packet that
// would overflow the queue closes the session with ReasonSlowClient, so a
// slow client never holds up a Broadcast. Polling clients find their packets
// in the same queue between polls. Inbound, a session's reader stops reading
// while its handlers are 16 packets behind.
//
// # Goroutines and shutdown
//
// Every goroutine is owned: a session's run goroutine (heartbeat, then
// teardown) waits for its dispatch goroutine, a WebSocket handler waits for
// its writer, and Server.Close waits for all of them and for the HTTP
// handlers serving a session. Close flushes what is queued to each client
// before closing it, bounded by its context. LOCKS.md states the lock order.
package socketio
