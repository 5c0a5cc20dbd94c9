package convo_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestThreads(t *testing.T) {
	e := newEnv(t)
	owner, mod, member, outsider := newEthWallet(41), newEthWallet(42), newEthWallet(43), newEthWallet(44)
	ot, mt, pt, xt := e.signIn(t, owner), e.signIn(t, mod), e.signIn(t, member), e.signIn(t, outsider)
	post := func(tok string, w *ethWallet, body map[string]any) response {
		t.Helper()
		body["token"], body["signerAddress"] = tok, w.addr
		return e.do(t, "POST", "/api/threads", body)
	}

	// create: a private thread. The booleans are stored as sent (the
	// original stored true as false) and the moderators as sent (the
	// original copied the members).
	res := post(ot, owner, map[string]any{"action": "create", "threadId": "club", "title": "The%20Club", "description": "Members only",
		"isReadPublic": false, "isWritePublic": false, "members": []string{strings.ToLower(member.addr), "not-an-address!"},
		"moderators": []string{mod.addr}, "keywords": []string{"Go", "chat"}, "url": "https%3A%2F%2Fexample.com%2Fclub"})
	if res.status != 200 {
		t.Fatalf("create = %d %s", res.status, res.body)
	}
	th := res.json(t)
	if th["_id"] != "club" || th["title"] != "The Club" || th["creator"] != owner.addr || th["isReadPublic"] != false ||
		th["url"] != "https://example.com/club" || th["keyword1"] != "chat" || th["keyword2"] != "go" || th["success"] != true {
		t.Errorf("created thread = %s", res.body)
	}
	if m := th["moderators"].([]any); len(m) != 2 {
		t.Errorf("moderators = %v, want the creator and the moderator", m)
	}
	if m := th["members"].([]any); len(m) != 3 {
		t.Errorf("members = %v, want creator, moderator and member", m)
	}
	if res := post(xt, outsider, map[string]any{"action": "create", "threadId": "club", "title": "t", "description": "d", "isReadPublic": true,
		"isWritePublic": true, "members": []string{}, "moderators": []string{}, "keywords": []string{}}); res.status != 400 ||
		!strings.Contains(string(res.body), "Thread already exists.") {
		t.Errorf("create twice = %d %s", res.status, res.body)
	}
	if res := post(ot, owner, map[string]any{"action": "create", "title": "t"}); res.status != 400 || !strings.Contains(string(res.body), "Invalid/Insufficient params.") {
		t.Errorf("create without flags = %d %s", res.status, res.body)
	}

	// Members comment; outsiders can neither write nor read.
	e.postComment(t, member, pt, "club", "inside")
	res = e.do(t, "POST", "/api/comments", map[string]any{"token": xt, "signerAddress": outsider.addr, "comment": "let me in", "threadId": "club", "url": "https://example.com/club"})
	if res.status != 401 || !strings.Contains(string(res.body), "not write-public") {
		t.Errorf("outsider comment = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/comments?threadId=club", nil); strings.TrimSpace(string(res.body)) != "[]" {
		t.Errorf("anonymous reads a private thread: %s", res.body)
	}
	if res := e.do(t, "GET", "/api/comments?threadId=club&token="+pt+"&signerAddress="+member.addr, nil); !strings.Contains(string(res.body), "inside") {
		t.Errorf("member cannot read with a token: %s", res.body)
	}

	steps := []struct {
		name   string
		tok    string
		w      *ethWallet
		body   map[string]any
		status int
		want   string
	}{
		{"outsider adds members", xt, outsider, map[string]any{"action": "addMembers", "threadId": "club", "members": []string{outsider.addr}}, 400, "Thread does not exist."},
		{"member adds outsider", pt, member, map[string]any{"action": "addMembers", "threadId": "club", "members": []string{outsider.addr}}, 200, `"success":true`},
		{"member removes a member", pt, member, map[string]any{"action": "removeMembers", "threadId": "club", "members": []string{outsider.addr}}, 400, "signerAddress not an Admin or a Moderator of the Thread."},
		{"member retitles", pt, member, map[string]any{"action": "updateTitle", "threadId": "club", "title": "Mine"}, 400, "not an Admin or a Moderator"},
		{"moderator retitles", mt, mod, map[string]any{"action": "updateTitle", "threadId": "club", "title": "New%20title"}, 200, `"success":true`},
		{"moderator describes", mt, mod, map[string]any{"action": "updateDescription", "threadId": "club", "description": "About"}, 200, `"success":true`},
		{"moderator promotes", mt, mod, map[string]any{"action": "addModerators", "threadId": "club", "moderators": []string{member.addr}}, 200, `"success":true`},
		{"moderator demotes", mt, mod, map[string]any{"action": "removeModerators", "threadId": "club", "moderators": []string{member.addr}}, 200, `"success":true`},
		{"SDK's togglePublicWrite", mt, mod, map[string]any{"action": "togglePublicWrite", "threadId": "club"}, 200, `"success":true`},
		{"togglePublicRead", mt, mod, map[string]any{"action": "togglePublicRead", "threadId": "club"}, 200, `"success":true`},
		{"unknown action", mt, mod, map[string]any{"action": "explode", "threadId": "club"}, 400, "Invalid Action."},
		{"missing thread", mt, mod, map[string]any{"action": "togglePublicRead", "threadId": "nope"}, 400, "Thread does not exist."},
		{"missing members", mt, mod, map[string]any{"action": "addMembers", "threadId": "club"}, 400, "Invalid/Insufficient params."},
		{"bad token", "x", mod, map[string]any{"action": "togglePublicRead", "threadId": "club"}, 401, "Invalid Auth"},
	}
	for _, s := range steps {
		if res := post(s.tok, s.w, s.body); res.status != s.status || !strings.Contains(string(res.body), s.want) {
			t.Errorf("%s: %d %s, want %d %s", s.name, res.status, res.body, s.status, s.want)
		}
	}
	res = e.do(t, "GET", "/api/threads/club", nil)
	var got struct {
		Threads []map[string]any `json:"threads"`
		Success bool             `json:"success"`
	}
	json.Unmarshal(res.body, &got)
	if !got.Success || len(got.Threads) != 1 || got.Threads[0]["title"] != "New title" || got.Threads[0]["isReadPublic"] != true ||
		got.Threads[0]["isWritePublic"] != true || got.Threads[0]["description"] != "About" || len(got.Threads[0]["members"].([]any)) != 4 {
		t.Errorf("GET /api/threads/club = %s", res.body)
	}
	// The outsider (now a member) may write in the public thread anyway.
	e.postComment(t, outsider, xt, "club", "now public")

	// Listings.
	post(ot, owner, map[string]any{"action": "create", "threadId": "second", "title": "Second", "description": "d", "isReadPublic": "true",
		"isWritePublic": "true", "members": []string{}, "moderators": []string{}, "keywords": []string{"go"}})
	for _, tt := range []struct{ query, want string }{
		{"creator=" + owner.addr, "club,second"},
		{"creator=" + owner.addr + "&latestFirst=true", "second,club"},
		{"creator=" + owner.addr + "&pageSize=1&page=1", "second"},
		{"member=" + strings.ToLower(member.addr), "club"},
		{"threadId=second", "second"},
		{"title=Second", "second"},
		{"creator=" + owner.addr + "&keyword1=go", "club,second"},
		{"creator=" + owner.addr + "&keyword1=chat", "club"},
		{"creator=" + owner.addr + "&isWritePublic=false", ""},
		{"allPublic=true", "second,club"},
	} {
		res := e.do(t, "GET", "/api/threads?"+tt.query, nil)
		var ths []map[string]any
		if err := json.Unmarshal(res.body, &ths); err != nil {
			t.Fatalf("GET /api/threads?%s = %d %s", tt.query, res.status, res.body)
		}
		var ids []string
		for _, th := range ths {
			ids = append(ids, th["_id"].(string))
		}
		if strings.Join(ids, ",") != tt.want {
			t.Errorf("GET /api/threads?%s = %v, want %s", tt.query, ids, tt.want)
		}
	}
	if res := e.do(t, "GET", "/api/threads?creator="+owner.addr+"&countOnly=true&pageSize=1", nil); strings.TrimSpace(string(res.body)) != `{"count":2,"success":true}` {
		t.Errorf("countOnly = %s", res.body)
	}
	if res := e.do(t, "GET", "/api/threads", nil); res.status != 400 {
		t.Errorf("no filter = %d %s", res.status, res.body)
	}
	res = e.do(t, "GET", "/api/threads/user/"+mod.addr, nil)
	if s := string(res.body); !strings.Contains(s, `"member":["club"]`) || !strings.Contains(s, `"moderator":["club"]`) || !strings.Contains(s, `"_id":"`+mod.addr) {
		t.Errorf("user threads = %s", res.body)
	}
	if res := e.do(t, "GET", "/api/threads/user/0x0000000000000000000000000000000000000009", nil); strings.TrimSpace(string(res.body)) != "{}" {
		t.Errorf("unknown user = %s", res.body)
	}
	if res := e.do(t, "GET", "/api/threads/user/NOT%20AN%20ADDRESS", nil); res.status != 400 {
		t.Errorf("bad address = %d %s", res.status, res.body)
	}

	// DELETE: moderators only; it takes the comments and frees the id.
	if res := e.do(t, "DELETE", "/api/threads", map[string]any{"token": pt, "signerAddress": member.addr, "threadId": "club"}); res.status != 400 {
		t.Errorf("member deletes = %d %s", res.status, res.body)
	}
	if res := e.do(t, "DELETE", "/api/threads", map[string]any{"token": mt, "signerAddress": mod.addr, "threadId": "club"}); strings.TrimSpace(string(res.body)) != `{"success":true}` {
		t.Errorf("moderator deletes = %d %s", res.status, res.body)
	}
	if res := e.do(t, "GET", "/api/comments?author="+member.addr, nil); strings.TrimSpace(string(res.body)) != "[]" {
		t.Errorf("comments of a deleted thread: %s", res.body)
	}
	if res := post(xt, outsider, map[string]any{"action": "create", "threadId": "club", "title": "t", "description": "d", "isReadPublic": true,
		"isWritePublic": true, "members": []string{}, "moderators": []string{}, "keywords": []string{}}); res.status != 200 {
		t.Errorf("re-create a deleted thread's id = %d %s", res.status, res.body)
	}
}

func TestFirstCommentOpensPublicPage(t *testing.T) {
	e := newEnv(t)
	a, b := newEthWallet(51), newEthWallet(52)
	at, bt := e.signIn(t, a), e.signIn(t, b)
	e.postComment(t, a, at, "blog/post-1", "one")
	e.postComment(t, b, bt, "blog/post-1", "two")
	res := e.do(t, "GET", "/api/threads/blog%2Fpost-1", nil)
	if !strings.Contains(string(res.body), `"isWritePublic":true`) || !strings.Contains(string(res.body), `"creator":"`+a.addr) ||
		!strings.Contains(string(res.body), `"members":[]`) {
		t.Errorf("page thread = %s", res.body)
	}
	// Nobody takes over a page that exists.
	res = e.do(t, "POST", "/api/threads", map[string]any{"token": bt, "signerAddress": b.addr, "action": "create", "threadId": "blog/post-1",
		"title": "mine", "description": "d", "isReadPublic": false, "isWritePublic": false, "members": []string{}, "moderators": []string{}, "keywords": []string{}})
	if res.status != 400 {
		t.Errorf("take over = %d %s", res.status, res.body)
	}
}
