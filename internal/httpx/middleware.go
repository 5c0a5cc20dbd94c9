package httpx

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	actorKey
)

// RequestID returns the request's id ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// WithActor returns ctx carrying the authenticated actor. Only a surface's
// auth middleware calls it.
func WithActor(ctx context.Context, a chat.Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// Actor returns the actor the auth middleware stored, and whether there was
// one.
func Actor(r *http.Request) (chat.Actor, bool) {
	a, ok := r.Context().Value(actorKey).(chat.Actor)
	return a, ok
}

// BearerToken returns the token of an "Authorization: Bearer" header.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// newRequestID returns a short random id.
func newRequestID() string { return strings.ToLower(rand.Text()[:16]) }

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (hijacking for
// WebSockets, flushing for long polls).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observer is told about every finished request (metrics).
type Observer interface {
	ObserveRequest(r *http.Request, route string, status int, d time.Duration)
}

// Middleware wraps h with the global middleware, outermost first: request
// id, panic recovery (a 500 with the request id, logged with the stack),
// access log and the observer.
func Middleware(h http.Handler, log *slog.Logger, obs Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic", "request_id", id, "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					http.Error(sw, "Internal error (request "+id+").", http.StatusInternalServerError)
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if obs != nil {
				obs.ObserveRequest(r, route, status, d)
			}
			level := slog.LevelDebug
			if status >= 500 {
				level = slog.LevelWarn
			}
			log.Log(r.Context(), level, "request", "request_id", id, "method", r.Method, "path", r.URL.Path, "route", route,
				"status", status, "bytes", sw.size, "duration", d)
		}()
		h.ServeHTTP(sw, r)
	})
}
