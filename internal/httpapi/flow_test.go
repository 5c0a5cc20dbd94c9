package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
)

// TestWalkthrough drives the native API as a new team would: channels,
// threads, chats, paging, edits, reactions and read state.
func TestWalkthrough(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	bob := e.as(t, e.MustUser(t, org, "bob", chat.LevelMember))

	ch := must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "general", "bits": map[string]bool{"chan_member": true}}), 200).data()
	chID := str(ch["id"])
	if got := ch["members"].([]any); len(got) != 1 {
		t.Fatalf("creator should be the sole member, got %v", got)
	}

	created := must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "First topic", "xsr_ids": []string{chID}}), 200).Body
	thID, firstChat := str(created["thread_id"]), str(created["chat_id"])
	if !strings.HasPrefix(thID, "2") || !strings.HasPrefix(firstChat, "1") {
		t.Fatalf("ids %q %q are not typed thread/chat ids", thID, firstChat)
	}

	// Bob is not in the channel: the thread does not exist for him.
	must(t, bob.do("GET", "/v1/threads/"+thID, nil), 404)
	must(t, bob.do("POST", "/v1/chats", map[string]any{"thread_id": thID, "text": "let me in"}), 404)
	must(t, bob.do("POST", "/v1/channels/"+chID+"/join", nil), 200)

	var ids []string
	for i := range 25 {
		r := must(t, bob.do("POST", "/v1/chats", map[string]any{"thread_id": thID, "text": fmt.Sprintf("chat %d", i)}), 200)
		ids = append(ids, str(r.Body["chat_id"]))
	}
	// Pages are newest first; before is exclusive; an empty page is the end.
	page := must(t, owner.do("GET", "/v1/chats/"+thID+"?num=10", nil), 200).list()
	if len(page) != 10 || str(page[0].(map[string]any)["id"]) != ids[24] {
		t.Fatalf("first page: %d chats, first %v", len(page), page[0])
	}
	last := str(page[9].(map[string]any)["id"])
	page = must(t, owner.do("GET", "/v1/chats/"+thID+"?num=10&before="+last, nil), 200).list()
	if str(page[0].(map[string]any)["id"]) != ids[14] {
		t.Fatalf("second page starts at %v, want %s", page[0], ids[14])
	}
	page = must(t, owner.do("GET", "/v1/chats/"+thID+"?num=10&before="+firstChat, nil), 200).list()
	if len(page) != 0 {
		t.Fatalf("page before the first chat has %d chats", len(page))
	}

	// Unread is computed from the watermark.
	th := must(t, owner.do("GET", "/v1/threads/"+thID, nil), 200).data()
	if got := th["read"].(map[string]any)["num_unread"].(float64); got != 25 {
		t.Errorf("owner num_unread = %v, want 25", got)
	}
	must(t, owner.do("PUT", "/v1/read", map[string]any{"thread_id": thID, "chat_id": ids[19]}), 200)
	th = must(t, owner.do("GET", "/v1/threads/"+thID, nil), 200).data()
	if got := th["read"].(map[string]any)["num_unread"].(float64); got != 5 {
		t.Errorf("owner num_unread after read = %v, want 5", got)
	}
	if got := th["num_chats"].(float64); got != 26 {
		t.Errorf("num_chats = %v, want 26", got)
	}

	// Edits: author only.
	must(t, owner.do("PUT", "/v1/chats", map[string]any{"id": ids[0], "thread_id": thID, "text": "hijack"}), 403)
	must(t, bob.do("PUT", "/v1/chats", map[string]any{"id": ids[0], "thread_id": thID, "text": "chat 0, edited"}), 200)
	c := must(t, bob.do("GET", "/v1/chats/"+ids[0], nil), 200).Body["chat"].(map[string]any)
	if c["text"] != "chat 0, edited" || c["bits"].(map[string]any)["edited"] != true {
		t.Errorf("edited chat = %v", c)
	}

	// Reactions are blind writes, idempotent both ways.
	for range 2 {
		must(t, owner.do("POST", "/v1/reactions", map[string]any{"chat_id": ids[0], "name": "+1", "set": true}), 200)
	}
	must(t, bob.do("POST", "/v1/reactions", map[string]any{"chat_id": ids[0], "name": "+1", "set": true}), 200)
	c = must(t, bob.do("GET", "/v1/chats/"+ids[0], nil), 200).Body["chat"].(map[string]any)
	rs := c["reactions"].([]any)
	if len(rs) != 1 || rs[0].(map[string]any)["count"].(float64) != 2 || len(rs[0].(map[string]any)["user_ids"].([]any)) != 2 {
		t.Errorf("reactions = %v, want one +1 by two users", rs)
	}
	for range 2 {
		must(t, owner.do("POST", "/v1/reactions", map[string]any{"chat_id": ids[0], "name": "+1", "delete": true}), 200)
	}
	th = must(t, owner.do("GET", "/v1/threads/"+thID, nil), 200).data()
	if rs := th["reactions"].([]any); len(rs) != 1 || rs[0].(map[string]any)["count"].(float64) != 1 {
		t.Errorf("thread reactions = %v", rs)
	}

	// Deleting a chat leaves it out of pages.
	must(t, bob.do("DELETE", "/v1/chats/"+ids[24], nil), 200)
	page = must(t, owner.do("GET", "/v1/chats/"+thID+"?num=1", nil), 200).list()
	if str(page[0].(map[string]any)["id"]) != ids[23] {
		t.Errorf("newest chat after delete = %v", page[0])
	}
	must(t, owner.do("GET", "/v1/chats/"+ids[24], nil), 404)

	// A channel with threads cannot be deleted; hiding and deleting threads is
	// for admins.
	must(t, owner.do("PUT", "/v1/channels", map[string]any{"id": chID, "bits": map[string]bool{"deleted": true}}), 409)
	must(t, bob.do("PUT", "/v1/threads", map[string]any{"id": thID, "bits": map[string]bool{"deleted": true}}), 403)
	must(t, owner.do("PUT", "/v1/threads", []any{map[string]any{"id": thID, "bits": map[string]bool{"deleted": true}}}), 200)
	must(t, bob.do("GET", "/v1/threads/"+thID, nil), 404)
	must(t, owner.do("PUT", "/v1/channels", map[string]any{"id": chID, "bits": map[string]bool{"deleted": true}}), 200)
	if chans := must(t, owner.do("GET", "/v1/channels", nil), 200).list(); len(chans) != 0 {
		t.Errorf("deleted channel still listed: %v", chans)
	}
}

func TestIdempotentSends(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	ch := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "c", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	body := map[string]any{"text": "once", "xsr_ids": []string{ch}, "client_msg_id": "k-1"}
	a := must(t, owner.do("POST", "/v1/threads", body), 200).Body
	b := must(t, owner.do("POST", "/v1/threads", body), 200).Body
	if a["thread_id"] != b["thread_id"] || a["chat_id"] != b["chat_id"] {
		t.Fatalf("retry created a copy: %v vs %v", a, b)
	}
	th := str(a["thread_id"])
	msg := map[string]any{"thread_id": th, "text": "twice?", "client_msg_id": "k-2"}
	x := must(t, owner.do("POST", "/v1/chats", msg), 200).Body
	y := must(t, owner.do("POST", "/v1/chats", msg), 200).Body
	if x["chat_id"] != y["chat_id"] {
		t.Fatalf("retry stored a copy: %v vs %v", x["chat_id"], y["chat_id"])
	}
	if n := len(must(t, owner.do("GET", "/v1/chats/"+th, nil), 200).list()); n != 2 {
		t.Fatalf("thread has %d chats, want 2", n)
	}
}

func TestUsersAndRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	adminA := e.MustUser(t, org, "adam", chat.LevelAdmin)
	admin := e.as(t, adminA)
	member := e.as(t, e.MustUser(t, org, "mia", chat.LevelMember))

	// Only admins add users unless the org is open to join.
	must(t, member.do("POST", "/v1/users", map[string]any{"email": "new@example.com", "name": "New"}), 403)
	u := must(t, admin.do("POST", "/v1/users", map[string]any{"email": "new@example.com", "name": "New"}), 200).data()
	must(t, admin.do("POST", "/v1/users", map[string]any{"email": "NEW@example.com", "name": "Dup"}), 409)
	must(t, admin.do("POST", "/v1/users", map[string]any{"name": "No email"}), 400)
	must(t, owner.do("PUT", "/v1/org", map[string]any{"bits": map[string]bool{"org_open_join": true}}), 200)
	must(t, member.do("POST", "/v1/users", map[string]any{"email": "friend@example.com", "name": "Friend"}), 200)

	// Role changes: owner makes owners; admins make admins and mods; nobody
	// promotes themselves; "no_op" demotes.
	newID := str(u["id"])
	must(t, admin.do("PUT", "/v1/users", map[string]any{"id": newID, "bits": map[string]bool{"owner": true}}), 403)
	got := must(t, admin.do("PUT", "/v1/users", map[string]any{"id": newID, "bits": map[string]bool{"mod": true}}), 200).data()
	if got["bits"].(map[string]any)["mod"] != true {
		t.Errorf("bits after promotion = %v", got["bits"])
	}
	must(t, member.do("PUT", "/v1/users", map[string]any{"bits": map[string]bool{"admin": true}}), 403)
	must(t, member.do("PUT", "/v1/users", map[string]any{"id": newID, "name": "Renamed"}), 403)
	must(t, member.do("PUT", "/v1/users", map[string]any{"name": "Mia M."}), 200)
	got = must(t, owner.do("PUT", "/v1/users", map[string]any{"id": newID, "bits": "no_op"}), 200).data()
	if len(got["bits"].(map[string]any)) != 0 {
		t.Errorf("bits after no_op = %v, want {}", got["bits"])
	}
	must(t, owner.do("PUT", "/v1/users", map[string]any{"id": newID, "bits": "promote"}), 400)

	// Emails are shown to user managers and to the user only.
	for _, it := range must(t, member.do("GET", "/v1/users", nil), 200).list() {
		if m := it.(map[string]any); m["email"] != "" {
			t.Errorf("a member sees another user's email: %v", m)
		}
	}
	if got := must(t, admin.do("GET", "/v1/users/"+newID, nil), 200).data(); got["email"] != "new@example.com" {
		t.Errorf("admin sees email %v", got["email"])
	}
	must(t, member.do("GET", "/v1/users/4N0", nil), 400)
	must(t, member.do("GET", "/v1/users/4Kfff0", nil), 404)
	must(t, e.as(t, chat.Actor{}).do("GET", "/v1/users", nil), 401)
}

func TestOrgJoinAndCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	member := e.as(t, e.MustUser(t, org, "mia", chat.LevelMember))

	o := must(t, owner.do("GET", "/v1/org", nil), 200).data()
	secret := str(o["join_secret"])
	if secret == "" {
		t.Fatal("owner does not see the join secret")
	}
	if m := must(t, member.do("GET", "/v1/org", nil), 200).data(); m["join_secret"] != nil {
		t.Errorf("member sees the join secret")
	}
	must(t, owner.do("PUT", "/v1/org", map[string]any{"description": "Our team", "hostname": "team.example.com"}), 200)
	must(t, member.do("PUT", "/v1/org", map[string]any{"description": "x"}), 403)
	must(t, owner.do("PUT", "/v1/org", map[string]any{"hostname": "not a host"}), 400)

	anon := e.as(t, chat.Actor{})
	joined := must(t, anon.do("POST", "/v1/join", map[string]any{"join_secret": secret, "name": "Newcomer"}), 200).data()
	if str(joined["token"]) == "" {
		t.Fatal("join gave no token")
	}
	must(t, member.do("PUT", "/v1/join-secret", map[string]any{}), 403)
	rotated := must(t, owner.do("PUT", "/v1/join-secret", map[string]any{}), 200).data()
	if rotated["join_secret"] == secret {
		t.Fatal("join secret did not change")
	}
	must(t, anon.do("POST", "/v1/join", map[string]any{"join_secret": secret, "name": "Late"}), 404)
	must(t, anon.do("POST", "/v1/join", map[string]any{"join_secret": str(rotated["join_secret"]), "name": "On time"}), 200)

	// /create-org: the caller owns the new org through a new membership.
	created := must(t, member.do("POST", "/create-org", map[string]any{"name": "side", "title": "Side project"}), 200).Body
	tok := str(created["token"])
	side := &client{t: t, base: e.srv.URL, header: http.Header{"Authorization": {"Bearer " + tok}}}
	so := must(t, side.do("GET", "/v1/org", nil), 200).data()
	if so["title"] != "Side project" || so["join_secret"] == nil {
		t.Errorf("new org as its owner = %v", so)
	}
	if so["id"] == o["id"] {
		t.Error("create-org returned the caller's org")
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"malformed JSON", "POST", "/v1/chats", `{"thread_id":`, 400},
		{"not an object", "POST", "/v1/chats", `[1,2]`, 400},
		{"wrong type", "POST", "/v1/chats", `{"thread_id": 7, "text": "x"}`, 400},
		{"unknown field", "POST", "/v1/chats", `{"thread_id": "2N1", "text": "x", "bogus": 1}`, 400},
		{"trailing data", "POST", "/v1/chats", `{"thread_id": "2N1", "text": "x"} {}`, 400},
		{"empty body", "POST", "/v1/chats", ``, 400},
		{"wrong id kind", "POST", "/v1/chats", `{"thread_id": "3N1", "text": "x"}`, 400},
		{"bad length letter", "GET", "/v1/chats/1K1", nil, 400},
		{"leading zero", "GET", "/v1/chats/1M01", nil, 400},
		{"uppercase hex", "GET", "/v1/threads/2NA", nil, 400},
		{"id too long", "GET", "/v1/threads/2A123456789abcdef", nil, 400},
		{"missing thread", "GET", "/v1/threads/2Ifffff1", nil, 404},
		{"empty text", "POST", "/v1/threads", `{"text": "  ", "xsr_ids": ["3N1"]}`, 400},
		{"no place", "POST", "/v1/threads", `{"text": "hi"}`, 400},
		{"huge body", "POST", "/v1/chats", `{"thread_id": "2N1", "text": "` + strings.Repeat("x", 2<<20) + `"}`, 413},
		{"too long text", "POST", "/v1/threads", `{"text": "` + strings.Repeat("x", chat.MaxMessageLen+1) + `", "xsr_ids": ["3N1"]}`, 400},
		{"both set and delete", "POST", "/v1/reactions", `{"chat_id": "1N1", "name": "+1", "set": true, "delete": true}`, 400},
		{"bad channel bits", "POST", "/v1/channels", `{"name": "x", "bits": {"chan_member": true, "chan_anyone": true}}`, 400},
		{"no channel bits", "POST", "/v1/channels", `{"name": "x"}`, 400},
		{"bad page", "GET", "/v1/users?page=0", nil, 400},
		{"bad num", "GET", "/v1/chats/2N1?num=abc", nil, 400},
		{"bad upload handle", "GET", "/v1/files/../etc/passwd", nil, 404},
		{"not multipart", "POST", "/v1/upload", `{}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := owner.do(tt.method, tt.path, tt.body)
			if r.Status != tt.status {
				t.Fatalf("%s %s = %d, want %d; body %s", tt.method, tt.path, r.Status, tt.status, r.Raw)
			}
			if r.Status >= 400 && r.Status != http.StatusNotFound || r.Body != nil {
				if r.Body["ok"] != false || r.code() == "" || r.Body["request_id"] == "" {
					t.Errorf("error body = %s, want the native error envelope", r.Raw)
				}
			}
		})
	}
}

func TestUploads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	_, otherA := e.MustOrg(t)
	png := []byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 100))
	up := must(t, owner.upload("cat.png", "image/png", png), 200).data()
	if up["ctype"] != "image/png" || up["fname"] != "cat.png" || up["size"].(float64) != float64(len(png)) || !strings.HasPrefix(str(up["handle"]), "img-") {
		t.Fatalf("upload answer = %v", up)
	}
	url := str(up["url"])
	path := url[strings.Index(url, "/v1/files/"):]
	r := must(t, owner.do("GET", path, nil), 200)
	if string(r.Raw) != string(png) {
		t.Fatal("bytes differ")
	}
	// Another org cannot fetch it, nor can an anonymous visitor while the
	// file is not attached to anything public.
	must(t, e.as(t, otherA).do("GET", path, nil), 404)
	anon := e.as(t, chat.Actor{})
	anon.header.Set("X-Struct-Orgid", str(must(t, owner.do("GET", "/v1/org", nil), 200).data()["id"]))
	must(t, anon.do("GET", path, nil), 404)

	// Attached to a chat in a public channel, anyone may fetch it.
	ch := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "pub", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	th := must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "look", "xsr_ids": []string{ch}, "images": []string{str(up["handle"])}}), 200).Body
	c := must(t, anon.do("GET", "/v1/chats/"+str(th["chat_id"]), nil), 200).Body["chat"].(map[string]any)
	if imgs := c["images"].([]any); len(imgs) != 1 {
		t.Fatalf("chat images = %v", c["images"])
	}
	must(t, anon.do("GET", path, nil), 200)

	// HTML is never served as HTML.
	h := must(t, owner.upload("x.html", "text/html", []byte("<script>alert(1)</script>")), 200).data()
	hp := str(h["url"])[strings.Index(str(h["url"]), "/v1/files/"):]
	req, _ := http.NewRequest("GET", e.srv.URL+hp, nil)
	req.Header = owner.header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "application/octet-stream" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("HTML upload served as %q", ct)
	}
	// Attaching someone else's upload is refused.
	other := e.as(t, e.MustUser(t, org, "eve", chat.LevelMember))
	must(t, other.do("POST", "/v1/threads", map[string]any{"text": "steal", "xsr_ids": []string{ch}, "images": []string{str(h["handle"])}}), 400)
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, aA := e.MustOrg(t)
	_, bA := e.MustOrg(t)
	a, b := e.as(t, aA), e.as(t, bA)
	ch := str(must(t, a.do("POST", "/v1/channels", map[string]any{"name": "a-only", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	th := must(t, a.do("POST", "/v1/threads", map[string]any{"text": "secret plans", "xsr_ids": []string{ch}, "tags": []string{"plans"}}), 200).Body
	thID, chatID := str(th["thread_id"]), str(th["chat_id"])
	for _, tt := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/threads/" + thID, nil},
		{"GET", "/v1/chats/" + thID, nil},
		{"GET", "/v1/chats/" + chatID, nil},
		{"POST", "/v1/chats", map[string]any{"thread_id": thID, "text": "hi"}},
		{"PUT", "/v1/chats", map[string]any{"id": chatID, "text": "hi"}},
		{"DELETE", "/v1/chats/" + chatID, nil},
		{"POST", "/v1/reactions", map[string]any{"chat_id": chatID, "name": "x", "set": true}},
		{"PUT", "/v1/read", map[string]any{"thread_id": thID, "chat_id": chatID}},
		{"PUT", "/v1/threads", map[string]any{"id": thID, "bits": map[string]bool{"deleted": true}}},
		{"PUT", "/v1/threads/" + thID + "/tags", map[string]any{"tags": []string{"x"}}},
		{"POST", "/v1/threads", map[string]any{"text": "x", "xsr_ids": []string{ch}}},
		{"PUT", "/v1/channels", map[string]any{"id": ch, "name": "mine"}},
		{"PUT", "/v1/channel-bits", map[string]any{"id": ch, "bits": map[string]bool{"chan_hidden": true}}},
		{"POST", "/v1/channels/" + ch + "/join", nil},
		{"GET", "/v1/users/" + str(must(t, a.do("PUT", "/v1/users", map[string]any{}), 200).data()["id"]), nil},
	} {
		r := b.do(tt.method, tt.path, tt.body)
		if r.Status != 404 && r.Status != 403 {
			t.Errorf("%s %s as another org = %d %s", tt.method, tt.path, r.Status, r.Raw)
		}
		if strings.Contains(string(r.Raw), "secret plans") || strings.Contains(string(r.Raw), "a-only") {
			t.Errorf("%s %s leaks: %s", tt.method, tt.path, r.Raw)
		}
	}
	if l := must(t, b.do("GET", "/v1/channels", nil), 200).list(); len(l) != 0 {
		t.Errorf("other org lists channels %v", l)
	}
	if l := must(t, b.do("GET", "/v1/tags", nil), 200).list(); len(l) != 0 {
		t.Errorf("other org sees tags %v", l)
	}
	if l := must(t, a.do("GET", "/v1/tags", nil), 200).list(); len(l) != 1 {
		t.Errorf("own tags = %v", l)
	}
}
