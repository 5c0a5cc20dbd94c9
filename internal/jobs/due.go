package jobs

import (
	"context"
	"time"
)

// dueRetry is how long the due-work loop waits after a failed round.
const dueRetry = time.Second

// runDue delivers scheduled messages and deletes expired ones at their time
// until ctx ends. It sleeps until the next due time (chat.Service.NextDue),
// at most DueIdle, and wakes early when this node adds something due
// (chat.Service.DueChanged). Work added on another node is that node's to
// wake for; DueIdle bounds how late this one is if that node is gone.
func (r *Runner) runDue(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-r.svc.DueChanged():
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		}
		wait, err := r.dueRound(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.opt.Logger.Warn("job failed", "job", "due-messages", "err", err)
			wait = dueRetry
		}
		timer.Reset(wait)
	}
}

// dueRound does the work due now and returns how long to sleep before the
// next round.
func (r *Runner) dueRound(ctx context.Context) (time.Duration, error) {
	now := r.opt.Now()
	sent, err := r.svc.PublishDue(ctx, now)
	if err != nil {
		return 0, err
	}
	expired, err := r.svc.ExpireDue(ctx, now)
	if err != nil {
		return 0, err
	}
	if sent+expired > 0 {
		r.opt.Logger.Debug("job done", "job", "due-messages", "sent", sent, "expired", expired)
	}
	next, err := r.svc.NextDue(ctx)
	if err != nil {
		return 0, err
	}
	wait := r.opt.DueIdle
	if !next.IsZero() {
		if d := next.Sub(r.opt.Now()); d < wait {
			wait = max(d, 0)
		}
	}
	return wait, nil
}
