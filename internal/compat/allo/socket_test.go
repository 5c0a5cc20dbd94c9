package allo_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/compat/allo"
	"github.com/parley-chat/parley/internal/nodetest"
)

// typedHex renders an id as the native API does (kinds 1-9).
func typedHex(k chat.Kind, id int64) string {
	h := fmt.Sprintf("%x", id)
	return fmt.Sprintf("%d%c%s", k, 'O'-len(h), h)
}

// native converts an Allo ObjectId of kind k to the native API's id.
func native(t *testing.T, k chat.Kind, oid string) string {
	t.Helper()
	id, err := allo.ParseID(k, "id", oid)
	if err != nil {
		t.Fatal(err)
	}
	return typedHex(k, id)
}

// getJSON calls the native API as name.
func (s *server) getJSON(t *testing.T, name, path string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.tokens[name])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", path, res.StatusCode, err)
	}
	return out
}

// TestNodeClient runs every Allo operation with the real socket.io-client,
// over the client's default transports (long-polling upgraded to a
// WebSocket) and over WebSocket only, then checks through /v1 that what
// was sent through Allo is there.
func TestNodeClient(t *testing.T) {
	nodetest.Require(t)
	for _, tt := range []struct{ name, transports, want string }{
		{"PollingThenWebSocket", "", "websocket"},
		{"WebSocketOnly", "websocket", "websocket"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			users := map[string]string{}
			for _, name := range []string{"alice", "bob", "carol", "mallory"} {
				users[name] = s.oid(name)
			}
			fixture, _ := json.Marshal(map[string]any{"tokens": s.tokens, "users": users})
			out := nodetest.Run(t, 60*time.Second, []string{"PARLEY_SIO_URL=" + s.URL, "PARLEY_ALLO=" + string(fixture),
				"PARLEY_SIO_TRANSPORTS=" + tt.transports}, "allo-ops.mjs")
			var got struct {
				Conversation       string            `json:"conversation"`
				SecondConversation string            `json:"secondConversation"`
				Transport          string            `json:"transport"`
				Messages           map[string]string `json:"messages"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("script output %q: %v", out, err)
			}
			if got.Transport != tt.want {
				t.Errorf("the client ended on %q, want %q", got.Transport, tt.want)
			}
			s.checkThroughV1(t, got.Conversation, got.SecondConversation, got.Messages)
		})
	}
}

// checkThroughV1 reads the conversations the script left behind through the
// native API.
func (s *server) checkThroughV1(t *testing.T, conv, second string, msgs map[string]string) {
	t.Helper()
	page := s.getJSON(t, "alice", "/v1/chats/"+native(t, chat.KindThread, conv)+"?num=100")["data"].([]any)
	byID := map[string]map[string]any{}
	var texts []string
	for _, c := range page {
		m := c.(map[string]any)
		byID[m["id"].(string)] = m
		texts = append(texts, m["text"].(string))
	}
	chat1 := func(name string) map[string]any { return byID[native(t, chat.KindMessage, msgs[name])] }
	if c := chat1("hello"); c == nil || c["text"] != "hello, edited" || c["author_id"] != typedHex(chat.KindUser, int64(s.actors["alice"].UserID)) {
		t.Errorf("hello through /v1 = %v", c)
	}
	if c := chat1("secure"); c == nil || c["bits"].(map[string]any)["encrypted"] != true || c["encryption_algorithm"] != "AES-256-GCM" {
		t.Errorf("secure message through /v1 = %v", c)
	}
	if c := chat1("poll"); c == nil || fmt.Sprint(c["poll"].(map[string]any)["votes"]) != "[1 0]" {
		t.Errorf("poll through /v1 = %v", c)
	}
	for _, gone := range []string{"voice", "sticker", "ephemeral"} {
		if chat1(gone) != nil {
			t.Errorf("the %s message (deleted, unsent or expired) is still listed", gone)
		}
	}
	for _, want := range []string{"on time", "late", "from REST", "from /v1"} {
		if !strings.Contains(strings.Join(texts, "\n"), want) {
			t.Errorf("%q is not in the conversation through /v1: %q", want, texts)
		}
	}
	copyPage := s.getJSON(t, "carol", "/v1/chats/"+native(t, chat.KindMessage, msgs["copy"]))["chat"].(map[string]any)
	if copyPage["forwarded_from"] != native(t, chat.KindMessage, msgs["hello"]) {
		t.Errorf("the forwarded copy through /v1 = %v", copyPage)
	}
	// The report bob made is in the admins' queue.
	reports := s.getJSON(t, "alice", "/v1/reports")["data"].([]any)
	if len(reports) != 1 || reports[0].(map[string]any)["reason"] != "spam" {
		t.Errorf("moderation queue = %v", reports)
	}
	if th := s.getJSON(t, "carol", "/v1/threads/"+native(t, chat.KindThread, second))["data"].(map[string]any); th["num_chats"].(float64) != 1 {
		t.Errorf("the second conversation through /v1 = %v", th)
	}
}
