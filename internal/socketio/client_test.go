package socketio

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parley-chat/parley/internal/nodetest"
)

// These tests drive the server with the real npm socket.io-client 4.8.4,
// through the scenarios in e2e/node/socketio-*.mjs. Each scenario prints one
// JSON object, decoded here into a struct of the fields asserted.

// runClient runs scenario script with args against h and decodes its output
// into out.
func runClient(t *testing.T, h *harness, out any, script string, args ...string) {
	t.Helper()
	stdout := nodetest.Run(t, 60*time.Second, []string{"PARLEY_SIO_URL=" + h.origin}, script, args...)
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("%s output %q: %v", script, stdout, err)
	}
	t.Logf("%s %v: %s", script, args, stdout)
}

func TestClientTransports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode                  string
		first, upgraded, last string
	}{
		{"default", "polling", "websocket", "websocket"},
		{"websocket", "websocket", "", "websocket"},
		{"polling", "polling", "", "polling"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			var out struct {
				ID         string
				First      string
				UpgradedTo string
				Last       string
				Received   int
				InOrder    bool
				Echo       []any
			}
			runClient(t, h, &out, "socketio-transports.mjs", tt.mode)
			if out.First != tt.first || out.UpgradedTo != tt.upgraded || out.Last != tt.last {
				t.Errorf("transports first %q, upgraded to %q, last %q; want %q, %q, %q",
					out.First, out.UpgradedTo, out.Last, tt.first, tt.upgraded, tt.last)
			}
			if out.Received != 500 || !out.InOrder {
				t.Errorf("received %d events, in order %v; want 500 in order", out.Received, out.InOrder)
			}
			if diff := cmp.Diff([]any{"after", map[string]any{"n": 1.0}}, out.Echo); diff != "" {
				t.Errorf("echo mismatch (-want +got):\n%s", diff)
			}
			if r := h.waitReason(out.ID); r != ReasonClientDisconnect {
				t.Errorf("server saw %q, want %q", r, ReasonClientDisconnect)
			}
		})
	}
}

func TestClientAuth(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{
		Namespaces: []string{"/admin"},
		Authenticate: func(r *http.Request, auth json.RawMessage) (any, error) {
			var a struct{ Token string }
			if err := json.Unmarshal(auth, &a); err != nil || a.Token != "good" {
				return nil, errors.New("invalid token")
			}
			return map[string]string{"user": "alice", "ua": r.Header.Get("User-Agent")}, nil
		},
	})
	tests := []struct {
		name, token, nsp string
		wantError        string
	}{
		{"accepted", "good", "", ""},
		{"accepted in namespace", "good", "/admin", ""},
		{"rejected", "bad", "", "invalid token"},
		{"rejected in namespace", "bad", "/admin", "invalid token"},
		{"unknown namespace", "good", "/nope", "Invalid namespace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out struct {
				Connected bool
				Error     string
				ID        string
				Whoami    *struct {
					ID   string
					NSP  string
					Data map[string]string
				}
			}
			runClient(t, h, &out, "socketio-auth.mjs", tt.token, tt.nsp)
			if tt.wantError != "" {
				if out.Connected || out.Error != tt.wantError {
					t.Errorf("connected %v, error %q; want connect_error %q", out.Connected, out.Error, tt.wantError)
				}
				return
			}
			if !out.Connected || out.Whoami == nil {
				t.Fatalf("connected %v, error %q, whoami %+v", out.Connected, out.Error, out.Whoami)
			}
			w := out.Whoami
			wantNSP := tt.nsp
			if wantNSP == "" {
				wantNSP = "/"
			}
			if w.ID != out.ID || w.NSP != wantNSP || w.Data["user"] != "alice" || w.Data["ua"] == "" {
				t.Errorf("whoami %+v for socket %s; want nsp %q and alice's data", w, out.ID, wantNSP)
			}
		})
	}
}

func TestClientAcks(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			type result struct {
				Echo, Ask, Questions, Bare []any
				Single                     string
			}
			var out result
			runClient(t, h, &out, "socketio-ack.mjs", transport)
			want := result{
				Echo:      []any{"hello", []any{1.0, 2.0}, map[string]any{"deep": map[string]any{"x": nil}}},
				Ask:       []any{"answer to why", 42.0},
				Questions: []any{"why"},
				Bare:      []any{},
				Single:    "only",
			}
			if diff := cmp.Diff(want, out); diff != "" {
				t.Errorf("acks mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClientRooms(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Options{})
	var out struct {
		Got   map[string][]string
		Rooms map[string][]string
		IDs   map[string]string
	}
	runClient(t, h, &out, "socketio-rooms.mjs")
	want := map[string][]string{"a": {"hello r1"}, "b": {"hello r1"}, "c": {}}
	if diff := cmp.Diff(want, out.Got); diff != "" {
		t.Errorf("shouts received mismatch (-want +got):\n%s", diff)
	}
	for name, room := range map[string]string{"a": "r1", "b": "r1", "c": "r2"} {
		if want := sorted(out.IDs[name], room); !slices.Equal(out.Rooms[name], want) {
			t.Errorf("rooms of %s = %q, want %q", name, out.Rooms[name], want)
		}
	}
}

func TestClientHeartbeat(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			// The client's own deadline is pingInterval + pingTimeout after
			// each ping: a missed pong or ping on either side shows.
			h := newHarness(t, Options{PingInterval: 150 * time.Millisecond, PingTimeout: time.Second})
			var out struct {
				Pings       int
				Disconnects []string
				SameID      bool
				Connected   bool
				ElapsedMs   int
				Echo        []string
			}
			runClient(t, h, &out, "socketio-heartbeat.mjs", "4", transport)
			if out.Pings < 4 || len(out.Disconnects) != 0 || !out.SameID || !out.Connected {
				t.Errorf("pings %d, disconnects %q, same id %v, connected %v; want 4+ pings on one unbroken connection",
					out.Pings, out.Disconnects, out.SameID, out.Connected)
			}
			// At least 3 full intervals between the first and the fourth ping.
			if out.ElapsedMs < 3*150-50 {
				t.Errorf("4 pings in %d ms: faster than the ping interval", out.ElapsedMs)
			}
			if !slices.Equal(out.Echo, []string{"still here"}) {
				t.Errorf("echo = %q", out.Echo)
			}
			for i, r := range h.allReasons() {
				if r != ReasonClientDisconnect && r != "" {
					t.Errorf("socket %d disconnected with %q", i, r)
				}
			}
		})
	}
}

func TestClientMaxPayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		transport     string
		clientReasons []string
	}{
		{"websocket", []string{"transport close"}}, // close code 1009
		// The POST is answered 413 ("transport error") and the pending poll
		// gets the close packet ("transport close"): whichever lands first.
		{"polling", []string{"transport error", "transport close"}},
	}
	for _, tt := range tests {
		t.Run(tt.transport, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{MaxPayload: 10000})
			var out struct {
				ID         string
				MaxPayload int
				SmallOK    bool
				Reason     string
			}
			runClient(t, h, &out, "socketio-maxpayload.mjs", tt.transport, "20000")
			if out.MaxPayload != 10000 || !out.SmallOK {
				t.Errorf("maxPayload %d, messages under the limit acknowledged %v", out.MaxPayload, out.SmallOK)
			}
			if !slices.Contains(tt.clientReasons, out.Reason) {
				t.Errorf("client disconnect reason %q, want one of %q", out.Reason, tt.clientReasons)
			}
			if r := h.waitReason(out.ID); r != ReasonPayloadTooLarge {
				t.Errorf("server reason %q, want %q", r, ReasonPayloadTooLarge)
			}
		})
	}
}

func TestClientReconnect(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			var out struct {
				Reasons   []string
				IDs       []string
				AfterKick []string
				AfterDrop []string
			}
			runClient(t, h, &out, "socketio-reconnect.mjs", transport)
			if want := []string{"io server disconnect", "transport close"}; !slices.Equal(out.Reasons, want) {
				t.Errorf("client reasons %q, want %q", out.Reasons, want)
			}
			if len(out.IDs) != 3 || out.IDs[0] == out.IDs[1] || out.IDs[1] == out.IDs[2] {
				t.Fatalf("socket ids %q: want three distinct", out.IDs)
			}
			if !slices.Equal(out.AfterKick, []string{"after kick"}) || !slices.Equal(out.AfterDrop, []string{"after drop"}) {
				t.Errorf("echoes after reconnecting: %q, %q", out.AfterKick, out.AfterDrop)
			}
			for i, want := range []string{ReasonServerDisconnect, reasonTestDrop, ReasonClientDisconnect} {
				if r := h.waitReason(out.IDs[i]); r != want {
					t.Errorf("server reason for connection %d = %q, want %q", i, r, want)
				}
			}
		})
	}
}

func TestClientBinaryRefused(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Options{})
			var out struct {
				First, Reason, Second string
				Echo                  []string
			}
			runClient(t, h, &out, "socketio-binary.mjs", transport)
			if out.Reason != "io server disconnect" {
				t.Errorf("client reason %q, want io server disconnect", out.Reason)
			}
			if r := h.waitReason(out.First); r != ReasonBinaryUnsupported {
				t.Errorf("server reason %q, want %q", r, ReasonBinaryUnsupported)
			}
			if out.Second == "" || out.Second == out.First || !slices.Equal(out.Echo, []string{"text is fine"}) {
				t.Errorf("after the refusal: socket %q, echo %q", out.Second, out.Echo)
			}
		})
	}
}
