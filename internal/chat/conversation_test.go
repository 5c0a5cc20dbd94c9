package chat_test

import (
	"context"
	"slices"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

// wantErr fails t unless err has the code and reason.
func wantErr(t *testing.T, what string, err error, code chat.Code, reason string) {
	t.Helper()
	if chat.ErrorCode(err) != code || reason != "" && chat.ErrorReason(err) != reason {
		t.Fatalf("%s = %v, want %s (%s)", what, err, code, reason)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// rolesOrg is an org with a role-managed channel: owner (who owns the org),
// reader (holding a role granted the channel) and outsider (no role).
type rolesOrg struct {
	env                       *chattest.Env
	org                       *chat.Org
	owner, reader, outsider   chat.Actor
	channel                   *chat.Channel
	readers                   *chat.Role
	readerRole, channelAccess chat.GrantID
}

func newRolesOrg(t *testing.T, env *chattest.Env) *rolesOrg {
	t.Helper()
	ctx := context.Background()
	o := &rolesOrg{env: env}
	o.org, o.owner = env.MustOrg(t)
	o.reader = env.MustUser(t, o.org, "reader", chat.LevelMember)
	o.outsider = env.MustUser(t, o.org, "outsider", chat.LevelMember)
	o.channel = must[*chat.Channel](t)(env.CreateChannel(ctx, o.owner, chat.NewChannel{Name: "general", Visibility: chat.VisibleHidden}))
	o.readers = must[*chat.Role](t)(env.CreateRole(ctx, o.owner, chat.RoleInput{Name: "Readers"}))
	o.readerRole = must[*chat.UserRole](t)(env.AssignRole(ctx, o.owner, o.reader.UserID, o.readers.ID)).ID
	o.channelAccess = must[*chat.ChannelRole](t)(env.GrantChannel(ctx, o.owner, o.channel.ID, o.readers.ID)).ID
	return o
}

func TestPostTo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	toChannel := chat.ConversationRef{ChannelID: o.channel.ID}

	t.Run("OKChannelTimeline", func(t *testing.T) {
		m1 := must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: toChannel, Text: "first"}))
		m2 := must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: toChannel, Text: "second"}))
		if m1.ThreadID != m2.ThreadID || m2.Seq != m1.Seq+1 {
			t.Fatalf("timeline messages in threads %d, %d with seqs %d, %d", m1.ThreadID, m2.ThreadID, m1.Seq, m2.Seq)
		}
		// The timeline is a topic thread in the channel, as /v1 shows it.
		th := must[*chat.ThreadView](t)(env.Thread(ctx, o.reader, m1.ThreadID))
		if th.Thread.Kind != chat.KindTopic || !slices.Equal(th.Thread.ChannelIDs, []chat.ChannelID{o.channel.ID}) || th.Thread.Subject != "general" {
			t.Errorf("timeline thread = %+v", th.Thread)
		}
		if ref, ok := chat.ConversationOf(th.Thread, o.reader.UserID); !ok || ref != toChannel {
			t.Errorf("ConversationOf(timeline) = %+v, %v", ref, ok)
		}
		page := must[[]*chat.Message](t)(env.ConversationMessages(ctx, o.reader, toChannel, 0, 1))
		if len(page) != 1 || page[0].ID != m2.ID {
			t.Errorf("first page = %v, want the newest", page)
		}
		page = must[[]*chat.Message](t)(env.ConversationMessages(ctx, o.reader, toChannel, 1, 10))
		if len(page) != 1 || page[0].ID != m1.ID {
			t.Errorf("second page = %v", page)
		}
	})

	t.Run("OKDirectIsTheV1DirectConversation", func(t *testing.T) {
		toOutsider := chat.ConversationRef{UserID: o.outsider.UserID}
		m := must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: toOutsider, Text: "psst"}))
		th, first := must2(t)(env.StartThread(ctx, o.outsider, chat.NewThread{UserIDs: []chat.UserID{o.reader.UserID}, Text: "hi back"}))
		if th.ID != m.ThreadID || th.Kind != chat.KindDirect {
			t.Fatalf("/v1 direct thread %d (%s), ConvoForge DM in %d", th.ID, th.Kind, m.ThreadID)
		}
		back := must[[]*chat.Message](t)(env.ConversationMessages(ctx, o.outsider, chat.ConversationRef{UserID: o.reader.UserID}, 0, 10))
		if len(back) != 2 || back[0].ID != first.ID || back[1].ID != m.ID {
			t.Errorf("the outsider's view of the DM = %v", back)
		}
	})

	t.Run("ErrNoAccess", func(t *testing.T) {
		_, err := env.PostTo(ctx, o.outsider, chat.ConversationPost{To: toChannel, Text: "let me in"})
		wantErr(t, "PostTo(outsider)", err, chat.Forbidden, chat.ReasonNoChannelAccess)
		_, err = env.ConversationMessages(ctx, o.outsider, toChannel, 0, 10)
		wantErr(t, "ConversationMessages(outsider)", err, chat.Forbidden, chat.ReasonNoChannelAccess)
	})

	t.Run("ErrReadOnly", func(t *testing.T) {
		// A read-only grant (not made through ConvoForge's API, which
		// grants both) lets the holder read but not post.
		err := env.Store.Update(ctx, func(tx chat.Tx) error {
			cr, err := tx.ChannelRoleByID(ctx, o.org.ID, o.channelAccess)
			if err != nil {
				return err
			}
			cr.CanWrite = false
			return tx.UpdateChannelRole(ctx, cr)
		})
		if err != nil {
			t.Fatal(err)
		}
		defer env.Store.Update(ctx, func(tx chat.Tx) error {
			cr, _ := tx.ChannelRoleByID(ctx, o.org.ID, o.channelAccess)
			cr.CanWrite = true
			return tx.UpdateChannelRole(ctx, cr)
		})
		_, err = env.PostTo(ctx, o.reader, chat.ConversationPost{To: toChannel, Text: "read only"})
		wantErr(t, "PostTo(read-only)", err, chat.Forbidden, chat.ReasonChannelReadOnly)
		if _, err := env.ConversationMessages(ctx, o.reader, toChannel, 0, 10); err != nil {
			t.Errorf("reading with a read-only grant: %v", err)
		}
	})

	t.Run("ErrUnknownTargets", func(t *testing.T) {
		_, err := env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{ChannelID: 999999}, Text: "x"})
		wantErr(t, "PostTo(unknown channel)", err, chat.NotFound, chat.ReasonChannelNotFound)
		_, err = env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{UserID: 999999}, Text: "x"})
		wantErr(t, "PostTo(unknown user)", err, chat.NotFound, chat.ReasonUserNotFound)
		_, err = env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{}, Text: "x"})
		wantErr(t, "PostTo(no target)", err, chat.Invalid, "")
		_, err = env.PostTo(ctx, o.reader, chat.ConversationPost{To: toChannel, Text: "  "})
		wantErr(t, "PostTo(blank)", err, chat.Invalid, chat.ReasonEmptyMessage)
	})

	t.Run("ErrOtherOrg", func(t *testing.T) {
		other, stranger := env.MustOrg(t)
		_, err := env.PostTo(ctx, stranger, chat.ConversationPost{To: toChannel, Text: "hello"})
		wantErr(t, "PostTo(other org's channel)", err, chat.NotFound, chat.ReasonChannelNotFound)
		_, err = env.PostTo(ctx, stranger, chat.ConversationPost{To: chat.ConversationRef{UserID: o.reader.UserID}, Text: "hello"})
		wantErr(t, "PostTo(other org's user)", err, chat.NotFound, chat.ReasonUserNotFound)
		if unread := must[[]chat.ConversationRef](t)(env.Unread(ctx, stranger)); len(unread) != 0 {
			t.Errorf("a stranger in org %d has unread %v", other.ID, unread)
		}
	})

	t.Run("DeletedRoleGrantsNothing", func(t *testing.T) {
		temp := must[*chat.Role](t)(env.CreateRole(ctx, o.owner, chat.RoleInput{Name: "Temp"}))
		must[*chat.UserRole](t)(env.AssignRole(ctx, o.owner, o.outsider.UserID, temp.ID))
		must[*chat.ChannelRole](t)(env.GrantChannel(ctx, o.owner, o.channel.ID, temp.ID))
		must[*chat.Message](t)(env.PostTo(ctx, o.outsider, chat.ConversationPost{To: toChannel, Text: "in through temp"}))
		must[*chat.Role](t)(env.DeleteRole(ctx, o.owner, temp.ID))
		_, err := env.PostTo(ctx, o.outsider, chat.ConversationPost{To: toChannel, Text: "still here?"})
		wantErr(t, "PostTo after the role was deleted", err, chat.Forbidden, chat.ReasonNoChannelAccess)
	})
}

func must2(t *testing.T) func(*chat.Thread, *chat.Message, error) (*chat.Thread, *chat.Message) {
	return func(th *chat.Thread, m *chat.Message, err error) (*chat.Thread, *chat.Message) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return th, m
	}
}

func TestPostToFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	bob := env.MustUser(t, org, "bob", chat.LevelMember)
	upload := func(a chat.Actor) *chat.File {
		return must[*chat.File](t)(env.Upload(ctx, a, chat.NewUpload{Name: "a.txt", ContentType: "text/plain", Size: 2, Body: stringsReader("hi")}))
	}
	mine, bobs := upload(owner), upload(bob)
	to := chat.ConversationRef{UserID: bob.UserID}

	_, err := env.PostTo(ctx, owner, chat.ConversationPost{To: to, Files: []chat.FileID{bobs.ID}})
	wantErr(t, "PostTo(someone else's file)", err, chat.Invalid, chat.ReasonFileNotFound)
	m := must[*chat.Message](t)(env.PostTo(ctx, owner, chat.ConversationPost{To: to, Files: []chat.FileID{mine.ID}}))
	if len(m.Attachments) != 1 || m.Attachments[0].FileID != mine.ID || m.Text != "" {
		t.Errorf("a message of one file = %+v", m)
	}
	_, err = env.PostTo(ctx, owner, chat.ConversationPost{To: to, Text: "again", Files: []chat.FileID{mine.ID}})
	wantErr(t, "PostTo(an attached file)", err, chat.Invalid, chat.ReasonFileNotFound)
}

func TestConversationReads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	toChannel := chat.ConversationRef{ChannelID: o.channel.ID}
	toReader := chat.ConversationRef{UserID: o.reader.UserID}
	toOwner := chat.ConversationRef{UserID: o.owner.UserID}

	if got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.reader)); len(got) != 0 {
		t.Fatalf("unread before anything was said: %v", got)
	}
	// Viewing a conversation never opened is fine and changes nothing.
	if err := env.ViewConversation(ctx, o.reader, toChannel); err != nil {
		t.Fatal(err)
	}
	m1 := must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: toChannel, Text: "hello channel"}))
	must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: toReader, Text: "hello you"}))
	got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.reader))
	if !slices.Equal(got, []chat.ConversationRef{toChannel, toOwner}) {
		t.Fatalf("reader's unread = %v, want the channel then the owner", got)
	}
	// The sender has read what they sent; the outsider sees nothing.
	if got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.owner)); len(got) != 0 {
		t.Errorf("the sender's unread = %v", got)
	}
	if got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.outsider)); len(got) != 0 {
		t.Errorf("the outsider's unread = %v", got)
	}
	if err := env.ViewConversation(ctx, o.reader, toChannel); err != nil {
		t.Fatal(err)
	}
	if got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.reader)); !slices.Equal(got, []chat.ConversationRef{toOwner}) {
		t.Errorf("unread after viewing the channel = %v", got)
	}
	// Viewing is the core's read state: /v1 shows the thread as read.
	th := must[*chat.ThreadView](t)(env.Thread(ctx, o.reader, m1.ThreadID))
	if th.Read == nil || th.Read.NumUnread != 0 || th.Read.LastReadID != m1.ID {
		t.Errorf("read state after viewing = %+v", th.Read)
	}
	// Replying marks the DM read for the replier (ConvoForge's send upserts
	// the sender's view).
	must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: toOwner, Text: "hi"}))
	if got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.reader)); len(got) != 0 {
		t.Errorf("unread after replying = %v", got)
	}
	if got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.owner)); !slices.Equal(got, []chat.ConversationRef{toReader}) {
		t.Errorf("owner's unread = %v, want the reader", got)
	}
	err := env.ViewConversation(ctx, o.outsider, toChannel)
	wantErr(t, "ViewConversation(outsider)", err, chat.Forbidden, chat.ReasonNoChannelAccess)
}

func TestSearchConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	toChannel := chat.ConversationRef{ChannelID: o.channel.ID}
	for i := range 12 {
		must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: toChannel, Text: "needle " + string(rune('a'+i))}))
	}
	must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: toChannel, Text: "owner's needle"}))
	got := must[[]*chat.Message](t)(env.SearchConversation(ctx, o.reader, chat.ConversationSearch{In: toChannel, Text: "needle"}))
	if len(got) != chat.MaxConversationSearch || got[0].Text != "owner's needle" {
		t.Errorf("search found %d, first %q", len(got), got[0].Text)
	}
	got = must[[]*chat.Message](t)(env.SearchConversation(ctx, o.reader, chat.ConversationSearch{In: toChannel, From: o.owner.UserID}))
	if len(got) != 1 {
		t.Errorf("search by author found %d", len(got))
	}
	// DMs to me from someone.
	must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: chat.ConversationRef{UserID: o.reader.UserID}, Text: "secret needle"}))
	got = must[[]*chat.Message](t)(env.SearchConversation(ctx, o.reader, chat.ConversationSearch{In: chat.ConversationRef{UserID: o.owner.UserID}, From: o.owner.UserID, Text: "needle"}))
	if len(got) != 1 || got[0].Text != "secret needle" {
		t.Errorf("DM search = %v", got)
	}
	_, err := env.SearchConversation(ctx, o.outsider, chat.ConversationSearch{In: toChannel, Text: "needle"})
	wantErr(t, "SearchConversation(outsider)", err, chat.Forbidden, chat.ReasonNoChannelAccess)
}

func TestMessageConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	m := must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{ChannelID: o.channel.ID}, Text: "hi"}))
	got, th, err := env.MessageConversation(ctx, o.owner, m.ID)
	if err != nil || got.ID != m.ID || th.ID != m.ThreadID {
		t.Fatalf("MessageConversation = %v, %v, %v", got, th, err)
	}
	_, _, err = env.MessageConversation(ctx, o.outsider, m.ID)
	wantErr(t, "MessageConversation(outsider)", err, chat.NotFound, chat.ReasonMessageNotFound)
	// A /v1 topic thread is not a conversation.
	_, topic := must2(t)(env.StartThread(ctx, o.owner, chat.NewThread{ChannelIDs: []chat.ChannelID{o.channel.ID}, Text: "a topic"}))
	_, _, err = env.MessageConversation(ctx, o.owner, topic.ID)
	wantErr(t, "MessageConversation(topic)", err, chat.NotFound, chat.ReasonMessageNotFound)
}

func TestTypingTo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	if err := env.TypingTo(ctx, o.reader, chat.ConversationRef{ChannelID: o.channel.ID}); err != nil {
		t.Fatal(err)
	}
	evs := env.Events.Events()
	last := evs[len(evs)-1]
	if last.Type != chat.EventTyping || last.UserID != o.reader.UserID || last.ThreadID == 0 {
		t.Errorf("last event = %+v, want typing in the timeline", last)
	}
	err := env.TypingTo(ctx, o.outsider, chat.ConversationRef{ChannelID: o.channel.ID})
	wantErr(t, "TypingTo(outsider)", err, chat.Forbidden, chat.ReasonNoChannelAccess)
}

func TestDeleteChannelTakesItsTimeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{ChannelID: o.channel.ID}, Text: "hi"}))
	ch := must[*chat.Channel](t)(env.DeleteChannel(ctx, o.owner, o.channel.ID))
	if !ch.Deleted {
		t.Fatal("channel not deleted")
	}
	if grants := must[[]*chat.ChannelRole](t)(env.ChannelRoles(ctx, o.owner, 0)); len(grants) != 0 {
		t.Errorf("grants left on a deleted channel: %v", grants)
	}
	_, err := env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{ChannelID: o.channel.ID}, Text: "hello?"})
	wantErr(t, "PostTo(deleted channel)", err, chat.NotFound, chat.ReasonChannelNotFound)

	// A channel with a /v1 topic besides its timeline is not deleted.
	other := must[*chat.Channel](t)(env.CreateChannel(ctx, o.owner, chat.NewChannel{Name: "busy"}))
	must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: chat.ConversationRef{ChannelID: other.ID}, Text: "hi"}))
	must2(t)(env.StartThread(ctx, o.owner, chat.NewThread{ChannelIDs: []chat.ChannelID{other.ID}, Text: "a topic"}))
	_, err = env.DeleteChannel(ctx, o.owner, other.ID)
	wantErr(t, "DeleteChannel(with a topic)", err, chat.Conflict, "channel_not_empty")
}
