package botyard

import (
	"encoding/json"

	"github.com/parley-chat/parley/internal/chat"
)

// WebhookBody renders an update as the body Botyard POSTed to a bot's
// webhook: the PreparedMessage, with chatId. The delivery job uses it
// (chat.DeliveryOptions.Format).
func WebhookBody(u *chat.BotUpdate) ([]byte, error) {
	return json.Marshal(toPrepared(&u.BotMessage, true))
}
