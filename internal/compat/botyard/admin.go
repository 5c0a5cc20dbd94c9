package botyard

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// The admin API (/v1/admin-api), for the operator.

type createBotResponse struct {
	Bot botJSON `json:"bot"`
	Key string  `json:"key"`
}

type keyResponse struct {
	Key string `json:"key"`
}

func (s *server) createBot(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[botRequest](w, r)
	if err != nil {
		return err
	}
	bot, token, err := s.chat.CreateBot(r.Context(), a, chat.NewBot{Name: in.Name, Description: in.Description, Avatar: in.Avatar})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, createBotResponse{Bot: toBot(bot), Key: botKey(bot.ID, token)})
}

func (s *server) deleteBot(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseUserID("bot", r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.chat.DeleteBot(r.Context(), a, id); err != nil {
		return err
	}
	return message(w, http.StatusOK, "Bot deleted.")
}

func (s *server) getBotKey(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseUserID("bot", r.PathValue("id"))
	if err != nil {
		return err
	}
	token, err := s.chat.BotKey(r.Context(), a, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, keyResponse{Key: botKey(id, token)})
}

func (s *server) rotateBotKey(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseUserID("bot", r.PathValue("id"))
	if err != nil {
		return err
	}
	token, err := s.chat.RotateBotKey(r.Context(), a, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, keyResponse{Key: botKey(id, token)})
}

// reloadConfig reads the configuration file again. A file that cannot be
// read or parsed is refused with 400 (the details go to the log, not to the
// caller) and the configuration in force stays; Botyard answered 500.
func (s *server) reloadConfig(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	var cfg Config
	err := s.chat.ReloadBotLimits(r.Context(), a, func() (chat.BotLimits, error) {
		var err error
		if cfg, err = LoadConfig(s.configPath); err != nil {
			s.log.Warn("reload config", "request_id", httpx.RequestID(r.Context()), "err", err)
			return chat.BotLimits{}, fail(http.StatusBadRequest, "The config file could not be loaded; the configuration in force stays.")
		}
		return cfg.ChatLimits(), nil
	})
	if err != nil {
		return err
	}
	s.config.Store(&cfg)
	return message(w, http.StatusOK, "Config reloaded.")
}
