package realtime_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/realtime"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// BenchmarkFanout measures handing one committed event to n feeds and
// draining them: the hub's part of fan-out, without sockets.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("feeds=%d", n), func(b *testing.B) {
			store := sqlstoretest.Open(b)
			hub := realtime.New(store, realtime.Local{}, realtime.Options{PollInterval: time.Hour})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- hub.Run(ctx) }()
			defer func() { cancel(); <-done }()
			feeds := make([]chat.EventFeed, n)
			for i := range feeds {
				f, err := hub.Follow(1, -1)
				if err != nil {
					b.Fatal(err)
				}
				feeds[i] = f
			}
			b.ResetTimer()
			for i := range b.N {
				appendEvents(b, store, 1, 1)
				hub.Publish(&chat.Event{ID: int64(i + 1), Type: chat.EventOrgUpdated})
				var wg sync.WaitGroup
				for _, f := range feeds {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := f.Next(ctx); err != nil {
							b.Error(err)
						}
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkResume measures replaying 10k events from the log to one feed.
func BenchmarkResume(b *testing.B) {
	store := sqlstoretest.Open(b)
	for range 10 {
		appendEvents(b, store, 1, 1000)
	}
	hub := realtime.New(store, realtime.Local{}, realtime.Options{PollInterval: time.Hour})
	if err := hub.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		f, err := hub.Follow(1, 0)
		if err != nil {
			b.Fatal(err)
		}
		for range 10000 {
			if _, err := f.Next(ctx); err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
	}
	b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
