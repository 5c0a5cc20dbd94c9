package botyard_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat/chattest"
)

// botyardFuzzRoutes are the routes that read a JSON body, with the
// credential each sends: c (the client's cookie), b (the bot key) or a (the
// client secret). {bot} and {chat} stand for the env's ids.
var botyardFuzzRoutes = []struct{ cred, route string }{
	{"", "POST /v1/client-api/user"},
	{"c", "POST /v1/client-api/chat"},
	{"c", "POST /v1/client-api/chat/message"},
	{"b", "PUT /v1/bot-api/bot"},
	{"b", "POST /v1/bot-api/bot/commands"},
	{"b", "POST /v1/bot-api/bot/webhook"},
	{"b", "POST /v1/bot-api/chat/message"},
	{"a", "POST /v1/admin-api/bot"},
	{"a", "PUT /v1/admin-api/bot/{bot}/key"},
}

// FuzzBodies sends arbitrary bodies to every Botyard route that reads
// one: never a 5xx or a panic, every error Botyard's {"message"} body, and
// a message the API accepted lists back with its body.
func FuzzBodies(f *testing.F) {
	for i, s := range []string{
		`{"nickname":"Ada"}`, `{"botId":"{bot}"}`,
		`{"chatId":"{chat}","body":"hi","attachmentIds":[]}`,
		`{"name":"Echo 2","description":"d","avatar":"https://example.com/a.png"}`,
		`[{"alias":"start","description":"Start"},{"alias":"help"}]`,
		`{"url":"https://example.com/hook","secret":"s"}`,
		`{"chatId":"{chat}","body":"from the bot","attachmentIds":["00000000000000000000000000"]}`,
		`{"name":"Bot","avatar":"javascript:alert(1)"}`, ``, `null`, `[]`, `{"a":`, `{"body":1}`,
		`{"chatId":"..","body":"` + strings.Repeat("x", 5000) + `"}`,
		`{"nickname":"\u0000\ud800"}`,
	} {
		f.Add(uint8(i%len(botyardFuzzRoutes)), []byte(s))
	}
	ts := newTestServer(f, "")
	do := func(tb testing.TB, method, path string, header http.Header, body []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header = header.Clone()
		rec := httptest.NewRecorder()
		ts.handler.ServeHTTP(rec, req)
		return rec
	}
	obj := func(tb testing.TB, rec *httptest.ResponseRecorder) map[string]any {
		tb.Helper()
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			tb.Fatalf("%d answer is not a JSON object: %q", rec.Code, rec.Body)
		}
		return m
	}
	admin := http.Header{"Authorization": {chattest.ClientSecret}, "Content-Type": {"application/json"}}
	created := do(f, "POST", "/v1/admin-api/bot", admin, []byte(`{"name":"Echo"}`))
	bot := obj(f, created)
	botID := bot["bot"].(map[string]any)["id"].(string)
	botKey := http.Header{"Authorization": {bot["key"].(string)}, "Content-Type": {"application/json"}}
	login := do(f, "POST", "/v1/client-api/user", http.Header{"Content-Type": {"application/json"}}, []byte(`{"nickname":"Ada"}`))
	client := http.Header{"Cookie": {strings.Split(login.Header().Get("Set-Cookie"), ";")[0]}, "Content-Type": {"application/json"}}
	chatID := obj(f, do(f, "POST", "/v1/client-api/chat", client, []byte(`{"botId":"`+botID+`"}`)))["id"].(string)
	fill := strings.NewReplacer("{bot}", botID, "{chat}", chatID)
	creds := map[string]http.Header{"": {"Content-Type": {"application/json"}}, "c": client, "b": botKey, "a": admin}

	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := botyardFuzzRoutes[int(route)%len(botyardFuzzRoutes)]
		method, path, _ := strings.Cut(fill.Replace(rt.route), " ")
		if rt.route == "PUT /v1/bot-api/bot" || rt.route == "PUT /v1/admin-api/bot/{bot}/key" {
			// Renaming is fine; rotating the key would lock the fuzzer out.
			if strings.HasSuffix(path, "/key") {
				path = "/v1/admin-api/bot/00000000000000000000000000/key"
			}
		}
		body = []byte(fill.Replace(string(body)))
		rec := do(t, method, path, creds[rt.cred], body)
		if rec.Code >= 500 {
			t.Fatalf("%s: %d %s", rt.route, rec.Code, rec.Body)
		}
		m := obj(t, rec)
		if rec.Code >= 400 {
			if msg, _ := m["message"].(string); msg == "" || len(m) != 1 {
				t.Fatalf("%s: %d error not in Botyard's format: %s", rt.route, rec.Code, rec.Body)
			}
			return
		}
		if rt.route != "POST /v1/client-api/chat/message" || m["chatId"] != chatID {
			return
		}
		list := do(t, "GET", "/v1/client-api/chat/"+chatID+"/messages", client, nil)
		if !strings.Contains(list.Body.String(), `"`+m["id"].(string)+`"`) {
			t.Fatalf("accepted message %s is not listed: %s", m["id"], list.Body)
		}
	})
}
