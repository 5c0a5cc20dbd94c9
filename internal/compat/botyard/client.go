package botyard

import (
	"net/http"
	"strconv"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// The client API (/v1/client-api) and what the bot API shares with it.

func (s *server) serviceInfo(w http.ResponseWriter, r *http.Request) error {
	return httpx.WriteJSON(w, http.StatusOK, s.config.Load().Service)
}

func (s *server) listBots(w http.ResponseWriter, r *http.Request) error {
	bots, err := s.chat.Bots(r.Context(), s.visitor(r))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toBots(bots))
}

func (s *server) getBot(w http.ResponseWriter, r *http.Request) error {
	id, err := parseUserID("bot", r.PathValue("id"))
	if err != nil {
		return err
	}
	bot, err := s.chat.Bot(r.Context(), s.visitor(r), id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toBot(bot))
}

// createUser signs a visitor up with a nickname, always in the default org,
// and answers 201 with the session cookie.
func (s *server) createUser(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[nicknameRequest](w, r)
	if err != nil {
		return err
	}
	u, token, exp, err := s.chat.SignUpWithNickname(r.Context(), chat.AnonymousActor(s.org), in.Nickname)
	if err != nil {
		return err
	}
	setSession(w, token, exp)
	return httpx.WriteJSON(w, http.StatusCreated, toUser(u))
}

func (s *server) currentUser(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	u, err := s.chat.Me(r.Context(), a)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toUser(u))
}

func (s *server) clientCommands(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseUserID("bot", r.PathValue("id"))
	if err != nil {
		return err
	}
	cmds, err := s.chat.BotCommands(r.Context(), a, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toCommands(cmds))
}

func (s *server) createChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[createChatRequest](w, r)
	if err != nil {
		return err
	}
	if in.BotID == "" {
		return fail(http.StatusBadRequest, "Bot ID is required.")
	}
	bot, err := parseUserID("bot", in.BotID)
	if err != nil {
		return err
	}
	c, err := s.chat.CreateBotChat(r.Context(), a, bot)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, toChat(c))
}

// clientChats lists the user's chats with ?bot_id.
func (s *server) clientChats(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	return s.chatsWith(w, r, a, "bot_id", "Bot ID is required.", "bot")
}

// botChats lists the bot's chats with ?user_id.
func (s *server) botChats(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	return s.chatsWith(w, r, a, "user_id", "User ID is required.", "user")
}

func (s *server) chatsWith(w http.ResponseWriter, r *http.Request, a chat.Actor, param, missing, what string) error {
	q := r.URL.Query().Get(param)
	if q == "" {
		return fail(http.StatusBadRequest, missing)
	}
	other, err := parseUserID(what, q)
	if err != nil {
		return err
	}
	chats, err := s.chat.BotChats(r.Context(), a, other)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toChats(chats))
}

func (s *server) deleteChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseChatID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := s.chat.DeleteBotChat(r.Context(), a, id); err != nil {
		return err
	}
	return message(w, http.StatusOK, "Chat deleted.")
}

// sendMessage is POST /chat/message for users and bots alike.
func (s *server) sendMessage(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[sendRequest](w, r)
	if err != nil {
		return err
	}
	var chatID chat.ThreadID
	if in.ChatID != "" {
		if chatID, err = parseChatID(in.ChatID); err != nil {
			return err
		}
	}
	files, err := parseFileIDs(in.AttachmentIDs)
	if err != nil {
		return err
	}
	m, err := s.chat.SendBotChatMessage(r.Context(), a, chat.NewBotChatMessage{ChatID: chatID, Body: in.Body, Files: files})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, toPrepared(m, true))
}

// chatMessages is GET /chat/:id/messages?page&limit&sender_id&since. Like
// Fiber's QueryInt, a number that does not parse takes its default.
func (s *server) chatMessages(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseChatID(r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.messagesOf(w, r, a, id)
}

func (s *server) messagesOf(w http.ResponseWriter, r *http.Request, a chat.Actor, id chat.ThreadID) error {
	q := r.URL.Query()
	query := chat.BotMessageQuery{ChatID: id, Page: queryInt(q.Get("page"), 1), Limit: queryInt(q.Get("limit"), chat.DefaultBotPageLimit)}
	if sender := q.Get("sender_id"); sender != "" {
		var err error
		if query.SenderID, err = parseUserID("sender", sender); err != nil {
			return err
		}
	}
	if since := queryInt(q.Get("since"), 0); since > 0 {
		query.Since = time.UnixMilli(int64(since)).UTC()
	}
	page, err := s.chat.BotChatMessages(r.Context(), a, query)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toPage(page))
}

func queryInt(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

// uploadFiles stores the multipart parts named "file" (users and bots).
func (s *server) uploadFiles(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	l := s.chat.BotLimits()
	// Botyard capped the body at the largest file limit.
	ups, err := httpx.ReadUploads(w, r, "file", l.MaxAttachedFiles, l.MaxUploadSize()+1<<20)
	if err != nil {
		return err
	}
	in := make([]chat.NewUpload, len(ups))
	for i, up := range ups {
		defer up.Close()
		in[i] = chat.NewUpload{Name: up.Name, ContentType: up.ContentType, Size: up.Size, Body: up.File}
	}
	files, err := s.chat.UploadBotFiles(r.Context(), a, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, toFiles(files))
}

// serveFile serves an upload at its path to whoever has the path (in the
// org of its session or bot key, or the default org).
func (s *server) serveFile(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.chat.OpenBotFile(r.Context(), s.fileActor(r), r.PathValue("name"))
	if err != nil {
		return err
	}
	defer rc.Close()
	httpx.ServeFile(w, f.Name, f.ContentType, f.Size, rc)
	return nil
}
