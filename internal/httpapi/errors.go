package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// statusOf is the one table from chat codes to HTTP statuses.
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

type errorJSON struct {
	Code    chat.Code         `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

type errorEnvelope struct {
	OK        bool      `json:"ok"`
	Error     errorJSON `json:"error"`
	RequestID string    `json:"request_id"`
}

// writeError renders err in the native envelope. Internal errors are logged
// with the request id and shown only as "Internal error.".
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away
	}
	code := chat.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	body := errorEnvelope{Error: errorJSON{Code: code, Message: chat.ErrorMessage(err)}, RequestID: httpx.RequestID(r.Context())}
	if e := chat.AsError(err); e != nil {
		body.Error.Fields = e.Fields
	}
	if status >= 500 {
		log.Error("request failed", "request_id", body.RequestID, "method", r.Method, "path", r.URL.Path, "err", err)
	}
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	_ = httpx.WriteJSON(w, status, body)
}

// WriteError renders err in the native envelope (for middleware that sits in
// front of the API, such as the rate limiter).
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, slog.Default(), err)
}
