package convo

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// The Convo Space answers errors as {"success":false,"error":"..."} on most
// routes and {"success":false,"message":"..."} on the sign-in routes and
// /vote, with its own statuses per route. Handlers turn the chat errors they
// expect into the route's exact answer with fail; anything else is rendered
// from this table.
var statusOf = map[chat.Code]int{
	chat.Invalid:         http.StatusBadRequest,
	chat.Unauthenticated: http.StatusUnauthorized,
	chat.Forbidden:       http.StatusUnauthorized,
	chat.NotFound:        http.StatusNotFound,
	chat.Conflict:        http.StatusBadRequest,
	chat.TooLarge:        http.StatusRequestEntityTooLarge,
	chat.RateLimited:     http.StatusTooManyRequests,
	chat.Unavailable:     http.StatusServiceUnavailable,
}

// failure is an exact answer: a status and a body.
type failure struct {
	status int
	body   any
}

func (f *failure) Error() string { return http.StatusText(f.status) }

// fail answers {"success":false,<key>:text} with status.
func fail(status int, key, text string) error {
	return &failure{status: status, body: map[string]any{"success": false, key: text}}
}

// answer answers body with status, whatever it holds.
func answer(status int, body any) error { return &failure{status: status, body: body} }

// writeError renders err under the body key ("error" or "message") of the
// route.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, key string, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	var f *failure
	if errors.As(err, &f) {
		if f.status == 0 {
			return // already answered
		}
		httpx.WriteJSON(w, f.status, f.body)
		return
	}
	status, ok := statusOf[chat.ErrorCode(err)]
	if !ok {
		log.Error("request failed", "request_id", httpx.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		httpx.WriteJSON(w, http.StatusInternalServerError, map[string]any{"success": false, key: "Internal Error."})
		return
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "3600")
	}
	httpx.WriteJSON(w, status, map[string]any{"success": false, key: chat.ErrorMessage(err)})
}

// WriteError renders err as The Convo Space does (for middleware in front
// of the surface, such as the rate limiter).
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, slog.Default(), "error", err)
}
