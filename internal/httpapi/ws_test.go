package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/conntest"
)

// wsClient is a /v1/ws connection under test.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	last int64 // the last update_id received
}

type frame struct {
	Path     string          `json:"path"`
	UpdateID int64           `json:"update_id"`
	Event    string          `json:"event"`
	ThreadID string          `json:"thread_id"`
	Action   string          `json:"action"`
	Data     json.RawMessage `json:"data"`
}

func (c *client) token() string { return strings.TrimPrefix(c.header.Get("Authorization"), "Bearer ") }

// dialWS connects as c, resuming after since when since >= 0.
func dialWS(t *testing.T, base string, c *client, since int64) *wsClient {
	t.Helper()
	url := "ws" + strings.TrimPrefix(base, "http") + "/v1/ws?token=" + c.token()
	if since >= 0 {
		url += fmt.Sprintf("&since=%d", since)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	conn.SetReadLimit(1 << 20)
	w := &wsClient{t: t, conn: conn}
	t.Cleanup(func() { conn.CloseNow() })
	return w
}

func (w *wsClient) send(v any) {
	w.t.Helper()
	b, _ := json.Marshal(v)
	if err := w.conn.Write(context.Background(), websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

// next returns the next frame, failing after a deadline.
func (w *wsClient) next() frame {
	w.t.Helper()
	f, err := w.read(5 * time.Second)
	if err != nil {
		w.t.Fatalf("read frame: %v", err)
	}
	return f
}

func (w *wsClient) read(d time.Duration) (frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	_, b, err := w.conn.Read(ctx)
	if err != nil {
		return frame{}, err
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		w.t.Fatalf("frame %s: %v", b, err)
	}
	if f.UpdateID > 0 && f.Path == "server/event" {
		if f.UpdateID <= w.last {
			w.t.Fatalf("update_id %d after %d: out of order or duplicated", f.UpdateID, w.last)
		}
		w.last = f.UpdateID
	}
	return f, nil
}

// events reads n server/event frames (skipping others) and returns them.
func (w *wsClient) events(n int) []frame {
	w.t.Helper()
	var out []frame
	for len(out) < n {
		if f := w.next(); f.Path == "server/event" {
			out = append(out, f)
		}
	}
	return out
}

// quiet checks that no event frame arrives for a moment.
func (w *wsClient) quiet() {
	w.t.Helper()
	f, err := w.read(300 * time.Millisecond)
	if err == nil {
		w.t.Fatalf("unexpected frame %+v %s", f, f.Data)
	}
}

func eventTypes(fs []frame) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Event)
	}
	return out
}

func TestWSLiveEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	bob := e.as(t, e.MustUser(t, org, "bob", chat.LevelMember))
	_, strangerA := e.MustOrg(t)
	stranger := e.as(t, strangerA)

	ch := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "general", "bits": map[string]bool{"chan_member": true}}), 200).data()["id"])
	secret := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "staff", "bits": map[string]bool{"chan_hidden": true}}), 200).data()["id"])
	bws := dialWS(t, e.srv.URL, bob, -1)
	sws := dialWS(t, e.srv.URL, stranger, -1)

	// Bob joins general: he sees the membership change and then the
	// channel's traffic, but nothing of the hidden channel or another org.
	must(t, bob.do("POST", "/v1/channels/"+ch+"/join", nil), 200)
	if f := bws.events(1)[0]; f.Event != "channel.updated" {
		t.Fatalf("first event %q", f.Event)
	}
	must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "staff only", "xsr_ids": []string{secret}}), 200)
	th := must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "hello all", "xsr_ids": []string{ch}}), 200).Body
	thID, first := str(th["thread_id"]), str(th["chat_id"])
	got := bws.events(2)
	if fmt.Sprint(eventTypes(got)) != "[thread.created message.created]" {
		t.Fatalf("events = %v", eventTypes(got))
	}
	var m map[string]any
	json.Unmarshal(got[1].Data, &m)
	if m["text"] != "hello all" || m["id"] != first {
		t.Errorf("message event data = %v", m)
	}
	must(t, bob.do("PUT", "/v1/read", map[string]any{"thread_id": thID, "chat_id": first}), 200)
	must(t, owner.do("PUT", "/v1/chats", map[string]any{"id": first, "text": "hello everyone"}), 200)
	must(t, owner.do("POST", "/v1/reactions", map[string]any{"chat_id": first, "name": "wave", "set": true}), 200)
	must(t, owner.do("POST", "/v1/reactions", map[string]any{"chat_id": first, "name": "wave", "delete": true}), 200)
	must(t, owner.do("DELETE", "/v1/chats/"+first, nil), 200)
	got = bws.events(5)
	if fmt.Sprint(eventTypes(got)) != "[read.moved message.edited reaction.set reaction.unset message.deleted]" {
		t.Fatalf("events = %v", eventTypes(got))
	}
	// A refused write and an idempotent retry announce nothing.
	must(t, bob.do("PUT", "/v1/chats", map[string]any{"id": first, "text": "x"}), 404)
	msg := map[string]any{"thread_id": thID, "text": "once", "client_msg_id": "c"}
	must(t, bob.do("POST", "/v1/chats", msg), 200)
	must(t, bob.do("POST", "/v1/chats", msg), 200)
	if got := bws.events(1); got[0].Event != "message.created" {
		t.Fatalf("got %v", eventTypes(got))
	}
	bws.quiet()
	sws.quiet()
}

func TestWSResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	bob := e.as(t, e.MustUser(t, org, "bob", chat.LevelMember))
	ch := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "general", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	th := str(must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "start", "xsr_ids": []string{ch}}), 200).Body["thread_id"])

	bws := dialWS(t, e.srv.URL, bob, -1)
	must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": th, "text": "seen live"}), 200)
	for !strings.Contains(string(bws.events(1)[0].Data), "seen live") {
	}
	cursor := bws.last
	bws.conn.Close(websocket.StatusNormalClosure, "")

	// While Bob is away: a hundred events of every kind.
	var want []string
	for i := range 25 {
		c := str(must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": th, "text": fmt.Sprintf("missed %d", i)}), 200).Body["chat_id"])
		must(t, owner.do("PUT", "/v1/chats", map[string]any{"id": c, "text": fmt.Sprintf("missed %d, edited", i)}), 200)
		must(t, owner.do("POST", "/v1/reactions", map[string]any{"chat_id": c, "name": "ok", "set": true}), 200)
		must(t, owner.do("DELETE", "/v1/chats/"+c, nil), 200)
		want = append(want, "message.created", "message.edited", "reaction.set", "message.deleted")
	}
	again := dialWS(t, e.srv.URL, bob, cursor)
	// Live traffic right after the reconnect must follow the replay with no
	// gap and no duplicate.
	must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": th, "text": "after"}), 200)
	want = append(want, "message.created")
	got := again.events(len(want))
	if fmt.Sprint(eventTypes(got)) != fmt.Sprint(want) {
		t.Fatalf("replayed %v\nwant %v", eventTypes(got), want)
	}
	again.quiet()

	// A cursor older than the log keeps gets one /reset, then live events.
	if _, err := e.PruneEvents(context.Background(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	old := dialWS(t, e.srv.URL, bob, 1)
	if f := old.next(); f.Path != "/reset" {
		t.Fatalf("stale cursor got %+v, want /reset", f)
	}
	must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": th, "text": "fresh"}), 200)
	if f := old.events(1)[0]; f.Event != "message.created" {
		t.Fatalf("after reset: %+v", f)
	}
}

func TestWSPresenceTypingFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	bob := e.as(t, e.MustUser(t, org, "bob", chat.LevelMember))
	ch := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "general", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	known := str(must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "known", "xsr_ids": []string{ch}}), 200).Body["thread_id"])

	ows := dialWS(t, e.srv.URL, owner, -1)
	bws := dialWS(t, e.srv.URL, bob, -1)
	ows.send(map[string]any{"path": "/presence"})
	// Bob sees the owner become active, then asks for the active list.
	if f := next(t, bws, "/presence"); !strings.Contains(string(f.Data), `"active"`) {
		t.Fatalf("presence update %s", f.Data)
	}
	bws.send(map[string]any{"path": "/presence", "args": map[string]bool{"users": true}})
	for {
		f := next(t, bws, "/presence")
		var d struct {
			Status  string   `json:"status"`
			UserIDs []string `json:"user_ids"`
		}
		json.Unmarshal(f.Data, &d)
		if len(d.UserIDs) == 2 {
			break
		}
	}

	ows.send(map[string]any{"path": "/typing", "args": map[string]string{"thread_id": known}})
	if f := next(t, bws, "/typing"); !strings.Contains(string(f.Data), known) {
		t.Fatalf("typing frame %s", f.Data)
	}

	bws.send(map[string]any{"path": "/feed", "args": map[string]any{"feed_id": "6N1", "thread_ids": []string{known}}})
	time.Sleep(50 * time.Millisecond) // the feed registration is not acknowledged
	must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": known, "text": "bump"}), 200)
	f := next(t, bws, "server/feed")
	if f.ThreadID != known || f.Action != "move_to_top" || len(f.Data) != 0 {
		t.Fatalf("feed frame for a known thread = %+v %s", f, f.Data)
	}
	fresh := str(must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "brand new", "xsr_ids": []string{ch}}), 200).Body["thread_id"])
	f = next(t, bws, "server/feed")
	if f.ThreadID != fresh || !strings.Contains(string(f.Data), "brand new") {
		t.Fatalf("feed frame for an unknown thread = %+v %s", f, f.Data)
	}
	must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": fresh, "text": "again"}), 200)
	if f = next(t, bws, "server/feed"); len(f.Data) != 0 {
		t.Fatalf("a thread sent whole once is known afterwards: %s", f.Data)
	}
}

// next reads frames until one with path arrives.
func next(t *testing.T, w *wsClient, path string) frame {
	t.Helper()
	for {
		if f := w.next(); f.Path == path {
			return f
		}
	}
}

func TestWSBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)

	// No credential: refused before the upgrade.
	res, err := http.Get(e.srv.URL + "/v1/ws")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("no credential: %d", res.StatusCode)
	}
	res, _ = http.Get(e.srv.URL + "/v1/ws?token=forged")
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("bad credential: %d", res.StatusCode)
	}
	res, _ = http.Get(e.srv.URL + "/v1/ws?token=" + owner.token() + "&since=-4")
	res.Body.Close()
	if res.StatusCode != 400 {
		t.Fatalf("bad since: %d", res.StatusCode)
	}

	w := dialWS(t, e.srv.URL, owner, -1)
	for _, bad := range []string{`{"path":"/nope"}`, `not json`, `{"path":"/typing","args":{"thread_id":"zz"}}`, `{"path":"/typing","args":{"thread_id":"2Kfff1"}}`, `{}`} {
		w.conn.Write(context.Background(), websocket.MessageText, []byte(bad))
		if f := w.next(); f.Path != "/error" {
			t.Fatalf("%s answered %+v", bad, f)
		}
	}
	// A flood is answered with errors, then cut off; others are unaffected.
	other := dialWS(t, e.srv.URL, owner, -1)
	for i := 0; i < 300; i++ {
		if err := w.conn.Write(context.Background(), websocket.MessageText, []byte(`{"path":"/presence"}`)); err != nil {
			break
		}
	}
	var closeErr error
	for closeErr == nil {
		_, closeErr = w.read(5 * time.Second)
	}
	if websocket.CloseStatus(closeErr) != websocket.StatusPolicyViolation {
		t.Fatalf("flood ended with %v", closeErr)
	}
	// A frame over the limit closes with 1009.
	big := dialWS(t, e.srv.URL, owner, -1)
	big.conn.Write(context.Background(), websocket.MessageText, []byte(`{"path":"/presence","args":{"x":"`+strings.Repeat("x", 32<<10)+`"}}`))
	_, err = big.read(5 * time.Second)
	if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("huge frame ended with %v", err)
	}
	other.send(map[string]any{"path": "/presence", "args": map[string]bool{"users": true}})
	if f := next(t, other, "/presence"); f.Path != "/presence" {
		t.Fatal("other socket affected")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("timeout")
	}
}

func TestWSConnectionCap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	var conns []*wsClient
	for range chatDefaultConns {
		conns = append(conns, dialWS(t, e.srv.URL, owner, -1))
	}
	res, err := http.Get(e.srv.URL + "/v1/ws?token=" + owner.token())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("connection over the cap: %d, want 429", res.StatusCode)
	}
	// Closing one frees a place.
	conns[0].conn.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/v1/ws?token="+owner.token(), nil)
		cancel()
		if err == nil {
			c.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no place after closing a connection: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const chatDefaultConns = chat.DefaultMaxConnsPerUser

// TestWSConnectChurn: a flood of connects and disconnects, and a socket
// that stops reading, leave no goroutines behind and do not slow the others.
func TestWSConnectChurn(t *testing.T) {
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	bob := e.as(t, e.MustUser(t, org, "bob", chat.LevelMember))
	ch := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "c", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	th := str(must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "t", "xsr_ids": []string{ch}}), 200).Body["thread_id"])
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()

	conntest.Churn(25, 20, func() *websocket.Conn { return dialWS(t, e.srv.URL, bob, -1).conn })
	// A socket that never reads while chats keep coming: it is cut off,
	// and a reading socket still gets everything. Its TCP receive buffer
	// is small, so that the server's writes to it block instead of filling
	// the kernel's buffers.
	hc, tcp := conntest.SmallBufferClient()
	sc, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/v1/ws?token="+bob.token(),
		&websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	stuck := &wsClient{t: t, conn: sc}
	reader := dialWS(t, e.srv.URL, bob, -1)
	big := strings.Repeat("x", 30000)
	for i := range 200 {
		must(t, owner.do("POST", "/v1/chats", map[string]any{"thread_id": th, "text": fmt.Sprintf("%d %s", i, big)}), 200)
		if got := reader.events(1); got[0].Event != "message.created" {
			t.Fatalf("reader got %v", got[0].Event)
		}
	}
	// The server cut the stuck socket off (a write to it timed out) while
	// the client still holds it open.
	select {
	case <-e.ln.ClosedFor(<-tcp):
	case <-time.After(30 * time.Second):
		t.Fatal("the socket that stopped reading was never cut off")
	}
	stuck.conn.CloseNow()
	reader.conn.CloseNow()
	http.DefaultClient.CloseIdleConnections()
	conntest.WaitGoroutines(t, before, 10*time.Second)
}

// TestWSCustomFeed: a socket watching a custom feed hears only of threads
// that belong to it; an unknown or foreign feed id is an error frame.
func TestWSCustomFeed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	owner := e.as(t, ownerA)
	bob := e.as(t, e.MustUser(t, org, "bob", chat.LevelMember))
	a := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "a", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	b := str(must(t, owner.do("POST", "/v1/channels", map[string]any{"name": "b", "bits": map[string]bool{"chan_anyone": true}}), 200).data()["id"])
	feed := str(must(t, bob.do("POST", "/v1/feed", map[string]any{"name": "only a", "channel_ids": []string{a}}), 200).data()["id"])
	ownerFeed := str(must(t, owner.do("POST", "/v1/feed", map[string]any{"name": "mine"}), 200).data()["id"])

	w := dialWS(t, e.srv.URL, bob, -1)
	w.send(map[string]any{"path": "/feed", "args": map[string]any{"feed_id": ownerFeed}})
	if f := next(t, w, "/error"); !strings.Contains(string(f.Data), "not_found") {
		t.Fatalf("foreign feed: %s", f.Data)
	}
	w.send(map[string]any{"path": "/feed", "args": map[string]any{"feed_id": feed}})
	time.Sleep(50 * time.Millisecond) // the feed registration is not acknowledged
	must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "in b", "xsr_ids": []string{b}}), 200)
	inA := str(must(t, owner.do("POST", "/v1/threads", map[string]any{"text": "in a", "xsr_ids": []string{a}}), 200).Body["thread_id"])
	f := next(t, w, "server/feed")
	if f.ThreadID != inA || !strings.Contains(string(f.Data), "in a") {
		t.Fatalf("feed frame = %+v %s, want the thread in a", f, f.Data)
	}
}
