package chat

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Webhook delivery: the job in internal/jobs calls DeliverWebhook for each
// bot with a webhook; the updates are those of botupdate.go.

// WebhookBots lists every bot that has a webhook, in every org: the delivery
// job runs one worker per bot.
func (s *Service) WebhookBots(ctx context.Context) ([]BotRef, error) {
	var bots []BotRef
	err := s.view(ctx, func(tx ReadTx) error {
		var err error
		bots, err = tx.WebhookBots(ctx)
		return err
	})
	return bots, err
}

// WebhookRequest is one POST to a bot's webhook.
type WebhookRequest struct {
	URL    string
	Header map[string]string
	Body   []byte
}

// WebhookSender POSTs deliveries (implemented by internal/webhook). Send
// returns nil only when the webhook answered 2xx.
type WebhookSender interface {
	Send(ctx context.Context, req *WebhookRequest) error
}

// DeliveryOptions tune webhook delivery.
type DeliveryOptions struct {
	// Node names this node; it holds a bot's delivery lease while it
	// delivers.
	Node   string
	Sender WebhookSender
	// Format renders an update as the body the bot receives (the bot
	// platform surface's wire format).
	Format func(*BotUpdate) ([]byte, error)
	// Lease is how long a node holds a bot's delivery without renewing it
	// (renewed by each delivery); it must exceed the sender's timeout.
	// Default 30s.
	Lease time.Duration
	// After n failures in a row the next attempt waits MinBackoff·2^(n-1)
	// (±10%), at most MaxBackoff. Defaults 1s and 60s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// Batch is how many updates one call reads (default 100).
	Batch int
}

func (o *DeliveryOptions) defaults() {
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(60*time.Second, o.MinBackoff)
	}
	if o.Batch <= 0 {
		o.Batch = 100
	}
}

// Backoff returns the wait after n failures in a row (without jitter).
func (o DeliveryOptions) Backoff(n int) time.Duration {
	o.defaults()
	d := o.MinBackoff
	for i := 1; i < n && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}

// jittered spreads d by ±10%, never beyond max.
func jittered(d, max time.Duration) time.Duration {
	j := time.Duration(float64(d) * (0.9 + 0.2*rand.Float64()))
	return min(j, max)
}

// Delivery is what one DeliverWebhook call did.
type Delivery struct {
	Delivered int
	// More: the batch was full; call again at once.
	More bool
	// RetryAt, when set, is the earliest time another call can do
	// anything: after a failure, or while another node holds the lease.
	RetryAt time.Time
	// Failed is why the attempt this call made failed, if it did.
	Failed error
}

// maxLastError bounds the failure text kept with a bot.
const maxLastError = 300

// DeliverWebhook POSTs a bot's pending updates to its webhook, in order,
// each signed (SignWebhook). The node first takes the bot's delivery lease,
// so one node at a time delivers a bot's updates, and keeps it while it
// delivers (each delivery renews it; ReleaseWebhook or a lapse of
// DeliveryOptions.Lease hands it on, so a node that dies is replaced within
// a lease). After each 2xx answer the position moves past that update. A
// failure stops the call and puts the next attempt off (Backoff), so a bot
// whose webhook is down is tried again and again and loses nothing, and only
// its own updates wait. A bot without a webhook, or with nothing pending, is
// left alone, and costs no write.
func (s *Service) DeliverWebhook(ctx context.Context, bot BotRef, opt DeliveryOptions) (Delivery, error) {
	opt.defaults()
	if opt.Sender == nil || opt.Format == nil || opt.Node == "" {
		return Delivery{}, errors.New("deliver webhook: Node, Sender and Format are required")
	}
	now := s.Now()
	var hook *BotWebhook
	var st *BotState
	var ups []*BotUpdate
	var scanned int64
	var out Delivery
	read := func() error {
		return s.view(ctx, func(tx ReadTx) error {
			var err error
			if hook, err = tx.BotWebhook(ctx, bot.OrgID, bot.BotID); err != nil {
				return err
			}
			if st, err = botState(ctx, tx, bot.OrgID, bot.BotID); err != nil {
				return err
			}
			ups, scanned, err = pendingUpdates(ctx, tx, bot.OrgID, bot.BotID, st.Position, opt.Batch)
			return err
		})
	}
	err := read()
	switch {
	case isNotFound(err):
		return Delivery{}, nil // no webhook (any more), or no bot
	case err != nil:
		return out, err
	case st.RetryAt.After(now):
		out.RetryAt = st.RetryAt
		return out, nil
	case st.LeaseOwner != "" && st.LeaseOwner != opt.Node && st.LeaseUntil.After(now):
		out.RetryAt = st.LeaseUntil
		return out, nil
	case len(ups) == 0:
		if scanned-st.Position >= skipGap {
			err = s.skip(ctx, bot, st.Position, scanned)
		}
		return out, err
	}
	// Holding the lease with time to spare, what was read is current: only
	// the holder delivers. Otherwise take it, and read again if another
	// node delivered in between.
	if st.LeaseOwner != opt.Node || st.LeaseUntil.Before(now.Add(opt.Lease/2)) {
		var claimed bool
		var position int64
		err = s.store.Update(ctx, func(tx Tx) error {
			var err error
			claimed, position, err = tx.ClaimBotDelivery(ctx, bot.OrgID, bot.BotID, opt.Node, now, now.Add(opt.Lease))
			return err
		})
		if err != nil {
			return out, err
		}
		if !claimed {
			out.RetryAt = now.Add(opt.MinBackoff)
			return out, nil
		}
		if position != st.Position {
			if err := read(); err != nil {
				s.release(bot, opt.Node)
				if isNotFound(err) {
					return Delivery{}, nil
				}
				return out, err
			}
		}
	}
	// An update on its way is finished even when ctx ends (a graceful
	// shutdown), so that it is recorded rather than sent again later; the
	// sender's timeout bounds the wait.
	sendCtx := context.WithoutCancel(ctx)
	for _, u := range ups {
		if ctx.Err() != nil {
			s.release(bot, opt.Node)
			return out, ctx.Err()
		}
		body, err := opt.Format(u)
		if err != nil {
			s.release(bot, opt.Node)
			return out, fmt.Errorf("format update %d: %w", u.ID, err)
		}
		at := s.Now()
		req := &WebhookRequest{URL: hook.URL, Body: body, Header: map[string]string{
			"Content-Type":  "application/json",
			HeaderUpdateID:  fmt.Sprint(u.ID),
			HeaderTimestamp: fmt.Sprint(at.Unix()),
			HeaderSignature: SignWebhook(hook.SigningSecret, at, body),
		}}
		if hook.Secret != "" {
			req.Header["Authorization"] = hook.Secret
		}
		if serr := opt.Sender.Send(sendCtx, req); serr != nil {
			failures := st.Failures + 1
			out.Failed = serr
			out.RetryAt = s.Now().Add(jittered(opt.Backoff(failures), opt.MaxBackoff)).Truncate(time.Millisecond)
			msg := serr.Error()
			if len(msg) > maxLastError {
				msg = msg[:maxLastError]
			}
			err := s.store.Update(sendCtx, func(tx Tx) error {
				_, err := tx.FailBotDelivery(sendCtx, bot.OrgID, bot.BotID, opt.Node, failures, out.RetryAt, msg)
				return err
			})
			return out, err
		}
		var held bool
		err = s.store.Update(sendCtx, func(tx Tx) error {
			var err error
			held, err = tx.AdvanceBotDelivery(sendCtx, bot.OrgID, bot.BotID, opt.Node, u.ID, s.Now().Add(opt.Lease))
			return err
		})
		if err != nil {
			s.release(bot, opt.Node)
			return out, err
		}
		out.Delivered++
		st.Failures = 0
		if !held {
			// The lease lapsed and another node took over: it delivers
			// the rest (this update may reach the bot twice).
			return out, nil
		}
	}
	out.More = len(ups) == opt.Batch
	return out, nil
}

// ReleaseWebhook gives up node's delivery lease on a bot, if it holds it (a
// node stops delivering), so another node may take over at once.
func (s *Service) ReleaseWebhook(bot BotRef, node string) { s.release(bot, node) }

// release gives up a delivery lease, even when the caller's context is what
// failed.
func (s *Service) release(bot BotRef, node string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = s.store.Update(ctx, func(tx Tx) error { return tx.ReleaseBotDelivery(ctx, bot.OrgID, bot.BotID, node) })
}
