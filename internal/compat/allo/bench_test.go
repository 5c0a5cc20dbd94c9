package allo_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/compat/allo"
)

// wsClient is a minimal Socket.IO client over a WebSocket (Engine.IO 4,
// Socket.IO 5), enough to join a room and count the messages it receives.
type wsClient struct {
	conn *websocket.Conn
}

func dialSocketIO(ctx context.Context, base, token string) (*wsClient, error) {
	return dialSocketIOWith(ctx, base, token, nil)
}

// dialSocketIOWith is dialSocketIO with dial options.
func dialSocketIOWith(ctx context.Context, base, token string, opts *websocket.DialOptions) (*wsClient, error) {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", opts)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	c := &wsClient{conn: conn}
	if _, err := c.expect(ctx, "0{"); err != nil {
		return nil, err
	}
	if err := c.send(ctx, `40{"token":"`+token+`"}`); err != nil {
		return nil, err
	}
	if _, err := c.expect(ctx, "40{"); err != nil {
		return nil, err
	}
	if _, err := c.expect(ctx, `42["connected"`); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *wsClient) send(ctx context.Context, p string) error {
	return c.conn.Write(ctx, websocket.MessageText, []byte(p))
}

// expect reads packets, answering pings, until one starting with prefix.
func (c *wsClient) expect(ctx context.Context, prefix string) ([]byte, error) {
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			return nil, err
		}
		if string(b) == "2" {
			if err := c.send(ctx, "3"); err != nil {
				return nil, err
			}
			continue
		}
		if bytes.HasPrefix(b, []byte(prefix)) {
			return b, nil
		}
	}
}

// BenchmarkFanOut measures Socket.IO fan-out: 1,000 clients, one user each,
// in one conversation's room over WebSockets, every one of which must
// receive every message. "burst": 200 messages posted as fast as the store
// takes them; "paced": 100 messages at 10 a second. It reports deliveries
// per second (from the first post to the last receipt) and the latency from
// post to receipt (p50, p99, max).
//
//	go test -run '^$' -bench FanOut -benchtime 1x ./internal/compat/allo/
func BenchmarkFanOut(b *testing.B) {
	b.Run("1000-clients-burst-200", func(b *testing.B) {
		for range b.N {
			fanOut(b, 1000, 200, 0)
		}
	})
	b.Run("1000-clients-paced-10-per-s", func(b *testing.B) {
		for range b.N {
			fanOut(b, 1000, 100, 100*time.Millisecond)
		}
	})
}

func fanOut(b *testing.B, clients, messages int, every time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	s := newServer(b)
	owner := s.actors["alice"]
	var ids []chat.UserID
	tokens := make([]string, clients)
	tokens[0] = s.tokens["alice"]
	for i := 1; i < clients; i++ {
		a := s.MustUser(b, s.org, fmt.Sprintf("u%d", i), chat.LevelMember)
		ids = append(ids, a.UserID)
		u, err := s.User(ctx, a, a.UserID)
		if err != nil {
			b.Fatal(err)
		}
		if tokens[i], err = s.IssueToken(u); err != nil {
			b.Fatal(err)
		}
	}
	conv, err := s.StartConversation(ctx, owner, chat.NewConversation{UserIDs: ids, Subject: "all hands"})
	if err != nil {
		b.Fatal(err)
	}
	room := allo.FormatIDForBench(conv.ID)

	conns := make([]*wsClient, clients)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	var failed atomic.Value
	for i := range clients {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := dialSocketIO(ctx, s.URL, tokens[i])
			if err == nil {
				err = c.send(ctx, `421["joinConversation","`+room+`"]`)
			}
			if err == nil {
				_, err = c.expect(ctx, "431")
			}
			if err != nil {
				failed.Store(err)
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatalf("connect: %v", err)
	}
	defer func() {
		for _, c := range conns {
			c.conn.CloseNow()
		}
	}()

	// Each client records, per message, how long after its post it came.
	lat := make([][]time.Duration, clients)
	lastSeen := make([]time.Time, clients)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := make([]time.Duration, 0, messages)
			for len(got) < messages {
				p, err := c.expect(ctx, `42["message"`)
				if err != nil {
					failed.Store(fmt.Errorf("client %d after %d messages: %w", i, len(got), err))
					return
				}
				k := bytes.Index(p, []byte(`"message":"t=`))
				if k < 0 {
					continue
				}
				rest := p[k+len(`"message":"t=`):]
				ns, err := strconv.ParseInt(string(rest[:bytes.IndexByte(rest, '"')]), 10, 64)
				if err != nil {
					continue
				}
				got = append(got, time.Since(time.Unix(0, ns)))
			}
			lat[i], lastSeen[i] = got, time.Now()
		}()
	}
	b.ResetTimer()
	start := time.Now()
	for i := range messages {
		if wait := time.Until(start.Add(time.Duration(i) * every)); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := s.PostMessage(ctx, owner, chat.NewMessage{ThreadID: conv.ID, Text: "t=" + strconv.FormatInt(time.Now().UnixNano(), 10)}); err != nil {
			b.Fatal(err)
		}
	}
	posted := time.Since(start)
	wg.Wait()
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	var all []time.Duration
	end := start
	for i := range clients {
		all = append(all, lat[i]...)
		if lastSeen[i].After(end) {
			end = lastSeen[i]
		}
	}
	slices.Sort(all)
	ms := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(float64(len(all))/end.Sub(start).Seconds(), "deliveries/s")
	b.ReportMetric(ms(0.50), "p50-ms")
	b.ReportMetric(ms(0.99), "p99-ms")
	b.ReportMetric(ms(1), "max-ms")
	b.ReportMetric(float64(messages)/posted.Seconds(), "posts/s")
}
