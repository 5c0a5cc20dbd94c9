package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"
)

// listener reads message.created frames of one socket and records their
// latency from the send time in the text; it counts what it got by tag.
type listener struct {
	conn *websocket.Conn
	lat  *latencies
	got  atomic.Int64
	last atomic.Int64 // the last update_id seen
	room int          // fanout: the room it listens to
}

func (l *listener) run(ctx context.Context, tag string) {
	// Thousands of listeners share the generator's core: read each frame
	// into a reused buffer and pick the three fields out of it by hand,
	// instead of decoding it, so that the generator keeps up with the server.
	var buf bytes.Buffer
	textTag := []byte(`"text":"` + tag + " ")
	for {
		_, r, err := l.conn.Reader(ctx)
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		b := buf.Bytes()
		if !bytes.Contains(b, []byte(`"path":"server/event"`)) {
			continue
		}
		if id, ok := intAfter(b, []byte(`"update_id":`)); ok {
			l.last.Store(id)
		}
		if !bytes.Contains(b, []byte(`"event":"message.created"`)) {
			continue
		}
		ns, ok := intAfter(b, textTag)
		if !ok {
			continue
		}
		l.lat.add(time.Since(time.Unix(0, ns)))
		l.got.Add(1)
	}
}

// intAfter parses the decimal number that follows key in b.
func intAfter(b, key []byte) (int64, bool) {
	i := bytes.Index(b, key)
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	var n int64
	digits := 0
	for ; digits < len(b) && b[digits] >= '0' && b[digits] <= '9'; digits++ {
		n = n*10 + int64(b[digits]-'0')
	}
	return n, digits > 0
}

// sendWorkload is W1: closed-loop senders, each waiting for its ack.
func sendWorkload(ctx context.Context, o options) (any, error) {
	var ceiling map[string]any
	if o.Ceiling {
		c, err := ceilingWorkload(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("ceiling: %w", err)
		}
		ceiling = c.(map[string]any)
	}
	s, err := provision(ctx, o.URL, o.Secret, o.Senders)
	if err != nil {
		return nil, err
	}
	thread, err := s.room(ctx, "send")
	if err != nil {
		return nil, err
	}
	conn, err := dial(ctx, o.URL, s.tokens[0], -1)
	if err != nil {
		return nil, err
	}
	defer conn.CloseNow()
	delivery := &latencies{}
	lis := &listener{conn: conn, lat: delivery}
	lctx, stopListen := context.WithCancel(ctx)
	go lis.run(lctx, "w1")

	ack := &latencies{}
	var sent, failed atomic.Int64
	hist0, _ := routeHistogram(ctx, o.URL, "POST /v1/chats")
	deadline := time.Now().Add(o.Duration)
	var g errgroup.Group
	start := time.Now()
	for i := range o.Senders {
		tok := s.tokens[i]
		g.Go(func() error {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				if err := send(ctx, o.URL, tok, thread, "w1"); err != nil {
					failed.Add(1)
					continue
				}
				ack.add(time.Since(t))
				sent.Add(1)
			}
			return nil
		})
	}
	g.Wait()
	elapsed := time.Since(start)
	hist1, _ := routeHistogram(ctx, o.URL, "POST /v1/chats")
	// Wait for the socket to catch up, then count losses.
	for wait := time.Now().Add(10 * time.Second); lis.got.Load() < sent.Load() && time.Now().Before(wait); {
		time.Sleep(20 * time.Millisecond)
	}
	stopListen()
	res := map[string]any{
		"senders": o.Senders, "duration_s": elapsed.Seconds(), "acked": sent.Load(), "failed": failed.Load(),
		"acked_per_s": float64(sent.Load()) / elapsed.Seconds(), "ack": ack.summary(),
		"delivered": lis.got.Load(), "lost": sent.Load() - lis.got.Load(), "send_to_delivery": delivery.summary(),
		"server_ack": serverLatency(hist0, hist1),
	}
	if ceiling != nil {
		res["ceiling"] = ceiling
		if full, ok := ceiling["sqlite_one_row_per_commit_FULL"].(float64); ok && full > 0 {
			res["acked_per_s_over_sqlite_FULL_ceiling"] = res["acked_per_s"].(float64) / full
		}
	}
	return res, nil
}

// fanoutWorkload is W2: an open-loop publisher at a fixed rate into rooms of
// subscribed sockets. Each room is a thread in an org of its own, so that a
// socket receives its room's messages only: a message is delivered to Subs
// sockets.
func fanoutWorkload(ctx context.Context, o options) (any, error) {
	users := min(o.Subs, 100)
	rooms := make([]string, o.Rooms)
	orgs := make([]*session, o.Rooms)
	for i := range rooms {
		s, err := provision(ctx, o.URL, o.Secret, users)
		if err != nil {
			return nil, err
		}
		orgs[i] = s
		if rooms[i], err = s.room(ctx, "fan"+strconv.Itoa(i)); err != nil {
			return nil, err
		}
	}
	total := o.Rooms * o.Subs
	lis := make([]*listener, total)
	lctx, stopListen := context.WithCancel(ctx)
	defer stopListen()
	connStart := time.Now()
	var g errgroup.Group
	g.SetLimit(64)
	for i := range total {
		g.Go(func() error {
			room := i / o.Subs
			c, err := dial(ctx, o.URL, orgs[room].tokens[i%users], -1)
			if err != nil {
				return err
			}
			lis[i] = &listener{conn: c, lat: &latencies{}, room: room}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	connectSecs := time.Since(connStart).Seconds()
	for _, l := range lis {
		go l.run(lctx, "w2")
		defer l.conn.CloseNow()
	}
	time.Sleep(500 * time.Millisecond)

	lim := rate.NewLimiter(rate.Limit(o.Rate), 1)
	var failed atomic.Int64
	sent := make([]atomic.Int64, len(rooms)) // acked per room
	var pub sync.WaitGroup
	start := time.Now()
	for i := 0; time.Since(start) < o.Duration && ctx.Err() == nil; i++ {
		if err := lim.Wait(ctx); err != nil {
			break
		}
		pub.Add(1)
		go func() { // open loop: do not wait for the ack before the next send
			defer pub.Done()
			room := i % len(rooms)
			if err := send(ctx, o.URL, orgs[room].tokens[i%users], rooms[room], "w2"); err != nil {
				failed.Add(1)
				return
			}
			sent[room].Add(1)
		}()
	}
	pub.Wait()
	elapsed := time.Since(start)
	var acked, want int64
	for i := range sent {
		acked += sent[i].Load()
		want += sent[i].Load() * int64(o.Subs)
	}
	var got int64
	for wait := time.Now().Add(15 * time.Second); time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
		got = 0
		for _, l := range lis {
			got += l.got.Load()
		}
		if got >= want {
			break
		}
	}
	// Per socket: a socket that missed messages, and the most one missed.
	lossy, worst := 0, int64(0)
	for _, l := range lis {
		if miss := sent[l.room].Load() - l.got.Load(); miss > 0 {
			lossy++
			worst = max(worst, miss)
		}
	}
	return map[string]any{
		"sockets_with_loss": lossy, "most_lost_by_one_socket": worst,
		"rooms": o.Rooms, "subs_per_room": o.Subs, "sockets": total, "rate": o.Rate, "duration_s": elapsed.Seconds(),
		"connect_per_s": float64(total) / connectSecs, "sent": acked, "failed": failed.Load(),
		"expected_deliveries": want, "delivered": got, "lost": want - got,
		"deliveries_per_s": float64(got) / elapsed.Seconds(), "latency": merged(lis).summary(),
	}, nil
}

// idleWorkload is W3: idle sockets, memory per socket, then a reconnect
// storm with resume.
func idleWorkload(ctx context.Context, o options) (any, error) {
	users := min(o.Conns, 100)
	s, err := provision(ctx, o.URL, o.Secret, users)
	if err != nil {
		return nil, err
	}
	thread, err := s.room(ctx, "idle")
	if err != nil {
		return nil, err
	}
	time.Sleep(time.Second)
	rss0, heap0, err := serverMemory(ctx, o.URL, o.PID)
	if err != nil {
		return nil, err
	}
	conns := make([]*websocket.Conn, o.Conns)
	connect := func(since int64) (float64, error) {
		var g errgroup.Group
		g.SetLimit(64)
		start := time.Now()
		for i := range conns {
			g.Go(func() error {
				c, err := dial(ctx, o.URL, s.tokens[i%users], since)
				conns[i] = c
				return err
			})
		}
		err := g.Wait()
		return float64(len(conns)) / time.Since(start).Seconds(), err
	}
	rate1, err := connect(-1)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	time.Sleep(2 * time.Second)
	rss1, heap1, err := serverMemory(ctx, o.URL, o.PID)
	if err != nil {
		return nil, err
	}
	// The storm: every socket drops; messages are sent while they are away;
	// they all reconnect at once with resume and must get every message.
	storm := o.Storm
	if storm <= 0 || storm > len(conns) {
		storm = len(conns)
	}
	cursor, err := mark(ctx, o.URL, s.tokens[0], thread)
	if err != nil {
		return nil, err
	}
	for _, c := range conns {
		c.CloseNow()
	}
	const missed = 20
	for range missed {
		if err := send(ctx, o.URL, s.tokens[1%users], thread, "w3"); err != nil {
			return nil, err
		}
	}
	conns = conns[:storm]
	lat := &latencies{}
	lis := make([]*listener, storm)
	start := time.Now()
	rate2, err := connect(cursor)
	if err != nil {
		return nil, fmt.Errorf("reconnect storm: %w", err)
	}
	lctx, stop := context.WithCancel(ctx)
	defer stop()
	for i, c := range conns {
		lis[i] = &listener{conn: c, lat: lat}
		go lis[i].run(lctx, "w3")
		defer c.CloseNow()
	}
	complete := 0
	for wait := time.Now().Add(60 * time.Second); time.Now().Before(wait); time.Sleep(50 * time.Millisecond) {
		complete = 0
		for _, l := range lis {
			if l.got.Load() >= missed {
				complete++
			}
		}
		if complete == storm {
			break
		}
	}
	return map[string]any{
		"sockets": o.Conns, "connect_per_s": rate1, "server_rss_before_mb": rss0 / (1 << 20), "server_rss_after_mb": rss1 / (1 << 20),
		"rss_per_socket_kb": (rss1 - rss0) / float64(o.Conns) / 1024, "heap_per_socket_kb": (heap1 - heap0) / float64(o.Conns) / 1024,
		"storm_sockets": storm, "storm_reconnect_per_s": rate2, "storm_missed_each": missed,
		"storm_recovered": complete, "storm_recovery_s": time.Since(start).Seconds(),
	}, nil
}

// historyWorkload is W4: a thread of Chats chats; concurrent readers fetch
// its newest page.
func historyWorkload(ctx context.Context, o options) (any, error) {
	s, err := provision(ctx, o.URL, o.Secret, 16)
	if err != nil {
		return nil, err
	}
	thread, err := s.room(ctx, "history")
	if err != nil {
		return nil, err
	}
	fill := time.Now()
	var next atomic.Int64
	var g errgroup.Group
	for i := range max(o.Fillers, 1) {
		g.Go(func() error {
			for next.Add(1) <= int64(o.Chats-1) {
				if err := send(ctx, o.URL, s.tokens[i%16], thread, "w4"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	fillSecs := time.Since(fill).Seconds()
	lat := &latencies{}
	var reads atomic.Int64
	deadline := time.Now().Add(o.Duration)
	url := o.URL + "/v1/chats/" + thread + "?num=" + strconv.Itoa(o.Page)
	start := time.Now()
	for i := range o.Readers {
		g.Go(func() error {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				var page struct{ Data []json.RawMessage }
				if err := api(ctx, "GET", url, bearer(s.tokens[i%16]), nil, &page); err != nil {
					return err
				}
				if len(page.Data) != min(o.Page, o.Chats) {
					return fmt.Errorf("page has %d chats", len(page.Data))
				}
				lat.add(time.Since(t))
				reads.Add(1)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	el := time.Since(start).Seconds()
	return map[string]any{"chats": o.Chats, "fill_s": fillSecs, "fill_per_s": float64(o.Chats) / fillSecs, "readers": o.Readers,
		"page": o.Page, "reads_per_s": float64(reads.Load()) / el, "latency": lat.summary()}, nil
}

// resumeWorkload measures how long a reconnect takes to replay Events
// missed events.
func resumeWorkload(ctx context.Context, o options) (any, error) {
	s, err := provision(ctx, o.URL, o.Secret, 8)
	if err != nil {
		return nil, err
	}
	thread, err := s.room(ctx, "resume")
	if err != nil {
		return nil, err
	}
	cursor, err := mark(ctx, o.URL, s.tokens[0], thread)
	if err != nil {
		return nil, err
	}
	var next atomic.Int64
	var g errgroup.Group
	for i := range 8 {
		g.Go(func() error {
			for next.Add(1) <= int64(o.Events) {
				if err := send(ctx, o.URL, s.tokens[i], thread, "w5"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	start := time.Now()
	c, err := dial(ctx, o.URL, s.tokens[0], cursor)
	if err != nil {
		return nil, err
	}
	defer c.CloseNow()
	got := 0
	for got < o.Events {
		_, b, err := c.Read(ctx)
		if err != nil {
			return nil, err
		}
		var f frame
		json.Unmarshal(b, &f)
		if f.Event == "message.created" {
			got++
		}
	}
	el := time.Since(start)
	return map[string]any{"events": o.Events, "replay_s": el.Seconds(), "events_per_s": float64(o.Events) / el.Seconds()}, nil
}

// nodesWorkload is W5: send through one node, receive on another.
func nodesWorkload(ctx context.Context, o options) (any, error) {
	if o.URL2 == "" {
		return nil, fmt.Errorf("nodes needs -url2")
	}
	s, err := provision(ctx, o.URL, o.Secret, o.Senders)
	if err != nil {
		return nil, err
	}
	thread, err := s.room(ctx, "nodes")
	if err != nil {
		return nil, err
	}
	res := map[string]any{}
	for _, recv := range []string{o.URL, o.URL2} {
		c, err := dial(ctx, recv, s.tokens[0], -1)
		if err != nil {
			return nil, err
		}
		lat := &latencies{}
		lis := &listener{conn: c, lat: lat}
		lctx, stop := context.WithCancel(ctx)
		go lis.run(lctx, "w5")
		time.Sleep(200 * time.Millisecond)
		lim := rate.NewLimiter(100, 1)
		sent := 0
		for start := time.Now(); time.Since(start) < o.Duration/2; sent++ {
			lim.Wait(ctx)
			if err := send(ctx, o.URL, s.tokens[sent%len(s.tokens)], thread, "w5"); err != nil {
				stop()
				return nil, err
			}
		}
		for wait := time.Now().Add(10 * time.Second); lis.got.Load() < int64(sent) && time.Now().Before(wait); {
			time.Sleep(20 * time.Millisecond)
		}
		stop()
		c.CloseNow()
		name := "same_node"
		if recv == o.URL2 {
			name = "other_node"
		}
		res[name] = map[string]any{"sent": sent, "delivered": lis.got.Load(), "latency": lat.summary()}
	}
	return res, nil
}

// threadsWorkload stores Chats threads (one chat each) and reports the
// server's memory before and after: what storing threads costs a node.
func threadsWorkload(ctx context.Context, o options) (any, error) {
	s, err := provision(ctx, o.URL, o.Secret, 16)
	if err != nil {
		return nil, err
	}
	var ch struct{ Data struct{ ID string } }
	if err := api(ctx, "POST", s.base+"/v1/channels", bearer(s.tokens[0]),
		map[string]any{"name": "threads", "bits": map[string]bool{"chan_anyone": true}}, &ch); err != nil {
		return nil, err
	}
	rss0, heap0, err := serverMemory(ctx, o.URL, o.PID)
	if err != nil {
		return nil, err
	}
	var next atomic.Int64
	var g errgroup.Group
	start := time.Now()
	for i := range 16 {
		g.Go(func() error {
			for n := next.Add(1); n <= int64(o.Chats); n = next.Add(1) {
				body := map[string]any{"text": fmt.Sprintf("thread %d about load testing", n), "xsr_ids": []string{ch.Data.ID}}
				if err := api(ctx, "POST", s.base+"/v1/threads", bearer(s.tokens[i]), body, nil); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	el := time.Since(start).Seconds()
	time.Sleep(time.Second)
	rss1, heap1, err := serverMemory(ctx, o.URL, o.PID)
	if err != nil {
		return nil, err
	}
	k := float64(o.Chats) / 1000
	return map[string]any{"threads": o.Chats, "created_per_s": float64(o.Chats) / el,
		"server_rss_before_mb": rss0 / (1 << 20), "server_rss_after_mb": rss1 / (1 << 20),
		"rss_per_1k_threads_kb": (rss1 - rss0) / k / 1024, "heap_per_1k_threads_kb": (heap1 - heap0) / k / 1024}, nil
}

// mark sends a chat into thread and returns the update_id of its event: the
// cursor a socket resumes from to get everything sent after it.
func mark(ctx context.Context, url, token, thread string) (int64, error) {
	c, err := dial(ctx, url, token, -1)
	if err != nil {
		return 0, err
	}
	defer c.CloseNow()
	if err := send(ctx, url, token, thread, "mark"); err != nil {
		return 0, err
	}
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			return 0, err
		}
		var f frame
		json.Unmarshal(b, &f)
		if f.Event == "message.created" {
			return f.UpdateID, nil
		}
	}
}
