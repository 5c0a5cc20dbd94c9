package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

func (s *server) getThread(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseThreadID("id", r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := s.chat.Thread(r.Context(), a, id)
	if err != nil {
		return err
	}
	base := s.base(r)
	t := s.toThread(base, v)
	t.JoinChatURL = base + "/t/" + t.URLPath
	if t.Chats == nil {
		t.Chats = []chatJSON{}
	}
	similar := make([]threadJSON, len(v.Similar))
	for i, th := range v.Similar {
		similar[i] = s.toThread(base, &chat.ThreadView{Thread: th})
	}
	t.Similar = &similar
	return ok(w, http.StatusOK, t)
}

type postThreadRequest struct {
	Text        string   `json:"text"`
	Subject     string   `json:"subject"`
	XsrIDs      []string `json:"xsr_ids"`
	UserIDs     []string `json:"user_ids"`
	Tags        []string `json:"tags"`
	Images      []string `json:"images"`
	XID         string   `json:"xid"`
	ClientMsgID string   `json:"client_msg_id"`
}

func (s *server) postThread(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[postThreadRequest](w, r)
	if err != nil {
		return err
	}
	chans, err := parseMany[chat.ChannelID](chat.KindChannel, "xsr_ids", in.XsrIDs)
	if err != nil {
		return err
	}
	users, err := parseMany[chat.UserID](chat.KindUser, "user_ids", in.UserIDs)
	if err != nil {
		return err
	}
	files, err := parseHandles(in.Images)
	if err != nil {
		return err
	}
	th, m, err := s.chat.StartThread(r.Context(), a, chat.NewThread{Text: in.Text, Subject: in.Subject, ChannelIDs: chans,
		UserIDs: users, Tags: in.Tags, XID: in.XID, ClientMsgID: in.ClientMsgID, Files: files})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "thread_id": threadID(th.ID), "chat_id": chatID(m.ID)})
}

func parseHandles(hs []string) ([]chat.FileID, error) {
	out := make([]chat.FileID, 0, len(hs))
	for _, h := range hs {
		id, err := parseFileHandle("images", h)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}

type threadBitsRequest struct {
	ID   string `json:"id"`
	Bits struct {
		Deleted  *bool `json:"deleted"`
		Hidden   *bool `json:"hidden"`
		Resolved *bool `json:"resolved"`
	} `json:"bits"`
}

// putThreads sets thread bits; the body is one object or an array of them.
func (s *server) putThreads(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	raw, err := decode[json.RawMessage](w, r)
	if err != nil {
		return err
	}
	var items []threadBitsRequest
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		err = httpx.Unmarshal(raw, &items, false)
	} else {
		var one threadBitsRequest
		err = httpx.Unmarshal(raw, &one, false)
		items = append(items, one)
	}
	if err != nil {
		return err
	}
	changes := make([]chat.ThreadFlags, 0, len(items))
	for _, it := range items {
		id, err := parseThreadID("id", it.ID)
		if err != nil {
			return err
		}
		changes = append(changes, chat.ThreadFlags{ID: id, Deleted: it.Bits.Deleted, Hidden: it.Bits.Hidden, Resolved: it.Bits.Resolved})
	}
	if err := s.chat.SetThreadFlags(r.Context(), a, changes); err != nil {
		return err
	}
	return ok(w, http.StatusOK, nil)
}

type tagsRequest struct {
	Tags []string `json:"tags"`
}

func (s *server) putThreadTags(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseThreadID("id", r.PathValue("id"))
	if err != nil {
		return err
	}
	in, err := decode[tagsRequest](w, r)
	if err != nil {
		return err
	}
	th, err := s.chat.SetThreadTags(r.Context(), a, id, in.Tags)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, map[string]any{"id": threadID(th.ID), "tags": th.Tags})
}

type readRequest struct {
	ThreadID   string `json:"thread_id"`
	ChatID     string `json:"chat_id"`
	MutedUntil *int64 `json:"muted_until"`
}

func (s *server) putRead(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[readRequest](w, r)
	if err != nil {
		return err
	}
	tid, err := parseThreadID("thread_id", in.ThreadID)
	if err != nil {
		return err
	}
	var cid chat.MessageID
	if in.ChatID != "" && in.ChatID != "0" {
		if cid, err = parseChatID("chat_id", in.ChatID); err != nil {
			return err
		}
	}
	ri := chat.ReadInput{ThreadID: tid, MessageID: cid}
	if in.MutedUntil != nil {
		t := fromUnix(*in.MutedUntil)
		ri.MutedUntil = &t
	}
	rs, err := s.chat.MarkRead(r.Context(), a, ri)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toRead(rs))
}

func (s *server) getTags(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	tags, err := s.chat.Tags(r.Context(), a)
	if err != nil {
		return err
	}
	type tagJSON struct {
		Tag   string `json:"tag"`
		Count int    `json:"count"`
	}
	out := make([]tagJSON, len(tags))
	for i, t := range tags {
		out[i] = tagJSON{Tag: t.Tag, Count: t.Count}
	}
	return ok(w, http.StatusOK, out)
}
