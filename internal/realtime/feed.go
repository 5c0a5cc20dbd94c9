package realtime

import (
	"context"
	"sync"

	"github.com/parley-chat/parley/internal/chat"
)

// feed is one follower's queue of an org's events. The hub pushes; one
// goroutine calls Next.
type feed struct {
	hub       *Hub
	org       chat.OrgID
	maxBytes  int
	maxEvents int
	signal    chan struct{} // capacity 1: the queue changed

	// Owned by the Next goroutine.
	replayFrom, replayTo int64         // log range still to replay: (from, to]
	replay               []*chat.Event // a page of it
	last                 int64         // the last durable id returned
	expired              bool          // report ErrResumeExpired once

	mu    sync.Mutex // guards the fields below
	queue []*chat.Event
	bytes int
	err   error // set when the feed is over
}

// push appends ev; it reports false (and fails the feed) when the queue
// would overflow. It never blocks.
func (f *feed) push(ev *chat.Event) bool {
	size := eventSize(ev)
	f.mu.Lock()
	if f.err != nil {
		f.mu.Unlock()
		return false
	}
	if len(f.queue) >= f.maxEvents || f.bytes+size > f.maxBytes {
		f.err = chat.ErrSlowConsumer
		f.queue, f.bytes = nil, 0
		f.mu.Unlock()
		f.notify()
		return false
	}
	f.queue = append(f.queue, ev)
	f.bytes += size
	f.mu.Unlock()
	f.notify()
	return true
}

func (f *feed) notify() {
	select {
	case f.signal <- struct{}{}:
	default:
	}
}

// fail ends the feed with err (unless it already ended).
func (f *feed) fail(err error) {
	f.mu.Lock()
	if f.err == nil {
		f.err = err
	}
	f.queue, f.bytes = nil, 0
	f.mu.Unlock()
	f.notify()
}

// Next implements chat.EventFeed.
func (f *feed) Next(ctx context.Context) (*chat.Event, error) {
	if f.expired {
		f.expired = false
		return nil, chat.ErrResumeExpired
	}
	for {
		if ev, err := f.nextReplayed(ctx); ev != nil || err != nil {
			return ev, err
		}
		f.mu.Lock()
		if f.err != nil {
			err := f.err
			f.mu.Unlock()
			return nil, err
		}
		if len(f.queue) > 0 {
			ev := f.queue[0]
			f.queue[0] = nil
			f.queue = f.queue[1:]
			f.bytes -= eventSize(ev)
			f.mu.Unlock()
			if ev.ID != 0 {
				if ev.ID <= f.last {
					continue // already replayed or already had
				}
				f.last = ev.ID
			}
			return ev, nil
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-f.signal:
		}
	}
}

// nextReplayed returns the next event of the replay range, reading the log a
// page at a time, or nil when the range is done.
func (f *feed) nextReplayed(ctx context.Context) (*chat.Event, error) {
	for len(f.replay) == 0 {
		if f.replayFrom >= f.replayTo {
			return nil, nil
		}
		err := f.hub.store.View(ctx, func(tx chat.ReadTx) error {
			var err error
			f.replay, err = tx.OrgEvents(ctx, f.org, f.replayFrom, f.replayTo, f.hub.opt.Batch)
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(f.replay) == 0 {
			f.replayFrom = f.replayTo
			return nil, nil
		}
		f.replayFrom = f.replay[len(f.replay)-1].ID
	}
	ev := f.replay[0]
	f.replay = f.replay[1:]
	f.last = ev.ID
	return ev, nil
}

// Close implements chat.EventFeed.
func (f *feed) Close() {
	f.hub.remove(f)
	f.fail(errClosed)
}

// eventSize estimates what an event costs a queue, for the byte bound.
func eventSize(ev *chat.Event) int {
	n := 256
	if ev.Message != nil {
		n += len(ev.Message.Text) + 64*len(ev.Message.Attachments)
	}
	if ev.Thread != nil {
		n += len(ev.Thread.Subject) + len(ev.Thread.Summary) + 8*len(ev.Thread.Participants)
	}
	if ev.Presence != nil {
		n += 8 * len(ev.Presence.UserIDs)
	}
	return n
}
