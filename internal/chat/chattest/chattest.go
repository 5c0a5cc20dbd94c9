// Package chattest builds a real chat.Service for tests: the store of the
// engine the test run selects (see sqlstoretest), files on disk in a
// temporary directory, real tokens, and a publisher that records events;
// and what the surfaces' reliability matrices share: bad tokens (BadTokens,
// BadTokensFrom), the change between two snapshots of an org (LineDiff)
// and the search for an org's secrets in an answer (Leak).
package chattest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/files/disk"
	"github.com/parley-chat/parley/internal/realtime"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// ClientSecret is the operator secret of services made by New.
const ClientSecret = "test-client-secret"

// JWTSecret is the secret services made by New sign their tokens with.
const JWTSecret = "test-jwt-secret-test-jwt-secret-0123456789"

// Env is a service under test with its recorder, its clock and its running
// hub.
type Env struct {
	*chat.Service
	Events *Recorder
	Clock  *Clock
	Hub    *realtime.Hub
	Store  chat.Store
	Files  chat.Files
}

// Clock is the service's clock: the real time plus an offset that tests
// move forward (never back, so issued tokens stay valid).
type Clock struct {
	mu     sync.Mutex
	offset time.Duration // guarded by mu
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// New returns a fresh service on a fresh database, with a hub that runs
// until the test ends.
func New(tb testing.TB) *Env {
	tb.Helper()
	return NewOn(tb, sqlstoretest.Open(tb), realtime.Local{}, 200*time.Millisecond)
}

// NewOn returns a service over store whose hub talks to other nodes through
// broker and polls the log every poll: two Envs on one database are two
// nodes.
func NewOn(tb testing.TB, store chat.Store, broker realtime.Broker, poll time.Duration) *Env {
	tb.Helper()
	files, err := disk.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return newEnv(tb, store, broker, poll, files)
}

// NewWithFiles is New with files as the attachment store (an S3 store, for
// tests that run against one).
func NewWithFiles(tb testing.TB, files chat.Files) *Env {
	tb.Helper()
	return newEnv(tb, sqlstoretest.Open(tb), realtime.Local{}, 200*time.Millisecond, files)
}

func newEnv(tb testing.TB, store chat.Store, broker realtime.Broker, poll time.Duration, files chat.Files) *Env {
	tb.Helper()
	tokens, err := auth.NewTokens(JWTSecret)
	if err != nil {
		tb.Fatal(err)
	}
	rec, clock := &Recorder{}, &Clock{}
	hub := realtime.New(store, broker, realtime.Options{PollInterval: poll})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("hub: %v", err)
		}
	})
	svc := chat.New(chat.Deps{Store: store, Publisher: tee{rec, hub}, Hub: hub, Files: files, Tokens: tokens, Wallets: auth.Wallets{}, Now: clock.Now},
		chat.Config{ClientSecret: ClientSecret})
	return &Env{Service: svc, Events: rec, Clock: clock, Hub: hub, Store: store, Files: files}
}

// tee publishes to several publishers.
type tee []chat.Publisher

func (t tee) Publish(events ...*chat.Event) {
	for _, p := range t {
		p.Publish(events...)
	}
}

// Recorder is a chat.Publisher that keeps what it is given.
type Recorder struct {
	mu     sync.Mutex
	events []*chat.Event
}

// Publish implements chat.Publisher.
func (r *Recorder) Publish(events ...*chat.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
}

// Types returns the types of the events published so far, in order.
func (r *Recorder) Types() []chat.EventType {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]chat.EventType, len(r.events))
	for i, e := range r.events {
		out[i] = e.Type
	}
	return out
}

// Events returns the events published so far.
func (r *Recorder) Events() []*chat.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*chat.Event(nil), r.events...)
}

// MustOrg provisions an org with an owner named "owner" and returns the org
// and the owner's actor.
func (e *Env) MustOrg(tb testing.TB) (*chat.Org, chat.Actor) {
	tb.Helper()
	ctx := context.Background()
	org, err := e.ProvisionOrg(ctx, ClientSecret)
	if err != nil {
		tb.Fatal(err)
	}
	u, _, err := e.ProvisionUser(ctx, ClientSecret, org.Slug, "owner", "Owner")
	if err != nil {
		tb.Fatal(err)
	}
	return org, chat.MemberActor(org.ID, u.ID)
}

// MustUser adds a user with the given level to org and returns its actor.
func (e *Env) MustUser(tb testing.TB, org *chat.Org, name string, level chat.Level) chat.Actor {
	tb.Helper()
	ctx := context.Background()
	u, _, err := e.ProvisionUser(ctx, ClientSecret, org.Slug, name, name)
	if err != nil {
		tb.Fatal(err)
	}
	if level > chat.LevelMember {
		if _, err := e.UpdateUser(ctx, chat.SystemActor(org.ID), u.ID, chat.UserUpdate{Level: &level}); err != nil {
			tb.Fatal(err)
		}
	}
	return chat.MemberActor(org.ID, u.ID)
}
