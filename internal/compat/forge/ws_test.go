package forge_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

// socket is a /chat/ws client.
type socket struct {
	t    *testing.T
	conn *websocket.Conn
	name string
}

func (u *user) dial(t *testing.T, name string) *socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := "ws" + strings.TrimPrefix(u.srv.URL, "http") + "/chat/ws?token=" + u.token
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", name, err)
	}
	t.Cleanup(func() { conn.Close(websocket.StatusNormalClosure, "") })
	return &socket{t: t, conn: conn, name: name}
}

// next returns the next frame whose message_type is one of types, skipping
// the signals (UPDATE_USERS, UPDATE_STATUS) unless they are asked for.
func (s *socket) next(types ...string) map[string]any {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, b, err := s.conn.Read(ctx)
		if err != nil {
			s.t.Fatalf("%s: waiting for %v: %v", s.name, types, err)
		}
		var f map[string]any
		if err := json.Unmarshal(b, &f); err != nil {
			s.t.Fatalf("%s: frame %q is not JSON: %v", s.name, b, err)
		}
		for _, typ := range types {
			if f["message_type"] == typ {
				return f
			}
		}
		if mt := f["message_type"]; mt != "UPDATE_USERS" && mt != "UPDATE_STATUS" {
			s.t.Fatalf("%s: got %s, want one of %v", s.name, b, types)
		}
	}
}

// v1ID renders an id in the native API's typed hex.
func v1ID(k chat.Kind, id int64) string {
	h := strconv.FormatInt(id, 16)
	return string(rune('0'+k)) + string(rune('O'-len(h))) + h
}

// idOfUUID reads the core id back out of one of ConvoForge's UUIDs.
func idOfUUID(t *testing.T, u string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.ReplaceAll(u[20:], "-", ""), 16, 64)
	if err != nil {
		t.Fatalf("uuid %q: %v", u, err)
	}
	return id
}

// TestWebSocket follows one conversation's events to three sockets: the
// channel's readers get its messages, edits (also those made through /v1),
// deletions and typing; a user without access gets only what is addressed
// to her.
func TestWebSocket(t *testing.T) {
	t.Parallel()
	srv := newServer(t, chattest.New(t))
	o := srv.bootstrap(t)
	general := o.admin.do(t, "POST", "/channel/", map[string]any{"name": "general"}).want(t, 200).obj(t)["id"].(string)
	bob := o.member(t, srv, "bob", general)
	carol := o.member(t, srv, "carol", "")

	admin := o.admin.dial(t, "admin")
	bobWS := bob.dial(t, "bob")
	carolWS := carol.dial(t, "carol")
	// Everyone learns that someone came online.
	for _, s := range []*socket{admin, bobWS, carolWS} {
		s.next("UPDATE_USERS")
	}

	sent := bob.do(t, "POST", "/message/", map[string]any{"content": "hello", "message_type": "MESSAGE", "recipient_type": "CHANNEL",
		"reference_id": general, "media_ids": []string{}}).want(t, 200).obj(t)
	for _, s := range []*socket{admin, bobWS} {
		got := s.next("MESSAGE")
		if got["id"] != sent["id"] || got["content"] != "hello" || got["reference_id"] != general || got["recipient_type"] != "CHANNEL" {
			t.Errorf("%s got %v, want the MessageDTO %v", s.name, got, sent)
		}
	}

	// An edit through the native API reaches the ConvoForge sockets.
	msgID := idOfUUID(t, sent["id"].(string))
	bobV1 := map[string]any{"id": v1ID(chat.KindMessage, msgID), "text": "hello, edited on /v1"}
	bob.do(t, "PUT", "/v1/chats", bobV1).want(t, 200)
	got := admin.next("EDIT_MESSAGE")
	if got["id"] != sent["id"] || got["content"] != "hello, edited on /v1" || got["user_id"] != bob.id {
		t.Errorf("edit frame = %v", got)
	}
	bobWS.next("EDIT_MESSAGE")

	// Typing in the channel reaches its readers (the typer too, as in the
	// original); a DM's typing only the other party.
	bob.do(t, "POST", "/presence/typing", map[string]any{"reference_id": general, "recipient_type": "CHANNEL"}).want(t, 200)
	got = admin.next("TYPING")
	if got["user_id"] != bob.id || got["reference_id"] != general || got["recipient_type"] != "CHANNEL" {
		t.Errorf("typing frame = %v", got)
	}
	bobWS.next("TYPING")
	bob.do(t, "POST", "/presence/typing", map[string]any{"reference_id": carol.id, "recipient_type": "USER"}).want(t, 200)
	got = carolWS.next("TYPING")
	if got["user_id"] != bob.id || got["reference_id"] != carol.id || got["recipient_type"] != "USER" {
		t.Errorf("DM typing frame = %v", got)
	}

	// Carol saw nothing of the channel: her next message frame is her DM.
	dm := o.admin.do(t, "POST", "/message/", map[string]any{"content": "hi carol", "message_type": "MESSAGE", "recipient_type": "USER",
		"reference_id": carol.id, "media_ids": []string{}}).want(t, 200).obj(t)
	got = carolWS.next("MESSAGE")
	if got["id"] != dm["id"] || got["reference_id"] != carol.id || got["user_id"] != o.admin.id {
		t.Errorf("carol's frame = %v, want the DM", got)
	}
	admin.next("MESSAGE")

	// Deleting through ConvoForge: DELETE_MESSAGE with deleted true.
	o.admin.do(t, "DELETE", "/message/", map[string]any{"id": sent["id"]}).want(t, 200)
	got = bobWS.next("DELETE_MESSAGE")
	if got["id"] != sent["id"] || got["deleted"] != true || got["content"] != nil {
		t.Errorf("delete frame = %v", got)
	}

	// Role, grant and channel changes ask clients to refetch.
	o.admin.do(t, "PATCH", "/channel/", map[string]any{"id": general, "name": "general-chat"}).want(t, 200)
	bobWS.next("UPDATE_STATUS")
	o.admin.do(t, "POST", "/role/", map[string]any{"name": "Later", "administrator": false, "manage_users": false, "manage_channels": false,
		"manage_roles": false}).want(t, 200)
	carolWS.next("UPDATE_STATUS")

	// A DM sent through /v1 is the same conversation.
	o.admin.do(t, "POST", "/v1/threads", map[string]any{"text": "from /v1", "user_ids": []string{v1ID(chat.KindUser, idOfUUID(t, carol.id))}}).want(t, 200)
	got = carolWS.next("MESSAGE")
	if got["content"] != "from /v1" || got["recipient_type"] != "USER" || got["reference_id"] != carol.id {
		t.Errorf("/v1 DM frame = %v", got)
	}
	list := carol.do(t, "GET", "/message/?recipient_type=USER&reference_id="+o.admin.id, nil).want(t, 200).list(t)
	if len(list) != 2 || list[0]["content"] != "from /v1" || list[1]["id"] != dm["id"] || list[0]["reference_id"] != carol.id {
		t.Errorf("carol's DMs = %v", list)
	}

	// Presence: the three sockets keep their users online.
	online := carol.do(t, "GET", "/presence/", nil).want(t, 200)
	var ids []string
	online.json(t, &ids)
	if len(ids) != 3 {
		t.Errorf("presence = %v, want the three connected users", ids)
	}
}

// TestWebSocketEndsForPurgedUser checks that a purged user's socket closes.
func TestWebSocketEndsForPurgedUser(t *testing.T) {
	t.Parallel()
	srv := newServer(t, chattest.New(t))
	o := srv.bootstrap(t)
	bob := o.member(t, srv, "bob", "")
	ws := bob.dial(t, "bob")
	ws.next("UPDATE_USERS")
	o.admin.do(t, "DELETE", "/user/purge?user_id="+bob.id, nil).want(t, 200, "User purged")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := ws.conn.Read(ctx)
		if err == nil {
			continue
		}
		if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
			t.Fatalf("socket ended with %v, want a policy violation close", err)
		}
		return
	}
}
