package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Reasons given to OnDisconnect callbacks. The first seven are the reference
// server's strings; the last three are this package's.
const (
	// ReasonServerDisconnect: the server called Socket.Disconnect.
	ReasonServerDisconnect = "server namespace disconnect"
	// ReasonClientDisconnect: the client disconnected the socket (DISCONNECT
	// packet), for example with socket.disconnect().
	ReasonClientDisconnect = "client namespace disconnect"
	// ReasonServerShutdown: Server.Close.
	ReasonServerShutdown = "server shutting down"
	// ReasonPingTimeout: no pong arrived within PingTimeout of a ping.
	ReasonPingTimeout = "ping timeout"
	// ReasonTransportClose: the client closed the connection or the
	// Engine.IO session (close packet), or the WebSocket ended.
	ReasonTransportClose = "transport close"
	// ReasonTransportError: a transport failed: a write failed or timed out,
	// a poll request ended before its response, or requests overlapped.
	ReasonTransportError = "transport error"
	// ReasonParseError: the client sent a malformed or unexpected packet.
	ReasonParseError = "parse error"
	// ReasonPayloadTooLarge: a POST body or WebSocket message exceeded
	// MaxPayload.
	ReasonPayloadTooLarge = "payload too large"
	// ReasonSlowClient: the session's outbound queue would have exceeded
	// MaxQueuedBytes.
	ReasonSlowClient = "slow client"
	// ReasonBinaryUnsupported: the client sent a BINARY_EVENT or BINARY_ACK,
	// which this server does not support; the socket was disconnected as
	// with Socket.Disconnect.
	ReasonBinaryUnsupported = "binary packets are not supported"
)

// reasonConnectTimeout closes a session whose client never connected a
// namespace; no socket exists to be told.
const reasonConnectTimeout = "connect timeout"

// session is one Engine.IO session: one client connection, over polling, a
// WebSocket, or polling then a WebSocket. It owns the outbound queue, the
// heartbeat, and the dispatch goroutine that runs handlers for its sockets.
//
// Goroutines: run (heartbeat, then teardown; owned by Server.wg) starts and
// waits for dispatch. The transports' goroutines are HTTP handlers counted
// in Server.wg: the polling GET handler writes the queue, the POST handler
// reads; a WebSocket handler reads and owns the writer goroutine it starts.
type session struct {
	srv *Server
	id  string
	// req is the request that opened the session, with an empty body and
	// ctx as its context. Read-only.
	req *http.Request

	// ctx is cancelled as soon as the session starts closing.
	ctx    context.Context
	cancel context.CancelFunc
	// writeCtx is cancelled when the session closes without flushing, or
	// when the server gives up draining: writes in progress are abandoned.
	writeCtx    context.Context
	writeCancel context.CancelFunc

	inbound  chan sioPacket // reader -> dispatch; bounded
	pong     chan struct{}  // reader -> run; capacity 1
	kick     chan struct{}  // anyone -> dispatch: gone has entries; capacity 1
	released chan struct{}  // closed once the transport has flushed and let go after closing

	mu sync.Mutex // guards the fields below
	// changed, when non-nil, is closed (and cleared) at the next change of
	// the fields below; waiters create it.
	changed    chan struct{}
	transport  string // "polling" or "websocket"
	upgrading  bool   // a WebSocket probe was answered: polls return at once
	queue      [][]byte
	queued     int    // bytes in queue plus the batch being written
	reason     string // why the session closes; empty while open
	graceful   bool   // closing after flushing the queue
	polling    bool   // a GET is being served
	posting    bool   // a POST is being served
	skip       int    // binary attachments still to discard
	sockets    map[string]*Socket
	connected  bool      // a namespace has been connected at least once
	gone       []*Socket // sockets detached whose OnDisconnect callbacks have not run
	isReleased bool
}

func newSession(srv *Server, r *http.Request, transport string) *session {
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	wctx, wcancel := context.WithCancel(srv.hardCtx)
	req := r.Clone(ctx)
	req.Body = http.NoBody
	req.GetBody = nil
	s := &session{
		srv:         srv,
		id:          newID(),
		req:         req,
		ctx:         ctx,
		cancel:      cancel,
		writeCtx:    wctx,
		writeCancel: wcancel,
		inbound:     make(chan sioPacket, inboundQueueLen),
		pong:        make(chan struct{}, 1),
		kick:        make(chan struct{}, 1),
		released:    make(chan struct{}),
		transport:   transport,
		sockets:     make(map[string]*Socket),
	}
	upgrades := []string{"websocket"}
	if transport == "websocket" {
		upgrades = []string{}
	}
	open, _ := json.Marshal(struct {
		SID          string   `json:"sid"`
		Upgrades     []string `json:"upgrades"`
		PingInterval int64    `json:"pingInterval"`
		PingTimeout  int64    `json:"pingTimeout"`
		MaxPayload   int      `json:"maxPayload"`
	}{s.id, upgrades, srv.opts.PingInterval.Milliseconds(), srv.opts.PingTimeout.Milliseconds(), srv.opts.MaxPayload})
	s.queue = [][]byte{append([]byte{eioOpen}, open...)}
	s.queued = len(s.queue[0])
	return s
}

// errSessionClosed is returned when a packet is sent to a closing session.
var errSessionClosed = errors.New("socketio: session closed")

// send queues one encoded Engine.IO packet. It never blocks: when the packet
// would take the queue past MaxQueuedBytes, the session is closed with
// ReasonSlowClient and the packet dropped.
func (s *session) send(pkt []byte) error {
	s.mu.Lock()
	err := s.sendLocked(pkt)
	s.mu.Unlock()
	if err == errSlow {
		s.srv.log.Warn("socketio: slow client disconnected", "sid", s.id, "queued_bytes", s.srv.opts.MaxQueuedBytes)
		s.close(ReasonSlowClient, false)
		return errSessionClosed
	}
	return err
}

var errSlow = errors.New("socketio: queue full")

// sendLocked queues pkt; s.mu must be held. On errSlow the caller must close
// the session after unlocking.
func (s *session) sendLocked(pkt []byte) error {
	if s.reason != "" {
		return errSessionClosed
	}
	if s.queued+len(pkt) > s.srv.opts.MaxQueuedBytes {
		return errSlow
	}
	s.queue = append(s.queue, pkt)
	s.queued += len(pkt)
	s.notifyLocked()
	return nil
}

// notifyLocked wakes every goroutine waiting for a change; s.mu must be held.
func (s *session) notifyLocked() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// changedLocked returns a channel closed at the next notifyLocked; s.mu must
// be held.
func (s *session) changedLocked() <-chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// takeLocked removes and returns every queued packet; their bytes stay
// counted in s.queued until the caller passes their size to written.
func (s *session) takeLocked() (pkts [][]byte, size int) {
	pkts = s.queue
	s.queue = nil
	for _, p := range pkts {
		size += len(p)
	}
	return pkts, size
}

// written releases the queue budget of a batch once it has been written.
func (s *session) written(size int) {
	s.mu.Lock()
	s.queued -= size
	s.mu.Unlock()
}

// close starts closing the session for reason. With graceful set, packets
// already queued, then the close packet, are still delivered: by the
// WebSocket writer, or by the pending or next poll of a polling client
// (waited for at most PingTimeout, and never past Server.Close's context;
// a live polling client polls again within milliseconds). Otherwise they are
// dropped and writes in progress abandoned. Only the first call has an
// effect. It must not be called with s.mu held.
func (s *session) close(reason string, graceful bool) {
	s.mu.Lock()
	if s.reason != "" {
		s.mu.Unlock()
		return
	}
	s.reason = reason
	s.graceful = graceful
	if !graceful {
		s.queue = nil
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.cancel()
	if !graceful {
		s.writeCancel()
	}
	s.srv.log.Debug("socketio: session closing", "sid", s.id, "reason", reason)
}

// closeReason returns why the session is closing, or "" while it is open.
func (s *session) closeReason() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reason
}

// release records that the transport has delivered everything it will
// deliver after the session started closing.
func (s *session) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.isReleased && s.reason != "" {
		s.isReleased = true
		close(s.released)
	}
}

// run is the session's owner goroutine: it sends pings and enforces pong and
// connect deadlines until the session closes, then waits for the transport
// to drain, unregisters the session and waits for dispatch to finish.
func (s *session) run() {
	defer s.srv.wg.Done()
	var dispatchDone sync.WaitGroup
	dispatchDone.Go(s.dispatch)

	ping := time.NewTimer(s.srv.opts.PingInterval)
	defer ping.Stop()
	connect := time.NewTimer(connectTimeout)
	defer connect.Stop()
	awaitingPong := false
loop:
	for {
		select {
		case <-s.ctx.Done():
			break loop
		case <-s.pong:
			if awaitingPong {
				awaitingPong = false
				ping.Reset(s.srv.opts.PingInterval)
			}
		case <-ping.C:
			if awaitingPong {
				s.close(ReasonPingTimeout, false)
				continue
			}
			if s.send([]byte{eioPing}) != nil {
				continue // closing: the next iteration sees ctx done
			}
			awaitingPong = true
			ping.Reset(s.srv.opts.PingTimeout)
		case <-connect.C:
			s.mu.Lock()
			idle := !s.connected
			s.mu.Unlock()
			if idle {
				s.close(reasonConnectTimeout, false)
			}
		}
	}

	s.mu.Lock()
	graceful := s.graceful
	s.mu.Unlock()
	if graceful {
		drain := time.NewTimer(s.srv.opts.PingTimeout)
		select {
		case <-s.released:
		case <-drain.C:
		case <-s.writeCtx.Done():
		}
		drain.Stop()
	}
	s.writeCancel()
	s.srv.removeSession(s)
	dispatchDone.Wait()
	s.srv.log.Debug("socketio: session closed", "sid", s.id, "reason", s.closeReason())
}

// receive handles one Engine.IO packet from the client, on the goroutine of
// the transport that read it. Pongs go to run, acknowledgements straight to
// the waiting EmitWithAck, everything else to dispatch in arrival order
// (blocking while dispatch is behind by inboundQueueLen packets). A non-nil
// error means the client broke the protocol; the caller closes the session
// with ReasonParseError.
func (s *session) receive(p eioPacket) error {
	switch p.typ {
	case eioPong:
		select {
		case s.pong <- struct{}{}:
		default:
		}
		return nil
	case eioNoop:
		return nil
	case eioClose:
		s.close(ReasonTransportClose, false)
		return nil
	case eioMessage:
	default:
		return fmt.Errorf("socketio: unexpected engine.io packet type %q", p.typ)
	}

	s.mu.Lock()
	if p.binary {
		if s.skip == 0 {
			s.mu.Unlock()
			return errors.New("socketio: binary message without a binary packet")
		}
		s.skip--
		s.mu.Unlock()
		return nil
	}
	if s.skip > 0 {
		s.mu.Unlock()
		return errors.New("socketio: text message while binary attachments were expected")
	}
	s.mu.Unlock()

	sp, err := decodeSIOPacket(p.data)
	if err != nil {
		return err
	}
	switch sp.typ {
	case sioAck:
		if so := s.socket(sp.nsp); so != nil {
			so.deliverAck(sp.id, sp.args)
		}
		return nil
	case sioBinaryEvent, sioBinaryAck:
		s.mu.Lock()
		s.skip = sp.attachments
		s.mu.Unlock()
	}
	select {
	case s.inbound <- sp:
	case <-s.ctx.Done():
	}
	return nil
}

// socket returns the socket connected to nsp, or nil.
func (s *session) socket(nsp string) *Socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sockets[nsp]
}

// dispatch runs the handlers of the session's sockets, one packet at a time
// in arrival order, and every OnDisconnect callback. When the session closes
// it goes through the packets still queued, honouring DISCONNECTs (a client
// that disconnects and closes at once gets ReasonClientDisconnect) and
// dropping events, then disconnects the remaining sockets with the session's
// reason and returns.
func (s *session) dispatch() {
	for {
		s.runGone()
		select {
		case <-s.ctx.Done():
			for drained := false; !drained; {
				select {
				case p := <-s.inbound:
					s.handleClosing(p)
				default:
					drained = true
				}
			}
			s.mu.Lock()
			reason := s.reason
			rest := make([]*Socket, 0, len(s.sockets))
			for _, so := range s.sockets {
				rest = append(rest, so)
			}
			clear(s.sockets)
			s.mu.Unlock()
			for _, so := range rest {
				so.markGone(reason)
				s.srv.removeMember(so)
			}
			s.runGone()
			for _, so := range rest {
				so.runDisconnect()
			}
			return
		case <-s.kick:
		case p := <-s.inbound:
			if s.ctx.Err() != nil {
				s.handleClosing(p)
				continue
			}
			if err := s.handle(p); err != nil {
				s.srv.log.Debug("socketio: protocol error", "sid", s.id, "err", err)
				s.close(ReasonParseError, false)
			}
		}
	}
}

// handleClosing handles a packet dispatched after the session started
// closing: only a DISCONNECT has an effect.
func (s *session) handleClosing(p sioPacket) {
	if p.typ != sioDisconnect {
		return
	}
	if so := s.socket(p.nsp); so != nil {
		s.detach(so, ReasonClientDisconnect, false)
	}
}

// runGone runs the OnDisconnect callbacks of detached sockets. It is called
// only by dispatch.
func (s *session) runGone() {
	s.mu.Lock()
	gone := s.gone
	s.gone = nil
	s.mu.Unlock()
	for _, so := range gone {
		so.runDisconnect()
	}
}

// handle processes one Socket.IO packet on the dispatch goroutine. A non-nil
// error is a protocol violation.
func (s *session) handle(p sioPacket) error {
	so := s.socket(p.nsp)
	if p.typ == sioConnect {
		if so != nil {
			return fmt.Errorf("socketio: second CONNECT to namespace %q", p.nsp)
		}
		s.connect(p)
		return nil
	}
	if so == nil {
		return fmt.Errorf("socketio: packet type %q for unconnected namespace %q", p.typ, p.nsp)
	}
	switch p.typ {
	case sioDisconnect:
		s.detach(so, ReasonClientDisconnect, false)
	case sioEvent:
		so.handleEvent(p)
	case sioBinaryEvent, sioBinaryAck:
		s.srv.log.Debug("socketio: binary packet refused", "sid", s.id, "nsp", p.nsp)
		s.detach(so, ReasonBinaryUnsupported, true)
	default:
		return fmt.Errorf("socketio: unexpected packet type %q from client", p.typ)
	}
	return nil
}

// connect answers a CONNECT: CONNECT_ERROR for an unknown namespace or a
// failed Authenticate, otherwise a new Socket, the CONNECT reply, and
// OnConnect.
func (s *session) connect(p sioPacket) {
	if !s.srv.namespaceAllowed(p.nsp) {
		s.connectError(p.nsp, "Invalid namespace")
		return
	}
	var data any
	if auth := s.srv.opts.Authenticate; auth != nil {
		var err error
		data, err = auth(s.req, p.data)
		if err != nil {
			s.connectError(p.nsp, err.Error())
			return
		}
	}
	so := newSocket(s, p.nsp, data)
	reply, _ := json.Marshal(struct {
		SID string `json:"sid"`
	}{so.id})
	s.mu.Lock()
	if s.reason != "" {
		s.mu.Unlock()
		so.cancel()
		return
	}
	s.sockets[p.nsp] = so
	s.connected = true
	err := s.sendLocked(encodeMessage(sioConnect, p.nsp, -1, reply))
	s.mu.Unlock()
	if err != nil {
		// Registered but unreachable: the session closes, and dispatch
		// disconnects the socket with it.
		s.close(ReasonSlowClient, false)
		return
	}
	s.srv.addMember(so)
	if on := s.srv.opts.OnConnect; on != nil {
		on(so)
	}
}

func (s *session) connectError(nsp, message string) {
	payload, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{message})
	_ = s.send(encodeMessage(sioConnectError, nsp, -1, payload))
}

// detach disconnects so from the session for reason, telling the client
// with a DISCONNECT packet when notify is set. Its OnDisconnect callbacks run
// on the dispatch goroutine. It reports whether so was still connected.
func (s *session) detach(so *Socket, reason string, notify bool) bool {
	s.mu.Lock()
	if s.sockets[so.nsp] != so {
		s.mu.Unlock()
		return false
	}
	delete(s.sockets, so.nsp)
	var err error
	if notify {
		err = s.sendLocked(encodeMessage(sioDisconnect, so.nsp, -1, nil))
	}
	s.gone = append(s.gone, so)
	s.mu.Unlock()
	so.markGone(reason)
	s.srv.removeMember(so)
	select {
	case s.kick <- struct{}{}:
	default:
	}
	if err == errSlow {
		s.close(ReasonSlowClient, false)
	}
	return true
}
