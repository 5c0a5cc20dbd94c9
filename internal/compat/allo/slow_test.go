package allo_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/compat/allo"
	"github.com/parley-chat/parley/internal/conntest"
)

// TestSlowSocketAndChurn: a flood of Socket.IO connects and disconnects
// leaves no goroutines behind, and a socket that stops reading is cut off
// while a reading socket in the same room still gets every message.
func TestSlowSocketAndChurn(t *testing.T) {
	s := newServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conv, err := s.StartConversation(ctx, s.actors["alice"], chat.NewConversation{UserIDs: []chat.UserID{s.actors["bob"].UserID}, Subject: "c"})
	if err != nil {
		t.Fatal(err)
	}
	room := allo.FormatIDForBench(conv.ID)
	http.DefaultClient.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()

	conntest.Churn(25, 20, func() *websocket.Conn {
		c, err := dialSocketIO(ctx, s.URL, s.tokens["bob"])
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		return c.conn
	})

	// The stuck socket's TCP receive buffer is small, so that the server's
	// writes to it block instead of filling the kernel's buffers.
	hc, tcp := conntest.SmallBufferClient()
	stuck, err := dialSocketIOWith(ctx, s.URL, s.tokens["bob"], &websocket.DialOptions{HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.conn.CloseNow()
	reader, err := dialSocketIO(ctx, s.URL, s.tokens["bob"])
	if err != nil {
		t.Fatal(err)
	}
	defer reader.conn.CloseNow()
	for _, c := range []*wsClient{stuck, reader} {
		if err := c.send(ctx, `421["joinConversation","`+room+`"]`); err != nil {
			t.Fatal(err)
		}
		if _, err := c.expect(ctx, "431"); err != nil {
			t.Fatal(err)
		}
	}
	big := strings.Repeat("x", 30000)
	for i := range 200 {
		if _, err := s.PostMessage(ctx, s.actors["alice"], chat.NewMessage{ThreadID: conv.ID, Text: fmt.Sprintf("%d %s", i, big)}); err != nil {
			t.Fatal(err)
		}
		p, err := reader.expect(ctx, `42["message"`)
		if err != nil {
			t.Fatalf("reader, message %d: %v", i, err)
		}
		if !strings.Contains(string(p), fmt.Sprintf(`"%d x`, i)) {
			t.Fatalf("reader got %.100s, want message %d", p, i)
		}
	}
	// The server cut the stuck socket off while the client still holds it
	// open.
	select {
	case <-s.ln.ClosedFor(<-tcp):
	case <-ctx.Done():
		t.Fatal("the socket that stopped reading was never cut off")
	}
	stuck.conn.CloseNow()
	reader.conn.CloseNow()
	http.DefaultClient.CloseIdleConnections()
	conntest.WaitGoroutines(t, before, 15*time.Second)
}
