package convo_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestComments(t *testing.T) {
	e := newEnv(t)
	alice, bob := newEthWallet(11), newEthWallet(12)
	at, bt := e.signIn(t, alice), e.signIn(t, bob)

	// POST: the answer is the stored comment with success.
	res := e.do(t, "POST", "/api/comments", map[string]any{"token": at, "signerAddress": alice.addr, "comment": "First!",
		"threadId": "page-1", "url": url.QueryEscape("https://example.com/a?b=1"), "tag1": "news", "metadata": map[string]any{"k": "v"}})
	if res.status != 200 {
		t.Fatalf("post: %d %s", res.status, res.body)
	}
	first := res.json(t)
	for k, want := range map[string]any{"success": true, "author": alice.addr, "text": "First!", "tid": "page-1",
		"url": "https://example.com/a?b=1", "tag1": "news", "tag2": "", "chain": "ethereum", "replyTo": ""} {
		if first[k] != want {
			t.Errorf("posted %s = %v, want %v", k, first[k], want)
		}
	}
	id1 := first["_id"].(string)
	if len(id1) != 24 {
		t.Errorf("comment id %q is not 24 characters", id1)
	}
	res = e.do(t, "POST", "/api/comments", map[string]any{"token": bt, "signerAddress": bob.addr, "comment": "Reply",
		"threadId": "page-1", "url": "https://example.com/a?b=1", "replyTo": id1, "tag2": "x"})
	id2 := res.json(t)["_id"].(string)
	e.postComment(t, bob, bt, "page-2", "Elsewhere")

	bad := []struct {
		name string
		body map[string]any
		want int
		text string
	}{
		{"blank comment", map[string]any{"token": at, "signerAddress": alice.addr, "comment": "  ", "threadId": "p", "url": "https://e.com"}, 400, "Invalid/Incomplete params"},
		{"no thread", map[string]any{"token": at, "signerAddress": alice.addr, "comment": "x", "url": "https://e.com"}, 400, "Invalid/Incomplete params"},
		{"ftp url", map[string]any{"token": at, "signerAddress": alice.addr, "comment": "x", "threadId": "p", "url": "ftp://e.com"}, 400, "Invalid/Incomplete params"},
		{"reply to another thread", map[string]any{"token": at, "signerAddress": alice.addr, "comment": "x", "threadId": "page-2", "url": "https://e.com", "replyTo": id1}, 400, "Invalid/Incomplete params"},
		{"metadata not an object", map[string]any{"token": at, "signerAddress": alice.addr, "comment": "x", "threadId": "p", "url": "https://e.com", "metadata": []int{1}}, 400, "Invalid/Incomplete params"},
		{"token of someone else", map[string]any{"token": bt, "signerAddress": alice.addr, "comment": "x", "threadId": "p", "url": "https://e.com"}, 401, `"error":"Invalid Auth"`},
		{"no token", map[string]any{"signerAddress": alice.addr, "comment": "x", "threadId": "p", "url": "https://e.com"}, 401, "Invalid Auth"},
	}
	for _, tt := range bad {
		t.Run("post/"+tt.name, func(t *testing.T) {
			res := e.do(t, "POST", "/api/comments", tt.body)
			if res.status != tt.want || !strings.Contains(string(res.body), tt.text) {
				t.Errorf("POST /api/comments = %d %s, want %d %s", res.status, res.body, tt.want, tt.text)
			}
		})
	}

	list := func(t *testing.T, query string) []map[string]any {
		t.Helper()
		res := e.do(t, "GET", "/api/comments?"+query, nil)
		if res.status != 200 {
			t.Fatalf("GET /api/comments?%s = %d %s", query, res.status, res.body)
		}
		var out []map[string]any
		if err := json.Unmarshal(res.body, &out); err != nil {
			t.Fatalf("GET /api/comments?%s: %s", query, res.body)
		}
		return out
	}
	ids := func(cs []map[string]any) string {
		var s []string
		for _, c := range cs {
			s = append(s, c["text"].(string))
		}
		return strings.Join(s, ",")
	}
	for _, tt := range []struct{ query, want string }{
		{"threadId=page-1", "First!,Reply"},
		{"threadId=page-1&latestFirst=true", "Reply,First!"},
		{"url=" + url.QueryEscape(url.QueryEscape("https://example.com/a?b=1")), "First!,Reply"},
		{"url=" + url.QueryEscape("https://example.com/a?b=1"), "First!,Reply"},
		{"author=" + strings.ToLower(bob.addr), "Reply,Elsewhere"},
		{"threadId=page-1&tag1=news", "First!"},
		{"threadId=page-1&tag2=x", "Reply"},
		{"threadId=page-1&replyTo=" + id1, "Reply"},
		{"threadId=page-1&page=1&pageSize=1", "Reply"},
		{"threadId=page-1&page=2&pageSize=1", ""},
		{"threadId=nope", ""},
		{"author=0x0000000000000000000000000000000000000001", ""},
	} {
		if got := ids(list(t, tt.query)); got != tt.want {
			t.Errorf("GET /api/comments?%s = %q, want %q", tt.query, got, tt.want)
		}
	}
	got := list(t, "threadId=page-1")[1]
	if got["replyTo"] != id1 || got["authorENS"] != false || got["tag2"] != "x" {
		t.Errorf("reply = %v", got)
	}
	if res := e.do(t, "GET", "/api/comments?tag1=news", nil); res.status != 400 || !strings.Contains(string(res.body), "Invalid/Incomplete params") {
		t.Errorf("no key filter = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/comments?threadId=page-1&countOnly=true&page=0&pageSize=1", nil); string(res.body) != `{"count":2,"success":true}`+"\n" {
		t.Errorf("countOnly = %s", res.body)
	}
	if res := e.do(t, "GET", "/api/comments?author="+bob.addr+"&airdrop=true", nil); !strings.Contains(string(res.body), `"addresses":["`+bob.addr+`"]`) {
		t.Errorf("airdrop = %s", res.body)
	}
	res = e.do(t, "GET", "/api/comments?threadId=page-1&airdrop=true&airdropMode=csv&airdropAmount=5", nil)
	if res.header.Get("Content-Type") != "text/csv" || string(res.body) != alice.addr+",5\n"+bob.addr+",5" {
		t.Errorf("airdrop csv = %q %q", res.header.Get("Content-Type"), res.body)
	}

	// GET /api/comment.
	if res := e.do(t, "GET", "/api/comment?commentId="+id1, nil); res.status != 200 || res.json(t)["text"] != "First!" {
		t.Errorf("GET comment = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/comment?commentId=xyz", nil); res.status != 400 || !strings.Contains(string(res.body), "Invalid commentId.") {
		t.Errorf("GET bad comment id = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/comment?commentId=00000000000000000000ZZZZ", nil); res.status != 404 || !strings.Contains(string(res.body), "commentId not found.") {
		t.Errorf("GET missing comment = %d %s", res.status, res.body)
	}

	// PATCH: the author only, with history.
	if res := e.do(t, "PATCH", "/api/comments", map[string]any{"token": bt, "signerAddress": bob.addr, "commentId": id1, "comment": "hijack"}); res.status != 401 ||
		!strings.Contains(string(res.body), "A user can only edit their own comment.") {
		t.Errorf("PATCH by another = %d %s", res.status, res.body)
	}
	if res := e.do(t, "PATCH", "/api/comments", map[string]any{"token": at, "signerAddress": alice.addr, "commentId": id1, "comment": "First, edited"}); res.status != 200 {
		t.Errorf("PATCH = %d %s", res.status, res.body)
	}
	c := e.do(t, "GET", "/api/comment?commentId="+id1, nil).json(t)
	hist, _ := c["editHistory"].([]any)
	if c["text"] != "First, edited" || len(hist) != 1 || hist[0].(map[string]any)["text"] != "First!" {
		t.Errorf("edited comment = %v", c)
	}
	if res := e.do(t, "PATCH", "/api/comments", map[string]any{"token": at, "signerAddress": alice.addr, "commentId": "00000000000000000000ZZZZ", "comment": "x"}); res.status != 404 {
		t.Errorf("PATCH missing = %d %s", res.status, res.body)
	}

	// Votes toggle; the two lists are independent.
	for _, tt := range []struct {
		typ, want string
		status    int
	}{
		{"toggleUpvote", `{"success":true}`, 200},
		{"TOGGLEDOWNVOTE", `{"success":true}`, 200},
		{"like", `{"message":"Invalid type.","success":false}`, 400},
	} {
		res := e.do(t, "POST", "/api/vote", map[string]any{"token": bt, "signerAddress": bob.addr, "commentId": id1, "type": tt.typ})
		if res.status != tt.status || strings.TrimSpace(string(res.body)) != tt.want {
			t.Errorf("vote %s = %d %s", tt.typ, res.status, res.body)
		}
	}
	c = e.do(t, "GET", "/api/comment?commentId="+id1, nil).json(t)
	if up, down := c["upvotes"].([]any), c["downvotes"].([]any); len(up) != 1 || up[0] != bob.addr || len(down) != 1 {
		t.Errorf("after votes: %v %v", c["upvotes"], c["downvotes"])
	}
	e.do(t, "POST", "/api/vote", map[string]any{"token": bt, "signerAddress": bob.addr, "commentId": id1, "type": "toggleUpvote"})
	if c = e.do(t, "GET", "/api/comment?commentId="+id1, nil).json(t); len(c["upvotes"].([]any)) != 0 {
		t.Errorf("upvote did not toggle off: %v", c["upvotes"])
	}
	for _, tt := range []struct {
		body   map[string]any
		status int
		want   string
	}{
		{map[string]any{"token": bt, "signerAddress": bob.addr, "type": "toggleUpvote"}, 400, "type or commentId is missing."},
		{map[string]any{"token": "x", "signerAddress": bob.addr, "commentId": id1, "type": "toggleUpvote"}, 400, "signerAddress or token is missing/invalid."},
		{map[string]any{"token": bt, "signerAddress": bob.addr, "commentId": "00000000000000000000ZZZZ", "type": "toggleUpvote"}, 200, `{"success":false}`},
	} {
		if res := e.do(t, "POST", "/api/vote", tt.body); res.status != tt.status || !strings.Contains(string(res.body), tt.want) {
			t.Errorf("vote %v = %d %s", tt.body, res.status, res.body)
		}
	}
	if res := e.do(t, "GET", "/api/vote", nil); res.status != 404 || !strings.Contains(string(res.body), `"message":"Invalid Request Method"`) {
		t.Errorf("GET /api/vote = %d %s", res.status, res.body)
	}
	if res := e.do(t, "PUT", "/api/comments", nil); res.status != 404 || !strings.Contains(string(res.body), `"error":"Invalid request method."`) {
		t.Errorf("PUT /api/comments = %d %s", res.status, res.body)
	}
	if res := e.do(t, "OPTIONS", "/api/comments", nil, "X-No-Key", "1"); res.status != 200 || res.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("OPTIONS = %d %v", res.status, res.header)
	}

	// DELETE: the author only; deleteAll takes every comment of the signer.
	if res := e.do(t, "DELETE", "/api/comments", map[string]any{"token": bt, "signerAddress": bob.addr, "commentId": id1}); res.status != 401 ||
		!strings.Contains(string(res.body), "A user can only delete their own comment.") {
		t.Errorf("DELETE by another = %d %s", res.status, res.body)
	}
	if res := e.do(t, "DELETE", "/api/comments", map[string]any{"token": at, "signerAddress": alice.addr, "commentId": id1}); string(res.body) != "{\"success\":true}\n" {
		t.Errorf("DELETE = %d %s", res.status, res.body)
	}
	if res := e.do(t, "DELETE", "/api/comments", map[string]any{"token": at, "signerAddress": alice.addr, "commentId": id1}); res.status != 200 ||
		!strings.Contains(string(res.body), `"error":"Invalid commentId."`) {
		t.Errorf("DELETE twice = %d %s", res.status, res.body)
	}
	if res := e.do(t, "DELETE", "/api/comments", map[string]any{"token": bt, "signerAddress": bob.addr, "deleteAll": true}); res.status != 200 {
		t.Errorf("deleteAll = %d %s", res.status, res.body)
	}
	if got := ids(list(t, "author="+bob.addr)); got != "" {
		t.Errorf("after deleteAll: %q", got)
	}
	_ = id2
}

func TestOrgIsolation(t *testing.T) {
	e := newEnv(t)
	alice := newEthWallet(21)
	tok := e.signIn(t, alice)
	id := e.postComment(t, alice, tok, "shared-id", "org A only")
	b := e.withKey(e.newKey(t))
	if res := b.do(t, "GET", "/api/comments?threadId=shared-id", nil); strings.TrimSpace(string(res.body)) != "[]" {
		t.Errorf("org B sees org A's comments: %s", res.body)
	}
	if res := b.do(t, "GET", "/api/comment?commentId="+id, nil); res.status != 404 {
		t.Errorf("org B reads org A's comment: %d %s", res.status, res.body)
	}
	// Org A's token is refused with org B's key.
	res := b.do(t, "POST", "/api/comments", map[string]any{"token": tok, "signerAddress": alice.addr, "comment": "x", "threadId": "shared-id", "url": "https://e.com"})
	if res.status != 401 {
		t.Errorf("org A token with org B key = %d %s", res.status, res.body)
	}
	for _, m := range []string{"PATCH", "DELETE"} {
		res := b.do(t, m, "/api/comments", map[string]any{"token": b.signIn(t, alice), "signerAddress": alice.addr, "commentId": id, "comment": "x"})
		if !strings.Contains(string(res.body), "not found") && !strings.Contains(string(res.body), "Invalid commentId") {
			t.Errorf("%s across orgs = %d %s", m, res.status, res.body)
		}
	}
	if res := e.do(t, "GET", "/api/comment?commentId="+id, nil); res.json(t)["text"] != "org A only" {
		t.Errorf("org A's comment changed: %s", res.body)
	}
}

func TestAPIKeys(t *testing.T) {
	e := newEnv(t)
	alice := newEthWallet(31)
	tok := e.signIn(t, alice)
	// The operator mints a key for a new org, and one for an existing org.
	res := e.do(t, "POST", "/api/apikey", map[string]any{}, "X-No-Key", "1", "Client-Secret", "test-client-secret")
	if res.status != 200 || !strings.HasPrefix(res.json(t)["activeKey"].(string), "CS") || len(res.json(t)["activeKey"].(string)) != 40 {
		t.Fatalf("operator mint = %d %s", res.status, res.body)
	}
	res = e.do(t, "POST", "/api/apikey", map[string]any{"org": e.org.Slug}, "X-No-Key", "1", "Client-Secret", "test-client-secret")
	if res.status != 200 || res.json(t)["org"] != e.org.Slug {
		t.Fatalf("operator mint for org = %d %s", res.status, res.body)
	}
	if res := e.do(t, "POST", "/api/apikey", map[string]any{}, "X-No-Key", "1", "Client-Secret", "wrong"); res.status != 401 {
		t.Errorf("wrong client secret = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/apikey?org="+e.org.Slug, nil, "X-No-Key", "1", "Client-Secret", "test-client-secret"); res.status != 200 ||
		!strings.Contains(string(res.body), e.key+"-usage-") {
		t.Errorf("operator list = %d %s", res.status, res.body)
	}
	// A signer has no key, then mints and rotates.
	q := "/api/apikey?token=" + url.QueryEscape(tok) + "&signerAddress=" + alice.addr
	if res := e.do(t, "GET", q, nil, "X-No-Key", "1"); strings.TrimSpace(string(res.body)) != `{"activeKey":null,"success":true}` {
		t.Errorf("no key yet = %s", res.body)
	}
	first := e.do(t, "POST", "/api/apikey", map[string]any{"token": tok, "signerAddress": alice.addr}, "X-No-Key", "1").json(t)["activeKey"].(string)
	var last string
	for i := 0; i < 5; i++ {
		last = e.do(t, "POST", "/api/apikey", map[string]any{"token": tok, "signerAddress": alice.addr}, "X-No-Key", "1").json(t)["activeKey"].(string)
	}
	res = e.do(t, "POST", "/api/apikey", map[string]any{"token": tok, "signerAddress": alice.addr}, "X-No-Key", "1")
	if res.status != 200 || res.json(t)["success"] != false || !strings.Contains(res.json(t)["error"].(string), "Limit of") {
		t.Errorf("sixth rotation = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/ping?apikey="+first, nil); res.status != 200 {
		t.Errorf("ping = %d", res.status)
	}
	if res := e.do(t, "GET", "/api/comments?threadId=x&apikey="+first, nil, "X-No-Key", "1"); res.status != 401 {
		t.Errorf("a rotated-out key = %d %s", res.status, res.body)
	}
	res = e.do(t, "GET", "/api/comments?threadId=x&apikey="+last, nil, "X-No-Key", "1")
	if res.status != 200 || res.header.Get("X-Rate-Limit-Limit") != "1000000" || res.header.Get("X-Rate-Limit-Remaining") != "999999" {
		t.Errorf("new key = %d %v", res.status, res.header)
	}
	res = e.do(t, "GET", q, nil, "X-No-Key", "1")
	if got := res.json(t); got["activeKey"] != last || len(got["pastKeys"].([]any)) != 5 || !strings.Contains(string(res.body), last+"-usage-") {
		t.Errorf("keys = %s", res.body)
	}
	if res := e.do(t, "GET", "/api/apikey?token=x&signerAddress="+alice.addr, nil, "X-No-Key", "1"); res.status != 401 || !strings.Contains(string(res.body), "Invalid Auth") {
		t.Errorf("bad token = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/ping", nil, "X-No-Key", "1"); string(res.body) != "{\"message\":\"Heyo 🚀\",\"success\":true}\n" {
		t.Errorf("ping = %s", res.body)
	}
}
