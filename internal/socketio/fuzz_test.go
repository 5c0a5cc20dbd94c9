package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

// FuzzDecodePacket feeds arbitrary text to the decoders a client can reach:
// a polling payload split into Engine.IO packets, each message decoded as a
// Socket.IO packet. They must never panic, and whatever decodes must encode
// back to something that decodes to the same packet. The seed corpus is in
// testdata/fuzz/FuzzDecodePacket; run more with
//
//	go test -run='^$' -fuzz=FuzzDecodePacket -fuzztime=30s ./internal/socketio/
func FuzzDecodePacket(f *testing.F) {
	for _, seed := range []string{
		"0", `0{"token":"abc"}`, "0/admin,", `2["hello",1]`, `21["x"]`, `3/admin,456[]`,
		`51-["baz",{"_placeholder":true,"num":0}]`, "4hello\x1e2\x1e3", "bAQID",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for part := range splitPayload(in) {
			ep, err := decodeEIOPacket(part)
			if err != nil {
				continue
			}
			if again, err := decodeEIOPacket(ep.encode()); err != nil || again != ep {
				t.Fatalf("engine.io round trip of %q: got %+v, %v; want %+v", part, again, err, ep)
			}
		}
		p, err := decodeSIOPacket(in)
		if err != nil {
			return
		}
		enc := p.encode()
		again, err := decodeSIOPacket(enc)
		if err != nil {
			t.Fatalf("decodeSIOPacket(%q) decoded, but its encoding %q does not: %v", in, enc, err)
		}
		if diff := cmp.Diff(p, again, cmp.AllowUnexported(sioPacket{})); diff != "" {
			t.Fatalf("round trip of %q through %q mismatch (-first +second):\n%s", in, enc, diff)
		}
	})
}

// FuzzSession sends arbitrary Engine.IO/Socket.IO text frames (split on
// the record separator) over a real WebSocket session, then an echo event
// with an acknowledgement: the server must either acknowledge it or close
// the session (a protocol error), never hang, panic or leak the session.
func FuzzSession(f *testing.F) {
	for _, seed := range []string{
		"2", "3", "6", "1", "5", "4x", "40", "41", "40/admin,", `42["echo",1]`, `42/admin,["echo"]`,
		`451-["x",{"_placeholder":true,"num":0}]`, `43["ok"]`, "44", "4", "", "\x00", `42[`, `42["` + strings.Repeat("a", 5000) + `"]`,
		"42[\"echo\"]\x1e41\x1e40", `4212345678901234567890["echo"]`, `42["disconnect"]`, `42[{}]`,
	} {
		f.Add(seed)
	}
	srv := NewServer(Options{PingInterval: time.Second, PingTimeout: time.Second, MaxPayload: 4096,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnConnect: func(so *Socket) {
			so.On("echo", func(args []json.RawMessage, ack AckFunc) {
				out := make([]any, len(args))
				for i, a := range args {
					out[i] = a
				}
				_ = ack(out...)
			})
		}})
	hs := httptest.NewServer(srv)
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Close(ctx); err != nil {
			f.Errorf("Close: %v", err)
		}
		hs.Close()
	})
	url := wsURL(hs.URL+"/socket.io/", "EIO=4&transport=websocket")
	f.Fuzz(func(t *testing.T, in string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		read := func() (string, error) {
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					return "", err
				}
				if string(b) == "2" {
					c.Write(ctx, websocket.MessageText, []byte("3"))
					continue
				}
				return string(b), nil
			}
		}
		if open, err := read(); err != nil || !strings.HasPrefix(open, "0{") {
			t.Fatalf("open: %q %v", open, err)
		}
		c.Write(ctx, websocket.MessageText, []byte("40"))
		if p, err := read(); err != nil || !strings.HasPrefix(p, "40{") {
			t.Fatalf("connect: %q %v", p, err)
		}
		for i, part := range strings.Split(in, recordSeparator) {
			if i == 8 {
				break
			}
			if c.Write(ctx, websocket.MessageText, []byte(part)) != nil {
				return // closed by the server
			}
		}
		const echo = `4298765["echo","ok"]`
		if c.Write(ctx, websocket.MessageText, []byte(echo)) != nil {
			return
		}
		for {
			p, err := read()
			if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
				t.Fatalf("after %q: no acknowledgement and no close", in)
			}
			if err != nil || p == `4398765["ok"]` {
				return
			}
		}
	})
}
