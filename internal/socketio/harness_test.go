package socketio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// harness is a Server mounted at /socket.io/ on an httptest server, with the
// test event handlers below registered on every socket, and a record of
// connections and disconnection reasons.
type harness struct {
	t      testing.TB
	srv    *Server
	origin string // http://127.0.0.1:port
	eio    string // origin + "/socket.io/"

	mu      sync.Mutex
	sockets map[string]*Socket // by socket ID
	order   []string           // socket IDs in connection order
	reasons map[string]string  // socket ID -> OnDisconnect reason
}

// newHarness starts a server with opts (plus the test handlers) and closes
// it at the end of the test, checking that Close drains within 10 s.
func newHarness(t testing.TB, opts Options) *harness {
	t.Helper()
	h := &harness{t: t, sockets: map[string]*Socket{}, reasons: map[string]string{}}
	userConnect := opts.OnConnect
	opts.OnConnect = func(so *Socket) {
		h.mu.Lock()
		h.sockets[so.ID()] = so
		h.order = append(h.order, so.ID())
		h.mu.Unlock()
		so.OnDisconnect(func(reason string) {
			h.mu.Lock()
			h.reasons[so.ID()] = reason
			h.mu.Unlock()
		})
		registerTestHandlers(h, so)
		if userConnect != nil {
			userConnect(so)
		}
	}
	if opts.PingTimeout == 0 {
		// Bounds how long Close waits for an idle raw polling client to
		// collect what is queued for it.
		opts.PingTimeout = time.Second
	}
	if opts.Logger == nil {
		w := io.Discard
		if os.Getenv("PARLEY_SOCKETIO_DEBUG") != "" {
			w = os.Stderr
		}
		opts.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	h.srv = NewServer(opts)
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", h.srv)
	hs := httptest.NewServer(mux)
	h.origin = hs.URL
	h.eio = hs.URL + "/socket.io/"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.srv.Close(ctx); err != nil {
			t.Errorf("Server.Close: %v", err)
		}
		hs.Close()
	})
	return h
}

// registerTestHandlers installs the events the tests and the Node scripts
// use.
func registerTestHandlers(h *harness, so *Socket) {
	str := func(args []json.RawMessage, i int) string {
		var s string
		if i < len(args) {
			_ = json.Unmarshal(args[i], &s)
		}
		return s
	}
	num := func(args []json.RawMessage, i int) int {
		var n int
		if i < len(args) {
			_ = json.Unmarshal(args[i], &n)
		}
		return n
	}
	anyArgs := func(args []json.RawMessage) []any {
		out := make([]any, len(args))
		for i, a := range args {
			out[i] = a
		}
		return out
	}
	so.On("echo", func(args []json.RawMessage, ack AckFunc) { _ = ack(anyArgs(args)...) })
	so.On("whoami", func(args []json.RawMessage, ack AckFunc) {
		_ = ack(map[string]any{"id": so.ID(), "nsp": so.Namespace(), "data": so.Data()})
	})
	so.On("join", func(args []json.RawMessage, ack AckFunc) {
		so.Join(str(args, 0))
		_ = ack(so.Rooms())
	})
	so.On("leave", func(args []json.RawMessage, ack AckFunc) {
		so.Leave(str(args, 0))
		_ = ack(so.Rooms())
	})
	// shout [room, msg]: broadcast msg to room, then a marker to every
	// socket of the namespace, so a client knows when it would have seen the
	// shout if it were in the room.
	so.On("shout", func(args []json.RawMessage, ack AckFunc) {
		b := h.srv.Of(so.Namespace())
		_ = b.To(str(args, 0)).Emit("shout", str(args, 1))
		_ = b.Emit("marker", str(args, 1))
		_ = ack()
	})
	// ask [q]: ask the client (EmitWithAck from inside a handler) and
	// acknowledge with its answer.
	so.On("ask", func(args []json.RawMessage, ack AckFunc) {
		ctx, cancel := context.WithTimeout(so.Context(), 5*time.Second)
		defer cancel()
		reply, err := so.EmitWithAck(ctx, "question", str(args, 0))
		if err != nil {
			_ = ack(map[string]string{"error": err.Error()})
			return
		}
		_ = ack(anyArgs(reply)...)
	})
	so.On("burst", func(args []json.RawMessage, ack AckFunc) {
		n := num(args, 0)
		for i := range n {
			_ = so.Emit("seq", i)
		}
		_ = ack(n)
	})
	so.On("kick", func(args []json.RawMessage, ack AckFunc) { so.Disconnect() })
	// drop closes the client's whole Engine.IO session, gracefully, as
	// Server.Close does for every session.
	so.On("drop", func(args []json.RawMessage, ack AckFunc) { so.sess.close(reasonTestDrop, true) })
}

// reasonTestDrop is the session close reason of the "drop" test event.
const reasonTestDrop = "test drop"

// reason returns the disconnect reason recorded for socket id, or "".
func (h *harness) reason(id string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reasons[id]
}

// waitReason waits until socket id has disconnected and returns the reason.
func (h *harness) waitReason(id string) string {
	h.t.Helper()
	var r string
	eventually(h.t, 10*time.Second, func() error {
		if r = h.reason(id); r == "" {
			return fmt.Errorf("socket %s has not disconnected", id)
		}
		return nil
	})
	return r
}

// allReasons returns the disconnect reasons of every socket, in connection
// order ("" for one still connected).
func (h *harness) allReasons() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, len(h.order))
	for i, id := range h.order {
		out[i] = h.reasons[id]
	}
	return out
}

// socketIDs returns the IDs of every socket that connected, in order.
func (h *harness) socketIDs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.order...)
}

func (h *harness) sessionCount() int {
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	return len(h.srv.sessions)
}

// eventually calls f until it returns nil, failing t with f's last error
// when timeout passes first.
func eventually(t testing.TB, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not true after %v: %v", timeout, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pollClient speaks Engine.IO over HTTP long-polling by hand.
type pollClient struct {
	t    testing.TB
	eio  string
	sid  string
	open map[string]any
	hc   *http.Client
}

// mustHandshake opens a polling session and returns its client.
func mustHandshake(t testing.TB, eio string) *pollClient {
	t.Helper()
	c := &pollClient{t: t, eio: eio, hc: &http.Client{Timeout: 10 * time.Second}}
	status, body := c.do("GET", eio+"?EIO=4&transport=polling&t=1", "")
	if status != http.StatusOK || !strings.HasPrefix(body, "0{") {
		t.Fatalf("handshake = %d %q", status, body)
	}
	if err := json.Unmarshal([]byte(body[1:]), &c.open); err != nil {
		t.Fatalf("handshake body %q: %v", body, err)
	}
	c.sid, _ = c.open["sid"].(string)
	return c
}

func (c *pollClient) url() string { return c.eio + "?EIO=4&transport=polling&sid=" + c.sid }

func (c *pollClient) do(method, url, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if method == "POST" {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, string(b)
}

// get polls once and returns the packets, failing on a non-200 status.
func (c *pollClient) get() []string {
	c.t.Helper()
	status, body := c.do("GET", c.url(), "")
	if status != http.StatusOK {
		c.t.Fatalf("poll = %d %q", status, body)
	}
	return strings.Split(body, recordSeparator)
}

// getUntil polls until a packet satisfies match (skipping pings, which it
// answers, and noops), and returns that packet.
func (c *pollClient) getUntil(match func(string) bool) string {
	c.t.Helper()
	for range 50 {
		for _, p := range c.get() {
			switch {
			case match(p):
				return p
			case p == "2":
				c.post("3")
			}
		}
	}
	c.t.Fatal("no matching packet after 50 polls")
	return ""
}

func (c *pollClient) post(pkts ...string) int {
	c.t.Helper()
	status, _ := c.do("POST", c.url(), strings.Join(pkts, recordSeparator))
	return status
}

// mustConnect sends CONNECT for the main namespace and returns the socket ID
// from the server's reply.
func (c *pollClient) mustConnect(auth string) string {
	c.t.Helper()
	if st := c.post("40" + auth); st != http.StatusOK {
		c.t.Fatalf("POST 40 = %d", st)
	}
	p := c.getUntil(func(p string) bool { return strings.HasPrefix(p, "40") || strings.HasPrefix(p, "44") })
	var reply struct{ SID string }
	if err := json.Unmarshal([]byte(p[2:]), &reply); err != nil || reply.SID == "" {
		c.t.Fatalf("CONNECT reply %q", p)
	}
	return reply.SID
}

// wsURL turns the harness's http URL into a ws one with query q.
func wsURL(eio, q string) string { return "ws" + strings.TrimPrefix(eio, "http") + "?" + q }

func mustDial(t testing.TB, url string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c.SetReadLimit(-1)
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

func wsRead(t testing.TB, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("websocket read: %v", err)
	}
	return string(b)
}

// wsReadUntil reads until a packet satisfies match, answering pings.
func wsReadUntil(t testing.TB, c *websocket.Conn, match func(string) bool) string {
	t.Helper()
	for range 1000 {
		p := wsRead(t, c)
		if match(p) {
			return p
		}
		if p == "2" {
			wsWrite(t, c, "3")
		}
	}
	t.Fatal("no matching websocket packet after 1000 reads")
	return ""
}

func wsWrite(t testing.TB, c *websocket.Conn, s string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		t.Fatalf("websocket write %q: %v", s, err)
	}
}

func prefix(s string) func(string) bool {
	return func(p string) bool { return strings.HasPrefix(p, s) }
}

// socket returns the Socket with ID id, waiting for OnConnect to have
// recorded it (the client can see the CONNECT reply slightly before).
func (h *harness) socket(id string) *Socket {
	h.t.Helper()
	var so *Socket
	eventually(h.t, 5*time.Second, func() error {
		h.mu.Lock()
		defer h.mu.Unlock()
		if so = h.sockets[id]; so == nil {
			return fmt.Errorf("socket %s not recorded", id)
		}
		return nil
	})
	return so
}

// session returns the open session sid, or nil.
func (h *harness) session(sid string) *session {
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	return h.srv.sessions[sid]
}

// newHTTPTestServer serves handler until the end of the test and returns
// its URL.
func newHTTPTestServer(t testing.TB, handler http.Handler) string {
	hs := httptest.NewServer(handler)
	t.Cleanup(hs.Close)
	return hs.URL
}

// collect polls until n packets satisfying match have arrived (answering
// pings) and returns them in order.
func (c *pollClient) collect(n int, match func(string) bool) []string {
	c.t.Helper()
	var out []string
	for range 50 {
		for _, p := range c.get() {
			switch {
			case match(p):
				out = append(out, p)
			case p == "2":
				c.post("3")
			}
		}
		if len(out) >= n {
			return out
		}
	}
	c.t.Fatalf("got %d of %d matching packets after 50 polls: %q", len(out), n, out)
	return nil
}
