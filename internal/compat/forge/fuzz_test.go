package forge_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat/chattest"
)

// forgeFuzzRoutes are the ConvoForge routes that read a JSON body.
// {channel}, {user} and {message} stand for the env's ids.
var forgeFuzzRoutes = []string{
	"POST /channel/", "PATCH /channel/", "DELETE /channel/",
	"POST /role/", "PATCH /role/", "DELETE /role/",
	"POST /user-role-access/", "DELETE /user-role-access/",
	"POST /channel-role-access/", "DELETE /channel-role-access/",
	"POST /message/", "PATCH /message/", "DELETE /message/",
	"POST /presence/typing", "POST /media/list", "PATCH /user/name",
	"PATCH /user-channel-view/", "POST /seen/", "PUT /flag/",
}

// FuzzBodies sends arbitrary bodies, as the org's administrator, to every
// ConvoForge route that reads one (FuzzDecodeBody covers the decoder
// alone): never a 5xx or a panic, every error ConvoForge's plain text, and
// a message the API accepted lists back with its content.
func FuzzBodies(f *testing.F) {
	for i, s := range []string{
		`{"name":"c2","description":"d"}`, `{"id":"{channel}","name":"renamed"}`, `{"id":"00000000-0000-4000-8000-000000000000"}`,
		`{"name":"r","administrator":false,"manage_users":true,"manage_channels":false,"manage_roles":false}`,
		`{"id":"{role}","name":"r2"}`, `{"id":"00000000-0000-0000-0000-000000000000"}`,
		`{"user_id":"{user}","role_id":"{role}"}`, `{"id":"{user}"}`,
		`{"channel_id":"{channel}","role_id":"{role}"}`, `{"id":"{channel}"}`,
		`{"content":"hi","message_type":"MESSAGE","recipient_type":"CHANNEL","reference_id":"{channel}","media_ids":[]}`,
		`{"id":"{message}","content":"edited"}`, `{"id":"00000000-0000-4000-8000-000000000000"}`,
		`{"reference_id":"{channel}","recipient_type":"CHANNEL"}`, `{"message_ids":["{message}"]}`,
		`{"display_name":"Ada \u0000"}`, `{"reference_id":"{user}","recipient_type":"USER"}`,
		`{"message_id":"{message}"}`, `{"name":"s3","enabled":true}`,
		`{"content":"` + strings.Repeat("x", 5000) + `","message_type":"NOPE","recipient_type":"USER","reference_id":"{user}"}`,
		``, `null`, `[]`, `{"a":`, `{"content":1}`,
	} {
		f.Add(uint8(i%len(forgeFuzzRoutes)), []byte(s))
	}
	s := newServer(f, chattest.New(f))
	o := s.bootstrap(f)
	admin := o.admin
	channel := admin.do(f, "POST", "/channel/", map[string]any{"name": "general", "description": "g"}).want(f, 200).obj(f)["id"].(string)
	role := admin.do(f, "POST", "/role/", map[string]any{"name": "fuzz", "administrator": false, "manage_users": false,
		"manage_channels": false, "manage_roles": false}).want(f, 200).obj(f)["id"].(string)
	message := admin.do(f, "POST", "/message/", map[string]any{"content": "first", "message_type": "MESSAGE", "recipient_type": "CHANNEL",
		"reference_id": channel, "media_ids": []string{}}).want(f, 200).obj(f)["id"].(string)
	// The fuzzer deletes and renames only what it makes: these ids stay.
	keep := []string{channel, role, admin.id, message}
	fill := strings.NewReplacer("{channel}", channel, "{role}", role, "{user}", admin.id, "{message}", message)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := forgeFuzzRoutes[int(route)%len(forgeFuzzRoutes)]
		method, path, _ := strings.Cut(rt, " ")
		b := fill.Replace(string(body))
		if method == "DELETE" || rt == "PUT /flag/" || rt == "POST /user-role-access/" {
			for _, id := range keep {
				b = strings.ReplaceAll(b, id, "00000000-0000-4000-8000-000000000000")
			}
		}
		h := http.Header{"Authorization": {"Bearer " + admin.token}, "Content-Type": {"application/json"}}
		status, out := s.send(t, method, path, h, strings.NewReader(b))
		if status >= 500 {
			t.Fatalf("%s %q: %d %s", rt, b, status, out)
		}
		if status >= 400 && (out == "" || strings.HasPrefix(out, "{")) {
			t.Fatalf("%s: %d error is not ConvoForge's text: %q", rt, status, out)
		}
		if rt != "POST /message/" || status != 200 {
			return
		}
		m := reply{status, out}.obj(t)
		if m["recipient_type"] != "CHANNEL" || m["reference_id"] != channel {
			return
		}
		_, list := s.send(t, "GET", "/message/?recipient_type=CHANNEL&reference_id="+channel+"&limit=5", http.Header{"Authorization": {"Bearer " + admin.token}}, nil)
		if !strings.Contains(list, `"id":"`+m["id"].(string)+`"`) {
			t.Fatalf("accepted message %s is not listed: %s", out, list)
		}
	})
}
