package forge_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/forge"
	"github.com/parley-chat/parley/internal/conntest"
	"github.com/parley-chat/parley/internal/httpx"
)

// TestSlowSocketAndChurn: a flood of connects and disconnects on
// /chat/ws leaves no goroutines behind, and a socket that stops reading is
// cut off while a reading socket of the same user still gets every message.
func TestSlowSocketAndChurn(t *testing.T) {
	env := chattest.New(t)
	mux := http.NewServeMux()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	forge.Mount(mux, forge.Deps{Chat: env.Service, Logger: log})
	hs := httptest.NewUnstartedServer(httpx.Middleware(mux, log, nil))
	ln := conntest.NewListener(hs.Listener)
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	srv := &server{Server: hs, env: env}
	o := srv.bootstrap(t)
	general := o.admin.do(t, "POST", "/channel/", map[string]any{"name": "general"}).want(t, 200).obj(t)["id"].(string)
	bob := o.member(t, srv, "bob", general)
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/chat/ws?token=" + bob.token
	srv.Client().CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conntest.Churn(25, 20, func() *websocket.Conn {
		c, _, err := websocket.Dial(ctx, url, nil)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		return c
	})

	// The stuck socket's TCP receive buffer is small, so that the server's
	// writes to it block instead of filling the kernel's buffers.
	hc, tcp := conntest.SmallBufferClient()
	sc, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	stuck := &socket{t: t, conn: sc, name: "stuck"}
	defer stuck.conn.CloseNow()
	reader := bob.dial(t, "reader")
	big := strings.Repeat("x", 30000)
	for i := range 200 {
		o.admin.do(t, "POST", "/message/", map[string]any{"content": fmt.Sprintf("%d %s", i, big), "message_type": "MESSAGE",
			"recipient_type": "CHANNEL", "reference_id": general, "media_ids": []string{}}).want(t, 200)
		if got := reader.next("MESSAGE"); !strings.HasPrefix(got["content"].(string), fmt.Sprintf("%d ", i)) {
			t.Fatalf("reader got message %.10q, want %d", got["content"], i)
		}
	}
	// The server cut the stuck socket off (a write to it timed out), while
	// the client still holds it open.
	select {
	case <-ln.ClosedFor(<-tcp):
	case <-ctx.Done():
		t.Fatal("the socket that stopped reading was never cut off")
	}
	stuck.conn.CloseNow()
	reader.conn.CloseNow()
	srv.Client().CloseIdleConnections()
	conntest.WaitGoroutines(t, before, 15*time.Second)
}
