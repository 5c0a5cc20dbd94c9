package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// threadIDs returns the ids of the threads of a list answer, in order.
func threadIDs(r response) []string {
	ids := []string{}
	for _, it := range r.list() {
		ids = append(ids, str(it.(map[string]any)["id"]))
	}
	return ids
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// highlight returns the highlight of field in the first thread of r.
func highlight(t *testing.T, r response, field string) (snippet string, tokens []string) {
	t.Helper()
	l := r.list()
	if len(l) == 0 {
		t.Fatalf("no results: %s", r.Raw)
	}
	h, _ := l[0].(map[string]any)["highlight"].(map[string]any)
	f, _ := h[field].(map[string]any)
	if f == nil {
		t.Fatalf("no %s highlight in %s", field, r.Raw)
	}
	for _, tok := range f["matched_tokens"].([]any) {
		tokens = append(tokens, str(tok))
	}
	return str(f["snippet"]), tokens
}

// channel creates a channel as c and returns its id.
func channel(t *testing.T, c *client, name, vis string) string {
	t.Helper()
	return str(must(t, c.do("POST", "/v1/channels", map[string]any{"name": name, "bits": map[string]bool{vis: true}}), 200).data()["id"])
}

// post starts a thread and returns its id.
func post(t *testing.T, c *client, body map[string]any) string {
	t.Helper()
	return str(must(t, c.do("POST", "/v1/threads", body), 200).Body["thread_id"])
}

func reply(t *testing.T, c *client, thread, text string) string {
	t.Helper()
	return str(must(t, c.do("POST", "/v1/chats", map[string]any{"thread_id": thread, "text": text}), 200).Body["chat_id"])
}

func search(t *testing.T, c *client, path string, body map[string]any) response {
	t.Helper()
	return must(t, c.do("POST", path, body), 200)
}

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	alice := e.as(t, e.MustUser(t, org, "alice", chat.LevelMember))
	general := channel(t, owner, "general", "chan_member")
	secret := channel(t, owner, "secret", "chan_member")
	public := channel(t, owner, "public", "chan_anyone")
	must(t, alice.do("POST", "/v1/channels/"+general+"/join", nil), 200)

	rocket := post(t, owner, map[string]any{"text": "Deploying the new rocket engine\nwith notes", "xsr_ids": []string{general}, "tags": []string{"ops"}})
	var deep string
	for i := range 30 {
		text := fmt.Sprintf("filler chat number %d", i)
		if i == 17 {
			text = "the telemetry shows a glitch in stage two"
		}
		id := reply(t, owner, rocket, text)
		if i == 17 {
			deep = id
		}
	}
	e.Clock.Advance(time.Hour)
	food := post(t, owner, map[string]any{"text": "東京タワーの写真と北京烤鸭のレシピ", "xsr_ids": []string{general}, "tags": []string{"food"}})
	reply(t, alice, food, "我们明天在北京见面吧")
	e.Clock.Advance(time.Hour)
	vault := post(t, owner, map[string]any{"text": "rocket secrets in the vault", "xsr_ids": []string{secret}})
	party := post(t, owner, map[string]any{"text": `Rocket launch <b>party</b> & "cake"`, "xsr_ids": []string{public}})

	_, otherA := e.MustOrg(t)
	other := e.as(t, otherA)
	elsewhere := post(t, other, map[string]any{"text": "rocket telemetry elsewhere", "xsr_ids": []string{channel(t, other, "x", "chan_anyone")}})

	t.Run("BySubject", func(t *testing.T) {
		r := search(t, alice, "/v1/search", map[string]any{"q": "deploying"})
		if got := threadIDs(r); !slices.Equal(got, []string{rocket}) {
			t.Fatalf("deploying = %v, want [%s]", got, rocket)
		}
		snippet, tokens := highlight(t, r, "subject")
		if snippet != "<mark>Deploying</mark> the new rocket engine" || !slices.Equal(tokens, []string{"Deploying"}) {
			t.Errorf("subject highlight = %q %v", snippet, tokens)
		}
		if th := r.list()[0].(map[string]any); th["chats"] != nil || th["read"] == nil {
			t.Errorf("search result has chats %v, read %v; want no chats and a read state", th["chats"], th["read"])
		}
	})
	t.Run("ByAWordDeepInAReply", func(t *testing.T) {
		r := search(t, alice, "/v1/search", map[string]any{"q": "TELEMETRY"})
		if got := threadIDs(r); !slices.Equal(got, []string{rocket}) {
			t.Fatalf("telemetry = %v, want [%s]", got, rocket)
		}
		snippet, _ := highlight(t, r, "chats")
		if snippet != "the <mark>telemetry</mark> shows a glitch in stage two" {
			t.Errorf("chats highlight = %q", snippet)
		}
	})
	t.Run("ByCJKFragments", func(t *testing.T) {
		for _, q := range []string{"北京", "京烤", "见面", "明天在", "東京", "タワー", "写真", "レシピ"} {
			r := search(t, alice, "/v1/search", map[string]any{"q": q})
			if got := threadIDs(r); !slices.Equal(got, []string{food}) {
				t.Errorf("%s = %v, want [%s]", q, got, food)
			}
		}
		r := search(t, alice, "/v1/search", map[string]any{"q": "见面"})
		if snippet, _ := highlight(t, r, "chats"); snippet != "我们明天在北京<mark>见面</mark>吧" {
			t.Errorf("chats highlight = %q", snippet)
		}
		r = search(t, alice, "/v1/search", map[string]any{"q": "タワー"})
		if snippet, _ := highlight(t, r, "subject"); snippet != "東京<mark>タワー</mark>の写真と北京烤鸭のレシピ" {
			t.Errorf("subject highlight = %q", snippet)
		}
	})
	t.Run("OnlyWhatTheReaderMaySee", func(t *testing.T) {
		tests := []struct {
			name string
			c    *client
			want []string
		}{
			{"member", alice, []string{rocket, party}},
			{"owner", owner, []string{rocket, vault, party}},
			{"other org", other, []string{elsewhere}},
		}
		for _, tt := range tests {
			if got := threadIDs(search(t, tt.c, "/v1/search", map[string]any{"q": "rocket"})); !sameSet(got, tt.want) {
				t.Errorf("%s: rocket = %v, want %v", tt.name, got, tt.want)
			}
		}
		anon := e.as(t, chat.Actor{})
		anon.header.Set("X-Struct-Orgid", str(must(t, owner.do("GET", "/v1/org", nil), 200).data()["id"]))
		if got := threadIDs(search(t, anon, "/v1/search", map[string]any{"q": "rocket"})); !slices.Equal(got, []string{party}) {
			t.Errorf("anonymous: rocket = %v, want [%s]", got, party)
		}
		if got := threadIDs(search(t, alice, "/v1/search", map[string]any{"q": "vault"})); len(got) != 0 {
			t.Errorf("alice finds the secret channel's thread: %v", got)
		}
		if got := threadIDs(search(t, alice, "/v1/search", map[string]any{"q": "elsewhere"})); len(got) != 0 {
			t.Errorf("alice finds another org's thread: %v", got)
		}
		r := search(t, alice, "/v1/search", map[string]any{"q": "*"})
		if got := threadIDs(r); !slices.Equal(got, []string{party, food, rocket}) {
			t.Errorf("* = %v, want every visible thread, most recently active first", got)
		}
		if strings.Contains(string(r.Raw), "vault") || strings.Contains(string(r.Raw), "elsewhere") {
			t.Errorf("listing leaks: %s", r.Raw)
		}
	})
	t.Run("HighlightsAreEscaped", func(t *testing.T) {
		r := search(t, alice, "/v1/search", map[string]any{"q": "party"})
		snippet, _ := highlight(t, r, "subject")
		if want := "Rocket launch &lt;b&gt;<mark>party</mark>&lt;/b&gt; &amp; &#34;cake&#34;"; snippet != want {
			t.Errorf("snippet = %q, want %q", snippet, want)
		}
	})
	t.Run("FeedSearch", func(t *testing.T) {
		r := search(t, alice, "/v1/feed/search", map[string]any{"q": "telemetry"})
		l := r.list()
		if len(l) != 1 {
			t.Fatalf("feed search = %s", r.Raw)
		}
		th := l[0].(map[string]any)
		chats := th["chats"].([]any)
		if len(chats) != chat.FeedChats || str(chats[len(chats)-1].(map[string]any)["text"]) != "filler chat number 29" {
			t.Errorf("feed thread chats = %v, want the newest %d, oldest first", chats, chat.FeedChats)
		}
		if _, ok := th["highlight"].(map[string]any)["chats"]; !ok {
			t.Errorf("no chats highlight: %v", th["highlight"])
		}
	})
	t.Run("EditsAndDeletes", func(t *testing.T) {
		must(t, owner.do("PUT", "/v1/chats", map[string]any{"id": deep, "text": "all nominal now"}), 200)
		if got := threadIDs(search(t, alice, "/v1/search", map[string]any{"q": "telemetry"})); len(got) != 0 {
			t.Errorf("edited-away word still found: %v", got)
		}
		if got := threadIDs(search(t, alice, "/v1/search", map[string]any{"q": "nominal"})); !slices.Equal(got, []string{rocket}) {
			t.Errorf("edited-in word = %v", got)
		}
		must(t, owner.do("DELETE", "/v1/chats/"+deep, nil), 200)
		if got := threadIDs(search(t, alice, "/v1/search", map[string]any{"q": "nominal"})); len(got) != 0 {
			t.Errorf("deleted chat still found: %v", got)
		}
		must(t, owner.do("PUT", "/v1/threads/"+rocket+"/tags", map[string]any{"tags": []string{"spaceflight"}}), 200)
		if got := threadIDs(search(t, alice, "/v1/search", map[string]any{"q": "spaceflight"})); !slices.Equal(got, []string{rocket}) {
			t.Errorf("new tag = %v", got)
		}
		must(t, owner.do("PUT", "/v1/threads", map[string]any{"id": food, "bits": map[string]bool{"deleted": true}}), 200)
		if got := threadIDs(search(t, alice, "/v1/search", map[string]any{"q": "北京"})); len(got) != 0 {
			t.Errorf("deleted thread still found: %v", got)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		tests := []struct {
			body  any
			field string
			want  string
		}{
			{map[string]any{"q": "x", "filter_by": "user_ids:=[4L6c8"}, "filter_by", "at position 17"},
			{map[string]any{"filter_by": "nope:=1"}, "filter_by", `unknown field "nope"`},
			{map[string]any{"filter_by": "user_ids:=3M18"}, "filter_by", "a channel id, not a user id"},
			{map[string]any{"sort_by": "created_at"}, "sort_by", "direction"},
			{map[string]any{"sort_by": "name:asc"}, "sort_by", "unknown field"},
			{map[string]any{"page": -1}, "page", ""},
			{map[string]any{"per_page": 1000}, "per_page", ""},
			{map[string]any{"q": strings.Repeat("x", 600)}, "q", ""},
			{`{"q": 5}`, "", ""},
			{`{"q": "x", "query_by": "subject"}`, "", ""},
		}
		for _, tt := range tests {
			r := alice.do("POST", "/v1/search", tt.body)
			if r.Status != 400 || r.code() != "invalid" {
				t.Errorf("%v = %d %s, want 400 invalid", tt.body, r.Status, r.Raw)
				continue
			}
			errBody := r.Body["error"].(map[string]any)
			if tt.field != "" {
				f, _ := errBody["fields"].(map[string]any)
				if f[tt.field] == nil || !strings.Contains(str(errBody["message"]), tt.want) {
					t.Errorf("%v: error %v, want field %s saying %q", tt.body, errBody, tt.field, tt.want)
				}
			}
		}
	})
}

// thread returns a thread as c sees it.
func thread(t *testing.T, c *client, id string) map[string]any {
	t.Helper()
	return must(t, c.do("GET", "/v1/threads/"+id, nil), 200).data()
}

func TestSearchFilterAndSort(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	aliceA := e.MustUser(t, org, "alice", chat.LevelMember)
	alice, carol := e.as(t, aliceA), e.as(t, e.MustUser(t, org, "carol", chat.LevelMember))
	aliceID := str(must(t, alice.do("PUT", "/v1/users", map[string]any{}), 200).data()["id"])
	carolID := str(must(t, carol.do("PUT", "/v1/users", map[string]any{}), 200).data()["id"])
	c1, c2 := channel(t, owner, "c1", "chan_anyone"), channel(t, owner, "c2", "chan_anyone")

	a := post(t, owner, map[string]any{"text": "alpha", "xsr_ids": []string{c1}, "tags": []string{"red"}})
	e.Clock.Advance(time.Hour)
	b := post(t, alice, map[string]any{"text": "bravo", "xsr_ids": []string{c2}, "tags": []string{"blue", "x..y"}})
	e.Clock.Advance(time.Hour)
	c := post(t, owner, map[string]any{"text": "charlie", "user_ids": []string{aliceID}})
	e.Clock.Advance(time.Hour)
	d := post(t, owner, map[string]any{"text": "delta", "user_ids": []string{aliceID, carolID}})
	e.Clock.Advance(time.Hour)
	must(t, owner.do("PUT", "/v1/threads", map[string]any{"id": a, "bits": map[string]bool{"resolved": true}}), 200)
	at := map[string]int64{}
	for _, id := range []string{a, b, c, d} {
		at[id] = int64(thread(t, owner, id)["created_at"].(float64))
	}
	ts := func(id string) string { return fmt.Sprint(at[id]) }

	tests := []struct {
		filter string
		want   []string // by created_at ascending
	}{
		{"user_ids:=[" + aliceID + "]", []string{b, c, d}},
		{"user_ids:" + aliceID, []string{b, c, d}},
		{"user_ids:!=" + aliceID, []string{a}},
		{"user_ids:!=[" + aliceID + "," + carolID + "]", []string{a}},
		{"xsr_ids:[" + c1 + ", " + c2 + "]", []string{a, b}},
		{"author_id:=" + aliceID, []string{b}},
		{"tags:=red", []string{a}},
		{"tags:[red, blue]", []string{a, b}},
		{"tags:=`x..y`", []string{b}},
		{"created_at:>" + ts(a), []string{b, c, d}},
		{"created_at:>=" + ts(b), []string{b, c, d}},
		{"created_at:<" + ts(b), []string{a}},
		{"created_at:<=" + ts(b), []string{a, b}},
		{"created_at:=" + ts(c), []string{c}},
		{"created_at:" + ts(c), []string{c}},
		{"created_at:[" + ts(a) + ".." + ts(b) + "]", []string{a, b}},
		{"created_at:[" + ts(a) + ", " + ts(d) + "]", []string{a, d}},
		{"created_at:!=[" + ts(b) + ".." + ts(c) + "]", []string{a, d}},
		{"updated_at:>" + ts(c), []string{d}},
		{"updated_at:>" + ts(d), []string{}}, // resolving a thread is not activity; posting is (below)
		{"resolved:true", []string{a}},
		{"resolved:false", []string{b, c, d}},
		{"direct:true", []string{c}},
		{"group:true", []string{d}},
		{"(direct:true || group:true) && user_ids:" + carolID, []string{d}},
		{"resolved:true || author_id:" + aliceID, []string{a, b}},
		{"resolved:false && xsr_ids:" + c2 + " || direct:true", []string{b, c}},
		{"resolved:false && (xsr_ids:" + c2 + " || direct:true)", []string{b, c}},
		{"resolved:true && (xsr_ids:" + c2 + " || direct:true)", []string{}},
	}
	for _, tt := range tests {
		r := search(t, owner, "/v1/search", map[string]any{"q": "*", "filter_by": tt.filter, "sort_by": "created_at:asc"})
		if got := threadIDs(r); !slices.Equal(got, tt.want) {
			t.Errorf("filter_by %q = %v, want %v", tt.filter, got, tt.want)
		}
	}

	// Sorting, and text with a filter.
	for _, tt := range []struct {
		sort string
		want []string
	}{
		{"created_at:asc", []string{a, b, c, d}},
		{"created_at:desc", []string{d, c, b, a}},
		{"updated_at:desc", []string{d, c, b, a}},
		{"", []string{d, c, b, a}},
		{"_text_match:desc,created_at:asc", []string{a, b, c, d}}, // no words: relevance is a tie
	} {
		if got := threadIDs(search(t, owner, "/v1/search", map[string]any{"sort_by": tt.sort})); !slices.Equal(got, tt.want) {
			t.Errorf("sort_by %q = %v, want %v", tt.sort, got, tt.want)
		}
	}
	reply(t, owner, a, "alpha again, bravo too")
	if got := threadIDs(search(t, owner, "/v1/search", map[string]any{"sort_by": "updated_at:desc"})); !slices.Equal(got, []string{a, d, c, b}) {
		t.Errorf("after a reply, updated_at:desc = %v", got)
	}
	// "alpha" is in a's subject and a chat; "bravo" is b's subject and a's chat.
	if got := threadIDs(search(t, owner, "/v1/search", map[string]any{"q": "bravo"})); !slices.Equal(got, []string{b, a}) {
		t.Errorf("bravo by relevance = %v, want the subject match first", got)
	}
	if got := threadIDs(search(t, owner, "/v1/search", map[string]any{"q": "bravo", "sort_by": "created_at:asc"})); !slices.Equal(got, []string{a, b}) {
		t.Errorf("bravo by created_at = %v", got)
	}
	if got := threadIDs(search(t, owner, "/v1/search", map[string]any{"q": "bravo", "filter_by": "tags:blue"})); !slices.Equal(got, []string{b}) {
		t.Errorf("bravo with tags:blue = %v", got)
	}

	// Paging.
	for page, want := range map[int][]string{1: {a, b}, 2: {c, d}, 3: {}} {
		r := search(t, owner, "/v1/search", map[string]any{"sort_by": "created_at:asc", "page": page, "per_page": 2})
		if got := threadIDs(r); !slices.Equal(got, want) {
			t.Errorf("page %d = %v, want %v", page, got, want)
		}
	}
	// A filter cannot widen what the reader sees: carol is not in c's DM.
	if got := threadIDs(search(t, carol, "/v1/search", map[string]any{"filter_by": "direct:true"})); len(got) != 0 {
		t.Errorf("carol sees DMs %v", got)
	}
}

func TestFeeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	alice := e.as(t, e.MustUser(t, org, "alice", chat.LevelMember))
	carol := e.as(t, e.MustUser(t, org, "carol", chat.LevelMember))
	aliceID := str(must(t, alice.do("PUT", "/v1/users", map[string]any{}), 200).data()["id"])
	carolID := str(must(t, carol.do("PUT", "/v1/users", map[string]any{}), 200).data()["id"])
	ownerID := str(must(t, owner.do("PUT", "/v1/users", map[string]any{}), 200).data()["id"])
	c1, c2 := channel(t, owner, "c1", "chan_anyone"), channel(t, owner, "c2", "chan_anyone")
	secret := channel(t, owner, "secret", "chan_member")

	a := post(t, owner, map[string]any{"text": "in c1 by owner", "xsr_ids": []string{c1}})
	e.Clock.Advance(time.Minute)
	b := post(t, alice, map[string]any{"text": "in c2 by alice", "xsr_ids": []string{c2}})
	e.Clock.Advance(time.Minute)
	c := post(t, owner, map[string]any{"text": "dm owner alice", "user_ids": []string{aliceID}})
	e.Clock.Advance(time.Minute)
	d := post(t, carol, map[string]any{"text": "group carol owner", "user_ids": []string{ownerID, carolID}})
	e.Clock.Advance(time.Minute)
	post(t, owner, map[string]any{"text": "owner only", "xsr_ids": []string{secret}})
	e.Clock.Advance(time.Minute)
	for i := range 7 {
		reply(t, owner, a, fmt.Sprintf("reply %d", i))
	}

	feeds := must(t, alice.do("GET", "/v1/feeds", nil), 200).list()
	if len(feeds) != 3 {
		t.Fatalf("feeds = %v, want the three defaults", feeds)
	}
	for i, want := range []string{"6N1", "6N2", "6N3"} {
		f := feeds[i].(map[string]any)
		if f["id"] != want || f["user_id"] != "0" || f["org_id"] != "0" || f["channel_ids"] != nil {
			t.Errorf("default feed %d = %v", i, f)
		}
	}
	if bits := feeds[2].(map[string]any)["bits"].(map[string]any); bits["feed_dm"] != true {
		t.Errorf("6N3 bits = %v", bits)
	}

	feed := func(c *client, path string) []string {
		t.Helper()
		return threadIDs(must(t, c.do("GET", path, nil), 200))
	}
	t.Run("Defaults", func(t *testing.T) {
		for _, tt := range []struct {
			c    *client
			path string
			want []string
		}{
			{alice, "/v1/feed", []string{a, c, b}},
			{alice, "/v1/feed/6N1", []string{a, c, b}},
			{alice, "/v1/feed/6N2", []string{c, b}},
			{alice, "/v1/feed/6N3", []string{c}},
			{owner, "/v1/feed/6N3", []string{d, c}},
			{carol, "/v1/feed/6N2", []string{d}},
			{alice, "/v1/feed/6N1?page=2&per_page=2", []string{b}},
		} {
			if got := feed(tt.c, tt.path); !slices.Equal(got, tt.want) {
				t.Errorf("%s = %v, want %v", tt.path, got, tt.want)
			}
		}
		th := must(t, alice.do("GET", "/v1/feed/6N1", nil), 200).list()[0].(map[string]any)
		chats := th["chats"].([]any)
		if len(chats) != chat.FeedChats || str(chats[0].(map[string]any)["text"]) != "reply 2" {
			t.Errorf("feed thread chats = %v, want the newest 5, oldest first", chats)
		}
		if th["read"].(map[string]any)["num_unread"].(float64) != 8 {
			t.Errorf("read = %v", th["read"])
		}
	})

	var mine string
	t.Run("Custom", func(t *testing.T) {
		f := must(t, alice.do("POST", "/v1/feed", map[string]any{"name": "c1 only", "channel_ids": []string{c1}}), 200).data()
		mine = str(f["id"])
		if mine != "6M10" || f["user_id"] != aliceID || f["user_ids"] != nil {
			t.Fatalf("new feed = %v, want 6M10 owned by alice", f)
		}
		if got := feed(alice, "/v1/feed/"+mine); !slices.Equal(got, []string{a}) {
			t.Errorf("c1 feed = %v", got)
		}
		// PUT replaces the whole definition: channel_ids left out are cleared.
		must(t, alice.do("PUT", "/v1/feed", map[string]any{"id": mine, "user_id": aliceID, "org_id": "5N1", "name": "with alice",
			"user_ids": []string{aliceID}}), 200)
		if got := feed(alice, "/v1/feed/"+mine); !slices.Equal(got, []string{c, b}) {
			t.Errorf("users feed = %v", got)
		}
		// OR within a list, AND across lists.
		must(t, alice.do("PUT", "/v1/feed", map[string]any{"id": mine, "name": "c1 or c2, by alice",
			"channel_ids": []string{c1, c2}, "user_ids": []string{aliceID}}), 200)
		if got := feed(alice, "/v1/feed/"+mine); !slices.Equal(got, []string{b}) {
			t.Errorf("channels AND users feed = %v", got)
		}
		dm := str(must(t, owner.do("POST", "/v1/feed", map[string]any{"name": "dms with carol", "user_ids": []string{carolID},
			"bits": map[string]bool{"feed_dm": true}}), 200).data()["id"])
		if got := feed(owner, "/v1/feed/"+dm); !slices.Equal(got, []string{d}) {
			t.Errorf("DM feed with carol = %v", got)
		}
		listed := must(t, alice.do("GET", "/v1/feeds", nil), 200).list()
		if len(listed) != 4 || listed[3].(map[string]any)["name"] != "c1 or c2, by alice" {
			t.Errorf("alice's feeds = %v", listed)
		}
		if len(must(t, carol.do("GET", "/v1/feeds", nil), 200).list()) != 3 {
			t.Error("carol sees alice's feed")
		}
	})
	t.Run("OnlyVisibleThreads", func(t *testing.T) {
		for _, path := range []string{"/v1/feed/6N1", "/v1/feed/" + mine} {
			r := must(t, alice.do("GET", path, nil), 200)
			if strings.Contains(string(r.Raw), "owner only") {
				t.Errorf("%s shows a thread of a channel alice cannot read", path)
			}
		}
	})
	t.Run("Ownership", func(t *testing.T) {
		_, otherA := e.MustOrg(t)
		for _, c := range []*client{carol, e.as(t, otherA)} {
			must(t, c.do("GET", "/v1/feed/"+mine, nil), 404)
			must(t, c.do("PUT", "/v1/feed", map[string]any{"id": mine, "name": "mine now"}), 404)
		}
		must(t, alice.do("PUT", "/v1/feed", map[string]any{"id": "6N1", "name": "x"}), 403)
		must(t, alice.do("GET", "/v1/feed/6N9", nil), 404)
		must(t, e.as(t, chat.Actor{}).do("GET", "/v1/feeds", nil), 401)
		must(t, e.as(t, chat.Actor{}).do("GET", "/v1/feed/6N1", nil), 401)
	})
	t.Run("BadInput", func(t *testing.T) {
		for _, tt := range []struct {
			method string
			body   any
		}{
			{"POST", map[string]any{"channel_ids": []string{c1}}},
			{"POST", map[string]any{"name": "  "}},
			{"POST", map[string]any{"name": "both", "channel_ids": []string{c1}, "bits": map[string]bool{"feed_dm": true}}},
			{"POST", map[string]any{"name": "hidden channel", "channel_ids": []string{secret}}},
			{"POST", map[string]any{"name": "wrong kind", "channel_ids": []string{aliceID}}},
			{"POST", map[string]any{"name": "no such user", "user_ids": []string{"4Kfff0"}}},
			{"POST", map[string]any{"name": "bad bit", "bits": map[string]bool{"feed_all": true}}},
			{"PUT", map[string]any{"id": "3N1", "name": "x"}},
			{"PUT", map[string]any{"id": mine}},
		} {
			r := alice.do(tt.method, "/v1/feed", tt.body)
			if r.Status != 400 || r.code() != "invalid" {
				t.Errorf("%s %v = %d %s, want 400", tt.method, tt.body, r.Status, r.Raw)
			}
		}
		must(t, alice.do("GET", "/v1/feed/6N1?per_page=1000", nil), 400)
		must(t, alice.do("GET", "/v1/feed/6N1?page=x", nil), 400)
		must(t, alice.do("GET", "/v1/feed/2N1", nil), 400)
	})
	t.Run("Delete", func(t *testing.T) {
		r := must(t, alice.do("PUT", "/v1/feed", map[string]any{"id": mine, "bits": map[string]bool{"deleted": true}}), 200).data()
		if r["bits"].(map[string]any)["deleted"] != true {
			t.Errorf("delete answer = %v", r)
		}
		must(t, alice.do("GET", "/v1/feed/"+mine, nil), 404)
		if len(must(t, alice.do("GET", "/v1/feeds", nil), 200).list()) != 3 {
			t.Error("deleted feed still listed")
		}
	})
}

func TestSimilarThreads(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	alice := e.as(t, e.MustUser(t, org, "alice", chat.LevelMember))
	pub := channel(t, owner, "pub", "chan_anyone")
	secret := channel(t, owner, "secret", "chan_member")
	k8s := post(t, owner, map[string]any{"text": "Kubernetes deployment failing on staging", "xsr_ids": []string{pub}})
	upgrade := post(t, owner, map[string]any{"text": "Staging kubernetes cluster upgrade", "xsr_ids": []string{pub}})
	post(t, owner, map[string]any{"text": "Lunch menu for Friday", "xsr_ids": []string{pub}})
	hidden := post(t, owner, map[string]any{"text": "Kubernetes staging credentials", "xsr_ids": []string{secret}})

	similar := func(c *client, id string) []string {
		ids := []string{}
		for _, s := range thread(t, c, id)["similar"].([]any) {
			ids = append(ids, str(s.(map[string]any)["id"]))
		}
		return ids
	}
	if got := similar(alice, k8s); !slices.Equal(got, []string{upgrade}) {
		t.Errorf("similar to %s for alice = %v, want [%s]", k8s, got, upgrade)
	}
	if got := similar(owner, k8s); !sameSet(got, []string{upgrade, hidden}) {
		t.Errorf("similar for the owner = %v, want [%s %s]", got, upgrade, hidden)
	}
	lunch := threadIDs(search(t, owner, "/v1/search", map[string]any{"q": "lunch"}))
	if got := similar(alice, lunch[0]); len(got) != 0 {
		t.Errorf("similar to lunch = %v, want none", got)
	}
}

// TestSearchSkipsCiphertext: an encrypted chat is never indexed, so its
// ciphertext cannot be found; unsending a chat takes it out of the index.
func TestSearchSkipsCiphertext(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	ch := channel(t, owner, "general", "chan_member")
	th := post(t, owner, map[string]any{"text": "plain start", "xsr_ids": []string{ch}})
	must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": th, "text": "zqxciphertextzq", "encrypted": true,
		"encryption_algorithm": "aes-256-gcm", "signature": "sig"}), 200)
	if got := search(t, owner, "/v1/search", map[string]any{"q": "zqxciphertextzq"}).list(); len(got) != 0 {
		t.Fatalf("ciphertext found: %v", got)
	}
	id := reply(t, owner, th, "findable walrus")
	if got := search(t, owner, "/v1/search", map[string]any{"q": "walrus"}).list(); len(got) != 1 {
		t.Fatalf("walrus: %v", got)
	}
	must(t, owner.do("POST", "/v1/chats/"+id+"/unsend", map[string]any{}), 200)
	if got := search(t, owner, "/v1/search", map[string]any{"q": "walrus"}).list(); len(got) != 0 {
		t.Fatalf("an unsent chat is still found: %v", got)
	}
}
