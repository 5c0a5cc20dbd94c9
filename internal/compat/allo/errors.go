package allo

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// statusOf maps chat codes to the REST statuses. The original had no REST
// errors to copy (its router was empty); these are the native API's.
var statusOf = map[chat.Code]int{
	chat.Invalid:         http.StatusBadRequest,
	chat.Unauthenticated: http.StatusUnauthorized,
	chat.Forbidden:       http.StatusForbidden,
	chat.NotFound:        http.StatusNotFound,
	chat.Conflict:        http.StatusConflict,
	chat.TooLarge:        http.StatusRequestEntityTooLarge,
	chat.RateLimited:     http.StatusTooManyRequests,
	chat.Unavailable:     http.StatusServiceUnavailable,
	chat.Internal:        http.StatusInternalServerError,
}

// errorFor renders err as Allo's error payload ({"message"}, plus the code
// and the operation): the same for the Socket.IO error emit and the REST
// body. Internal errors are logged here, once, and shown only as
// "Internal error.".
func (s *surface) errorFor(ctx context.Context, op string, err error) (int, errorDoc) {
	code := chat.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == chat.Unauthenticated {
		return status, errorDoc{Message: errAuthentication.Error(), Code: string(code), Event: op}
	}
	if status >= 500 && !errors.Is(err, context.Canceled) {
		s.log.Error("allo operation failed", "request_id", httpx.RequestID(ctx), "op", op, "err", err)
	}
	return status, errorDoc{Message: alloMessage(err), Code: string(code), Event: op}
}

// writeError answers a failed REST call.
func (s *surface) writeError(w http.ResponseWriter, r *http.Request, op string, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	status, body := s.errorFor(r.Context(), op, err)
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	_ = httpx.WriteJSON(w, status, body)
}

// WriteError renders err as Allo's REST error (for middleware in front of
// the surface, such as the rate limiter).
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s := &surface{log: slog.Default()}
	s.writeError(w, r, strings.TrimPrefix(r.URL.Path, "/api/chat/"), err)
}
