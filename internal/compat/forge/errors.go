package forge

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// statusOf maps chat codes to ConvoForge's statuses, for errors no handler
// gave a text of the original's. ConvoForge sent its internal errors as 400
// "An error occurred"; Parley keeps the 500 status (a 500 is a bug to be
// seen) with that text.
var statusOf = map[chat.Code]int{
	chat.Invalid:         http.StatusBadRequest,
	chat.Unauthenticated: http.StatusUnauthorized,
	chat.Forbidden:       http.StatusForbidden,
	chat.NotFound:        http.StatusNotFound,
	chat.Conflict:        http.StatusConflict,
	chat.TooLarge:        http.StatusRequestEntityTooLarge,
	chat.RateLimited:     http.StatusTooManyRequests,
	chat.Unavailable:     http.StatusServiceUnavailable,
}

// textError is an error with ConvoForge's exact status and text.
type textError struct {
	status int
	text   string
}

func (e *textError) Error() string { return e.text }

func fail(status int, text string) error { return &textError{status: status, text: text} }

// texts gives one use case's errors ConvoForge's statuses and texts, keyed by
// the error's reason or, failing that, its code.
type texts map[string]error

// of returns ConvoForge's error for err (err itself when t has none).
func (t texts) of(err error) error {
	if err == nil {
		return nil
	}
	if reason := chat.ErrorReason(err); reason != "" {
		if e, ok := t[reason]; ok {
			return e
		}
	}
	if e, ok := t[string(chat.ErrorCode(err))]; ok {
		return e
	}
	return err
}

// writeError renders err as ConvoForge did: a plain-text body.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return
	}
	var te *textError
	if errors.As(err, &te) {
		writeText(w, te.status, te.text)
		return
	}
	code := chat.ErrorCode(err)
	status, ok := statusOf[code]
	switch {
	case !ok:
		log.Error("request failed", "request_id", httpx.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		writeText(w, http.StatusInternalServerError, "An error occurred")
	case code == chat.Unauthenticated:
		// A token whose user is gone (purged) stops working.
		writeText(w, status, "Invalid token")
	default:
		writeText(w, status, chat.ErrorMessage(err))
	}
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	w.Write([]byte(text))
}

// WriteError renders err as ConvoForge does (for middleware in front of the
// surface, such as the rate limiter).
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, slog.Default(), err)
}
