// Package conntest helps tests watch a test server's connections: a
// listener that tells when the server closes one, a client with a small TCP
// receive buffer (a reader that falls behind), a churn of WebSocket
// connects and disconnects, and a wait for the goroutine count to come back
// after it.
package conntest

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Listener wraps a server's listener and tells when the server closes a
// connection.
type Listener struct {
	net.Listener
	mu     sync.Mutex
	closed map[string]chan struct{} // by the client's address
}

// NewListener wraps ln; give the result to the server in its place.
func NewListener(ln net.Listener) *Listener {
	return &Listener{Listener: ln, closed: map[string]chan struct{}{}}
}

// Accept implements net.Listener.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := c.RemoteAddr().String()
	ch := l.closed[key]
	select {
	case <-ch:
		// An earlier connection from the same client port was closed: the
		// port is reused, and this connection gets a channel of its own.
		ch = nil
	default:
	}
	if ch == nil {
		ch = make(chan struct{})
		l.closed[key] = ch
	}
	return &conn{Conn: c, closed: ch}, nil
}

// ClosedFor returns a channel closed when the server closes the connection
// from addr (a client's net.Conn, or its address).
func (l *Listener) ClosedFor(addr any) <-chan struct{} {
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

// conn is a server-side connection that closes its channel on Close.
type conn struct {
	net.Conn
	once   sync.Once
	closed chan struct{}
}

func (c *conn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// SmallBufferClient dials once with a 4 KiB TCP receive buffer, and sends
// the connection on the channel.
func SmallBufferClient() (*http.Client, <-chan *net.TCPConn) {
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

// Churn opens perRound sockets with dial, then closes half of them with a
// normal closure and half abruptly, rounds times.
func Churn(rounds, perRound int, dial func() *websocket.Conn) {
	for range rounds {
		var conns []*websocket.Conn
		for range perRound {
			conns = append(conns, dial())
		}
		for i, c := range conns {
			if i%2 == 0 {
				c.Close(websocket.StatusNormalClosure, "")
			} else {
				c.CloseNow() // abrupt
			}
		}
	}
}

// WaitGoroutines waits up to timeout for the goroutine count to come back
// to before (give or take the test's own), and fails the test with every
// goroutine's stack if it does not.
func WaitGoroutines(tb testing.TB, before int, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		after := runtime.NumGoroutine()
		if after <= before+2 {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			tb.Fatalf("goroutines: %d before, %d after\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}
