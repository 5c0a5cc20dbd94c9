package allo_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/compat/allo"
)

// FuzzOperations sends arbitrary payloads to every Allo operation over
// REST (POST /api/chat/<op>; a Socket.IO event hands its first argument to
// the same operation, and FuzzDecodePacket covers the framing): never a
// 5xx or a panic, every error Allo's {"message","code","event"}, and a
// message the API accepted reads back.
func FuzzOperations(f *testing.F) {
	ops := allo.RESTOperations()
	seeds := map[string]string{
		"createConversation":   `{"type":"private","participants":["{bob}"]}`,
		"joinConversation":     `{"conversationID":"{conv}"}`,
		"sendMessage":          `{"conversationID":"{conv}","message":"hi"}`,
		"sendSecureMessage":    `{"conversationID":"{conv}","message":"aGk=","encrypted":true,"encryptionAlgorithm":"aes","signature":"s"}`,
		"sendVoiceMessage":     `{"conversationID":"{conv}","voiceUrl":"https://example.com/v.ogg"}`,
		"sendSticker":          `{"conversationID":"{conv}","stickerUrl":"javascript:alert(1)"}`,
		"sendEphemeralMessage": `{"conversationID":"{conv}","message":"bye","expiresIn":0.5}`,
		"editMessage":          `{"conversationID":"{conv}","messageId":"{msg}","newMessage":"edited"}`,
		"forwardMessage":       `{"fromConversationID":"{conv}","toConversationID":"{conv}","messageId":"{msg}"}`,
		"pinMessage":           `{"conversationID":"{conv}","messageId":"{msg}","pin":true}`,
		"reactionMessage":      `{"conversationID":"{conv}","messageId":"{msg}","emoji":"👍"}`,
		"reportMessage":        `{"conversationID":"{conv}","messageId":"{msg}","reason":"spam"}`,
		"createPoll":           `{"conversationID":"{conv}","question":"q?","options":["a","b"]}`,
		"votePoll":             `{"conversationID":"{conv}","messageId":"{msg}","optionIndex":-1}`,
		"scheduleMessage":      `{"conversationID":"{conv}","message":"later","scheduledTime":"2100-01-01T00:00:00Z"}`,
		"messageRead":          `{"conversationID":"{conv}","messageId":"{msg}"}`,
	}
	for i, op := range ops {
		s, ok := seeds[op]
		if !ok {
			s = `{"conversationID":"{conv}","messageId":"{msg}"}`
		}
		f.Add(uint8(i), []byte(s))
	}
	for _, s := range []string{``, `null`, `[]`, `"x"`, `{"conversationID":1}`, `{"conversationID":"..","message":"` + strings.Repeat("x", 5000) + `"}`} {
		f.Add(uint8(len(s)), []byte(s))
	}
	s := newServer(f)
	post := func(tb testing.TB, op, body string) (int, map[string]any, string) {
		req, _ := http.NewRequest("POST", s.URL+"/api/chat/"+op, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.tokens["alice"])
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil && res.StatusCode >= 400 {
			tb.Fatalf("%s: %d error is not a JSON object: %q", op, res.StatusCode, raw)
		}
		return res.StatusCode, m, string(raw)
	}
	_, conv, raw := post(f, "createConversation", `{"type":"group","participants":["`+s.oid("bob")+`"]}`)
	convID := findString(conv, "_id", "id")
	_, msg, raw2 := post(f, "sendMessage", `{"conversationID":"`+convID+`","message":"first"}`)
	msgID := findString(msg, "_id", "id")
	if convID == "" || msgID == "" {
		f.Fatalf("setup: %s %s", raw, raw2)
	}
	fill := strings.NewReplacer("{bob}", s.oid("bob"), "{conv}", convID, "{msg}", msgID)
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := ops[int(op)%len(ops)]
		b := fill.Replace(string(body))
		if name == "deleteMessage" || name == "unsendMessage" {
			b = strings.ReplaceAll(b, msgID, "000000000000000000000000")
		}
		status, m, raw := post(t, name, b)
		if status >= 500 {
			t.Fatalf("%s %q: %d %s", name, b, status, raw)
		}
		if status >= 400 {
			if msg, _ := m["message"].(string); msg == "" || m["code"] == "" || m["event"] != name {
				t.Fatalf("%s: %d error not in Allo's format: %s", name, status, raw)
			}
		}
	})
}

// findString returns the first string under one of keys, searching nested
// objects.
func findString(v any, keys ...string) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	for _, sub := range m {
		if s := findString(sub, keys...); s != "" {
			return s
		}
	}
	return ""
}
