package httpapi_test

import (
	"context"
	"net"
	"net/http"
	"sync"
)

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
