package botyard

import (
	"net/http"

	"github.com/parley-chat/parley/internal/httpx"
)

// Botyard's JSON shapes (camelCase, with its omitempty choices).

type botJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Avatar      string `json:"avatar,omitempty"`
}

type userJSON struct {
	ID       string `json:"id"`
	Nickname string `json:"nickname"`
}

type chatJSON struct {
	ID     string `json:"id"`
	UserID string `json:"userId"`
	BotID  string `json:"botId"`
}

type commandJSON struct {
	ID          string `json:"id"`
	Alias       string `json:"alias"`
	Description string `json:"description,omitempty"`
}

type fileJSON struct {
	ID       string `json:"id"`
	Path     string `json:"path"`
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	MimeType string `json:"mimeType"`
}

// preparedJSON is Botyard's PreparedMessage.
type preparedJSON struct {
	ID          string     `json:"id"`
	ChatID      string     `json:"chatId,omitempty"`
	SenderID    string     `json:"senderId"`
	Body        string     `json:"body"`
	Attachments []fileJSON `json:"attachments,omitempty"`
	Timestamp   int64      `json:"timestamp"`
}

type pageJSON struct {
	ChatID   string         `json:"chatId"`
	Total    int            `json:"total"`
	Page     int            `json:"page"`
	Limit    int            `json:"limit"`
	Messages []preparedJSON `json:"messages"`
}

// rawMessageJSON is a stored message as GET /v1/bot-api/chat/message/:id
// shows it.
type rawMessageJSON struct {
	ID            string   `json:"id"`
	ChatID        string   `json:"chatId"`
	SenderID      string   `json:"senderId"`
	Body          string   `json:"body"`
	AttachmentIDs []string `json:"attachmentIds,omitempty"`
	Timestamp     int64    `json:"timestamp"`
}

// webhookJSON adds signingSecret, the key of the X-Parley-Signature header,
// to Botyard's webhook.
type webhookJSON struct {
	BotID         string `json:"botId"`
	URL           string `json:"url"`
	Secret        string `json:"secret,omitempty"`
	SigningSecret string `json:"signingSecret"`
}

// updateJSON is one item of GET /v1/bot-api/updates (Parley's addition):
// the update id to acknowledge with offset, and the message as the webhook
// would have received it.
type updateJSON struct {
	UpdateID int64        `json:"updateId"`
	Message  preparedJSON `json:"message"`
}

type messageJSON struct {
	Message string `json:"message"`
}

// Request bodies.

type nicknameRequest struct {
	Nickname string `json:"nickname"`
}

type createChatRequest struct {
	BotID string `json:"botId"`
}

type sendRequest struct {
	ChatID        string   `json:"chatId"`
	Body          string   `json:"body"`
	AttachmentIDs []string `json:"attachmentIds"`
}

type botRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Avatar      string `json:"avatar"`
}

type commandRequest struct {
	Alias       string `json:"alias"`
	Description string `json:"description"`
}

type webhookRequest struct {
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// decode reads a JSON body as Fiber's BodyParser did: unknown fields are
// ignored (the web client sends senderId with messages), any content type
// is read, and an empty body is an empty object.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	return httpx.Decode[T](w, r, httpx.DecodeOptions{AllowUnknown: true, AnyContentType: true, AllowEmpty: true})
}

func message(w http.ResponseWriter, status int, text string) error {
	return httpx.WriteJSON(w, status, messageJSON{Message: text})
}
