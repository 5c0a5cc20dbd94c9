package chat_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

func TestChannelThreads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	ada := env.MustUser(t, org, "ada", chat.LevelMember)
	bob := env.MustUser(t, org, "bob", chat.LevelMember)

	general, err := env.CreateChannel(ctx, owner, chat.NewChannel{Name: "general"})
	if err != nil {
		t.Fatal(err)
	}
	secret, err := env.CreateChannel(ctx, owner, chat.NewChannel{Name: "secret", Visibility: chat.VisibleHidden})
	if err != nil {
		t.Fatal(err)
	}
	open, err := env.CreateChannel(ctx, owner, chat.NewChannel{Name: "open", Visibility: chat.VisibleAnyone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.JoinChannel(ctx, ada, general.ID); err != nil {
		t.Fatal(err)
	}
	first, _, err := env.StartThread(ctx, owner, chat.NewThread{Text: "first", ChannelIDs: []chat.ChannelID{general.ID}})
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := env.StartThread(ctx, ada, chat.NewThread{Text: "second", ChannelIDs: []chat.ChannelID{general.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// A reply moves the first thread back to the top. Activity times are in
	// milliseconds: let the clock pass second's so the order is not a tie.
	for !env.Now().After(second.UpdatedAt) {
		runtime.Gosched()
	}
	reply, err := env.PostMessage(ctx, owner, chat.NewMessage{ThreadID: first.ID, Text: "bump"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.StartThread(ctx, owner, chat.NewThread{Text: "in the open", ChannelIDs: []chat.ChannelID{open.ID}}); err != nil {
		t.Fatal(err)
	}

	t.Run("OK", func(t *testing.T) {
		got, err := env.ChannelThreads(ctx, ada, chat.ChannelThreadFilter{ChannelID: general.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Thread.ID != first.ID || got[1].Thread.ID != second.ID {
			t.Fatalf("threads = %v, want first (bumped) then second", subjects(got))
		}
		// Ada never read the first thread (2 chats) and wrote the second.
		if got[0].Read == nil || got[0].Read.NumUnread != 2 || got[1].Read.NumUnread != 0 {
			t.Errorf("unread = %+v, %+v; want 2 and 0", got[0].Read, got[1].Read)
		}
		if _, err := env.MarkRead(ctx, ada, chat.ReadInput{ThreadID: first.ID, MessageID: reply.ID}); err != nil {
			t.Fatal(err)
		}
		got, _ = env.ChannelThreads(ctx, ada, chat.ChannelThreadFilter{ChannelID: general.ID})
		if got[0].Read.NumUnread != 0 || got[0].Read.LastReadID != reply.ID {
			t.Errorf("after reading: %+v", got[0].Read)
		}
	})
	t.Run("Paging", func(t *testing.T) {
		page, err := env.ChannelThreads(ctx, ada, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 1})
		if err != nil || len(page) != 1 || page[0].Thread.ID != first.ID {
			t.Fatalf("first page = %v, %v", subjects(page), err)
		}
		page, err = env.ChannelThreads(ctx, ada, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 1, Before: first.ID})
		if err != nil || len(page) != 1 || page[0].Thread.ID != second.ID {
			t.Fatalf("second page = %v, %v", subjects(page), err)
		}
		page, err = env.ChannelThreads(ctx, ada, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 1, Before: second.ID})
		if err != nil || len(page) != 0 {
			t.Fatalf("past the end = %v, %v", subjects(page), err)
		}
	})
	t.Run("ErrForbiddenUntilJoined", func(t *testing.T) {
		if _, err := env.ChannelThreads(ctx, bob, chat.ChannelThreadFilter{ChannelID: general.ID}); chat.ErrorCode(err) != chat.Forbidden {
			t.Fatalf("before joining: %v, want forbidden", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := env.ChannelThreads(ctx, bob, chat.ChannelThreadFilter{ChannelID: secret.ID}); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("hidden channel: %v, want not_found", err)
		}
		if _, err := env.ChannelThreads(ctx, bob, chat.ChannelThreadFilter{ChannelID: general.ID + 1000}); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("missing channel: %v, want not_found", err)
		}
		_, otherOwner := env.MustOrg(t)
		if _, err := env.ChannelThreads(ctx, otherOwner, chat.ChannelThreadFilter{ChannelID: general.ID}); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("another org's channel: %v, want not_found", err)
		}
	})
	t.Run("ErrInvalidCursor", func(t *testing.T) {
		_, err := env.ChannelThreads(ctx, ada, chat.ChannelThreadFilter{ChannelID: open.ID, Before: first.ID})
		if chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("cursor of another channel: %v, want invalid", err)
		}
		_, err = env.ChannelThreads(ctx, ada, chat.ChannelThreadFilter{ChannelID: general.ID, Before: first.ID + 1000})
		if chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("missing cursor: %v, want invalid", err)
		}
	})
	t.Run("Anonymous", func(t *testing.T) {
		got, err := env.ChannelThreads(ctx, chat.AnonymousActor(org.ID), chat.ChannelThreadFilter{ChannelID: open.ID})
		if err != nil || len(got) != 1 || got[0].Read != nil {
			t.Fatalf("anonymous in an open channel: %v, %v", subjects(got), err)
		}
		if _, err := env.ChannelThreads(ctx, chat.AnonymousActor(org.ID), chat.ChannelThreadFilter{ChannelID: general.ID}); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("anonymous in a members channel: %v, want not_found", err)
		}
	})
}

func subjects(vs []*chat.ThreadView) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Thread.Subject)
	}
	return out
}
