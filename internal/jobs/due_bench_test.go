package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/jobs"
)

// BenchmarkScheduledPunctuality schedules 10,000 messages, due over a
// window (all at one instant with window 0), runs the real runner, and
// reports how late past its due time each was posted (p50, p99, max) and
// how many were posted per second. Run it with -benchtime 1x; each
// iteration is a fresh database.
//
//	go test -run '^$' -bench ScheduledPunctuality -benchtime 1x ./internal/jobs/
func BenchmarkScheduledPunctuality(b *testing.B) {
	for _, window := range []time.Duration{10 * time.Second, 0} {
		b.Run(fmt.Sprintf("10k-due-over-%s", window), func(b *testing.B) {
			for range b.N {
				punctuality(b, 10_000, window)
			}
		})
	}
}

func punctuality(b *testing.B, n int, window time.Duration) {
	ctx := context.Background()
	env := chattest.New(b)
	// One user may have chat.MaxScheduledPending messages waiting: twenty
	// participants share the 10k.
	org, owner := env.MustOrg(b)
	authors := []chat.Actor{owner}
	var ids []chat.UserID
	for i := range 19 {
		a := env.MustUser(b, org, fmt.Sprintf("user%d", i), chat.LevelMember)
		authors, ids = append(authors, a), append(ids, a.UserID)
	}
	conv, err := env.StartConversation(ctx, owner, chat.NewConversation{UserIDs: ids})
	if err != nil {
		b.Fatal(err)
	}
	// Scheduling 10k messages takes a while; the first is due after that.
	lead := 30 * time.Second
	start := env.Now().Add(lead)
	sendAt := func(i int) time.Time { return start.Add(window * time.Duration(i) / time.Duration(n)) }
	began := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(authors))
	for k, author := range authors {
		wg.Add(1)
		go func() { // one writer per author; PostgreSQL takes them in parallel
			defer wg.Done()
			for i := k; i < n; i += len(authors) {
				_, _, err := env.ScheduleMessage(ctx, author, chat.NewScheduled{Message: chat.NewMessage{ThreadID: conv.ID, Text: strconv.Itoa(i)}, SendAt: sendAt(i)})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	if took := time.Since(began); took > lead {
		b.Fatalf("scheduling took %v, longer than the %v lead: the measure would be meaningless", took, lead)
	}
	b.ResetTimer()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	r := jobs.New(env.Service, jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	go func() { done <- r.Run(runCtx) }()
	defer func() { stop(); <-done }()

	late := make([]time.Duration, 0, n)
	var first, last time.Time
	seen := 0
	deadline := time.Now().Add(lead + window + 5*time.Minute)
	for len(late) < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d messages were sent", len(late), n)
		}
		time.Sleep(50 * time.Millisecond)
		evs := env.Events.Events()
		for _, e := range evs[seen:] {
			if e.Type != chat.EventMessageCreated || e.ThreadID != conv.ID {
				continue
			}
			i, err := strconv.Atoi(e.Message.Text)
			if err != nil {
				continue
			}
			at := e.Message.CreatedAt
			late = append(late, at.Sub(sendAt(i)))
			if first.IsZero() || at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
		}
		seen = len(evs)
	}
	b.StopTimer()
	slices.Sort(late)
	pct := func(p float64) float64 { return float64(late[int(p*float64(len(late)-1))]) / float64(time.Millisecond) }
	if late[0] < 0 {
		b.Fatalf("a message was sent %v before its time", -late[0])
	}
	b.ReportMetric(pct(0.50), "p50-late-ms")
	b.ReportMetric(pct(0.99), "p99-late-ms")
	b.ReportMetric(pct(1), "max-late-ms")
	b.ReportMetric(float64(n)/max(last.Sub(first).Seconds(), 0.001), "sent/s")
}
