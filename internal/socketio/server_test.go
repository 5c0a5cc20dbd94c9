package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

func TestHandshake(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{PingInterval: 1500 * time.Millisecond, PingTimeout: 700 * time.Millisecond, MaxPayload: 12345})

	resp, err := http.Get(h.eio + "?EIO=4&transport=polling&t=abc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("handshake Content-Type = %q", ct)
	}

	c := mustHandshake(t, h.eio)
	if len(c.sid) != 20 {
		t.Errorf("sid %q: want 20 characters", c.sid)
	}
	want := map[string]any{"sid": c.sid, "upgrades": []any{"websocket"}, "pingInterval": 1500.0, "pingTimeout": 700.0, "maxPayload": 12345.0}
	if diff := cmp.Diff(want, c.open); diff != "" {
		t.Errorf("open packet mismatch (-want +got):\n%s", diff)
	}

	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket"))
	p := wsRead(t, ws)
	var open map[string]any
	if !strings.HasPrefix(p, "0") || json.Unmarshal([]byte(p[1:]), &open) != nil {
		t.Fatalf("websocket open packet = %q", p)
	}
	if ups, _ := open["upgrades"].([]any); ups == nil || len(ups) != 0 {
		t.Errorf("websocket open upgrades = %v, want []", open["upgrades"])
	}
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{OriginPatterns: []string{"good.example"}})
	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket"))
	var open struct{ SID string }
	_ = json.Unmarshal([]byte(wsRead(t, ws)[1:]), &open)
	poll := mustHandshake(t, h.eio)

	tests := []struct {
		name       string
		method     string
		query      string
		header     http.Header
		wantStatus int
		wantCode   int
	}{
		{"unknown transport", "GET", "EIO=4&transport=carrier-pigeon", nil, 400, 0},
		{"missing transport", "GET", "EIO=4", nil, 400, 0},
		{"webtransport", "GET", "EIO=4&transport=webtransport", nil, 400, 0},
		{"unknown sid", "GET", "EIO=4&transport=polling&sid=nope", nil, 400, 1},
		{"unknown sid post", "POST", "EIO=4&transport=polling&sid=nope", nil, 400, 1},
		{"handshake by POST", "POST", "EIO=4&transport=polling", nil, 400, 2},
		{"handshake by PUT", "PUT", "EIO=4&transport=polling", nil, 400, 2},
		{"websocket without upgrade", "GET", "EIO=4&transport=websocket", nil, 400, 3},
		{"polling on a websocket session", "GET", "EIO=4&transport=polling&sid=" + open.SID, nil, 400, 3},
		{"protocol mismatch on session", "GET", "EIO=3&transport=polling&sid=" + poll.sid, nil, 400, 3},
		{"bad method on session", "DELETE", "EIO=4&transport=polling&sid=" + poll.sid, nil, 400, 3},
		{"forbidden origin", "GET", "EIO=4&transport=polling", http.Header{"Origin": {"https://evil.example"}}, 403, 4},
		{"invalid origin", "GET", "EIO=4&transport=polling", http.Header{"Origin": {"::"}}, 403, 4},
		{"EIO 3", "GET", "EIO=3&transport=polling", nil, 400, 5},
		{"no EIO", "GET", "transport=polling", nil, 400, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, h.eio+"?"+tt.query, nil)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Code    *int
				Message string
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("body: %v", err)
			}
			if resp.StatusCode != tt.wantStatus || body.Code == nil || *body.Code != tt.wantCode || body.Message != errorMessages[tt.wantCode] {
				t.Errorf("got %d %+v, want %d code %d %q", resp.StatusCode, body, tt.wantStatus, tt.wantCode, errorMessages[tt.wantCode])
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}

	// Allowed origins: the request's own host and the patterns.
	for _, origin := range []string{"https://good.example", h.origin} {
		req, _ := http.NewRequest("GET", h.eio+"?EIO=4&transport=polling", nil)
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("origin %s: status %d, want 200", origin, resp.StatusCode)
		}
	}
	// A foreign origin cannot open a WebSocket either.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, wsURL(h.eio, "EIO=4&transport=websocket"), &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || resp == nil || resp.StatusCode != 403 {
		t.Errorf("websocket from a foreign origin: err %v, resp %v; want 403", err, resp)
	}
}

func TestPollingSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{Authenticate: func(r *http.Request, auth json.RawMessage) (any, error) {
		var a struct{ Token string }
		_ = json.Unmarshal(auth, &a)
		if a.Token != "good" {
			return nil, errors.New("invalid token")
		}
		return map[string]string{"user": "u1"}, nil
	}})
	c := mustHandshake(t, h.eio)

	// A refused CONNECT gets CONNECT_ERROR with the error's text.
	if st := c.post(`40{"token":"bad"}`); st != 200 {
		t.Fatalf("POST = %d", st)
	}
	if p := c.getUntil(prefix("4")); p != `44{"message":"invalid token"}` {
		t.Errorf("refused CONNECT answered %q", p)
	}

	id := c.mustConnect(`{"token":"good"}`)
	// Two packets in one POST; the answers come back in order.
	if st := c.post(`421["echo","a",{"b":1}]`, `422["whoami"]`); st != 200 {
		t.Fatalf("POST = %d", st)
	}
	got := c.collect(2, prefix("43"))
	want := []string{`431["a",{"b":1}]`, fmt.Sprintf(`432[{"data":{"user":"u1"},"id":%q,"nsp":"/"}]`, id)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("acks mismatch (-want +got):\n%s", diff)
	}

	// Packets emitted between polls wait for the next GET, in order.
	so := h.socket(id)
	for i := range 3 {
		if err := so.Emit("n", i); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.get(); !slices.Equal(got, []string{`42["n",0]`, `42["n",1]`, `42["n",2]`}) {
		t.Errorf("poll after 3 emits = %q", got)
	}

	// The client's DISCONNECT ends the socket but not the session.
	if st := c.post("41"); st != 200 {
		t.Fatalf("POST 41 = %d", st)
	}
	if r := h.waitReason(id); r != ReasonClientDisconnect {
		t.Errorf("reason = %q, want %q", r, ReasonClientDisconnect)
	}
	if err := so.Emit("late"); !errors.Is(err, ErrDisconnected) {
		t.Errorf("Emit after disconnect = %v, want ErrDisconnected", err)
	}
	id2 := c.mustConnect(`{"token":"good"}`)
	if id2 == id {
		t.Error("reconnected socket reused the old ID")
	}

	// The client's close packet ends the session.
	if st := c.post("1"); st != 200 {
		t.Fatalf("POST 1 = %d", st)
	}
	if r := h.waitReason(id2); r != ReasonTransportClose {
		t.Errorf("reason = %q, want %q", r, ReasonTransportClose)
	}
	eventually(t, 5*time.Second, func() error {
		if n := h.sessionCount(); n != 0 {
			return fmt.Errorf("%d sessions", n)
		}
		return nil
	})
	if st, _ := c.do("GET", c.url(), ""); st != 400 {
		t.Errorf("GET on a closed session = %d, want 400", st)
	}
}

func TestProtocolErrorsCloseTheSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	tests := []struct {
		name    string
		payload string
		connect bool
	}{
		{"bad engine.io type", "9", true},
		{"empty payload", "", true},
		{"bad socket.io packet", `42{"not":"an array"}`, true},
		{"reserved event", `42["disconnect"]`, true},
		{"event before connect", `42["echo"]`, false},
		{"second connect", `40`, true},
		{"ping from client", "2", true},
		{"upgrade over polling", "5", true},
		{"binary attachment with no header", "bAQID", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustHandshake(t, h.eio)
			id := ""
			if tt.connect {
				id = c.mustConnect("")
			}
			st := c.post(tt.payload)
			if tt.connect {
				if r := h.waitReason(id); r != ReasonParseError {
					t.Errorf("reason = %q, want %q", r, ReasonParseError)
				}
			}
			// Whether the error shows in the POST's answer (decoding) or only
			// later (dispatch), the session ends.
			eventually(t, 5*time.Second, func() error {
				if got, _ := c.do("GET", c.url(), ""); got != 400 {
					return fmt.Errorf("poll still answered %d (POST answered %d)", got, st)
				}
				return nil
			})
		})
	}
}

func TestOverlappingPollsCloseTheSession(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	c := mustHandshake(t, h.eio)
	id := c.mustConnect("")

	first := make(chan []string, 1)
	go func() { first <- c.get() }() // blocks: nothing is queued
	eventually(t, 5*time.Second, func() error {
		s := h.session(c.sid)
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.polling {
			return errors.New("first poll not pending yet")
		}
		return nil
	})
	if st, _ := c.do("GET", c.url(), ""); st != 400 {
		t.Errorf("overlapping poll = %d, want 400", st)
	}
	if got := <-first; !slices.Equal(got, []string{"1"}) {
		t.Errorf("pending poll answered %q, want the close packet", got)
	}
	if r := h.waitReason(id); r != ReasonTransportError {
		t.Errorf("reason = %q, want %q", r, ReasonTransportError)
	}
}

func TestPingTimeout(t *testing.T) {
	t.Parallel()
	// The WebSocket client below must answer each ping within PingTimeout:
	// generous, so that a loaded machine does not fail the test.
	h := newHarness(t, Options{PingInterval: 50 * time.Millisecond, PingTimeout: 500 * time.Millisecond})

	// Polling: answer no ping.
	c := mustHandshake(t, h.eio)
	id := c.mustConnect("")
	if got := c.get(); !slices.Equal(got, []string{"2"}) {
		t.Errorf("poll = %q, want a ping", got)
	}
	if r := h.waitReason(id); r != ReasonPingTimeout {
		t.Errorf("polling reason = %q, want %q", r, ReasonPingTimeout)
	}

	// WebSocket: answer two pings, then stop.
	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket"))
	wsRead(t, ws) // open
	wsWrite(t, ws, "40")
	p := wsReadUntil(t, ws, prefix("40"))
	var reply struct{ SID string }
	_ = json.Unmarshal([]byte(p[2:]), &reply)
	for range 2 {
		if p := wsRead(t, ws); p != "2" {
			t.Fatalf("read %q, want a ping", p)
		}
		wsWrite(t, ws, "3")
	}
	if h.reason(reply.SID) != "" {
		t.Fatalf("disconnected while answering pings: %q", h.reason(reply.SID))
	}
	if r := h.waitReason(reply.SID); r != ReasonPingTimeout {
		t.Errorf("websocket reason = %q, want %q", r, ReasonPingTimeout)
	}
}

func TestUpgrade(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	c := mustHandshake(t, h.eio)
	id := c.mustConnect("")

	pending := make(chan []string, 1)
	go func() { pending <- c.get() }()
	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket&sid="+c.sid))
	wsWrite(t, ws, "2probe")
	if p := wsRead(t, ws); p != "3probe" {
		t.Fatalf("probe answered %q", p)
	}
	// The pending poll is released with a noop so the client can pause.
	select {
	case got := <-pending:
		if !slices.Equal(got, []string{"6"}) {
			t.Errorf("pending poll during upgrade = %q, want noop", got)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("pending poll not released during upgrade")
	}
	// Packets emitted before the upgrade completes are not lost.
	so := h.socket(id)
	_ = so.Emit("before", 1)
	wsWrite(t, ws, "5")
	_ = so.Emit("after", 2)
	if p := wsReadUntil(t, ws, prefix("42")); p != `42["before",1]` {
		t.Errorf("first event on the websocket = %q", p)
	}
	if p := wsReadUntil(t, ws, prefix("42")); p != `42["after",2]` {
		t.Errorf("second event on the websocket = %q", p)
	}
	wsWrite(t, ws, `421["echo","over ws"]`)
	if p := wsReadUntil(t, ws, prefix("43")); p != `431["over ws"]` {
		t.Errorf("ack over the websocket = %q", p)
	}
	// Polling is over for this session.
	if st, _ := c.do("GET", c.url(), ""); st != 400 {
		t.Errorf("poll after upgrade = %d, want 400", st)
	}
	if st := c.post(`42["echo"]`); st != 400 {
		t.Errorf("POST after upgrade = %d, want 400", st)
	}
	// A second upgrade is refused.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, resp, err := websocket.Dial(ctx, wsURL(h.eio, "EIO=4&transport=websocket&sid="+c.sid), nil); err == nil || resp == nil || resp.StatusCode != 400 {
		t.Errorf("second upgrade: err %v; want 400", err)
	}
	if r := h.reason(id); r != "" {
		t.Errorf("socket disconnected during upgrade: %q", r)
	}
}

func TestFailedProbeKeepsPolling(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	c := mustHandshake(t, h.eio)
	id := c.mustConnect("")
	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket&sid="+c.sid))
	wsWrite(t, ws, "2probe")
	if p := wsRead(t, ws); p != "3probe" {
		t.Fatalf("probe answered %q", p)
	}
	_ = ws.CloseNow() // give up before sending "5"
	eventually(t, 5*time.Second, func() error {
		s := h.session(c.sid)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.upgrading {
			return errors.New("still upgrading")
		}
		return nil
	})
	_ = h.socket(id).Emit("still", "polling")
	if p := c.getUntil(prefix("42")); p != `42["still","polling"]` {
		t.Errorf("poll after failed probe = %q", p)
	}
}

func TestMaxPayload(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{MaxPayload: 1000})

	t.Run("polling", func(t *testing.T) {
		c := mustHandshake(t, h.eio)
		id := c.mustConnect("")
		// Exactly the limit is fine.
		ok := `42["echo","` + strings.Repeat("a", 1000-len(`42["echo",""]`)) + `"]`
		if st := c.post(ok); st != 200 {
			t.Fatalf("POST of exactly MaxPayload = %d", st)
		}
		if st := c.post(`42["echo","` + strings.Repeat("a", 1000) + `"]`); st != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized POST = %d, want 413", st)
		}
		if r := h.waitReason(id); r != ReasonPayloadTooLarge {
			t.Errorf("reason = %q, want %q", r, ReasonPayloadTooLarge)
		}
	})
	t.Run("websocket", func(t *testing.T) {
		ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket"))
		wsRead(t, ws)
		wsWrite(t, ws, "40")
		var reply struct{ SID string }
		_ = json.Unmarshal([]byte(wsReadUntil(t, ws, prefix("40"))[2:]), &reply)
		wsWrite(t, ws, `42["echo","`+strings.Repeat("a", 1000)+`"]`)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for {
			if _, _, err := ws.Read(ctx); err != nil {
				if st := websocket.CloseStatus(err); st != websocket.StatusMessageTooBig {
					t.Errorf("close status %v (%v), want %v", st, err, websocket.StatusMessageTooBig)
				}
				break
			}
		}
		if r := h.waitReason(reply.SID); r != ReasonPayloadTooLarge {
			t.Errorf("reason = %q, want %q", r, ReasonPayloadTooLarge)
		}
	})
}

func TestSlowClientDoesNotBlockBroadcast(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{MaxQueuedBytes: 16 << 10})
	slow := mustHandshake(t, h.eio)
	slowID := slow.mustConnect("")
	fast := mustHandshake(t, h.eio)
	fastID := fast.mustConnect("")
	h.socket(slowID).Join("r")
	h.socket(fastID).Join("r")

	// Ten rounds of five 1 KB broadcasts. The fast client takes each round
	// before the next; the slow one never polls, and its 16 KiB queue
	// overflows during the fourth round.
	msg := strings.Repeat("x", 1000)
	for round := range 10 {
		start := time.Now()
		for i := range 5 {
			if err := h.srv.To("r").Emit("b", round*5+i, msg); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("round %d: 5 broadcasts took %v", round, d)
		}
		got := 0
		for got < 5 {
			for _, p := range fast.get() {
				if strings.HasPrefix(p, `42["b",`) {
					got++
				}
			}
		}
	}
	if r := h.waitReason(slowID); r != ReasonSlowClient {
		t.Errorf("slow client reason = %q, want %q", r, ReasonSlowClient)
	}
	if r := h.reason(fastID); r != "" {
		t.Errorf("fast client disconnected: %q", r)
	}
	if err := h.socket(slowID).Emit("x"); !errors.Is(err, ErrDisconnected) {
		t.Errorf("Emit to the slow client = %v, want ErrDisconnected", err)
	}
	// The slow client's next poll learns the session is over: the queue was
	// dropped and the session is gone.
	if st, body := slow.do("GET", slow.url(), ""); st != 400 || !strings.Contains(body, `"code":1`) {
		t.Errorf("slow client's poll = %d %s, want 400 unknown sid", st, body)
	}
}

func TestBinaryPacketsAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket"))
	wsRead(t, ws)
	wsWrite(t, ws, "40")
	var reply struct{ SID string }
	_ = json.Unmarshal([]byte(wsReadUntil(t, ws, prefix("40"))[2:]), &reply)

	wsWrite(t, ws, `452-["upload",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, b := range [][]byte{{1, 2, 3}, {4}} {
		if err := ws.Write(ctx, websocket.MessageBinary, b); err != nil {
			t.Fatal(err)
		}
	}
	if p := wsReadUntil(t, ws, prefix("41")); p != "41" {
		t.Errorf("got %q, want a DISCONNECT", p)
	}
	if r := h.waitReason(reply.SID); r != ReasonBinaryUnsupported {
		t.Errorf("reason = %q, want %q", r, ReasonBinaryUnsupported)
	}
	// The attachments were discarded and the session still works.
	wsWrite(t, ws, "40")
	wsReadUntil(t, ws, prefix("40{"))
	wsWrite(t, ws, `427["echo","still here"]`)
	if p := wsReadUntil(t, ws, prefix("43")); p != `437["still here"]` {
		t.Errorf("ack after refusal = %q", p)
	}
}

func TestNamespaces(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{Namespaces: []string{"/admin"}})
	c := mustHandshake(t, h.eio)
	mainID := c.mustConnect("")
	if st := c.post("40/nope,"); st != 200 {
		t.Fatal(st)
	}
	if p := c.getUntil(prefix("44")); p != `44/nope,{"message":"Invalid namespace"}` {
		t.Errorf("unknown namespace answered %q", p)
	}
	if st := c.post(`40/admin,{"x":1}`); st != 200 {
		t.Fatal(st)
	}
	p := c.getUntil(prefix("40/admin,"))
	var reply struct{ SID string }
	if err := json.Unmarshal([]byte(strings.TrimPrefix(p, "40/admin,")), &reply); err != nil {
		t.Fatalf("admin CONNECT reply %q", p)
	}
	admin := h.socket(reply.SID)
	if admin.Namespace() != "/admin" {
		t.Errorf("Namespace() = %q", admin.Namespace())
	}
	if st := c.post(`42/admin,5["whoami"]`); st != 200 {
		t.Fatal(st)
	}
	if p := c.getUntil(prefix("43/admin,5")); !strings.Contains(p, `"nsp":"/admin"`) {
		t.Errorf("ack in /admin = %q", p)
	}

	// Rooms and broadcasts are per namespace.
	h.socket(mainID).Join("r")
	admin.Join("r")
	if err := h.srv.To("r").Emit("m", "main"); err != nil {
		t.Fatal(err)
	}
	if err := h.srv.Of("/admin").To("r").Emit("m", "admin"); err != nil {
		t.Fatal(err)
	}
	var events []string
	for len(events) < 2 {
		for _, p := range c.get() {
			if strings.Contains(p, `"m"`) {
				events = append(events, p)
			}
		}
	}
	if want := []string{`42["m","main"]`, `42/admin,["m","admin"]`}; !slices.Equal(events, want) {
		t.Errorf("broadcasts = %q, want %q", events, want)
	}

	// Disconnecting one namespace leaves the other.
	admin.Disconnect()
	if p := c.getUntil(prefix("41")); p != "41/admin," {
		t.Errorf("server disconnect = %q", p)
	}
	if r := h.waitReason(admin.ID()); r != ReasonServerDisconnect {
		t.Errorf("reason = %q", r)
	}
	if r := h.reason(mainID); r != "" {
		t.Errorf("main socket disconnected too: %q", r)
	}
}

func TestRooms(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var ids []string
	for range 3 {
		ids = append(ids, mustHandshake(t, h.eio).mustConnect(""))
	}
	a, b, c := h.socket(ids[0]), h.socket(ids[1]), h.socket(ids[2])
	a.Join("x")
	a.Join("x")
	a.Join("y")
	b.Join("y")
	if got, want := a.Rooms(), sorted(a.ID(), "x", "y"); !slices.Equal(got, want) {
		t.Errorf("Rooms() = %q, want %q", got, want)
	}
	targets := func(br Broadcast) []string {
		var out []string
		for _, so := range br.targets() {
			out = append(out, so.ID())
		}
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name string
		br   Broadcast
		want []string
	}{
		{"one room", h.srv.To("x"), sorted(a.ID())},
		{"union without duplicates", h.srv.To("x", "y"), sorted(a.ID(), b.ID())},
		{"chained To", h.srv.To("x").To("y"), sorted(a.ID(), b.ID())},
		{"everyone", h.srv.To(), sorted(a.ID(), b.ID(), c.ID())},
		{"socket ID room", h.srv.To(c.ID()), sorted(c.ID())},
		{"except sender", a.To("y"), sorted(b.ID())},
		{"empty room", h.srv.To("nobody"), nil},
		{"other namespace", h.srv.Of("/admin"), nil},
	}
	for _, tt := range tests {
		if got := targets(tt.br); !slices.Equal(got, tt.want) {
			t.Errorf("%s: targets %q, want %q", tt.name, got, tt.want)
		}
	}
	if err := (Broadcast{}).Emit("x"); err != nil {
		t.Errorf("zero Broadcast Emit = %v", err)
	}
	if err := h.srv.To("x").Emit("connect"); err == nil {
		t.Error("Emit of a reserved event name: want an error")
	}

	a.Leave("x")
	a.Leave("never")
	if got := targets(h.srv.To("x")); len(got) != 0 {
		t.Errorf("after Leave: %q", got)
	}
	a.Disconnect()
	h.waitReason(a.ID())
	a.Join("z")
	if got := a.Rooms(); len(got) != 0 {
		t.Errorf("Rooms() after disconnect = %q", got)
	}
	if got := targets(h.srv.To("y")); !slices.Equal(got, sorted(b.ID())) {
		t.Errorf("room y after a disconnected: %q", got)
	}
	h.srv.roomsMu.RLock()
	defer h.srv.roomsMu.RUnlock()
	for k := range h.srv.rooms {
		if k.room == "z" || k.room == "x" || k.room == a.ID() {
			t.Errorf("room %q left behind", k.room)
		}
	}
}

func sorted(s ...string) []string { slices.Sort(s); return s }

func TestEmitWithAck(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket"))
	wsRead(t, ws)
	wsWrite(t, ws, "40")
	var reply struct{ SID string }
	_ = json.Unmarshal([]byte(wsReadUntil(t, ws, prefix("40"))[2:]), &reply)
	so := h.socket(reply.SID)

	// From a handler: the client asks, the server asks back, the client
	// answers, and the server acknowledges with the answer.
	wsWrite(t, ws, `429["ask","why?"]`)
	q := wsReadUntil(t, ws, prefix("42"))
	var id int
	if _, err := fmt.Sscanf(q, `42%d["question","why?"]`, &id); err != nil {
		t.Fatalf("question = %q: %v", q, err)
	}
	wsWrite(t, ws, fmt.Sprintf(`43%d["because"]`, id))
	if p := wsReadUntil(t, ws, prefix("43")); p != `439["because"]` {
		t.Errorf("ack = %q", p)
	}

	// Timeout, then disconnection, while waiting.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := so.EmitWithAck(ctx, "ignored"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("EmitWithAck without answer = %v, want DeadlineExceeded", err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := so.EmitWithAck(context.Background(), "ignored too")
		errc <- err
	}()
	wsReadUntil(t, ws, prefix(`42`)) // the first "ignored"
	wsReadUntil(t, ws, prefix(`42`)) // "ignored too" is out: now disconnect
	wsWrite(t, ws, "41")
	if err := <-errc; !errors.Is(err, ErrDisconnected) {
		t.Errorf("EmitWithAck across a disconnect = %v, want ErrDisconnected", err)
	}
	if _, err := so.EmitWithAck(context.Background(), "after"); !errors.Is(err, ErrDisconnected) {
		t.Errorf("EmitWithAck after disconnect = %v", err)
	}
	// OnDisconnect added after the fact runs at once.
	var late string
	so.OnDisconnect(func(r string) { late = r })
	if late != ReasonClientDisconnect {
		t.Errorf("late OnDisconnect got %q", late)
	}
}

func TestAckFunc(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{OnConnect: func(so *Socket) {
		so.On("twice", func(args []json.RawMessage, ack AckFunc) {
			if err := ack(make(chan int)); err == nil {
				panic("want an encoding error")
			}
			_ = ack("first")
			_ = ack("second")
		})
		so.On("noack", func(args []json.RawMessage, ack AckFunc) {
			if err := ack("nobody asked"); err != nil {
				panic(err)
			}
			_ = so.Emit("noack-done")
		})
	}})
	c := mustHandshake(t, h.eio)
	c.mustConnect("")
	c.post(`423["twice"]`, `42["noack"]`, `42["unhandled"]`, `424["echo",1]`)
	var got []string
	for len(got) < 3 {
		for _, p := range c.get() {
			if p != "2" && p != "6" {
				got = append(got, p)
			}
		}
	}
	if want := []string{`433["first"]`, `42["noack-done"]`, `434[1]`}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCloseDrains(t *testing.T) {
	t.Parallel()
	srv := NewServer(Options{})
	var mu sync.Mutex
	var reasons []string
	connected := make(chan *Socket, 2)
	srv.opts.OnConnect = func(so *Socket) {
		so.OnDisconnect(func(r string) {
			mu.Lock()
			reasons = append(reasons, r)
			mu.Unlock()
		})
		connected <- so
	}
	h := &harness{t: t, srv: srv}
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	hs := newHTTPTestServer(t, mux)
	h.eio = hs + "/socket.io/"

	ws := mustDial(t, wsURL(h.eio, "EIO=4&transport=websocket"))
	wsRead(t, ws)
	wsWrite(t, ws, "40")
	wsReadUntil(t, ws, prefix("40"))
	wsSock := <-connected
	pc := mustHandshake(t, h.eio)
	pc.mustConnect("")
	pollSock := <-connected

	// Queued packets are delivered before the connections close.
	for i := range 20 {
		_ = wsSock.Emit("n", i)
		_ = pollSock.Emit("n", i)
	}
	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		closed <- srv.Close(ctx)
	}()

	var wsGot []string
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, b, err := ws.Read(ctx)
		if err != nil {
			if st := websocket.CloseStatus(err); st != websocket.StatusGoingAway {
				t.Errorf("websocket closed with %v (%v), want going away", st, err)
			}
			break
		}
		wsGot = append(wsGot, string(b))
	}
	if n := countPrefix(wsGot, `42["n",`); n != 20 {
		t.Errorf("websocket got %d of 20 queued events before closing: %q", n, wsGot)
	}
	// The queued events and the close packet may come in one poll or, when
	// the poll answered before Close began, in two.
	pollGot := pc.get()
	if len(pollGot) > 0 && pollGot[len(pollGot)-1] != "1" {
		pollGot = append(pollGot, pc.get()...)
	}
	if n := countPrefix(pollGot, `42["n",`); n != 20 || pollGot[len(pollGot)-1] != "1" {
		t.Errorf("poll got %q, want 20 events then the close packet", pollGot)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close = %v", err)
	}
	mu.Lock()
	if want := []string{ReasonServerShutdown, ReasonServerShutdown}; !slices.Equal(reasons, want) {
		t.Errorf("reasons = %q, want %q", reasons, want)
	}
	mu.Unlock()
	if err := srv.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
	resp, err := http.Get(h.eio + "?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("handshake after Close = %d, want 503", resp.StatusCode)
	}
}

func TestCloseGivesUpAtDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{PingTimeout: time.Minute})
	c := mustHandshake(t, h.eio)
	id := c.mustConnect("")
	// Something is queued and the polling client never polls again: the
	// drain can only end at Close's deadline.
	if err := h.socket(id).Emit("unread"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := h.srv.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %v after its deadline", d)
	}
	if r := h.reason(id); r != ReasonServerShutdown {
		t.Errorf("reason = %q, want %q", r, ReasonServerShutdown)
	}
}

func countPrefix(pkts []string, p string) int {
	n := 0
	for _, s := range pkts {
		if strings.HasPrefix(s, p) {
			n++
		}
	}
	return n
}

// TestCloseLeavesNoGoroutine runs a session of each kind (WebSocket,
// polling, polling upgraded to WebSocket), closes the server, and checks
// that no goroutine of this package is left. It is not parallel, so no
// other test's sessions are running.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	// The polling client stays idle: Close waits up to PingTimeout for it.
	srv := NewServer(Options{PingTimeout: 500 * time.Millisecond})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	hs := httptest.NewServer(mux)
	defer hs.Close()
	eio := hs.URL + "/socket.io/"

	ws := mustDial(t, wsURL(eio, "EIO=4&transport=websocket"))
	wsRead(t, ws)
	wsWrite(t, ws, "40")
	wsReadUntil(t, ws, prefix("40"))

	mustHandshake(t, eio).mustConnect("")

	up := mustHandshake(t, eio)
	up.mustConnect("")
	uws := mustDial(t, wsURL(eio, "EIO=4&transport=websocket&sid="+up.sid))
	wsWrite(t, uws, "2probe")
	wsRead(t, uws)
	wsWrite(t, uws, "5")

	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		closed <- srv.Close(ctx)
	}()
	// Read until the server closes, answering its close frame as a real
	// client does (otherwise the close handshake waits 5 s for nothing).
	for _, c := range []*websocket.Conn{ws, uws} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		for {
			if _, _, err := c.Read(ctx); err != nil {
				break
			}
		}
		cancel()
	}
	if err := <-closed; err != nil {
		t.Fatalf("Close: %v", err)
	}
	eventually(t, 2*time.Second, func() error {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		for g := range strings.SplitSeq(stacks, "\n\n") {
			if strings.Contains(g, "internal/socketio.(*") {
				return fmt.Errorf("goroutine left after Close:\n%s", g)
			}
		}
		return nil
	})
}
