package allo

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sort"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
	"github.com/parley-chat/parley/internal/socketio"
)

// Deps are what the surface needs. The zero values of the Socket.IO
// settings take the socketio package's defaults.
type Deps struct {
	Chat   *chat.Service
	Logger *slog.Logger
	// PingInterval and PingTimeout tune the Socket.IO heartbeat.
	PingInterval time.Duration
	PingTimeout  time.Duration
	// OriginPatterns are the browser origins allowed to open Socket.IO
	// sessions besides the server's own. Nil means any, as the original's
	// CORS origin "*": credentials travel in the auth payload, not in
	// cookies, so another origin gains nothing it could not do anyway.
	OriginPatterns []string
}

// Surface is the mounted Allo surface. Close drains its Socket.IO server.
type Surface struct {
	s *surface
}

// surface holds what the handlers share.
type surface struct {
	chat *chat.Service
	log  *slog.Logger
	sio  *socketio.Server
	ops  map[string]operation
}

// maxPayload bounds one Socket.IO message or polling body: a message of
// chat.MaxMessageLen characters fits with room to spare.
const maxPayload = 512 << 10

// Mount registers every Allo route on mux: POST /api/chat/<operation> for
// each of the seed's endpoints, GET /api, and the Socket.IO endpoint at
// /socket.io/.
func Mount(mux *http.ServeMux, d Deps) *Surface {
	if d.Chat == nil {
		panic("allo.Mount: Chat is required")
	}
	s := &surface{chat: d.Chat, log: d.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.ops = s.operations()
	origins := d.OriginPatterns
	if origins == nil {
		origins = []string{"*"}
	}
	s.sio = socketio.NewServer(socketio.Options{
		PingInterval:   d.PingInterval,
		PingTimeout:    d.PingTimeout,
		MaxPayload:     maxPayload,
		OriginPatterns: origins,
		Authenticate:   s.authenticateSocket,
		OnConnect:      s.connect,
		Logger:         s.log,
	})
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, rt.handler)
	}
	return &Surface{s: s}
}

// Close drains the Socket.IO server: every session is flushed and closed,
// and Close waits for their goroutines, bounded by ctx. Call it on
// shutdown; http.Server.Shutdown does not wait for WebSockets.
func (sf *Surface) Close(ctx context.Context) error { return sf.s.sio.Close(ctx) }

type route struct {
	pattern string
	handler http.Handler
}

func (s *surface) routes() []route {
	names := make([]string, 0, len(s.ops))
	for name := range s.ops {
		if !slices.Contains(socketOnly, name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	// The Engine.IO endpoint is registered per method (GET polls and
	// upgrades, POST sends), so it stays more specific than a catch-all
	// "GET /" another surface may serve.
	rts := []route{
		{"GET /api", http.HandlerFunc(welcome)},
		{"GET /socket.io/", s.sio},
		{"POST /socket.io/", s.sio},
	}
	for _, name := range names {
		rts = append(rts, route{"POST /api/chat/" + name, s.rest(name, s.ops[name])})
	}
	return rts
}

// Patterns returns every pattern Mount registers.
func Patterns() []string {
	s := &surface{}
	s.ops = s.operations()
	var out []string
	for _, r := range s.routes() {
		out = append(out, r.pattern)
	}
	return out
}

// Events returns the name of every Socket.IO event a connection answers,
// sorted: the operations' table, which connect registers event by event.
func Events() []string {
	return slices.Sorted(maps.Keys((&surface{}).operations()))
}

// welcome is the original's GET /api.
func welcome(w http.ResponseWriter, r *http.Request) {
	_ = httpx.WriteJSON(w, http.StatusOK, map[string]string{"message": "Welcome to the API"})
}

// rest serves one operation as POST /api/chat/<name>: a Bearer token, the
// seed's JSON body, the operation's reply as the body.
func (s *surface) rest(name string, op operation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := s.serveREST(w, r, op)
		if err != nil {
			s.writeError(w, r, name, err)
			return
		}
		_ = httpx.WriteJSON(w, res.status, res.reply)
	})
}

func (s *surface) serveREST(w http.ResponseWriter, r *http.Request, op operation) (result, error) {
	a, err := s.restActor(r)
	if err != nil {
		return result{}, err
	}
	payload, err := httpx.Decode[json.RawMessage](w, r, httpx.DecodeOptions{AllowUnknown: true, AnyContentType: true})
	if err != nil {
		return result{}, err
	}
	return op(r.Context(), a, payload)
}
