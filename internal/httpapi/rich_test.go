package httpapi_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// TestRichChats drives the rich message features through /v1 as a group of
// three would: secure, voice, sticker, poll and ephemeral chats, pins,
// forwards, unsend, votes, reports and their moderation queue.
func TestRichChats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	annA, bobA := e.MustUser(t, org, "ann", chat.LevelMember), e.MustUser(t, org, "bob", chat.LevelMember)
	owner, ann, bob := e.as(t, ownerA), e.as(t, annA), e.as(t, bobA)
	uid := func(a chat.Actor) string { return fmt.Sprintf("4%c%x", 'O'-len(fmt.Sprintf("%x", a.UserID)), a.UserID) }
	th := must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "welcome", "user_ids": []string{uid(annA), uid(bobA)}}), 200).Body
	thID := str(th["thread_id"])
	dm := str(must(t, bob.do("POST", "/v1/threads", map[string]any{"text": "psst", "user_ids": []string{uid(ownerA)}}), 200).Body["thread_id"])

	post := func(c *client, body map[string]any) response {
		body["thread_id"] = thID
		return c.do("POST", "/v1/chats", body)
	}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		check  func(c map[string]any) bool
	}{
		{"secure", map[string]any{"text": "b64:AAEC", "encrypted": true, "encryption_algorithm": "AES-256-GCM", "signature": "sig"}, 200,
			func(c map[string]any) bool {
				return c["bits"].(map[string]any)["encrypted"] == true && c["encryption_algorithm"] == "AES-256-GCM" && c["signature"] == "sig"
			}},
		{"voice", map[string]any{"text": "listen", "attachments": []any{map[string]any{"kind": "voice", "url": "https://cdn.example.com/v.ogg"}}}, 200,
			func(c map[string]any) bool {
				return c["attachments"].([]any)[0].(map[string]any)["kind"] == "voice" && c["images"] == nil
			}},
		{"sticker without text", map[string]any{"attachments": []any{map[string]any{"kind": "sticker", "url": "https://cdn.example.com/s.webp"}}}, 200,
			func(c map[string]any) bool { return c["text"] == "" }},
		{"poll", map[string]any{"poll": map[string]any{"question": "Lunch?", "options": []string{"pizza", "sushi"}}}, 200,
			func(c map[string]any) bool { return len(c["poll"].(map[string]any)["votes"].([]any)) == 2 }},
		{"ephemeral", map[string]any{"text": "brief", "expires_in": 3600}, 200,
			func(c map[string]any) bool {
				return c["expires_at"].(float64) > 0 && c["bits"].(map[string]any)["ephemeral"] == true
			}},
		{"ephemeral for zero seconds", map[string]any{"text": "x", "expires_in": 0}, 400, nil},
		{"encrypted without algorithm", map[string]any{"text": "x", "encrypted": true}, 400, nil},
		{"poll with one option", map[string]any{"poll": map[string]any{"question": "q", "options": []string{"a"}}}, 400, nil},
		{"attachment of an unknown kind", map[string]any{"attachments": []any{map[string]any{"kind": "smell", "url": "https://x.example"}}}, 400, nil},
		{"unknown field", map[string]any{"text": "x", "expire_in": 5}, 400, nil},
	}
	ids := map[string]string{}
	for _, tt := range tests {
		r := post(ann, tt.body)
		if r.Status != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.name, r.Status, tt.status, r.Raw)
			continue
		}
		if tt.check != nil && !tt.check(r.data()) {
			t.Errorf("%s: chat %s", tt.name, r.Raw)
		}
		ids[tt.name] = str(r.Body["chat_id"])
	}

	// Pins: the author and the group's creator (its moderator) may; bob may not.
	must(t, bob.do("POST", "/v1/chats/"+ids["voice"]+"/pin", nil), 403)
	c := must(t, owner.do("POST", "/v1/chats/"+ids["voice"]+"/pin", map[string]any{"thread_id": thID}), 200).data()
	if c["bits"].(map[string]any)["pinned"] != true || c["pinned_by"] != uid(ownerA) {
		t.Errorf("pinned chat = %v", c)
	}
	must(t, owner.do("POST", "/v1/chats/"+ids["voice"]+"/pin", map[string]any{"thread_id": dm}), 400)
	c = must(t, ann.do("DELETE", "/v1/chats/"+ids["voice"]+"/pin", nil), 200).data()
	if c["bits"].(map[string]any)["pinned"] == true {
		t.Errorf("unpinned chat = %v", c)
	}

	// Forward bob's poll into his direct conversation; ann is not in it.
	fwd := must(t, bob.do("POST", "/v1/chats/"+ids["poll"]+"/forward", map[string]any{"thread_id": dm, "from_thread_id": thID}), 200)
	if d := fwd.data(); d["forwarded_from"] != ids["poll"] || d["author_id"] != uid(bobA) || d["thread_id"] != dm {
		t.Errorf("forwarded chat = %s", fwd.Raw)
	}
	must(t, ann.do("POST", "/v1/chats/"+ids["poll"]+"/forward", map[string]any{"thread_id": dm}), 404)
	must(t, ann.do("POST", "/v1/chats/"+ids["ephemeral"]+"/forward", map[string]any{"thread_id": thID}), 403)

	// Votes: one per user, changeable; missing options refused.
	must(t, bob.do("POST", "/v1/chats/"+ids["poll"]+"/vote", map[string]any{"option": 0}), 200)
	v := must(t, bob.do("POST", "/v1/chats/"+ids["poll"]+"/vote", map[string]any{"option": 1}), 200).data()
	if votes := v["poll"].(map[string]any)["votes"].([]any); votes[0].(float64) != 0 || votes[1].(float64) != 1 {
		t.Errorf("votes after a change = %v", votes)
	}
	must(t, bob.do("POST", "/v1/chats/"+ids["poll"]+"/vote", map[string]any{"option": 2}), 400)
	must(t, bob.do("POST", "/v1/chats/"+ids["poll"]+"/vote", map[string]any{}), 400)
	must(t, bob.do("POST", "/v1/chats/"+ids["voice"]+"/vote", map[string]any{"option": 0}), 400)

	// Unsend: only the author; the chat is gone.
	must(t, owner.do("POST", "/v1/chats/"+ids["sticker without text"]+"/unsend", nil), 403)
	must(t, ann.do("POST", "/v1/chats/"+ids["sticker without text"]+"/unsend", nil), 200)
	must(t, owner.do("GET", "/v1/chats/"+ids["sticker without text"], nil), 404)

	// Reports go to the admins' queue; resolving one as removed deletes the chat.
	rep := must(t, bob.do("POST", "/v1/chats/"+ids["voice"]+"/report", map[string]any{"reason": "spam"}), 200).data()
	if rep["reporter_id"] != uid(bobA) || rep["excerpt"] != "listen" || str(rep["id"])[0] != 'a' {
		t.Errorf("report = %v", rep)
	}
	sec := must(t, bob.do("POST", "/v1/chats/"+ids["secure"]+"/report", map[string]any{"reason": "weird"}), 200).data()
	if sec["excerpt"] != "" {
		t.Errorf("report of an encrypted chat has excerpt %q", sec["excerpt"])
	}
	must(t, bob.do("POST", "/v1/chats/"+ids["voice"]+"/report", map[string]any{"reason": ""}), 400)
	must(t, bob.do("GET", "/v1/reports", nil), 403)
	queue := must(t, owner.do("GET", "/v1/reports", nil), 200).list()
	if len(queue) != 2 {
		t.Fatalf("queue = %v", queue)
	}
	must(t, owner.do("GET", "/v1/reports?status=maybe", nil), 400)
	must(t, owner.do("POST", "/v1/reports/"+str(rep["id"])+"/resolve", map[string]any{"resolution": "shrug"}), 400)
	must(t, owner.do("POST", "/v1/reports/"+ids["voice"]+"/resolve", map[string]any{"resolution": "removed"}), 400) // a chat id
	done := must(t, owner.do("POST", "/v1/reports/"+str(rep["id"])+"/resolve", map[string]any{"resolution": "removed", "note": "spam"}), 200).data()
	if done["bits"].(map[string]any)["resolved"] != true || done["resolved_by"] != uid(ownerA) {
		t.Errorf("resolved report = %v", done)
	}
	must(t, owner.do("POST", "/v1/reports/"+str(rep["id"])+"/resolve", map[string]any{"resolution": "dismissed"}), 409)
	must(t, ann.do("GET", "/v1/chats/"+ids["voice"], nil), 404)
	if l := must(t, owner.do("GET", "/v1/reports?status=resolved", nil), 200).list(); len(l) != 1 {
		t.Errorf("resolved reports = %v", l)
	}
}

func TestScheduledChats(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	annA := e.MustUser(t, org, "ann", chat.LevelMember)
	owner, ann := e.as(t, ownerA), e.as(t, annA)
	uid := fmt.Sprintf("4%c%x", 'O'-len(fmt.Sprintf("%x", annA.UserID)), annA.UserID)
	thID := str(must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "hi", "user_ids": []string{uid}}), 200).Body["thread_id"])
	now := float64(time.Now().Unix())

	must(t, ann.do("POST", "/v1/scheduled", map[string]any{"thread_id": thID, "text": "x", "send_at": now + 4*365*86400}), 400)
	must(t, ann.do("POST", "/v1/scheduled", map[string]any{"thread_id": thID, "text": "x"}), 400)
	sent := must(t, ann.do("POST", "/v1/scheduled", map[string]any{"thread_id": thID, "text": "already late", "send_at": now - 60}), 200).data()
	if sent["state"] != "sent" || sent["id"] != "0" || str(sent["chat_id"])[0] != '1' {
		t.Errorf("a past send_at = %v, want sent now", sent)
	}
	sm := must(t, ann.do("POST", "/v1/scheduled", map[string]any{"thread_id": thID, "text": "tomorrow", "send_at": now + 86400,
		"attachments": []any{map[string]any{"kind": "voice", "url": "https://cdn.example.com/v.ogg"}}}), 200).data()
	if sm["state"] != "pending" || str(sm["id"])[0] != 'b' {
		t.Fatalf("scheduled = %v", sm)
	}
	if l := must(t, owner.do("GET", "/v1/scheduled", nil), 200).list(); len(l) != 0 {
		t.Errorf("the owner sees ann's scheduled chats: %v", l)
	}
	chats := must(t, owner.do("GET", "/v1/chats/"+thID, nil), 200).list()
	for _, c := range chats {
		if c.(map[string]any)["text"] == "tomorrow" {
			t.Error("a scheduled chat is visible before its time")
		}
	}
	if l := must(t, ann.do("GET", "/v1/scheduled", nil), 200).list(); len(l) != 1 {
		t.Errorf("ann's scheduled chats = %v", l)
	}
	must(t, owner.do("DELETE", "/v1/scheduled/"+str(sm["id"]), nil), 404)
	c := must(t, ann.do("DELETE", "/v1/scheduled/"+str(sm["id"]), nil), 200).data()
	if c["state"] != "canceled" {
		t.Errorf("canceled = %v", c)
	}
	must(t, ann.do("DELETE", "/v1/scheduled/"+str(sm["id"]), nil), 409)
	if l := must(t, ann.do("GET", "/v1/scheduled?all=true", nil), 200).list(); len(l) != 1 {
		t.Errorf("all of ann's scheduled chats = %v", l)
	}
}

// TestRichEventsOnWS checks the live frames of the rich features.
func TestRichEventsOnWS(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	annA := e.MustUser(t, org, "ann", chat.LevelMember)
	owner, ann := e.as(t, ownerA), e.as(t, annA)
	uid := fmt.Sprintf("4%c%x", 'O'-len(fmt.Sprintf("%x", annA.UserID)), annA.UserID)
	thID := str(must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "hi", "user_ids": []string{uid}}), 200).Body["thread_id"])
	ws := dialWS(t, e.srv.URL, ann, -1)
	time.Sleep(100 * time.Millisecond)
	// Each frame is awaited before the next change: an unsent chat takes
	// its earlier events out of the log, so a slow reader would only see
	// that it was unsent.
	expect := func(ev, id string) {
		t.Helper()
		for {
			// A subscription "from now" may still hear of the thread's
			// first events; skip what is not about this chat.
			f := ws.next()
			var d map[string]any
			json.Unmarshal(f.Data, &d)
			if f.Path != "server/event" || d["id"] != id && d["chat_id"] != id {
				continue
			}
			if f.Event != ev {
				t.Fatalf("frame %s %s, want %s", f.Event, f.Data, ev)
			}
			return
		}
	}
	id := str(must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": thID, "text": "pin"}), 200).Body["chat_id"])
	expect("message.created", id)
	must(t, owner.do("POST", "/v1/chats/"+id+"/pin", nil), 200)
	expect("message.pinned", id)
	must(t, owner.do("POST", "/v1/chats/"+id+"/unsend", nil), 200)
	expect("message.unsent", id)
}
