package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/jobs"
)

// eventually polls cond every 10 ms until it holds, or fails after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDueMessages runs the real runner: a scheduled message is posted at its
// time and an ephemeral one deleted at its expiry, each woken for by the
// service rather than found by polling (DueIdle is an hour).
func TestDueMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	bob := env.MustUser(t, org, "bob", chat.LevelMember)
	conv, err := env.StartConversation(ctx, owner, chat.NewConversation{UserIDs: []chat.UserID{bob.UserID}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	r := jobs.New(env.Service, jobs.Options{DueIdle: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	go func() { done <- r.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	sendAt := env.Now().Add(150 * time.Millisecond)
	sm, _, err := env.ScheduleMessage(ctx, owner, chat.NewScheduled{Message: chat.NewMessage{ThreadID: conv.ID, Text: "on time"}, SendAt: sendAt})
	if err != nil {
		t.Fatal(err)
	}
	eph, err := env.PostMessage(ctx, bob, chat.NewMessage{ThreadID: conv.ID, Text: "brief", Ephemeral: true, ExpiresIn: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var sent *chat.Message
	waitFor(t, "scheduled message posted", func() bool {
		l, err := env.ScheduledMessages(ctx, owner, chat.ScheduledFilter{All: true})
		if err != nil || len(l) != 1 || l[0].State != chat.ScheduledSent {
			return false
		}
		sent, err = env.Message(ctx, bob, l[0].MessageID)
		return err == nil
	})
	if sent.CreatedAt.Before(sm.SendAt) {
		t.Errorf("posted at %v, before its time %v", sent.CreatedAt, sm.SendAt)
	}
	waitFor(t, "ephemeral message deleted", func() bool {
		evs := env.Events.Events()
		for _, e := range evs {
			if e.Type == chat.EventMessageExpired && e.Message.ID == eph.ID {
				return true
			}
		}
		return false
	})
	if _, err := env.Message(ctx, bob, eph.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("expired message: %v, want not_found", err)
	}
}
