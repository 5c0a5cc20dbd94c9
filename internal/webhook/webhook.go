// Package webhook POSTs bot deliveries over HTTP. It implements
// chat.WebhookSender; what to send, when, and what a failure means are
// decided in chat (chat.DeliverWebhook) and jobs.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Options tune a Sender.
type Options struct {
	// Timeout bounds one delivery, from dialing to the end of the answer's
	// headers. Default 10s. It must stay below the delivery lease
	// (chat.DeliveryOptions.Lease).
	Timeout time.Duration
	// Transport, when set, replaces http.DefaultTransport's settings (tests).
	Transport http.RoundTripper
}

// Sender POSTs webhook deliveries. It is safe for concurrent use.
type Sender struct {
	client *http.Client
}

var _ chat.WebhookSender = (*Sender)(nil)

// maxAnswer is how much of an answer is read (and thrown away) so that the
// connection can be reused.
const maxAnswer = 64 << 10

// New returns a Sender.
func New(opt Options) *Sender {
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	tr := opt.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// One idle connection per bot's host is plenty: a bot's deliveries
		// go one at a time.
		t.MaxIdleConnsPerHost = 4
		t.ResponseHeaderTimeout = opt.Timeout
		tr = t
	}
	return &Sender{client: &http.Client{
		Timeout:   opt.Timeout,
		Transport: tr,
		// A redirect is not a delivery: the bot must give its final URL.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send implements chat.WebhookSender: nil only for a 2xx answer.
func (s *Sender) Send(ctx context.Context, r *chat.WebhookRequest) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	req.Header.Set("User-Agent", "Parley-Webhook/1")
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr interface{ Timeout() bool }
		if errors.As(err, &uerr) && uerr.Timeout() {
			return fmt.Errorf("webhook timed out: %w", err)
		}
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
