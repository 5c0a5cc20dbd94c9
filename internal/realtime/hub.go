package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Options tune a Hub.
type Options struct {
	// PollInterval bounds how late an event can be when a notification was
	// lost. Default 1s.
	PollInterval time.Duration
	// MaxQueueBytes and MaxQueueEvents bound each feed's queue (defaults
	// 4 MiB and 10000).
	MaxQueueBytes  int
	MaxQueueEvents int
	// Batch is how many events the tailer reads at once (default 1000).
	Batch  int
	Logger *slog.Logger
	// Metrics, when set, is told about deliveries and slow consumers.
	Metrics Metrics
}

// Metrics observes the hub.
type Metrics interface {
	Delivered(n int)
	SlowConsumer()
	Feeds(delta int)
}

type noMetrics struct{}

func (noMetrics) Delivered(int) {}
func (noMetrics) SlowConsumer() {}
func (noMetrics) Feeds(int)     {}

// Hub fans the event log out to live feeds. It implements chat.Hub.
type Hub struct {
	store  chat.Store
	broker Broker
	opt    Options
	log    *slog.Logger
	wake   chan struct{} // capacity 1: "the log may have advanced"

	mu     sync.Mutex // guards the fields below
	pos    int64      // the last update id handed to feeds
	ready  bool       // pos has been read from the database
	feeds  map[chat.OrgID]map[*feed]struct{}
	closed bool
}

var _ chat.Hub = (*Hub)(nil)

// New returns a hub over store's event log; Run must be running for live
// delivery.
func New(store chat.Store, broker Broker, opt Options) *Hub {
	if opt.PollInterval <= 0 {
		opt.PollInterval = time.Second
	}
	if opt.MaxQueueBytes <= 0 {
		opt.MaxQueueBytes = 4 << 20
	}
	if opt.MaxQueueEvents <= 0 {
		opt.MaxQueueEvents = 10000
	}
	if opt.Batch <= 0 {
		opt.Batch = 1000
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Metrics == nil {
		opt.Metrics = noMetrics{}
	}
	if broker == nil {
		broker = Local{}
	}
	return &Hub{store: store, broker: broker, opt: opt, log: opt.Logger, wake: make(chan struct{}, 1),
		feeds: map[chat.OrgID]map[*feed]struct{}{}}
}

// Start reads the log's current end, so feeds created before Run's first
// tail know where live delivery begins. Run calls it too.
func (h *Hub) Start(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ready {
		return nil
	}
	var last int64
	err := h.store.View(ctx, func(tx chat.ReadTx) error {
		var err error
		_, last, err = tx.EventBounds(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("read event log position: %w", err)
	}
	h.pos, h.ready = last, true
	return nil
}

// Run tails the log and listens to the broker until ctx ends, then closes
// every feed with chat.ErrFeedClosed.
func (h *Hub) Run(ctx context.Context) error {
	if err := h.Start(ctx); err != nil {
		if ctx.Err() != nil {
			h.closeAll()
			return nil
		}
		return err
	}
	defer h.closeAll()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			err := h.broker.Listen(ctx, func(int64) { h.nudge() }, h.receiveEphemeral)
			if ctx.Err() != nil {
				return
			}
			h.log.Warn("event broker failed; relying on polling until it is back", "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	defer wg.Wait()
	tick := time.NewTicker(h.opt.PollInterval)
	defer tick.Stop()
	for {
		if err := h.tail(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("tail event log", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		case <-tick.C:
		}
	}
}

// nudge wakes the tailer.
func (h *Hub) nudge() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// tail hands every event after pos to the feeds of its org.
func (h *Hub) tail(ctx context.Context) error {
	for {
		h.mu.Lock()
		from := h.pos
		h.mu.Unlock()
		var evs []*chat.Event
		err := h.store.View(ctx, func(tx chat.ReadTx) error {
			var err error
			evs, err = tx.EventsAfter(ctx, from, h.opt.Batch)
			return err
		})
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		h.mu.Lock()
		for _, ev := range evs {
			if ev.ID <= h.pos {
				continue
			}
			h.pos = ev.ID
			h.deliverLocked(ev)
		}
		h.mu.Unlock()
		if len(evs) < h.opt.Batch {
			return nil
		}
	}
}

// deliverLocked pushes ev to every feed of its org. Call with h.mu held.
func (h *Hub) deliverLocked(ev *chat.Event) {
	n := 0
	for f := range h.feeds[ev.OrgID] {
		if f.push(ev) {
			n++
		} else {
			h.removeLocked(f)
			h.opt.Metrics.SlowConsumer()
		}
	}
	h.opt.Metrics.Delivered(n)
}

// Publish implements chat.Publisher: durable events wake the tailer (here
// and, through the broker, on other nodes); ephemeral ones are delivered
// directly and forwarded.
func (h *Hub) Publish(events ...*chat.Event) {
	var max int64
	for _, ev := range events {
		if ev.Type.Durable() {
			max = maxInt(max, ev.ID)
			continue
		}
		h.mu.Lock()
		h.deliverLocked(ev)
		h.mu.Unlock()
		if b, err := chat.EncodeEphemeral(ev); err == nil {
			if err := h.broker.Ephemeral(context.Background(), b); err != nil {
				h.log.Debug("forward ephemeral event", "err", err)
			}
		}
	}
	if max > 0 {
		h.nudge()
		if err := h.broker.Advanced(context.Background(), max); err != nil {
			h.log.Debug("announce event log position", "err", err)
		}
	}
}

func maxInt(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

func (h *Hub) receiveEphemeral(b []byte) {
	ev, err := chat.DecodeEphemeral(b)
	if err != nil {
		h.log.Warn("bad ephemeral event from another node", "err", err)
		return
	}
	h.mu.Lock()
	h.deliverLocked(ev)
	h.mu.Unlock()
}

// Follow implements chat.Hub.
func (h *Hub) Follow(org chat.OrgID, since int64) (chat.EventFeed, error) {
	ctx := context.Background()
	if err := h.Start(ctx); err != nil {
		return nil, err
	}
	f := &feed{hub: h, org: org, maxBytes: h.opt.MaxQueueBytes, maxEvents: h.opt.MaxQueueEvents, signal: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, chat.ErrFeedClosed
	}
	live := h.pos
	if h.feeds[org] == nil {
		h.feeds[org] = map[*feed]struct{}{}
	}
	h.feeds[org][f] = struct{}{}
	h.mu.Unlock()
	h.opt.Metrics.Feeds(1)

	f.replayFrom, f.replayTo, f.last = live, live, live
	var horizon, last int64
	err := h.store.View(ctx, func(tx chat.ReadTx) error {
		var err error
		horizon, last, err = tx.EventBounds(ctx)
		return err
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	if since < 0 {
		// From now: the database's now, which this node's tailer may not
		// have reached yet.
		f.last = max(live, last)
	} else {
		switch {
		case since < horizon:
			f.expired = true
		case since > last:
			// A cursor from the future (another database?): nothing to replay.
			f.expired = true
		case since <= live:
			f.replayFrom, f.last = since, since
		default:
			// The log is ahead of this node's tailer: skip what the client has.
			f.last = since
		}
	}
	return f, nil
}

func (h *Hub) removeLocked(f *feed) {
	if m := h.feeds[f.org]; m != nil {
		if _, ok := m[f]; ok {
			delete(m, f)
			if len(m) == 0 {
				delete(h.feeds, f.org)
			}
			h.opt.Metrics.Feeds(-1)
		}
	}
}

func (h *Hub) remove(f *feed) {
	h.mu.Lock()
	h.removeLocked(f)
	h.mu.Unlock()
}

// closeAll ends every feed with chat.ErrFeedClosed (a graceful drain).
func (h *Hub) closeAll() {
	h.mu.Lock()
	h.closed = true
	var all []*feed
	for _, m := range h.feeds {
		for f := range m {
			all = append(all, f)
		}
	}
	h.feeds = map[chat.OrgID]map[*feed]struct{}{}
	h.mu.Unlock()
	for _, f := range all {
		f.fail(chat.ErrFeedClosed)
	}
}

// Drain closes every feed now, so that sockets end with "restarting" while
// the HTTP server shuts down. Run also drains when it returns.
func (h *Hub) Drain() { h.closeAll() }

// Position returns the last update id handed to feeds.
func (h *Hub) Position() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pos
}

var errClosed = errors.New("feed closed")
