package chat_test

import (
	"context"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

func TestProvisioning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)

	t.Run("ErrWrongSecret", func(t *testing.T) {
		if _, err := env.ProvisionOrg(ctx, "nope"); chat.ErrorCode(err) != chat.Unauthenticated {
			t.Fatalf("ProvisionOrg(wrong secret) = %v, want unauthenticated", err)
		}
		if _, err := env.ProvisionOrg(ctx, ""); chat.ErrorCode(err) != chat.Unauthenticated {
			t.Fatalf("ProvisionOrg(no secret) = %v, want unauthenticated", err)
		}
	})
	t.Run("FirstUserIsOwner", func(t *testing.T) {
		org, err := env.ProvisionOrg(ctx, chattest.ClientSecret)
		if err != nil {
			t.Fatal(err)
		}
		first, tok, err := env.ProvisionUser(ctx, chattest.ClientSecret, org.Slug, "ada", "Ada")
		if err != nil {
			t.Fatal(err)
		}
		if first.Level != chat.LevelOwner {
			t.Errorf("first user level = %v, want owner", first.Level)
		}
		second, _, err := env.ProvisionUser(ctx, chattest.ClientSecret, org.Slug, "bob", "Bob")
		if err != nil {
			t.Fatal(err)
		}
		if second.Level != chat.LevelMember {
			t.Errorf("second user level = %v, want member", second.Level)
		}
		again, _, err := env.ProvisionUser(ctx, chattest.ClientSecret, org.Slug, "ada", "Other name")
		if err != nil {
			t.Fatal(err)
		}
		if again.ID != first.ID || again.Name != "Ada" {
			t.Errorf("get-or-create returned %+v, want the existing user", again)
		}
		a, err := env.Authenticate(ctx, tok)
		if err != nil || a.UserID != first.ID || a.OrgID != org.ID {
			t.Errorf("Authenticate = %+v, %v", a, err)
		}
	})
	t.Run("ErrUnknownOrg", func(t *testing.T) {
		_, _, err := env.ProvisionUser(ctx, chattest.ClientSecret, "00000000-0000-4000-8000-000000000000", "x", "x")
		if chat.ErrorCode(err) != chat.NotFound {
			t.Fatalf("ProvisionUser(unknown slug) = %v, want not_found", err)
		}
	})
}

func TestThreadsAndMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	bob := env.MustUser(t, org, "bob", chat.LevelMember)

	ch, err := env.CreateChannel(ctx, owner, chat.NewChannel{Name: "general", Visibility: chat.VisibleMembers})
	if err != nil {
		t.Fatal(err)
	}
	th, first, err := env.StartThread(ctx, owner, chat.NewThread{Text: "Hello world\nsecond line", ChannelIDs: []chat.ChannelID{ch.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if th.Subject != "Hello world" || first.Seq != 1 {
		t.Errorf("thread subject %q, first seq %d", th.Subject, first.Seq)
	}

	// Bob has not joined: the thread does not exist for him.
	if _, err := env.Thread(ctx, bob, th.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("Thread(not a member) = %v, want not_found", err)
	}
	if _, err := env.JoinChannel(ctx, bob, ch.ID); err != nil {
		t.Fatal(err)
	}
	v, err := env.Thread(ctx, bob, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Read.NumUnread != 1 {
		t.Errorf("bob unread = %d, want 1", v.Read.NumUnread)
	}

	// Idempotent send.
	m1, err := env.PostMessage(ctx, bob, chat.NewMessage{ThreadID: th.ID, Text: "hi", ClientMsgID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	m2, err := env.PostMessage(ctx, bob, chat.NewMessage{ThreadID: th.ID, Text: "hi", ClientMsgID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if m1.ID != m2.ID {
		t.Errorf("retry stored a copy: %d != %d", m1.ID, m2.ID)
	}
	msgs, err := env.Messages(ctx, owner, chat.MessageFilter{ThreadID: th.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].ID != m1.ID {
		t.Fatalf("messages = %d (first %v), want 2 newest first", len(msgs), msgs[0].ID)
	}

	// Owner's unread: bob's one message.
	v, err = env.Thread(ctx, owner, th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Read.NumUnread != 1 {
		t.Errorf("owner unread = %d, want 1", v.Read.NumUnread)
	}
	if _, err := env.MarkRead(ctx, owner, chat.ReadInput{ThreadID: th.ID, MessageID: m1.ID}); err != nil {
		t.Fatal(err)
	}
	v, _ = env.Thread(ctx, owner, th.ID)
	if v.Read.NumUnread != 0 {
		t.Errorf("owner unread after read = %d, want 0", v.Read.NumUnread)
	}

	// Only the author edits.
	if _, err := env.EditMessage(ctx, owner, chat.MessageEdit{ID: m1.ID, Text: "x"}); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("EditMessage(not author) = %v, want forbidden", err)
	}
	if _, err := env.EditMessage(ctx, bob, chat.MessageEdit{ID: m1.ID, Text: "edited"}); err != nil {
		t.Fatal(err)
	}
	// Reactions are blind writes.
	for range 2 {
		if err := env.React(ctx, owner, chat.ReactionInput{MessageID: m1.ID, Name: "+1"}); err != nil {
			t.Fatal(err)
		}
	}
	m, err := env.Message(ctx, bob, m1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "edited" || len(m.Reactions) != 1 {
		t.Errorf("message = %q with %d reactions", m.Text, len(m.Reactions))
	}
	// Deleting the channel is refused while it has threads.
	if _, err := env.DeleteChannel(ctx, owner, ch.ID); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("DeleteChannel(with threads) = %v, want conflict", err)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	_, a := env.MustOrg(t)
	_, b := env.MustOrg(t)
	ch, err := env.CreateChannel(ctx, a, chat.NewChannel{Name: "secret", Visibility: chat.VisibleAnyone})
	if err != nil {
		t.Fatal(err)
	}
	th, m, err := env.StartThread(ctx, a, chat.NewThread{Text: "org a only", ChannelIDs: []chat.ChannelID{ch.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Thread(ctx, b, th.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("Thread(other org) = %v, want not_found", err)
	}
	if _, err := env.Message(ctx, b, m.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("Message(other org) = %v, want not_found", err)
	}
	if _, err := env.PostMessage(ctx, b, chat.NewMessage{ThreadID: th.ID, Text: "x"}); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("PostMessage(other org) = %v, want not_found", err)
	}
	if _, _, err := env.StartThread(ctx, b, chat.NewThread{Text: "x", ChannelIDs: []chat.ChannelID{ch.ID}}); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("StartThread(other org's channel) = %v, want not_found", err)
	}
	chans, err := env.Channels(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(chans) != 0 {
		t.Errorf("other org sees %d channels", len(chans))
	}
}
