package convo_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// convoFuzzRoutes are the routes that read a JSON body. {token}, {addr},
// {comment} and {thread} stand for a signed-in wallet, its comment and
// the thread it is in.
var convoFuzzRoutes = []string{
	"POST /api/auth", "POST /api/authV2", "POST /api/validateAuth",
	"POST /api/comments", "PATCH /api/comments", "DELETE /api/comments",
	"POST /api/vote", "POST /api/threads", "DELETE /api/threads",
}

// FuzzBodies sends arbitrary bodies, with the org's API key, to every
// Convo route that reads one: never a 5xx or a panic, every error a JSON
// object with "success": false and a message under the route's key, and a
// comment the API accepted reads back with its text.
func FuzzBodies(f *testing.F) {
	for i, s := range []string{
		`{"signerAddress":"{addr}","signature":"0x00","timestamp":1,"chain":"ethereum"}`,
		`{"message":"theconvo.space wants you to sign in with your Ethereum account:\n{addr}\n\nURI: https://theconvo.space\nVersion: 1\nChain ID: 1\nNonce: abcdefgh\nIssued At: 2020-01-01T00:00:00Z","signature":"0x","chain":"ethereum"}`,
		`{"signerAddress":"{addr}","token":"{token}"}`,
		`{"token":"{token}","signerAddress":"{addr}","comment":"hello","threadId":"{thread}","url":"https%3A%2F%2Fexample.com%2Fpost","replyTo":"{comment}","tag1":"a","metadata":{"k":"v"}}`,
		`{"token":"{token}","signerAddress":"{addr}","commentId":"{comment}","comment":"edited"}`,
		`{"token":"{token}","signerAddress":"{addr}","commentId":"{comment}"}`,
		`{"token":"{token}","signerAddress":"{addr}","commentId":"{comment}","type":"toggleUpvote"}`,
		`{"token":"{token}","signerAddress":"{addr}","action":"create","threadId":"t2","title":"T","members":["x"],"metadata":[]}`,
		`{"token":"{token}","signerAddress":"{addr}","threadId":"t2"}`,
		`{"token":"{token}","signerAddress":"{addr}","comment":"` + strings.Repeat("x", 5000) + `","threadId":"{thread}","url":"%zz"}`,
		`{"chain":"near","signerAddress":"a.near","signature":"zz","timestamp":-1}`, ``, `null`, `[]`, `{"token":1}`,
	} {
		f.Add(uint8(i%len(convoFuzzRoutes)), []byte(s))
	}
	e := newEnv(f)
	w := newEthWallet(7)
	token := e.signIn(f, w)
	thread := "fuzz-thread"
	comment := e.postComment(f, w, token, thread, "first")
	fill := strings.NewReplacer("{token}", token, "{addr}", w.addr, "{comment}", comment, "{thread}", thread)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := convoFuzzRoutes[int(route)%len(convoFuzzRoutes)]
		method, path, _ := strings.Cut(rt, " ")
		b := fill.Replace(string(body))
		if (rt == "DELETE /api/comments" || rt == "DELETE /api/threads") && strings.Contains(b, comment) {
			b = strings.ReplaceAll(b, comment, "000000000000000000000000")
		}
		if rt == "DELETE /api/threads" {
			b = strings.ReplaceAll(b, thread, "another-thread")
		}
		res := e.do(t, method, path, b, "Content-Type", "application/json")
		if res.status >= 500 {
			t.Fatalf("%s: %d %s", rt, res.status, res.body)
		}
		var m map[string]any
		if err := json.Unmarshal(res.body, &m); res.status >= 400 && err != nil {
			t.Fatalf("%s: %d error is not a JSON object: %q", rt, res.status, res.body)
		}
		if res.status >= 400 {
			key := "error"
			if rt == "POST /api/auth" || rt == "POST /api/authV2" || rt == "POST /api/validateAuth" || rt == "POST /api/vote" {
				key = "message"
			}
			if msg, _ := m[key].(string); m["success"] != false || msg == "" && m["error"] == nil {
				t.Fatalf("%s: %d error not in Convo's format: %s", rt, res.status, res.body)
			}
			return
		}
		if rt != "POST /api/comments" {
			return
		}
		id, _ := m["_id"].(string)
		got := e.do(t, "GET", "/api/comment?commentId="+id, nil)
		var c map[string]any
		if got.status != http.StatusOK || json.Unmarshal(got.body, &c) != nil || c["text"] != m["text"] {
			t.Fatalf("accepted comment %s (%s) reads back as %d %s", id, res.body, got.status, got.body)
		}
	})
}
