package convo

import (
	"log/slog"
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// Deps are what the surface needs.
type Deps struct {
	Chat   *chat.Service
	Logger *slog.Logger
}

type server struct {
	chat *chat.Service
	log  *slog.Logger
}

// route is one pattern. A route with keyed set needs an API key; key names
// the error body's field ("error" or "message").
type route struct {
	pattern string
	keyed   bool
	key     string
	handler func(w http.ResponseWriter, r *http.Request) error
}

// Mount registers every route of The Convo Space's API on mux, under /api.
// Every path also answers OPTIONS (CORS preflight) and, for a method it does
// not serve, the original's 404.
func Mount(mux *http.ServeMux, d Deps) {
	if d.Chat == nil {
		panic("convo.Mount: Chat is required")
	}
	s := &server{chat: d.Chat, log: d.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.handle(rt))
	}
	for path, key := range fallbacks() {
		mux.Handle(path, cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusOK)
				return
			}
			writeError(w, r, s.log, key, s.methodNotAllowed(key))
		})))
	}
}

func (s *server) methodNotAllowed(key string) error {
	if key == "message" {
		return fail(http.StatusNotFound, key, "Invalid Request Method")
	}
	return fail(http.StatusNotFound, key, "Invalid request method.")
}

func (s *server) routes() []route {
	return []route{
		{"GET /api/ping", false, "message", s.ping},
		{"GET /api/widget.js", false, "error", s.widget},

		{"GET /api/apikey", false, "error", s.getAPIKey},
		{"POST /api/apikey", false, "error", s.postAPIKey},
		{"POST /api/auth", true, "message", s.auth},
		{"POST /api/authV2", true, "message", s.authV2},
		{"POST /api/validateAuth", true, "message", s.validateAuth},

		{"GET /api/comments", true, "error", s.getComments},
		{"POST /api/comments", true, "error", s.postComment},
		{"PATCH /api/comments", true, "error", s.patchComment},
		{"DELETE /api/comments", true, "error", s.deleteComment},
		{"GET /api/comment", true, "error", s.getComment},
		{"POST /api/vote", true, "message", s.vote},

		{"GET /api/threads", true, "error", s.getThreads},
		{"POST /api/threads", true, "error", s.postThread},
		{"DELETE /api/threads", true, "error", s.deleteThread},
		{"GET /api/threads/{ids}", true, "error", s.getThreadsByID},
		{"GET /api/threads/user/{address}", true, "error", s.getUserThreads},

		{"GET /api/subscribe", true, "error", s.subscribe},
	}
}

// fallbacks are the method-less patterns (OPTIONS and the 404 for other
// methods) of every path, with their error key.
func fallbacks() map[string]string {
	out := map[string]string{}
	for _, rt := range (&server{}).routes() {
		path := rt.pattern[len(methodOf(rt.pattern))+1:]
		out[path] = rt.key
	}
	return out
}

func methodOf(pattern string) string {
	for i := range pattern {
		if pattern[i] == ' ' {
			return pattern[:i]
		}
	}
	return ""
}

// Patterns returns every pattern Mount registers.
func Patterns() []string {
	var out []string
	for _, r := range (&server{}).routes() {
		out = append(out, r.pattern)
	}
	for p := range fallbacks() {
		out = append(out, p)
	}
	return out
}

// handle wraps a handler with CORS, the API key check when the route needs
// one, and the route's error rendering.
func (s *server) handle(rt route) http.Handler {
	return cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.keyed {
			var err error
			if r, err = s.useKey(w, r); err != nil {
				writeError(w, r, s.log, "error", err)
				return
			}
		}
		if err := rt.handler(w, r); err != nil {
			writeError(w, r, s.log, rt.key, err)
		}
	}))
}

// cors sets The Convo Space's CORS headers: any origin may call.
func cors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Access-Control-Allow-Credentials", "true")
		hd.Set("Access-Control-Allow-Methods", "GET,OPTIONS,PATCH,DELETE,POST,PUT")
		hd.Set("Access-Control-Allow-Headers", "Accept, Content-Type, Content-Length, X-Api-Key, Client-Secret, X-Requested-With")
		h.ServeHTTP(w, r)
	})
}
