package chat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// Limits on webhooks (Botyard's).
const (
	MaxWebhookURLLen    = 128
	MaxWebhookSecretLen = 64
)

// NewBotWebhook is where a bot wants its updates.
type NewBotWebhook struct {
	URL    string
	Secret string // optional; sent as the Authorization header
}

func (in NewBotWebhook) validate() error {
	switch {
	case in.URL == "":
		return invalid(ReasonWebhookURLEmpty, "The webhook URL must not be empty.")
	case len(in.URL) > MaxWebhookURLLen:
		return invalid(ReasonWebhookURLTooLong, "The webhook URL must be at most %d characters.", MaxWebhookURLLen)
	case len(in.Secret) > MaxWebhookSecretLen:
		return invalid(ReasonWebhookSecretLong, "The webhook secret must be at most %d characters.", MaxWebhookSecretLen)
	}
	return checkHTTPURL(in.URL, MaxWebhookURLLen)
}

// SetBotWebhook sets (or replaces) the acting bot's webhook. Updates the bot
// has not received yet, and every later one, are delivered there; a bot
// whose webhook was failing is tried again at once. The signing secret is
// made on first use and kept when the webhook changes. Forbidden unless a
// bot acts.
func (s *Service) SetBotWebhook(ctx context.Context, a Actor, in NewBotWebhook) (*BotWebhook, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var hook *BotWebhook
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := requireBot(au); err != nil {
			return err
		}
		if _, err := botState(ctx, w.tx, a.OrgID, au.user.ID); err != nil {
			return err
		}
		hook = &BotWebhook{BotID: au.user.ID, OrgID: a.OrgID, URL: in.URL, Secret: in.Secret, SigningSecret: randomText(),
			CreatedAt: w.now, UpdatedAt: w.now}
		old, err := w.tx.BotWebhook(ctx, a.OrgID, au.user.ID)
		switch {
		case err == nil:
			hook.SigningSecret, hook.CreatedAt = old.SigningSecret, old.CreatedAt
		case !isNotFound(err):
			return err
		}
		if err := w.tx.UpsertBotWebhook(ctx, hook); err != nil {
			return err
		}
		if err := w.tx.ResetBotDelivery(ctx, a.OrgID, au.user.ID, w.now); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventBotWebhookChanged, UserID: au.user.ID, Topics: []string{TopicUser(au.user.ID)}})
	})
	return hook, err
}

// BotWebhookOf returns the acting bot's webhook. NotFound ("Webhook not
// found.") when it has none.
func (s *Service) BotWebhookOf(ctx context.Context, a Actor) (*BotWebhook, error) {
	var hook *BotWebhook
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := requireBot(au); err != nil {
			return err
		}
		hook, err = tx.BotWebhook(ctx, a.OrgID, au.user.ID)
		if isNotFound(err) {
			return notFound("Webhook")
		}
		return err
	})
	return hook, err
}

// DeleteBotWebhook removes the acting bot's webhook, if it has one. Updates
// not delivered yet stay in its queue (BotUpdates).
func (s *Service) DeleteBotWebhook(ctx context.Context, a Actor) error {
	return s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := requireBot(au); err != nil {
			return err
		}
		deleted, err := w.tx.DeleteBotWebhook(ctx, a.OrgID, au.user.ID)
		if err != nil || !deleted {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventBotWebhookChanged, UserID: au.user.ID, Topics: []string{TopicUser(au.user.ID)}})
	})
}

// Headers of a webhook delivery besides Content-Type and Authorization.
const (
	// HeaderUpdateID carries the update id: deliveries are at least once,
	// so a bot that must not act twice remembers the ids it handled.
	HeaderUpdateID = "X-Parley-Update-Id"
	// HeaderTimestamp is when the delivery was signed, in Unix seconds.
	HeaderTimestamp = "X-Parley-Timestamp"
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256, keyed with the
	// webhook's signing secret, of the timestamp, a dot and the body.
	HeaderSignature = "X-Parley-Signature"
)

// SignWebhook returns the HeaderSignature value of a delivery of body signed
// at t. A bot verifies a delivery by computing it from the request's
// HeaderTimestamp and body with its signing secret, comparing it in constant
// time, and refusing timestamps far from its clock.
func SignWebhook(signingSecret string, t time.Time, body []byte) string {
	mac := hmac.New(sha256.New, []byte(signingSecret))
	mac.Write([]byte(strconv.FormatInt(t.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
