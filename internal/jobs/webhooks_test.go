package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/jobs"
	"github.com/parley-chat/parley/internal/realtime"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
	"github.com/parley-chat/parley/internal/webhook"
)

// hook is a bot's webhook: a real HTTP server that records what it receives
// and answers 503 while down.
type hook struct {
	srv *httptest.Server

	mu       sync.Mutex
	down     bool
	got      []delivery
	gotAt    []time.Time
	attempts []time.Time
	// block, when set, runs before answering (a slow bot).
	block func()
}

type delivery struct {
	Update int64  `json:"update"`
	Text   string `json:"text"`
}

func newHook(t testing.TB) *hook {
	h := &hook{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.attempts = append(h.attempts, time.Now())
		down, block := h.down, h.block
		h.mu.Unlock()
		if block != nil {
			block()
		}
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var d delivery
		if err := json.Unmarshal(b, &d); err != nil {
			t.Errorf("webhook body %q: %v", b, err)
		}
		h.mu.Lock()
		h.got, h.gotAt = append(h.got, d), append(h.gotAt, time.Now())
		h.mu.Unlock()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) setDown(down bool) {
	h.mu.Lock()
	h.down = down
	h.mu.Unlock()
}

func (h *hook) texts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, d := range h.got {
		out = append(out, d.Text)
	}
	return out
}

func (h *hook) numAttempts() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.attempts)
}

// world is a service with bots whose webhooks are hooks, and a person with a
// chat with each.
type world struct {
	env      *chattest.Env
	org      *chat.Org
	operator chat.Actor
	user     chat.Actor
	bots     []chat.BotRef
	chats    []*chat.BotChat
	hooks    []*hook
}

func newWorld(t testing.TB, env *chattest.Env, nbots int) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{env: env}
	var err error
	if w.org, err = env.EnsureDefaultOrg(ctx); err != nil {
		t.Fatal(err)
	}
	if w.operator, err = env.OperatorActor(chattest.ClientSecret, w.org.ID); err != nil {
		t.Fatal(err)
	}
	_, tok, _, err := env.SignUpWithNickname(ctx, chat.AnonymousActor(w.org.ID), "Ada")
	if err != nil {
		t.Fatal(err)
	}
	if w.user, err = env.Authenticate(ctx, tok); err != nil {
		t.Fatal(err)
	}
	for i := range nbots {
		bot, key, err := env.CreateBot(ctx, w.operator, chat.NewBot{Name: fmt.Sprint("Bot ", i)})
		if err != nil {
			t.Fatal(err)
		}
		ba, err := env.AuthenticateBot(ctx, bot.ID, key)
		if err != nil {
			t.Fatal(err)
		}
		h := newHook(t)
		if _, err := env.SetBotWebhook(ctx, ba, chat.NewBotWebhook{URL: h.srv.URL + "/hook"}); err != nil {
			t.Fatal(err)
		}
		c, err := env.CreateBotChat(ctx, w.user, bot.ID)
		if err != nil {
			t.Fatal(err)
		}
		w.bots, w.chats, w.hooks = append(w.bots, chat.BotRef{OrgID: w.org.ID, BotID: bot.ID}), append(w.chats, c), append(w.hooks, h)
	}
	return w
}

func (w *world) send(t testing.TB, i int, text string) {
	t.Helper()
	if _, err := w.env.SendBotChatMessage(context.Background(), w.user, chat.NewBotChatMessage{ChatID: w.chats[i].ThreadID, Body: text}); err != nil {
		t.Fatal(err)
	}
}

func format(u *chat.BotUpdate) ([]byte, error) {
	return json.Marshal(delivery{Update: u.ID, Text: u.Message.Text})
}

// run runs the delivery job as node until the returned stop is called.
func run(t testing.TB, env *chattest.Env, node string, sendTimeout time.Duration, lease time.Duration) (stop func()) {
	t.Helper()
	return runWith(t, env, jobs.WebhookOptions{
		Delivery: chat.DeliveryOptions{Node: node, Sender: webhook.New(webhook.Options{Timeout: sendTimeout}), Format: format,
			Lease: lease, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond},
		Sync: 50 * time.Millisecond, Idle: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)).With("node", node),
	})
}

// runScaled runs the delivery job with the given backoff and quiet logs.
func runScaled(t testing.TB, env *chattest.Env, node string, minBackoff, maxBackoff time.Duration) (stop func()) {
	return runWith(t, env, jobs.WebhookOptions{
		Delivery: chat.DeliveryOptions{Node: node, Sender: webhook.New(webhook.Options{Timeout: 5 * time.Second}), Format: format,
			MinBackoff: minBackoff, MaxBackoff: maxBackoff},
		Sync: 50 * time.Millisecond, Idle: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func runWith(t testing.TB, env *chattest.Env, opt jobs.WebhookOptions) (stop func()) {
	t.Helper()
	h := jobs.NewWebhooks(env.Service, opt)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("webhooks: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventually polls cond until it holds or 20s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func texts(prefix string, n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprint(prefix, i))
	}
	return out
}

func botState(t *testing.T, env *chattest.Env, bot chat.BotRef) *chat.BotState {
	t.Helper()
	var st *chat.BotState
	err := env.Store.View(context.Background(), func(tx chat.ReadTx) error {
		var err error
		st, err = tx.BotState(context.Background(), bot.BotID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestWebhookDownAndBack: one bot's webhook is down while the others work;
// nothing waits for it, its retries back off to at most MaxBackoff, and once
// it is back it gets every message, once, in order.
func TestWebhookDownAndBack(t *testing.T) {
	t.Parallel()
	env := chattest.New(t)
	w := newWorld(t, env, 3)
	w.hooks[0].setDown(true)
	run(t, env, "n1", time.Second, 5*time.Second)
	for i := range 5 {
		for b := range 3 {
			w.send(t, b, fmt.Sprint("m", i))
		}
	}
	for b := 1; b < 3; b++ {
		eventually(t, fmt.Sprint("bot ", b, " to get its messages"), func() bool { return len(w.hooks[b].texts()) == 5 })
		if got := w.hooks[b].texts(); !slices.Equal(got, texts("m", 5)) {
			t.Fatalf("bot %d got %v", b, got)
		}
	}
	eventually(t, "several failed attempts", func() bool { return w.hooks[0].numAttempts() >= 6 })
	st := botState(t, env, w.bots[0])
	if st.Failures < 5 || st.LastError == "" || st.RetryAt.After(time.Now().Add(200*time.Millisecond)) {
		t.Fatalf("while down: failures %d, last error %q, retry at %v: want the retry at most 200ms away", st.Failures, st.LastError, st.RetryAt)
	}
	if len(w.hooks[0].texts()) != 0 {
		t.Fatal("a down webhook received something")
	}
	w.hooks[0].setDown(false)
	eventually(t, "the bot that was down to get its messages", func() bool { return len(w.hooks[0].texts()) >= 5 })
	time.Sleep(300 * time.Millisecond) // room for a duplicate to show up
	if got := w.hooks[0].texts(); !slices.Equal(got, texts("m", 5)) {
		t.Fatalf("after coming back the bot got %v, want each message once in order", got)
	}
	h := w.hooks[0]
	h.mu.Lock()
	var gaps []time.Duration
	for i := 1; i < len(h.attempts); i++ {
		gaps = append(gaps, h.attempts[i].Sub(h.attempts[i-1]).Round(time.Millisecond))
	}
	h.mu.Unlock()
	t.Logf("gaps between attempts: %v", gaps)
	if st := botState(t, env, w.bots[0]); st.Failures != 0 || !st.RetryAt.IsZero() {
		t.Errorf("after recovery: failures %d, retry at %v", st.Failures, st.RetryAt)
	}
}

// TestSlowWebhookDoesNotDelayOthers: a bot whose webhook hangs does not
// delay another bot's delivery. The slow webhook answers only once the other
// bot has its message, so if deliveries were queued behind each other it
// would time out instead.
func TestSlowWebhookDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	env := chattest.New(t)
	w := newWorld(t, env, 2)
	fastGot := make(chan struct{})
	var released bool
	w.hooks[0].block = func() {
		select {
		case <-fastGot:
			released = true
		case <-time.After(8 * time.Second):
		}
	}
	run(t, env, "n1", 10*time.Second, 30*time.Second)
	w.send(t, 0, "slow")
	eventually(t, "the slow bot's webhook to be called", func() bool { return w.hooks[0].numAttempts() == 1 })
	w.send(t, 1, "fast")
	eventually(t, "the fast bot's message", func() bool { return len(w.hooks[1].texts()) == 1 })
	close(fastGot)
	eventually(t, "the slow bot's message", func() bool { return len(w.hooks[0].texts()) == 1 })
	w.hooks[0].mu.Lock()
	defer w.hooks[0].mu.Unlock()
	if !released {
		t.Fatal("the slow webhook was released by its timeout: the other bot waited for it")
	}
}

// TestWebhookDeliverySurvivesRestart: messages sent while a webhook is down
// are delivered by the next process, even when the first one died holding
// the bot's delivery lease.
func TestWebhookDeliverySurvivesRestart(t *testing.T) {
	t.Parallel()
	store := sqlstoretest.Open(t)
	env1 := chattest.NewOn(t, store, realtime.Local{}, 50*time.Millisecond)
	w := newWorld(t, env1, 2)
	w.hooks[0].setDown(true)
	stop := run(t, env1, "n1", time.Second, 2*time.Second)
	for i := range 3 {
		w.send(t, 0, fmt.Sprint("m", i))
		w.send(t, 1, fmt.Sprint("m", i))
	}
	eventually(t, "the working bot's messages", func() bool { return len(w.hooks[1].texts()) == 3 })
	eventually(t, "failed attempts", func() bool { return w.hooks[0].numAttempts() >= 2 })
	stop()

	// The process died while delivering: its lease on the bot is still
	// held, for 1s more.
	err := store.Update(context.Background(), func(tx chat.Tx) error {
		now := time.Now()
		if err := tx.ResetBotDelivery(context.Background(), w.org.ID, w.bots[0].BotID, now); err != nil {
			return err
		}
		ok, _, err := tx.ClaimBotDelivery(context.Background(), w.org.ID, w.bots[0].BotID, "n1", now, now.Add(time.Second))
		if !ok {
			t.Error("could not plant a lease")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.send(t, 0, "m3")
	w.hooks[0].setDown(false)

	// A new process on the same database.
	env2 := chattest.NewOn(t, store, realtime.Local{}, 50*time.Millisecond)
	w.env = env2
	run(t, env2, "n2", time.Second, 2*time.Second)
	eventually(t, "the messages sent before the restart", func() bool { return len(w.hooks[0].texts()) >= 4 })
	w.send(t, 0, "m4")
	w.send(t, 1, "m3")
	eventually(t, "a message sent after the restart", func() bool { return len(w.hooks[0].texts()) >= 5 && len(w.hooks[1].texts()) >= 4 })
	time.Sleep(200 * time.Millisecond)
	if got := w.hooks[0].texts(); !slices.Equal(got, texts("m", 5)) {
		t.Fatalf("bot that was down got %v, want m0..m4 once each", got)
	}
	if got := w.hooks[1].texts(); !slices.Equal(got, texts("m", 4)) {
		t.Fatalf("bot that was up got %v, want m0..m3 once each", got)
	}
}

// TestWebhookSetAgainIsTriedAtOnce: a bot whose webhook failed, and which
// sets its webhook again, is not left waiting for its retry time.
func TestWebhookSetAgainIsTriedAtOnce(t *testing.T) {
	t.Parallel()
	env := chattest.New(t)
	w := newWorld(t, env, 1)
	w.hooks[0].setDown(true)
	runWith(t, env, jobs.WebhookOptions{
		Delivery: chat.DeliveryOptions{Node: "n1", Sender: webhook.New(webhook.Options{Timeout: time.Second}), Format: format,
			MinBackoff: time.Hour, MaxBackoff: time.Hour},
		Sync: 50 * time.Millisecond, Idle: time.Hour, Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	w.send(t, 0, "m0")
	eventually(t, "a failed attempt", func() bool { return botState(t, env, w.bots[0]).Failures == 1 })
	w.hooks[0].setDown(false)
	st := botState(t, env, w.bots[0])
	if time.Until(st.RetryAt) < 50*time.Minute {
		t.Fatalf("retry at %v, want an hour away", st.RetryAt)
	}
	bot, err := env.Bot(context.Background(), w.operator, w.bots[0].BotID)
	if err != nil {
		t.Fatal(err)
	}
	key, err := env.BotKey(context.Background(), w.operator, bot.ID)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := env.AuthenticateBot(context.Background(), bot.ID, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.SetBotWebhook(context.Background(), ba, chat.NewBotWebhook{URL: w.hooks[0].srv.URL + "/hook"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the delivery after the webhook was set again", func() bool { return len(w.hooks[0].texts()) == 1 })
}
