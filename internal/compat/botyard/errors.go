package botyard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// api names which of Botyard's three APIs a request is for: each answers a
// missing or bad credential in its own way.
type api int

const (
	clientAPI api = iota
	botAPI
	adminAPI
)

// statusOf maps chat codes to statuses. Botyard knew 400, 401, 403, 404 and
// 500; the others are Parley's (Conflict: polling while a webhook is set).
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

// Botyard's texts for its credentials.
const (
	textUnauthorized  = "User is unauthorized."
	textBotKeyMissing = "Bot key is required."
	textBotKeyInvalid = "Invalid bot key."
	textAdminMissing  = "Admin key is required."
	textAccessDenied  = "Access denied."
)

// failure is an error with Botyard's exact status and text, for what the
// surface itself refuses (a missing credential or query parameter).
type failure struct {
	status int
	text   string
}

func (f *failure) Error() string { return f.text }

func fail(status int, text string) error { return &failure{status: status, text: text} }

// text renders a chat error in Botyard's words: the rules Botyard worded
// differently (lower case, no period) by their reason, with the limits in
// force; everything else by the error's own message.
func text(l chat.BotLimits, e *chat.Error) string {
	switch e.Reason {
	case chat.ReasonBotNameEmpty:
		return "bot name must not be empty"
	case chat.ReasonBotNameTooLong:
		return fmt.Sprintf("bot name should not be longer than %d characters", chat.MaxBotNameLen)
	case chat.ReasonBotNameSymbols:
		return "bot name should contain upper/lower case English letters, spaces, dashes or numbers"
	case chat.ReasonBotDescTooLong:
		return fmt.Sprintf("bot description should not be longer than %d characters", chat.MaxBotDescriptionLen)
	case chat.ReasonInvalidURL, chat.ReasonURLTooLong:
		return "specified url is not valid"
	case chat.ReasonAliasEmpty:
		return "command alias must not be empty"
	case chat.ReasonAliasTooLong:
		return fmt.Sprintf("command alias should not be longer than %d characters", chat.MaxCommandAliasLen)
	case chat.ReasonAliasSymbols:
		return "command alias should contain lower case English letters, underscores, dashes or numbers"
	case chat.ReasonCommandDescTooLong:
		return fmt.Sprintf("command description should not be longer than %d characters", chat.MaxCommandDescLen)
	case chat.ReasonWebhookURLEmpty:
		return "webhook url must not be empty"
	case chat.ReasonWebhookURLTooLong:
		return fmt.Sprintf("webhook url should not be longer than %d characters", chat.MaxWebhookURLLen)
	case chat.ReasonWebhookSecretLong:
		return fmt.Sprintf("webhook secret should not be longer than %d characters", chat.MaxWebhookSecretLen)
	case chat.ReasonBodyTooLong:
		return fmt.Sprintf("maximum allowed body length is %d characters", l.MaxBodyLen)
	case chat.ReasonTooManyAttachments:
		return fmt.Sprintf("maximum number of files allowed is %d", l.MaxAttachedFiles)
	case chat.ReasonTooManyFiles: // also httpx.ReadUploads' reason
		return fmt.Sprintf("Too many files, max allowed amount is %d.", l.MaxAttachedFiles)
	case chat.ReasonNoFiles, "no_file":
		return "No files found to upload."
	case chat.ReasonUnknownContentType:
		return "no file extension found for Content-Type: " + e.Fields["content_type"]
	case chat.ReasonInvalidContentType:
		return e.Fields["content_type"]
	}
	return e.Message
}

// writeError renders err as Botyard did, with the limits in force.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, which api, err error) {
	render(w, r, s.log, s.chat.BotLimits(), which, err)
}

// WriteError renders an error of a middleware that runs before the surface
// (a rate limit, say) in Botyard's format.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	which := clientAPI
	switch {
	case strings.HasPrefix(r.URL.Path, "/v1/bot-api/"):
		which = botAPI
	case strings.HasPrefix(r.URL.Path, "/v1/admin-api/"):
		which = adminAPI
	}
	render(w, r, slog.Default(), chat.DefaultBotLimits(), which, err)
}

// render writes {"message": ...} with Botyard's status. Internal errors are
// logged with the request id and shown only as "Internal Server Error".
func render(w http.ResponseWriter, r *http.Request, log *slog.Logger, l chat.BotLimits, which api, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		return // the client went away (a long poll, typically)
	}
	var f *failure
	if errors.As(err, &f) {
		_ = message(w, f.status, f.text)
		return
	}
	e := chat.AsError(err)
	status, ok := statusOf[chat.ErrorCode(err)]
	if e == nil || !ok {
		log.Error("request failed", "request_id", httpx.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		_ = message(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	msg := text(l, e)
	if e.Code == chat.Unauthenticated {
		// A credential that stopped working mid-request.
		switch which {
		case clientAPI:
			msg = textUnauthorized
		case botAPI:
			status, msg = http.StatusForbidden, textBotKeyInvalid
		case adminAPI:
			status, msg = http.StatusForbidden, textAccessDenied
		}
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	_ = message(w, status, msg)
}
