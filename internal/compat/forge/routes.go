package forge

import (
	"log/slog"
	"net/http"
	"strings"

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

type route struct {
	pattern string
	handler http.Handler
}

// Mount registers every ConvoForge route on mux. Each path is served with and
// without its trailing slash, as the seed's clients use both.
func Mount(mux *http.ServeMux, d Deps) {
	if d.Chat == nil {
		panic("forge.Mount: Chat is required")
	}
	s := &server{chat: d.Chat, log: d.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, rt := range s.routes() {
		for _, p := range variants(rt.pattern) {
			mux.Handle(p, rt.handler)
		}
	}
}

// variants returns the patterns registered for a route written with a
// trailing slash: the slashed form made exact with {$} (ServeMux would
// otherwise treat it as a prefix) and the form without the slash.
func variants(pattern string) []string {
	if !strings.HasSuffix(pattern, "/") {
		return []string{pattern}
	}
	return []string{pattern + "{$}", strings.TrimSuffix(pattern, "/")}
}

func (s *server) routes() []route {
	return []route{
		{"POST /auth/organization/", s.handle(s.createOrganization)},
		{"POST /auth/secret/", s.handle(s.secretSignIn)},
	}
}

// Patterns returns every pattern Mount registers.
func Patterns() []string {
	var out []string
	for _, r := range (&server{}).routes() {
		out = append(out, variants(r.pattern)...)
	}
	return out
}

// handle renders a handler's error in ConvoForge's format.
func (s *server) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	})
}
