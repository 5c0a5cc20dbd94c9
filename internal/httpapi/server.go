package httpapi

import (
	"context"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// Deps are what the native API needs.
type Deps struct {
	Chat   *chat.Service
	Logger *slog.Logger
	// BaseURL is the public URL of the server ("" means: derive it from each
	// request's Host).
	BaseURL string
	// MaxUploadBytes caps multipart uploads (the service enforces its own
	// limit on the file itself).
	MaxUploadBytes int64
	// Web is the web client's files (package web): index.html and assets/.
	// Nil, or a tree without index.html, serves a note that this build has
	// no client.
	Web fs.FS
}

type server struct {
	chat    *chat.Service
	log     *slog.Logger
	baseURL string
	maxUp   int64
	web     *webClient
}

// Mount registers every native route on mux.
func Mount(mux *http.ServeMux, d Deps) {
	if d.Chat == nil {
		panic("httpapi.Mount: Chat is required")
	}
	s := &server{chat: d.Chat, log: d.Logger, baseURL: strings.TrimSuffix(d.BaseURL, "/"), maxUp: d.MaxUploadBytes}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.maxUp <= 0 {
		s.maxUp = chat.DefaultMaxUploadSize + 1<<20
	}
	web, err := newWebClient(d.Web)
	if err != nil {
		panic("httpapi.Mount: " + err.Error())
	}
	s.web = web
	for _, rt := range append(s.routes(), s.webRoutes()...) {
		mux.Handle(rt.pattern, rt.handler)
	}
}

// handlerFunc is a handler that returns its error for handle to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request, a chat.Actor) error

// handle authenticates the request (optional: without a credential the actor
// is an anonymous visitor of the org named by x-struct-orgid or the host) and
// renders a returned error in the native envelope.
func (s *server) handle(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.actor(r)
		if err == nil {
			err = fn(w, r, a)
		}
		if err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// actor resolves who is calling: a bearer token (header or ?token=), or an
// anonymous visitor of the org the request names.
func (s *server) actor(r *http.Request) (chat.Actor, error) {
	if a, ok := httpx.Actor(r); ok {
		return a, nil
	}
	tok := httpx.BearerToken(r)
	if tok == "" {
		tok = r.URL.Query().Get("token")
	}
	if tok != "" {
		return s.chat.Authenticate(r.Context(), tok)
	}
	return s.anonymous(r.Context(), r)
}

func (s *server) anonymous(ctx context.Context, r *http.Request) (chat.Actor, error) {
	var ref chat.OrgRef
	if h := r.Header.Get("X-Struct-Orgid"); h != "" {
		id, err := parseID(chat.KindOrg, "x-struct-orgid", h)
		if err != nil {
			return chat.Actor{}, err
		}
		ref.ID = chat.OrgID(id)
	} else {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		ref.Hostname = host
	}
	org, err := s.chat.ResolveOrg(ctx, ref)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.AnonymousActor(0), nil
	}
	if err != nil {
		return chat.Actor{}, err
	}
	return chat.AnonymousActor(org.ID), nil
}

// ok writes {"ok":true,"data":data} (data omitted when nil).
func ok(w http.ResponseWriter, status int, data any) error {
	type envelope struct {
		OK   bool `json:"ok"`
		Data any  `json:"data,omitempty"`
	}
	return httpx.WriteJSON(w, status, envelope{OK: true, Data: data})
}

// decode reads a JSON body strictly (unknown fields are refused).
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	return httpx.Decode[T](w, r, httpx.DecodeOptions{AnyContentType: true})
}

// base returns the public base URL for links in responses.
func (s *server) base(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
