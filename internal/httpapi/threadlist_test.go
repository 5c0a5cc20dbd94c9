package httpapi_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
)

func TestChannelThreads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	ada := e.as(t, e.MustUser(t, org, "ada", chat.LevelMember))
	anon := e.as(t, chat.Actor{})

	chID := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "general", "bits": map[string]bool{"chan_member": true}}), 200).data()["id"])
	path := "/v1/channels/" + chID + "/threads"
	var threads []string
	for i := range 3 {
		r := must(t, owner.do("POST", "/v1/threads", map[string]any{"text": fmt.Sprintf("topic %d", i), "xsr_ids": []string{chID}}), 200)
		threads = append(threads, str(r.Body["thread_id"]))
	}

	// Not joined yet: the channel is listed but its threads are not readable.
	if r := must(t, ada.do("GET", path, nil), 403); r.code() != "forbidden" {
		t.Errorf("not joined: %s", r.Raw)
	}
	must(t, ada.do("POST", "/v1/channels/"+chID+"/join", nil), 200)
	// Ada replies in the oldest topic: it moves to the top, unread for the
	// owner. (Activity times are milliseconds: let the clock pass the last
	// topic's, so the order is not a tie.)
	for created := e.Now(); !e.Now().After(created); {
		runtime.Gosched()
	}
	must(t, ada.do("POST", "/v1/chats", map[string]any{"thread_id": threads[0], "text": "bump"}), 200)

	list := must(t, owner.do("GET", path, nil), 200).list()
	if len(list) != 3 {
		t.Fatalf("got %d threads", len(list))
	}
	top := list[0].(map[string]any)
	if str(top["id"]) != threads[0] || top["num_chats"].(float64) != 2 || top["read"].(map[string]any)["num_unread"].(float64) != 1 {
		t.Errorf("top thread = %v; want the bumped one with 1 unread", top)
	}
	if top["chats"] != nil || str(top["url_path"]) != "topic-0/"+threads[0] {
		t.Errorf("top thread chats %v url_path %v", top["chats"], top["url_path"])
	}

	page := must(t, owner.do("GET", path+"?num=1&before="+threads[0], nil), 200).list()
	if len(page) != 1 || str(page[0].(map[string]any)["id"]) != threads[2] {
		t.Errorf("second page = %v, want the newest unbumped topic", page)
	}
	if page := must(t, owner.do("GET", path+"?before="+threads[1], nil), 200).list(); len(page) != 0 {
		t.Errorf("page after the last = %v", page)
	}

	for _, bad := range []string{"?num=0", "?num=x", "?before=3N1", "?before=zz", "?before=2Jfffff"} {
		if r := must(t, owner.do("GET", path+bad, nil), 400); r.code() != "invalid" {
			t.Errorf("%s: %s", bad, r.Raw)
		}
	}
	must(t, owner.do("GET", "/v1/channels/2N1/threads", nil), 400)
	must(t, owner.do("GET", "/v1/channels/3Iffffff/threads", nil), 404)
	must(t, anon.do("GET", path, nil), 404)
}
