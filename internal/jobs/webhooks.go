package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// WebhookOptions tune webhook delivery.
type WebhookOptions struct {
	// Delivery says how to deliver (sender, body format, lease, backoff).
	// Delivery.Node defaults to a random name for this process.
	Delivery chat.DeliveryOptions
	// Sync is how often the set of bots with a webhook is read again, to
	// start and stop their workers. Default 2s.
	Sync time.Duration
	// Idle is how long a worker with nothing to do waits for a wake-up
	// before it looks at its bot's queue again (to catch a lost wake-up or
	// a crashed node's expired lease). Default 5s.
	Idle   time.Duration
	Logger *slog.Logger
}

// Webhooks delivers bots' updates to their webhooks: one worker per bot with
// a webhook, so a slow or dead webhook only ever delays its own bot. Several
// nodes may run it on one database: a bot's delivery lease (in chat) lets one
// node at a time deliver each bot's updates.
type Webhooks struct {
	svc *chat.Service
	opt WebhookOptions
}

// NewWebhooks returns the delivery job for svc.
func NewWebhooks(svc *chat.Service, opt WebhookOptions) *Webhooks {
	if opt.Sync <= 0 {
		opt.Sync = 2 * time.Second
	}
	if opt.Idle <= 0 {
		opt.Idle = 5 * time.Second
	}
	if opt.Delivery.Node == "" {
		opt.Delivery.Node = "node-" + rand.Text()[:10]
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Webhooks{svc: svc, opt: opt}
}

// Run keeps a worker running for each bot with a webhook until ctx ends,
// then stops them and waits for them.
func (h *Webhooks) Run(ctx context.Context) error {
	workers := map[chat.BotRef]context.CancelFunc{} // owned by this goroutine
	var wg sync.WaitGroup
	defer func() {
		for _, stop := range workers {
			stop()
		}
		wg.Wait()
	}()
	tick := time.NewTicker(h.opt.Sync)
	defer tick.Stop()
	for {
		bots, err := h.svc.WebhookBots(ctx)
		if err != nil && ctx.Err() == nil {
			h.opt.Logger.Warn("list bots with webhooks", "err", err)
		}
		if err == nil {
			seen := make(map[chat.BotRef]bool, len(bots))
			for _, b := range bots {
				seen[b] = true
				if workers[b] != nil {
					continue
				}
				wctx, stop := context.WithCancel(ctx)
				workers[b] = stop
				wg.Add(1)
				go func() {
					defer wg.Done()
					h.work(wctx, b)
				}()
			}
			for b, stop := range workers {
				if !seen[b] {
					stop()
					delete(workers, b)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// work delivers one bot's updates until ctx ends: at once when the batch was
// full, when woken by a new message for the bot, when a retry is due, and
// every Idle otherwise.
func (h *Webhooks) work(ctx context.Context, bot chat.BotRef) {
	log := h.opt.Logger.With("org", bot.OrgID, "bot", bot.BotID)
	watch := h.svc.WatchBot(bot.OrgID, bot.BotID)
	defer watch.Close()
	// Hand the bot on when this node stops delivering it.
	defer h.svc.ReleaseWebhook(bot, h.opt.Delivery.Node)
	for ctx.Err() == nil {
		d, err := h.svc.DeliverWebhook(ctx, bot, h.opt.Delivery)
		wait := h.opt.Idle
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			log.Warn("webhook delivery", "err", err)
			wait = min(wait, time.Second)
		case d.Failed != nil:
			log.Warn("webhook delivery failed", "err", d.Failed, "delivered", d.Delivered, "retry_in", time.Until(d.RetryAt).Round(time.Millisecond))
			wait = time.Until(d.RetryAt)
		case d.More:
			continue
		case !d.RetryAt.IsZero():
			wait = time.Until(d.RetryAt)
		}
		if d.Delivered > 0 {
			log.Debug("webhook delivered", "updates", d.Delivered)
		}
		wait = max(wait, time.Millisecond)
		if _, err := watch.Wait(ctx, wait); errors.Is(err, chat.ErrFeedClosed) {
			// The hub is draining (shutting down): poll until ctx ends.
			sleep(ctx, wait)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
