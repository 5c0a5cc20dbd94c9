package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/httpapi"
)

// The matrices below walk every route of httpapi.Patterns() with one table,
// routeMatrix: each row builds the route's request against a tenant's data
// and gives the status each level of caller must get. Three tests read it:
// TestAuthorizationMatrix (each level of the org acting on the org's data),
// TestTenantIsolationMatrix (another org's users aiming at the org's ids)
// and TestTokenMatrix (forged and broken credentials).

// level is a kind of caller.
type level int

const (
	owner level = iota
	admin
	mod
	member
	bot // a bot user of the org, with a token of its own
	anon
	numLevels
)

var levelNames = [numLevels]string{"owner", "admin", "mod", "member", "bot", "anonymous"}

func (l level) String() string { return levelNames[l] }

// statuses is the status each level gets, in level order: owner, admin,
// mod, member, bot, anonymous.
type statuses [numLevels]int

// Common rows of expectations.
var (
	everyone   = statuses{200, 200, 200, 200, 200, 200}
	signedIn   = statuses{200, 200, 200, 200, 200, 401}
	modsUp     = statuses{200, 200, 200, 403, 403, 401}
	adminsUp   = statuses{200, 200, 403, 403, 403, 401}
	modsRead   = statuses{200, 200, 200, 404, 404, 404} // a members-only channel the owner is in
	feedOwner  = statuses{200, 404, 404, 404, 404, 401} // the owner's own feed
	authorOnly = statuses{403, 403, 403, 403, 403, 401} // someone else's chat
)

// crossAny marks a row whose request names nothing of the other org's
// beyond a filter: it acts on the caller's own org, so any answer but a 5xx
// will do, provided nothing of the other org shows.
const crossAny = -1

// call is one request of the matrix.
type call struct {
	path string
	body any
}

// routeCase is one route: how to call it on a tenant's data, and what each
// level gets.
type routeCase struct {
	pattern string
	call    func(t *testing.T, o *tenant) call
	want    statuses
	// cross is the status another org's users get when the call names this
	// org's ids (zero: 403 or 404), or crossAny.
	cross int
}

// routeMatrix has one row per pattern of httpapi.Patterns(). Expectations
// come from reference/struct.md 2.5 and policy.go: reads of a members-only
// channel are for its members and mods; org settings, thread flags, channel
// bits and reports for admins; edits and unsends for the author only.
var routeMatrix = []routeCase{
	{"GET /v1/threads/{id}", func(t *testing.T, o *tenant) call { return call{"/v1/threads/" + o.closedThread, nil} }, modsRead, 0},
	{"PUT /v1/threads", func(t *testing.T, o *tenant) call {
		return call{"/v1/threads", map[string]any{"id": o.freshThread(t), "bits": map[string]bool{"hidden": true}}}
	}, adminsUp, 0},
	{"POST /v1/threads", func(t *testing.T, o *tenant) call {
		return call{"/v1/threads", map[string]any{"text": "a new topic", "xsr_ids": []string{o.open}}}
	}, signedIn, 0},
	{"PUT /v1/threads/{id}/tags", func(t *testing.T, o *tenant) call {
		return call{"/v1/threads/" + o.freshThread(t) + "/tags", map[string]any{"tags": []string{"retagged"}}}
	}, modsUp, 0},
	{"PUT /v1/read", func(t *testing.T, o *tenant) call {
		return call{"/v1/read", map[string]any{"thread_id": o.thread, "chat_id": o.chat}}
	}, signedIn, 0},

	{"POST /v1/chats", func(t *testing.T, o *tenant) call {
		return call{"/v1/chats", map[string]any{"thread_id": o.closedThread, "text": "a reply"}}
	}, statuses{200, 200, 200, 404, 404, 401}, 0},
	{"PUT /v1/chats", func(t *testing.T, o *tenant) call {
		return call{"/v1/chats", map[string]any{"id": o.freshChat(t), "thread_id": o.thread, "text": "rewritten"}}
	}, authorOnly, 0},
	{"GET /v1/chats/{id}", func(t *testing.T, o *tenant) call { return call{"/v1/chats/" + o.closedChat, nil} }, modsRead, 0},
	{"DELETE /v1/chats/{id}", func(t *testing.T, o *tenant) call { return call{"/v1/chats/" + o.freshChat(t), nil} }, modsUp, 0},
	{"POST /v1/reactions", func(t *testing.T, o *tenant) call {
		return call{"/v1/reactions", map[string]any{"chat_id": o.chat, "name": "tada", "set": true}}
	}, signedIn, 0},
	{"POST /v1/chats/{id}/pin", func(t *testing.T, o *tenant) call { return call{"/v1/chats/" + o.freshChat(t) + "/pin", nil} }, modsUp, 0},
	{"DELETE /v1/chats/{id}/pin", func(t *testing.T, o *tenant) call {
		return call{"/v1/chats/" + o.freshChat(t) + "/pin", nil}
	}, modsUp, 0},
	{"POST /v1/chats/{id}/forward", func(t *testing.T, o *tenant) call {
		return call{"/v1/chats/" + o.chat + "/forward", map[string]any{"thread_id": o.thread}}
	}, signedIn, 0},
	{"POST /v1/chats/{id}/unsend", func(t *testing.T, o *tenant) call {
		return call{"/v1/chats/" + o.freshChat(t) + "/unsend", nil}
	}, authorOnly, 0},
	{"POST /v1/chats/{id}/vote", func(t *testing.T, o *tenant) call {
		return call{"/v1/chats/" + o.poll + "/vote", map[string]any{"option": 1}}
	}, signedIn, 0},
	{"POST /v1/chats/{id}/report", func(t *testing.T, o *tenant) call {
		return call{"/v1/chats/" + o.freshChat(t) + "/report", map[string]any{"reason": "spam"}}
	}, signedIn, 0},
	{"GET /v1/reports", func(t *testing.T, o *tenant) call { return call{"/v1/reports", nil} }, adminsUp, crossAny},
	{"POST /v1/reports/{id}/resolve", func(t *testing.T, o *tenant) call {
		return call{"/v1/reports/" + o.freshReport(t) + "/resolve", map[string]any{"resolution": "dismissed"}}
	}, adminsUp, 0},
	{"POST /v1/scheduled", func(t *testing.T, o *tenant) call {
		return call{"/v1/scheduled", map[string]any{"thread_id": o.closedThread, "text": "later", "send_at": time.Now().Add(time.Hour).Unix()}}
	}, statuses{200, 200, 200, 404, 404, 401}, 0},
	{"GET /v1/scheduled", func(t *testing.T, o *tenant) call { return call{"/v1/scheduled?all=true", nil} }, signedIn, crossAny},
	// Only the author sees a scheduled chat before it is sent.
	{"DELETE /v1/scheduled/{id}", func(t *testing.T, o *tenant) call {
		return call{"/v1/scheduled/" + o.freshScheduled(t), nil}
	}, statuses{404, 404, 404, 404, 404, 401}, 0},

	{"GET /v1/users", func(t *testing.T, o *tenant) call { return call{"/v1/users", nil} }, signedIn, crossAny},
	{"GET /v1/users/{id}", func(t *testing.T, o *tenant) call { return call{"/v1/users/" + o.otherID, nil} }, signedIn, 0},
	{"POST /v1/users", func(t *testing.T, o *tenant) call {
		return call{"/v1/users", map[string]any{"email": fmt.Sprintf("new%d@example.com", seq.Add(1)), "name": "New"}}
	}, adminsUp, crossAny},
	{"PUT /v1/users", func(t *testing.T, o *tenant) call {
		return call{"/v1/users", map[string]any{"id": o.otherID, "name": "Renamed"}}
	}, adminsUp, 0},

	{"GET /v1/channels", func(t *testing.T, o *tenant) call { return call{"/v1/channels", nil} }, everyone, crossAny},
	{"POST /v1/channels", func(t *testing.T, o *tenant) call {
		return call{"/v1/channels", map[string]any{"name": "created", "bits": map[string]bool{"chan_member": true}}}
	}, modsUp, crossAny},
	{"PUT /v1/channels", func(t *testing.T, o *tenant) call {
		return call{"/v1/channels", map[string]any{"id": o.freshChannel(t), "name": "renamed"}}
	}, modsUp, 0},
	{"PUT /v1/channel-bits", func(t *testing.T, o *tenant) call {
		return call{"/v1/channel-bits", map[string]any{"id": o.freshChannel(t), "bits": map[string]bool{"chan_member": true}}}
	}, adminsUp, 0},
	{"POST /v1/channels/{id}/join", func(t *testing.T, o *tenant) call {
		return call{"/v1/channels/" + o.freshChannel(t) + "/join", nil}
	}, signedIn, 0},
	{"POST /v1/channels/{id}/leave", func(t *testing.T, o *tenant) call {
		return call{"/v1/channels/" + o.freshChannel(t) + "/leave", nil}
	}, signedIn, 0},
	{"GET /v1/channels/{id}/threads", func(t *testing.T, o *tenant) call {
		return call{"/v1/channels/" + o.open + "/threads", nil}
	}, everyone, 0},

	{"GET /v1/org", func(t *testing.T, o *tenant) call { return call{"/v1/org", nil} }, everyone, crossAny},
	{"PUT /v1/org", func(t *testing.T, o *tenant) call {
		return call{"/v1/org", map[string]any{"description": "changed"}}
	}, adminsUp, crossAny},
	{"PUT /v1/join-secret", func(t *testing.T, o *tenant) call { return call{"/v1/join-secret", map[string]any{}} }, adminsUp, crossAny},
	{"POST /create-org", func(t *testing.T, o *tenant) call {
		return call{"/create-org", map[string]any{"name": "side", "title": "Side"}}
	}, signedIn, crossAny},
	// The join link is a capability: whoever holds it joins, signed in or
	// not. The other org is given this org's id in its place.
	{"POST /v1/join", func(t *testing.T, o *tenant) call {
		return call{"/v1/join", map[string]any{"join_secret": o.joinSecret(t), "name": "Joiner"}}
	}, everyone, 0},

	{"POST /v1/search", func(t *testing.T, o *tenant) call {
		return call{"/v1/search", map[string]any{"q": o.tag, "filter_by": "xsr_ids:=[" + o.closed + "]"}}
	}, everyone, crossAny},
	{"GET /v1/feeds", func(t *testing.T, o *tenant) call { return call{"/v1/feeds", nil} }, signedIn, crossAny},
	{"GET /v1/feed", func(t *testing.T, o *tenant) call { return call{"/v1/feed", nil} }, signedIn, crossAny},
	{"GET /v1/feed/{id}", func(t *testing.T, o *tenant) call { return call{"/v1/feed/" + o.feed, nil} }, feedOwner, 0},
	// A feed's filter naming a channel the caller cannot read is bad input.
	{"POST /v1/feed", func(t *testing.T, o *tenant) call {
		return call{"/v1/feed", map[string]any{"name": "mine", "channel_ids": []string{o.closed}}}
	}, statuses{200, 200, 200, 400, 400, 401}, 400},
	{"PUT /v1/feed", func(t *testing.T, o *tenant) call {
		return call{"/v1/feed", map[string]any{"id": o.feed, "name": "renamed feed", "channel_ids": []string{o.open}}}
	}, feedOwner, 0},
	{"POST /v1/feed/search", func(t *testing.T, o *tenant) call {
		return call{"/v1/feed/search", map[string]any{"q": o.tag, "filter_by": "xsr_ids:=[" + o.closed + "]"}}
	}, everyone, crossAny},

	{"GET /v1/tags", func(t *testing.T, o *tenant) call { return call{"/v1/tags", nil} }, signedIn, crossAny},
	{"GET /v1/anons", func(t *testing.T, o *tenant) call { return call{"/v1/anons", nil} }, everyone, crossAny},
	{"POST /v1/upload", func(t *testing.T, o *tenant) call { return call{"/v1/upload", upload{"note.txt", "a note"}} }, signedIn, crossAny},
	{"GET /v1/files/{handle}", func(t *testing.T, o *tenant) call { return call{o.file, nil} }, modsRead, 0},

	// 101: the socket opens.
	{"GET /v1/ws", func(t *testing.T, o *tenant) call { return call{"/v1/ws", nil} }, statuses{101, 101, 101, 101, 101, 401}, crossAny},
	{"GET /v1/openapi.yaml", func(t *testing.T, o *tenant) call { return call{"/v1/openapi.yaml", nil} }, everyone, crossAny},
}

// seq makes names unique across calls.
var seq atomic.Int64

// upload is a multipart body with one file.
type upload struct{ name, content string }

// tenant is one org, populated with something of every kind the native API
// has, and a client for each level.
type tenant struct {
	e      *env
	tag    string // a word only this org's texts hold
	orgID  string
	as     [numLevels]*client
	userID [numLevels]string

	other   *client // a member who wrote what the levels act on
	otherID string

	open, closed                 string // channels: anyone may read; members only (the owner)
	thread, closedThread         string // topics by the owner in open and closed
	chat, closedChat, poll       string // chats: the owner's, in thread and closedThread; other's poll
	otherChat, report, scheduled string // other's chat in thread; a report on it; other's scheduled chat
	freshTh, freshCh             string // a thread by other; a channel
	feed, file, handle, secret   string // the owner's feed; a file's URL path and handle; the org's join secret

	// frozen makes the fresh* methods return the objects above instead of
	// creating new ones, so that a snapshot of the org stays comparable.
	frozen bool
	// secrets are the ids, names and texts only this org holds.
	secrets []string
}

// newTenant provisions an org and fills it.
func newTenant(t *testing.T, e *env, tag string) *tenant {
	t.Helper()
	ctx := context.Background()
	org, ownerA := e.MustOrg(t)
	o := &tenant{e: e, tag: tag}
	actors := [numLevels]chat.Actor{owner: ownerA,
		admin:  e.MustUser(t, org, tag+"-admin", chat.LevelAdmin),
		mod:    e.MustUser(t, org, tag+"-mod", chat.LevelMod),
		member: e.MustUser(t, org, tag+"-member", chat.LevelMember),
	}
	b, _, err := e.CreateBot(ctx, ownerA, chat.NewBot{Name: tag + "-bot"})
	if err != nil {
		t.Fatal(err)
	}
	actors[bot] = chat.MemberActor(org.ID, b.ID)
	for l := owner; l < anon; l++ {
		o.as[l] = e.as(t, actors[l])
		o.userID[l] = str(must(t, o.as[l].do("GET", "/v1/users/me", nil), 200).data()["id"])
	}
	o.orgID = str(must(t, o.as[owner].do("GET", "/v1/org", nil), 200).data()["id"])
	o.as[anon] = e.as(t, chat.Actor{})
	o.as[anon].header.Set("X-Struct-Orgid", o.orgID)
	o.other = e.as(t, e.MustUser(t, org, tag+"-other", chat.LevelMember))
	o.otherID = str(must(t, o.other.do("GET", "/v1/users/me", nil), 200).data()["id"])

	own := o.as[owner]
	o.open = channel(t, own, tag+"-open", "chan_anyone")
	o.closed = channel(t, own, tag+"-closed", "chan_member")
	up := must(t, own.upload(tag+"-file.txt", "text/plain", []byte(tag+" file bytes")), 200).data()
	o.handle = str(up["handle"])
	o.file = str(up["url"])[strings.Index(str(up["url"]), "/v1/files/"):]
	created := must(t, own.do("POST", "/v1/threads", map[string]any{"text": tag + " open topic", "xsr_ids": []string{o.open},
		"tags": []string{tag + "-tag"}}), 200).Body
	o.thread, o.chat = str(created["thread_id"]), str(created["chat_id"])
	created = must(t, own.do("POST", "/v1/threads", map[string]any{"text": tag + " closed topic", "xsr_ids": []string{o.closed},
		"images": []string{o.handle}}), 200).Body
	o.closedThread, o.closedChat = str(created["thread_id"]), str(created["chat_id"])
	must(t, own.do("POST", "/v1/reactions", map[string]any{"chat_id": o.closedChat, "name": "eyes", "set": true}), 200)
	o.poll = str(must(t, o.other.do("POST", "/v1/chats", map[string]any{"thread_id": o.thread, "text": tag + " poll",
		"poll": map[string]any{"question": tag + " lunch?", "options": []string{tag + "-pizza", tag + "-sushi"}}}), 200).Body["chat_id"])
	o.otherChat = o.newChat(t)
	o.report = o.newReport(t)
	o.scheduled = o.newScheduled(t)
	o.freshTh = o.newThread(t)
	o.freshCh = channel(t, own, tag+"-spare", "chan_anyone")
	o.feed = str(must(t, own.do("POST", "/v1/feed", map[string]any{"name": tag + "-feed", "channel_ids": []string{o.open}}), 200).data()["id"])
	o.secret = o.currentJoinSecret(t)

	o.secrets = append([]string{o.orgID, o.otherID, o.open, o.closed, o.thread, o.closedThread, o.chat, o.closedChat, o.poll,
		o.otherChat, o.report, o.scheduled, o.freshTh, o.freshCh, o.feed, o.handle, o.secret, tag}, o.userID[:anon]...)
	return o
}

func (o *tenant) newChat(t *testing.T) string {
	return str(must(t, o.other.do("POST", "/v1/chats", map[string]any{"thread_id": o.thread, "text": o.tag + " other's chat"}), 200).Body["chat_id"])
}

func (o *tenant) newReport(t *testing.T) string {
	return str(must(t, o.as[member].do("POST", "/v1/chats/"+o.newChat(t)+"/report", map[string]any{"reason": o.tag + " spam"}), 200).data()["id"])
}

func (o *tenant) newScheduled(t *testing.T) string {
	return str(must(t, o.other.do("POST", "/v1/scheduled", map[string]any{"thread_id": o.thread, "text": o.tag + " scheduled",
		"send_at": time.Now().Add(24 * time.Hour).Unix()}), 200).data()["id"])
}

func (o *tenant) newThread(t *testing.T) string {
	return post(t, o.other, map[string]any{"text": o.tag + " other's topic", "xsr_ids": []string{o.open}})
}

func (o *tenant) currentJoinSecret(t *testing.T) string {
	return str(must(t, o.as[owner].do("GET", "/v1/org", nil), 200).data()["join_secret"])
}

// The fresh* methods give a new object for a call that uses one up, or,
// when the tenant is frozen, the standing one.

func (o *tenant) freshChat(t *testing.T) string {
	if o.frozen {
		return o.otherChat
	}
	return o.newChat(t)
}

func (o *tenant) freshReport(t *testing.T) string {
	if o.frozen {
		return o.report
	}
	return o.newReport(t)
}

func (o *tenant) freshScheduled(t *testing.T) string {
	if o.frozen {
		return o.scheduled
	}
	return o.newScheduled(t)
}

func (o *tenant) freshThread(t *testing.T) string {
	if o.frozen {
		return o.freshTh
	}
	return o.newThread(t)
}

func (o *tenant) freshChannel(t *testing.T) string {
	if o.frozen {
		return o.freshCh
	}
	return channel(t, o.as[owner], fmt.Sprintf("%s-fresh-%d", o.tag, seq.Add(1)), "chan_anyone")
}

// joinSecret is the org's join secret; frozen, it is the org's id, which
// names the org but opens nothing.
func (o *tenant) joinSecret(t *testing.T) string {
	if o.frozen {
		return o.orgID
	}
	return o.currentJoinSecret(t)
}

// snapshot reads everything the org holds through its owner and its other
// member, to compare before and after the others' attempts.
func (o *tenant) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	read := func(c *client, path string) {
		r := c.do("GET", path, nil)
		fmt.Fprintf(&b, "GET %s: %d %s\n", path, r.Status, r.Raw)
	}
	own := o.as[owner]
	for _, p := range []string{"/v1/org", "/v1/users", "/v1/channels", "/v1/threads/" + o.thread, "/v1/threads/" + o.closedThread,
		"/v1/threads/" + o.freshTh, "/v1/chats/" + o.thread + "?num=100", "/v1/chats/" + o.closedThread, "/v1/chats/" + o.freshTh,
		"/v1/channels/" + o.open + "/threads", "/v1/channels/" + o.closed + "/threads", "/v1/channels/" + o.freshCh + "/threads",
		"/v1/feeds", "/v1/feed/" + o.feed, "/v1/tags", "/v1/reports", "/v1/scheduled", o.file} {
		read(own, p)
	}
	for _, p := range []string{"/v1/scheduled?all=true", "/v1/feeds", "/v1/users/me"} {
		read(o.other, p)
	}
	return b.String()
}

// leaks returns the first of the org's secrets found in body.
func (o *tenant) leaks(body []byte) string {
	return chattest.Leak(string(body), o.secrets)
}

// send makes rc's call as c and returns the answer. A /v1/ws call dials the
// socket: 101 when it opens.
func send(t *testing.T, c *client, pattern string, cl call) response {
	t.Helper()
	method, _, _ := strings.Cut(pattern, " ")
	switch b := cl.body.(type) {
	case upload:
		return c.upload(b.name, "text/plain", []byte(b.content))
	}
	if pattern == "GET /v1/ws" {
		return dialStatus(t, c, cl.path)
	}
	return c.do(method, cl.path, cl.body)
}

// dialStatus opens a socket as c and closes it: 101 when it opened, else the
// refusal's status and body.
func dialStatus(t *testing.T, c *client, path string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.base, "http")+path, &websocket.DialOptions{HTTPHeader: c.header.Clone()})
	if err == nil {
		conn.CloseNow()
		return response{Status: http.StatusSwitchingProtocols}
	}
	if res == nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	out := response{Status: res.StatusCode}
	out.Raw, _ = io.ReadAll(res.Body)
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		json.Unmarshal(out.Raw, &out.Body)
	}
	return out
}

// routeOf returns the pattern the native mux serves a call with.
func routeOf(t *testing.T, mux *http.ServeMux, pattern string, cl call) string {
	method, _, _ := strings.Cut(pattern, " ")
	req, err := http.NewRequest(method, "http://x"+cl.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, p := mux.Handler(req)
	return p
}

// matrixRows returns the table's rows in the order of httpapi.Patterns(),
// failing for a pattern without a row, a row without a pattern, and a row
// whose call would be served by another route.
func matrixRows(t *testing.T, o *tenant) []routeCase {
	t.Helper()
	byPattern := map[string]routeCase{}
	mux := http.NewServeMux()
	for _, rc := range routeMatrix {
		if _, dup := byPattern[rc.pattern]; dup {
			t.Errorf("routeMatrix has %q twice", rc.pattern)
		}
		byPattern[rc.pattern] = rc
		mux.Handle(rc.pattern, http.NotFoundHandler())
	}
	var rows []routeCase
	for _, p := range httpapi.Patterns() {
		rc, ok := byPattern[p]
		if !ok {
			t.Errorf("route %q has no row in routeMatrix", p)
			continue
		}
		delete(byPattern, p)
		if got := routeOf(t, mux, p, rc.call(t, o)); got != p {
			t.Errorf("the call of row %q is served by %q", p, got)
		}
		rows = append(rows, rc)
	}
	for p := range byPattern {
		t.Errorf("routeMatrix row %q is not a route", p)
	}
	return rows
}

// TestAuthorizationMatrix calls every route as each level of the org, on
// the org's own data, and checks the status the table gives.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newTenant(t, e, "tenanta")
	rows := matrixRows(t, a)
	n := 0
	for _, rc := range rows {
		for l := owner; l < numLevels; l++ {
			r := send(t, a.as[l], rc.pattern, rc.call(t, a))
			n++
			if r.Status != rc.want[l] {
				t.Errorf("%s as %s = %d, want %d; body %.300s", rc.pattern, l, r.Status, rc.want[l], r.Raw)
			}
			if r.Status >= 400 && r.Body["ok"] != false {
				t.Errorf("%s as %s: error body %.300s is not the native envelope", rc.pattern, l, r.Raw)
			}
		}
	}
	t.Logf("routes x levels tried: %d x %d = %d", len(rows), numLevels, n)
}

// TestTenantIsolationMatrix aims every route, as each signed-in level of
// org B (with org A's id in x-struct-orgid too), at org A's ids: nothing of
// A may be read, changed or shown.
func TestTenantIsolationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newTenant(t, e, "tenanta")
	b := newTenant(t, e, "tenantb")
	a.frozen = true
	rows := matrixRows(t, a)
	before := a.snapshot(t)
	n := 0
	for _, rc := range rows {
		for l := owner; l < anon; l++ {
			c := &client{t: t, base: b.as[l].base, header: b.as[l].header.Clone()}
			c.header.Set("X-Struct-Orgid", a.orgID)
			r := send(t, c, rc.pattern, rc.call(t, a))
			n++
			switch {
			case rc.cross == crossAny && r.Status < 500:
			case rc.cross == 0 && (r.Status == 403 || r.Status == 404):
			case rc.cross > 0 && r.Status == rc.cross:
			default:
				t.Errorf("%s as B's %s on A's ids = %d; body %.300s", rc.pattern, l, r.Status, r.Raw)
			}
			if s := a.leaks(r.Raw); s != "" {
				t.Errorf("%s as B's %s shows A's %q: %.300s", rc.pattern, l, s, r.Raw)
			}
		}
	}
	if after := a.snapshot(t); after != before {
		t.Errorf("org A changed under org B's calls:\n%s", chattest.LineDiff(before, after))
	}
	t.Logf("routes x orgs tried: %d routes x %d levels of org B against org A = %d", len(rows), anon, n)
}

// signedStranger is the bad token that is correctly signed but names a user
// who is not in its org (as a deleted user's token would): only a route that
// looks the caller up refuses it.
const signedStranger = "signed, but the user is of another org"

// identityFree routes need no caller (a join link, the pseudonym pool):
// they check a token's signature and expiry but never look its user up.
var identityFree = map[string]bool{"GET /v1/anons": true, "POST /v1/join": true}

// TestTokenMatrix sends every route that reads a credential each bad token
// built from a member of org A: all get 401 in the native error envelope,
// and A is unchanged.
func TestTokenMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newTenant(t, e, "tenanta")
	b := newTenant(t, e, "tenantb")
	a.frozen = true
	rows := matrixRows(t, a)
	victim, err := e.Authenticate(context.Background(), a.as[member].token())
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.Authenticate(context.Background(), b.as[owner].token())
	if err != nil {
		t.Fatal(err)
	}
	bad := e.BadTokens(t, victim, other)
	before := a.snapshot(t)
	n := 0
	for _, rc := range rows {
		if rc.pattern == "GET /v1/openapi.yaml" {
			continue // static: reads no credential
		}
		for _, tok := range bad {
			if tok.Name == signedStranger && identityFree[rc.pattern] {
				continue
			}
			c := &client{t: t, base: e.srv.URL, header: http.Header{"Authorization": {"Bearer " + tok.Token}}}
			r := send(t, c, rc.pattern, rc.call(t, a))
			n++
			if r.Status != 401 {
				t.Errorf("%s with %s = %d, want 401; body %.300s", rc.pattern, tok.Name, r.Status, r.Raw)
			} else if r.Body["ok"] != false || r.code() == "" {
				t.Errorf("%s with %s: body %.300s is not the native error envelope", rc.pattern, tok.Name, r.Raw)
			}
		}
	}
	// The same tokens in ?token=, which /v1/ws clients use.
	for _, tok := range bad {
		c := &client{t: t, base: e.srv.URL, header: http.Header{}}
		if r := dialStatus(t, c, "/v1/ws?token="+tok.Token); r.Status != 401 {
			t.Errorf("/v1/ws?token= with %s = %d, want 401", tok.Name, r.Status)
		}
		n++
	}
	if after := a.snapshot(t); after != before {
		t.Errorf("org A changed under bad tokens:\n%s", chattest.LineDiff(before, after))
	}
	t.Logf("routes x bad tokens tried: %d", n)
}

// TestWSTenantIsolation opens /v1/ws for org B's users (one watching a feed
// that names org A's threads, with A's id in x-struct-orgid) while org A is
// busy: B's sockets get nothing of A's, up to a marker event of B's own. A's
// own socket gets A's events, so there was something to leak.
func TestWSTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newTenant(t, e, "tenanta")
	b := newTenant(t, e, "tenantb")
	var bSockets []*wsClient
	for _, l := range []level{owner, member, bot} {
		c := &client{t: t, base: e.srv.URL, header: b.as[l].header.Clone()}
		c.header.Set("X-Struct-Orgid", a.orgID)
		ws := dialWS(t, e.srv.URL, c, -1)
		ws.send(map[string]any{"path": "/feed", "args": map[string]any{"feed_id": "6N1", "thread_ids": []string{a.thread, a.closedThread}}})
		ws.send(map[string]any{"path": "/presence"})
		bSockets = append(bSockets, ws)
	}
	aws := dialWS(t, e.srv.URL, a.as[owner], -1)
	aws.send(map[string]any{"path": "/presence"})
	aws.send(map[string]any{"path": "/typing", "args": map[string]string{"thread_id": a.thread}})
	time.Sleep(50 * time.Millisecond) // feed registrations are not acknowledged

	// Org A's activity, of every kind of event.
	own := a.as[owner]
	chatID := reply(t, own, a.thread, "tenanta busy reply")
	must(t, own.do("PUT", "/v1/chats", map[string]any{"id": chatID, "thread_id": a.thread, "text": "tenanta edited"}), 200)
	must(t, own.do("POST", "/v1/reactions", map[string]any{"chat_id": chatID, "name": "fire", "set": true}), 200)
	must(t, own.do("POST", "/v1/chats/"+chatID+"/pin", nil), 200)
	reply(t, own, a.closedThread, "tenanta closed reply")
	post(t, a.other, map[string]any{"text": "tenanta late topic", "xsr_ids": []string{a.open}})
	channel(t, own, "tenanta-late", "chan_anyone")
	must(t, own.do("POST", "/v1/users", map[string]any{"email": "late@example.com", "name": "tenanta late user"}), 200)
	must(t, own.do("PUT", "/v1/org", map[string]any{"description": "tenanta busy"}), 200)
	must(t, own.do("DELETE", "/v1/chats/"+chatID, nil), 200)
	// The control: A's own socket gets the events, and the leak check sees
	// A's ids in them.
	if f := next(t, aws, "server/event"); a.leaks(f.Data) == "" {
		t.Fatalf("org A's event %s shows nothing of A's", f.Data)
	}

	// Then B's marker: everything before it has been delivered.
	marker := reply(t, b.as[owner], b.thread, "tenantb marker")
	for i, ws := range bSockets {
		ws.send(map[string]any{"path": "/presence", "args": map[string]bool{"users": true}})
		for marked, listed := false, false; !marked || !listed; {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, raw, err := ws.conn.Read(ctx)
			cancel()
			if err != nil {
				t.Fatalf("B's socket %d: waiting for the marker: %v", i, err)
			}
			if s := a.leaks(raw); s != "" {
				t.Errorf("B's socket %d got A's %q: %.300s", i, s, raw)
			}
			marked = marked || strings.Contains(string(raw), marker)
			listed = listed || strings.Contains(string(raw), `"user_ids"`)
		}
	}
}
