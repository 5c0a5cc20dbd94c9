// Package jobs decides when Parley's due work runs: presence expiry, event
// log pruning, bot webhook delivery (webhooks.go), and scheduled and expiring
// messages (due.go). The work itself is in chat; several nodes may run the
// same jobs because each claims its rows in the database.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Options tune the runner.
type Options struct {
	// EventRetention is how long the event log keeps events (resume
	// cursors older than that get a reset). Default 7 days, and never less
	// than chat.MinEventRetention: bot update queues live in the log.
	EventRetention time.Duration
	// PresenceEvery and PruneEvery are the intervals of those jobs.
	PresenceEvery time.Duration
	PruneEvery    time.Duration
	// DueIdle caps how long the due-work loop sleeps when nothing is due
	// sooner (work added on other nodes is found within it). Default 2s.
	DueIdle time.Duration
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Runner runs the jobs until its context ends.
type Runner struct {
	svc *chat.Service
	opt Options
}

// New returns a runner for svc.
func New(svc *chat.Service, opt Options) *Runner {
	if opt.EventRetention <= 0 {
		opt.EventRetention = 7 * 24 * time.Hour
	}
	opt.EventRetention = max(opt.EventRetention, chat.MinEventRetention)
	if opt.PresenceEvery <= 0 {
		opt.PresenceEvery = 30 * time.Second
	}
	if opt.PruneEvery <= 0 {
		opt.PruneEvery = time.Hour
	}
	if opt.DueIdle <= 0 {
		opt.DueIdle = 2 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Runner{svc: svc, opt: opt}
}

// Run runs every job on its interval until ctx ends, and waits for them.
func (r *Runner) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	every := func(name string, d time.Duration, job func(context.Context, time.Time) (int, error)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(d)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case now := <-t.C:
					n, err := job(ctx, now)
					switch {
					case err != nil && ctx.Err() == nil:
						r.opt.Logger.Warn("job failed", "job", name, "err", err)
					case n > 0:
						r.opt.Logger.Debug("job done", "job", name, "count", n)
					}
				}
			}
		}()
	}
	every("presence", r.opt.PresenceEvery, r.svc.ExpirePresence)
	every("prune-events", r.opt.PruneEvery, func(ctx context.Context, now time.Time) (int, error) {
		return r.svc.PruneEvents(ctx, now.Add(-r.opt.EventRetention))
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.runDue(ctx)
	}()
	wg.Wait()
	return nil
}
