package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

func fromUnix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

type postChatRequest struct {
	ThreadID    string   `json:"thread_id"`
	Text        string   `json:"text"`
	Images      []string `json:"images"`
	ReplyTo     string   `json:"reply_to"`
	XID         string   `json:"xid"`
	ClientMsgID string   `json:"client_msg_id"`
	richChatRequest
}

func (s *server) postChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[postChatRequest](w, r)
	if err != nil {
		return err
	}
	tid, err := parseThreadID("thread_id", in.ThreadID)
	if err != nil {
		return err
	}
	files, err := parseHandles(in.Images)
	if err != nil {
		return err
	}
	var reply chat.MessageID
	if in.ReplyTo != "" {
		if reply, err = parseChatID("reply_to", in.ReplyTo); err != nil {
			return err
		}
	}
	nm := chat.NewMessage{ThreadID: tid, Text: in.Text, Files: files, ReplyTo: reply, XID: in.XID, ClientMsgID: in.ClientMsgID}
	in.richChatRequest.applyTo(&nm)
	m, err := s.chat.PostMessage(r.Context(), a, nm)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "chat_id": chatID(m.ID), "data": s.toChat(s.base(r), m)})
}

type putChatRequest struct {
	ID       string `json:"id"`
	ThreadID string `json:"thread_id"`
	Text     string `json:"text"`
}

func (s *server) putChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[putChatRequest](w, r)
	if err != nil {
		return err
	}
	id, err := parseChatID("id", in.ID)
	if err != nil {
		return err
	}
	var tid chat.ThreadID
	if in.ThreadID != "" {
		if tid, err = parseThreadID("thread_id", in.ThreadID); err != nil {
			return err
		}
	}
	m, err := s.chat.EditMessage(r.Context(), a, chat.MessageEdit{ID: id, ThreadID: tid, Text: in.Text})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, s.toChat(s.base(r), m))
}

// getChats is overloaded on the id's kind: a chat id returns that chat as
// {"chat":…}; a thread id returns a page of its chats, newest first.
func (s *server) getChats(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	raw := r.PathValue("id")
	id, kind, err := decodeID(raw)
	if err != nil {
		return chat.Invalidf("id", "%q is not a valid chat or thread id: %s.", raw, err)
	}
	base := s.base(r)
	switch kind {
	case chat.KindMessage:
		m, err := s.chat.Message(r.Context(), a, chat.MessageID(id))
		if err != nil {
			return err
		}
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"chat": s.toChat(base, m)})
	case chat.KindThread:
		f := chat.MessageFilter{ThreadID: chat.ThreadID(id)}
		q := r.URL.Query()
		if n := q.Get("num"); n != "" {
			if f.Limit, err = strconv.Atoi(n); err != nil || f.Limit < 1 {
				return chat.Invalidf("num", "num must be a positive number.")
			}
		}
		if b := q.Get("before"); b != "" {
			if f.Before, err = parseChatID("before", b); err != nil {
				return err
			}
		}
		msgs, err := s.chat.Messages(r.Context(), a, f)
		if err != nil {
			return err
		}
		out := make([]chatJSON, len(msgs))
		for i, m := range msgs {
			out[i] = s.toChat(base, m)
		}
		return ok(w, http.StatusOK, out)
	}
	return chat.Invalidf("id", "%q is a %s id; give a chat or thread id.", raw, kind)
}

func (s *server) deleteChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseChatID("id", r.PathValue("id"))
	if err != nil {
		return err
	}
	m, err := s.chat.DeleteMessage(r.Context(), a, id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, s.toChat(s.base(r), m))
}

type reactionRequest struct {
	ChatID string `json:"chat_id"`
	Name   string `json:"name"`
	Set    bool   `json:"set"`
	Delete bool   `json:"delete"`
}

func (s *server) postReaction(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[reactionRequest](w, r)
	if err != nil {
		return err
	}
	id, err := parseChatID("chat_id", in.ChatID)
	if err != nil {
		return err
	}
	if in.Set == in.Delete {
		return chat.Invalidf("set", `Send exactly one of "set": true or "delete": true.`)
	}
	if err := s.chat.React(r.Context(), a, chat.ReactionInput{MessageID: id, Name: in.Name, Remove: in.Delete}); err != nil {
		return err
	}
	return ok(w, http.StatusOK, nil)
}
