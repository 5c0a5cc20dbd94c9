package allo_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/compat/allo"
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

	for range 25 {
		var conns []*wsClient
		for range 20 {
			c, err := dialSocketIO(ctx, s.URL, s.tokens["bob"])
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			if i%2 == 0 {
				c.conn.Close(websocket.StatusNormalClosure, "")
			} else {
				c.conn.CloseNow() // abrupt
			}
		}
	}

	// The stuck socket's TCP receive buffer is small, so that the server's
	// writes to it block instead of filling the kernel's buffers.
	hc, tcp := smallBufferClient()
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
	case <-s.ln.closedFor(<-tcp):
	case <-ctx.Done():
		t.Fatal("the socket that stopped reading was never cut off")
	}
	stuck.conn.CloseNow()
	reader.conn.CloseNow()
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(15 * time.Second)
	for {
		after := runtime.NumGoroutine()
		if after <= before+2 {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d before, %d after\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// trackListener tells when the server closes a connection.
type trackListener struct {
	net.Listener
	mu     sync.Mutex
	closed map[string]chan struct{} // by the client's address
}

func (l *trackListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &trackConn{Conn: c, closed: l.closedFor(c.RemoteAddr())}, nil
}

// closedFor returns a channel closed when the server closes the connection
// from addr (a client's net.Conn, or its address).
func (l *trackListener) closedFor(addr any) chan struct{} {
	if c, ok := addr.(net.Conn); ok {
		addr = c.LocalAddr()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := addr.(net.Addr).String()
	if l.closed[key] == nil {
		l.closed[key] = make(chan struct{})
	}
	return l.closed[key]
}

type trackConn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *trackConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// smallBufferClient dials once with a 4 KiB TCP receive buffer, and sends
// the connection on the channel.
func smallBufferClient() (*http.Client, <-chan *net.TCPConn) {
	ch := make(chan *net.TCPConn, 1)
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			c.(*net.TCPConn).SetReadBuffer(4096)
			ch <- c.(*net.TCPConn)
		}
		return c, err
	}}}, ch
}
