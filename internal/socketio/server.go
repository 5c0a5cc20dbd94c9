package socketio

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults applied by NewServer to zero Options fields. The first three are
// the reference server's.
const (
	DefaultPingInterval   = 25 * time.Second
	DefaultPingTimeout    = 20 * time.Second
	DefaultMaxPayload     = 1_000_000
	DefaultMaxQueuedBytes = 1 << 20
)

const (
	// upgradeTimeout bounds the WebSocket probe: from the upgrade request to
	// the client's upgrade packet.
	upgradeTimeout = 10 * time.Second
	// connectTimeout closes a session whose client has not connected any
	// namespace by then, as the reference server does.
	connectTimeout = 45 * time.Second
	// inboundQueueLen is how many decoded packets of one session may wait
	// for its dispatcher before the session's reader blocks (and with it the
	// client's pongs and acknowledgements). Each is at most MaxPayload.
	inboundQueueLen = 16
)

// Options configure a Server. The zero value is usable: every zero field
// takes its default.
type Options struct {
	// PingInterval is how often the server sends an Engine.IO ping.
	// Default DefaultPingInterval.
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong that answers a
	// ping before it closes the session with ReasonPingTimeout.
	// Default DefaultPingTimeout.
	PingTimeout time.Duration
	// MaxPayload is the largest request body (HTTP long-polling POST) or
	// WebSocket message, in bytes, that a client may send. It is announced in
	// the handshake. A client that sends more is disconnected with
	// ReasonPayloadTooLarge. Default DefaultMaxPayload.
	MaxPayload int
	// MaxQueuedBytes bounds, per session, the encoded packets waiting to be
	// written, including the batch being written. A packet that would go
	// past it closes the session with ReasonSlowClient instead of waiting.
	// Default DefaultMaxQueuedBytes.
	MaxQueuedBytes int
	// Namespaces lists the namespaces clients may connect to besides the
	// main one, "/", which is always served. A CONNECT to any other
	// namespace is answered with CONNECT_ERROR "Invalid namespace".
	Namespaces []string
	// Authenticate, when set, decides whether a CONNECT (to any namespace)
	// is accepted. r is the request that opened the Engine.IO session: its
	// Body is empty and its Context, which keeps the request's values, is
	// cancelled when the session closes. auth is the CONNECT payload (the
	// client's auth option), nil when the client sent none. The value
	// returned becomes Socket.Data. A non-nil error refuses the connection
	// with CONNECT_ERROR carrying err.Error() as its message, which the
	// client shows as is: return errors written for end users.
	// Authenticate runs on the session's dispatch goroutine.
	Authenticate func(r *http.Request, auth json.RawMessage) (any, error)
	// OnConnect, when set, is called with every newly connected Socket,
	// after the client has been told it is connected and before any event
	// from that client is handled. It runs on the session's dispatch
	// goroutine; register handlers and join rooms here.
	OnConnect func(s *Socket)
	// OriginPatterns lists the origins, besides the request's own host,
	// allowed to open a session (WebSocket or polling), with the syntax of
	// websocket.AcceptOptions.OriginPatterns: host patterns for path.Match,
	// or "scheme://host" patterns. A request without an Origin header is
	// always allowed. Others get 403 with error code 4 (Forbidden).
	OriginPatterns []string
	// Logger receives debug records for sessions and protocol errors and a
	// warning for each slow client. Default: discard.
	Logger *slog.Logger
}

// Server is a Socket.IO v4 server (Engine.IO protocol revision 4, Socket.IO
// protocol v5). Mount it with ServeHTTP at the path the clients use, by
// default "/socket.io/". Its methods are safe for concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger

	// hardCtx is cancelled when Close gives up waiting: every write and
	// read still in progress is then abandoned.
	hardCtx    context.Context
	hardCancel context.CancelFunc

	// wg counts every goroutine working for the server: session run
	// goroutines and the HTTP handlers serving a session. Close waits for it.
	wg        sync.WaitGroup
	closeOnce sync.Once
	closed    chan struct{} // closed when Close has finished

	mu       sync.Mutex // guards the fields below
	sessions map[string]*session
	stopping bool // no new session or request is accepted

	roomsMu sync.RWMutex // guards the fields below and every Socket.rooms and Socket.left
	rooms   map[roomKey]map[*Socket]struct{}
	members map[string]map[*Socket]struct{} // namespace -> its sockets
}

type roomKey struct{ nsp, room string }

// NewServer returns a Server for opts. It does no I/O and starts no
// goroutine; sessions start with the requests that ServeHTTP receives.
func NewServer(opts Options) *Server {
	if opts.PingInterval <= 0 {
		opts.PingInterval = DefaultPingInterval
	}
	if opts.PingTimeout <= 0 {
		opts.PingTimeout = DefaultPingTimeout
	}
	if opts.MaxPayload <= 0 {
		opts.MaxPayload = DefaultMaxPayload
	}
	if opts.MaxQueuedBytes <= 0 {
		opts.MaxQueuedBytes = DefaultMaxQueuedBytes
	}
	opts.Namespaces = slices.Clone(opts.Namespaces)
	opts.OriginPatterns = slices.Clone(opts.OriginPatterns)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{
		opts:       opts,
		log:        log,
		hardCtx:    ctx,
		hardCancel: cancel,
		closed:     make(chan struct{}),
		sessions:   make(map[string]*session),
		rooms:      make(map[roomKey]map[*Socket]struct{}),
		members:    make(map[string]map[*Socket]struct{}),
	}
}

// Engine.IO error codes, sent in the JSON body of a refused request.
const (
	codeUnknownTransport    = 0
	codeUnknownSID          = 1
	codeBadHandshakeMethod  = 2
	codeBadRequest          = 3
	codeForbidden           = 4
	codeUnsupportedProtocol = 5
)

var errorMessages = [...]string{
	codeUnknownTransport:    "Transport unknown",
	codeUnknownSID:          "Session ID unknown",
	codeBadHandshakeMethod:  "Bad handshake method",
	codeBadRequest:          "Bad request",
	codeForbidden:           "Forbidden",
	codeUnsupportedProtocol: "Unsupported protocol version",
}

// writeError answers a refused request the way Engine.IO servers do: status
// 400 (403 for Forbidden) and {"code":N,"message":"..."}.
func writeError(w http.ResponseWriter, code int) {
	status := http.StatusBadRequest
	if code == codeForbidden {
		status = http.StatusForbidden
	}
	writeErrorStatus(w, status, code, errorMessages[code])
}

func writeErrorStatus(w http.ResponseWriter, status, code int, message string) {
	body, _ := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// ServeHTTP serves the Engine.IO endpoint: the handshake (a GET without sid,
// polling or WebSocket), polling GETs and POSTs of an open session, and
// WebSocket upgrades of a polling session. Refused requests get status 400
// (403 for a forbidden origin) and {"code":N,"message":"..."} with the
// Engine.IO error codes: 0 unknown transport, 1 unknown session ID, 2 bad
// handshake method, 3 bad request, 4 forbidden, 5 unsupported protocol
// version. After Close has begun, handshakes get 503 with code 3; requests
// for a session are served until the session is gone.
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	transport := q.Get("transport")
	if transport != "polling" && transport != "websocket" {
		writeError(w, codeUnknownTransport)
		return
	}
	isUpgrade := headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
	if transport == "websocket" && !isUpgrade {
		writeError(w, codeBadRequest)
		return
	}
	if !srv.originAllowed(r) {
		writeError(w, codeForbidden)
		return
	}
	sid := q.Get("sid")
	if sid == "" {
		if !srv.acquire() {
			writeErrorStatus(w, http.StatusServiceUnavailable, codeBadRequest, "Server is shutting down")
			return
		}
		defer srv.wg.Done()
		if r.Method != http.MethodGet {
			writeError(w, codeBadHandshakeMethod)
			return
		}
		if q.Get("EIO") != "4" {
			writeError(w, codeUnsupportedProtocol)
			return
		}
		if transport == "websocket" {
			srv.serveWebSocket(w, r, nil)
			return
		}
		s := srv.newSession(r, "polling")
		if s == nil {
			writeErrorStatus(w, http.StatusServiceUnavailable, codeBadRequest, "Server is shutting down")
			return
		}
		s.servePoll(w, r) // the handshake response is the first poll: it carries the open packet
		return
	}

	// Requests for a session are served while it exists, even during Close,
	// so that a graceful close can deliver what is queued. The Add is safe
	// against Close's Wait: a registered session's run goroutine keeps the
	// counter above zero until after it unregisters the session.
	srv.mu.Lock()
	s := srv.sessions[sid]
	if s != nil {
		srv.wg.Add(1)
	}
	srv.mu.Unlock()
	if s == nil {
		writeError(w, codeUnknownSID)
		return
	}
	defer srv.wg.Done()
	if q.Get("EIO") != "4" {
		writeError(w, codeBadRequest)
		return
	}
	switch {
	case transport == "websocket":
		srv.serveWebSocket(w, r, s)
	case r.Method == http.MethodGet:
		s.servePoll(w, r)
	case r.Method == http.MethodPost:
		s.servePost(w, r)
	default:
		writeError(w, codeBadRequest)
	}
}

// acquire registers one more goroutine in srv.wg for a handshake, unless
// Close has begun. A true result must be paired with srv.wg.Done.
func (srv *Server) acquire() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.stopping {
		return false
	}
	srv.wg.Add(1)
	return true
}

// Close shuts the server down. It refuses new requests, closes every session
// with ReasonServerShutdown after flushing the packets already queued to it
// (polling clients get them with the close packet on their next poll), and
// waits until every session goroutine and every request the server is
// serving has returned, including running event handlers and OnDisconnect
// callbacks. When ctx ends first, pending writes are abandoned, Close still
// waits for the goroutines (which then return promptly, unless a handler
// blocks) and returns ctx.Err(). Later calls wait for the first to finish and
// return nil.
//
// http.Server.Shutdown does not wait for hijacked WebSocket connections:
// call Close as well, for example from http.Server.RegisterOnShutdown.
func (srv *Server) Close(ctx context.Context) error {
	first := false
	srv.closeOnce.Do(func() { first = true })
	if !first {
		<-srv.closed
		return nil
	}
	defer close(srv.closed)
	srv.mu.Lock()
	srv.stopping = true
	sessions := make([]*session, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		sessions = append(sessions, s)
	}
	srv.mu.Unlock()
	for _, s := range sessions {
		s.close(ReasonServerShutdown, true)
	}

	done := make(chan struct{})
	go func() { // owned by Close, which waits for done below
		srv.wg.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		srv.hardCancel()
		<-done
	}
	srv.hardCancel()
	return err
}

// newSession creates, registers and starts a session opened by r over
// transport, with the open packet queued. It returns nil once Close has
// begun.
func (srv *Server) newSession(r *http.Request, transport string) *session {
	s := newSession(srv, r, transport)
	srv.mu.Lock()
	if srv.stopping {
		srv.mu.Unlock()
		s.cancel()
		s.writeCancel()
		return nil
	}
	srv.sessions[s.id] = s
	srv.wg.Add(1)
	srv.mu.Unlock()
	go s.run() // owned by srv.wg, waited for by Close
	srv.log.Debug("socketio: session opened", "sid", s.id, "transport", transport, "remote", r.RemoteAddr)
	return s
}

func (srv *Server) removeSession(s *session) {
	srv.mu.Lock()
	if srv.sessions[s.id] == s {
		delete(srv.sessions, s.id)
	}
	srv.mu.Unlock()
}

// namespaceAllowed reports whether clients may connect to nsp.
func (srv *Server) namespaceAllowed(nsp string) bool {
	return nsp == "/" || slices.Contains(srv.opts.Namespaces, nsp)
}

// originAllowed applies the OriginPatterns rule documented on Options.
func (srv *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, pattern := range srv.opts.OriginPatterns {
		target := u.Host
		if strings.Contains(pattern, "://") {
			target = u.Scheme + "://" + u.Host
		}
		if ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(target)); err == nil && ok {
			return true
		}
	}
	return false
}

// headerHasToken reports whether the comma-separated header name contains
// token, case-insensitively.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// newID returns a random URL-safe identifier of 20 characters, used for
// Engine.IO session IDs and Socket IDs.
func newID() string {
	var b [15]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// join adds so to room. It does nothing once so has left every room for
// good (after its disconnection).
func (srv *Server) join(so *Socket, room string) {
	srv.roomsMu.Lock()
	defer srv.roomsMu.Unlock()
	if so.left {
		return
	}
	if _, ok := so.rooms[room]; ok {
		return
	}
	so.rooms[room] = struct{}{}
	k := roomKey{so.nsp, room}
	set := srv.rooms[k]
	if set == nil {
		set = make(map[*Socket]struct{})
		srv.rooms[k] = set
	}
	set[so] = struct{}{}
}

func (srv *Server) leave(so *Socket, room string) {
	srv.roomsMu.Lock()
	defer srv.roomsMu.Unlock()
	srv.leaveLocked(so, room)
}

func (srv *Server) leaveLocked(so *Socket, room string) {
	if _, ok := so.rooms[room]; !ok {
		return
	}
	delete(so.rooms, room)
	k := roomKey{so.nsp, room}
	delete(srv.rooms[k], so)
	if len(srv.rooms[k]) == 0 {
		delete(srv.rooms, k)
	}
}

// addMember makes so reachable by broadcasts to its namespace and joins it
// to the room named by its ID, as the reference server does.
func (srv *Server) addMember(so *Socket) {
	srv.roomsMu.Lock()
	set := srv.members[so.nsp]
	if set == nil {
		set = make(map[*Socket]struct{})
		srv.members[so.nsp] = set
	}
	set[so] = struct{}{}
	srv.roomsMu.Unlock()
	srv.join(so, so.id)
}

// removeMember takes so out of its namespace and every room, for good.
func (srv *Server) removeMember(so *Socket) {
	srv.roomsMu.Lock()
	defer srv.roomsMu.Unlock()
	so.left = true
	for room := range so.rooms {
		srv.leaveLocked(so, room)
	}
	delete(srv.members[so.nsp], so)
	if len(srv.members[so.nsp]) == 0 {
		delete(srv.members, so.nsp)
	}
}
