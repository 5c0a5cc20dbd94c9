package realtime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/realtime"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

func appendEvents(t testing.TB, s chat.Store, org chat.OrgID, n int) {
	t.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx chat.Tx) error {
		for range n {
			if err := tx.AppendEvent(ctx, &chat.Event{OrgID: org, Type: chat.EventOrgUpdated, Topics: []string{chat.TopicOrg(org)}, At: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSlowConsumer: a feed that is not read is cut off when its queue
// overflows; a feed that is read gets everything; publishing never blocks.
func TestSlowConsumer(t *testing.T) {
	store := sqlstoretest.Open(t)
	hub := realtime.New(store, realtime.Local{}, realtime.Options{MaxQueueEvents: 50, PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- hub.Run(ctx) }()
	defer func() { cancel(); <-done }()

	slow, err := hub.Follow(1, -1)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := hub.Follow(1, -1)
	if err != nil {
		t.Fatal(err)
	}
	other, err := hub.Follow(2, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// The fast reader keeps up batch by batch; the slow one never reads.
	for batch := range 10 {
		appendEvents(t, store, 1, 20)
		hub.Publish(&chat.Event{ID: int64(batch+1) * 20, Type: chat.EventOrgUpdated})
		for range 20 {
			c, cancel := context.WithTimeout(ctx, 5*time.Second)
			_, err := fast.Next(c)
			cancel()
			if err != nil {
				t.Fatalf("fast feed in batch %d: %v", batch, err)
			}
		}
	}
	var lastErr error
	for lastErr == nil {
		_, lastErr = slow.Next(ctx)
	}
	if !errors.Is(lastErr, chat.ErrSlowConsumer) {
		t.Fatalf("slow feed ended with %v, want ErrSlowConsumer", lastErr)
	}
	// Another org's feed saw nothing.
	c2, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if ev, err := other.Next(c2); err == nil {
		t.Fatalf("org 2 got an event of org 1: %+v", ev)
	}
}

// TestResumeFromLog: a feed that resumes replays the log in order and then
// continues live without a gap or a duplicate.
func TestResumeFromLog(t *testing.T) {
	store := sqlstoretest.Open(t)
	hub := realtime.New(store, realtime.Local{}, realtime.Options{PollInterval: 10 * time.Millisecond, Batch: 7})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- hub.Run(ctx) }()
	defer func() { cancel(); <-done }()
	appendEvents(t, store, 1, 30)
	appendEvents(t, store, 2, 5)
	appendEvents(t, store, 1, 30)
	f, err := hub.Follow(1, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	appendEvents(t, store, 1, 10)
	hub.Publish(&chat.Event{ID: 75, Type: chat.EventOrgUpdated})
	var ids []int64
	for len(ids) < 60 {
		ev, err := f.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	for i, id := range ids {
		want := int64(11 + i)
		if i >= 20 {
			want += 5 // org 2's five events in between
		}
		if id != want {
			t.Fatalf("event %d has id %d, want %d (ids %v)", i, id, want, ids)
		}
	}
}
