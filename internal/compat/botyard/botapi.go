package botyard

import (
	"net/http"
	"strconv"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// The bot API (/v1/bot-api), for a bot authenticated by its key.

func (s *server) getOwnBot(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	bot, err := s.chat.Bot(r.Context(), a, a.UserID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toBot(bot))
}

// editBot applies the fields that are not empty, as Botyard did.
func (s *server) editBot(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[botRequest](w, r)
	if err != nil {
		return err
	}
	var change chat.BotChange
	if in.Name != "" {
		change.Name = &in.Name
	}
	if in.Description != "" {
		change.Description = &in.Description
	}
	if in.Avatar != "" {
		change.Avatar = &in.Avatar
	}
	bot, err := s.chat.UpdateBot(r.Context(), a, change)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toBot(bot))
}

func (s *server) botCommands(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	cmds, err := s.chat.BotCommands(r.Context(), a, a.UserID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toCommands(cmds))
}

func (s *server) addCommands(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[[]commandRequest](w, r)
	if err != nil {
		return err
	}
	cmds := make([]chat.NewBotCommand, len(in))
	for i, c := range in {
		cmds[i] = chat.NewBotCommand{Alias: c.Alias, Description: c.Description}
	}
	if err := s.chat.AddBotCommands(r.Context(), a, cmds); err != nil {
		return err
	}
	return message(w, http.StatusCreated, "Commands added.")
}

func (s *server) removeCommand(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseCommandID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.chat.RemoveBotCommand(r.Context(), a, id); err != nil {
		return err
	}
	return message(w, http.StatusOK, "Command removed.")
}

func (s *server) setWebhook(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[webhookRequest](w, r)
	if err != nil {
		return err
	}
	h, err := s.chat.SetBotWebhook(r.Context(), a, chat.NewBotWebhook{URL: in.URL, Secret: in.Secret})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toWebhook(h))
}

func (s *server) getWebhook(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	h, err := s.chat.BotWebhookOf(r.Context(), a)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toWebhook(h))
}

func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	if err := s.chat.DeleteBotWebhook(r.Context(), a); err != nil {
		return err
	}
	return message(w, http.StatusOK, "Webhook deleted.")
}

// botChatGet serves GET /chat/message/:id (one stored message) and GET
// /chat/:id/messages (a page), which share one pattern.
func (s *server) botChatGet(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	first, second := r.PathValue("a"), r.PathValue("b")
	switch {
	case first == "message":
		id, err := parseMessageID(second)
		if err != nil {
			return err
		}
		m, err := s.chat.BotChatMessage(r.Context(), a, id)
		if err != nil {
			return err
		}
		return httpx.WriteJSON(w, http.StatusOK, toRawMessage(m))
	case second == "messages":
		id, err := parseChatID(first)
		if err != nil {
			return err
		}
		return s.messagesOf(w, r, a, id)
	}
	return fail(http.StatusNotFound, "Cannot GET "+r.URL.Path)
}

// updates is GET /updates?offset&timeout&limit (Parley's addition, after
// Telegram's getUpdates): timeout is in seconds.
func (s *server) updates(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	q := r.URL.Query()
	var in chat.BotUpdatesQuery
	for _, p := range []struct {
		name string
		set  func(int64)
	}{
		{"offset", func(v int64) { in.Offset = v }},
		{"timeout", func(v int64) { in.Timeout = time.Duration(min(v, 3600)) * time.Second }},
		{"limit", func(v int64) { in.Limit = int(min(v, 1000)) }},
	} {
		if text := q.Get(p.name); text != "" {
			v, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return fail(http.StatusBadRequest, p.name+" must be an integer.")
			}
			p.set(v)
		}
	}
	ups, err := s.chat.BotUpdates(r.Context(), a, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toUpdates(ups))
}
