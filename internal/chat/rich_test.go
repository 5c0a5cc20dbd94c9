package chat_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/realtime"
)

// group is an org with an owner, two members and a group conversation the
// owner started with both.
type convGroup struct {
	env             *chattest.Env
	org             *chat.Org
	owner, ann, bob chat.Actor
	conv            *chat.Thread
}

func mustGroup(t *testing.T) *convGroup {
	t.Helper()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	g := &convGroup{env: env, org: org, owner: owner, ann: env.MustUser(t, org, "ann", chat.LevelMember), bob: env.MustUser(t, org, "bob", chat.LevelMember)}
	var err error
	g.conv, err = env.StartConversation(context.Background(), owner, chat.NewConversation{UserIDs: []chat.UserID{g.ann.UserID, g.bob.UserID}, Subject: "plans"})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (g *convGroup) mustPost(t *testing.T, a chat.Actor, in chat.NewMessage) *chat.Message {
	t.Helper()
	in.ThreadID = g.conv.ID
	m, err := g.env.PostMessage(context.Background(), a, in)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func wantErrCode(t *testing.T, what string, err error, code chat.Code) {
	t.Helper()
	if chat.ErrorCode(err) != code {
		t.Errorf("%s = %v, want %s", what, err, code)
	}
}

// lastEvent returns the type of the newest event the recorder saw.
func (g *convGroup) lastEvent() chat.EventType {
	types := g.env.Events.Types()
	if len(types) == 0 {
		return ""
	}
	return types[len(types)-1]
}

func TestStartConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	if g.conv.Kind != chat.KindGroup || g.conv.Subject != "plans" || !slices.Equal(g.conv.Moderators, []chat.UserID{g.owner.UserID}) ||
		len(g.conv.Participants) != 3 {
		t.Fatalf("group = %+v", g.conv)
	}
	if g.lastEvent() != chat.EventThreadCreated {
		t.Errorf("last event %s, want thread.created", g.lastEvent())
	}
	t.Run("DirectIsThePairs", func(t *testing.T) {
		d1, err := g.env.StartConversation(ctx, g.ann, chat.NewConversation{UserIDs: []chat.UserID{g.bob.UserID}, Direct: true})
		if err != nil {
			t.Fatal(err)
		}
		d2, err := g.env.StartConversation(ctx, g.bob, chat.NewConversation{UserIDs: []chat.UserID{g.ann.UserID, g.bob.UserID}, Direct: true})
		if err != nil || d2.ID != d1.ID || d1.Kind != chat.KindDirect || len(d1.Moderators) != 0 {
			t.Fatalf("direct conversations %v and %v (%v), want the same one", d1, d2, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := g.env.StartConversation(ctx, g.ann, chat.NewConversation{UserIDs: []chat.UserID{g.ann.UserID}})
		wantErrCode(t, "StartConversation(only self)", err, chat.Invalid)
		_, err = g.env.StartConversation(ctx, g.ann, chat.NewConversation{UserIDs: []chat.UserID{g.bob.UserID}, Metadata: []byte(`[1]`)})
		wantErrCode(t, "StartConversation(metadata not an object)", err, chat.Invalid)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, stranger := g.env.MustOrg(t)
		_, err := g.env.StartConversation(ctx, g.ann, chat.NewConversation{UserIDs: []chat.UserID{stranger.UserID}})
		wantErrCode(t, "StartConversation(user of another org)", err, chat.NotFound)
		_, err = g.env.Conversation(ctx, stranger, g.conv.ID)
		wantErrCode(t, "Conversation(other org)", err, chat.NotFound)
		outsider := g.env.MustUser(t, g.org, "eve", chat.LevelMember)
		_, err = g.env.Conversation(ctx, outsider, g.conv.ID)
		wantErrCode(t, "Conversation(not a participant)", err, chat.NotFound)
	})
}

func TestRichMessageInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	voice := []chat.Attachment{{Kind: chat.AttachVoice, URL: "https://cdn.example.com/v.ogg"}}
	tests := []struct {
		name string
		in   chat.NewMessage
		want chat.Code
	}{
		{"sticker without text", chat.NewMessage{Attachments: []chat.Attachment{{Kind: "sticker", URL: "https://x.example/s.webp"}}}, ""},
		{"voice with caption", chat.NewMessage{Text: "listen", Attachments: voice}, ""},
		{"secure", chat.NewMessage{Text: "b64:AAEC", Encrypted: true, EncryptionAlgorithm: "AES-256-GCM", Signature: "sig"}, ""},
		{"poll", chat.NewMessage{Poll: &chat.NewPoll{Question: "Lunch?", Options: []string{"pizza", "sushi"}}}, ""},
		{"ephemeral", chat.NewMessage{Text: "soon gone", Ephemeral: true, ExpiresIn: time.Minute}, ""},
		{"empty text", chat.NewMessage{Text: " "}, chat.Invalid},
		{"attachment without URL", chat.NewMessage{Attachments: []chat.Attachment{{Kind: "voice"}}}, chat.Invalid},
		{"attachment of unknown kind", chat.NewMessage{Attachments: []chat.Attachment{{Kind: "hologram", URL: "https://x.example/h"}}}, chat.Invalid},
		{"attachment with a file URL", chat.NewMessage{Attachments: []chat.Attachment{{Kind: "voice", URL: "file:///etc/passwd"}}}, chat.Invalid},
		{"encrypted without algorithm", chat.NewMessage{Text: "x", Encrypted: true}, chat.Invalid},
		{"algorithm without encryption", chat.NewMessage{Text: "x", EncryptionAlgorithm: "AES"}, chat.Invalid},
		{"encrypted poll", chat.NewMessage{Text: "x", Encrypted: true, EncryptionAlgorithm: "AES", Poll: &chat.NewPoll{Question: "q", Options: []string{"a", "b"}}}, chat.Invalid},
		{"poll with one option", chat.NewMessage{Poll: &chat.NewPoll{Question: "q", Options: []string{"a"}}}, chat.Invalid},
		{"poll with a repeated option", chat.NewMessage{Poll: &chat.NewPoll{Question: "q", Options: []string{"a", "A "}}}, chat.Invalid},
		{"poll without question", chat.NewMessage{Poll: &chat.NewPoll{Options: []string{"a", "b"}}}, chat.Invalid},
		{"ephemeral for zero", chat.NewMessage{Text: "x", Ephemeral: true}, chat.Invalid},
		{"ephemeral for negative", chat.NewMessage{Text: "x", Ephemeral: true, ExpiresIn: -time.Second}, chat.Invalid},
		{"ephemeral for years", chat.NewMessage{Text: "x", Ephemeral: true, ExpiresIn: 3 * chat.MaxMessageTTL}, chat.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.ThreadID = g.conv.ID
			m, err := g.env.PostMessage(ctx, g.ann, in)
			if chat.ErrorCode(err) != tt.want {
				t.Fatalf("PostMessage = %v, want %q", err, tt.want)
			}
			if err != nil {
				return
			}
			got, err := g.env.Message(ctx, g.bob, m.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Attachments) != len(in.Attachments) || got.Encrypted != in.Encrypted || got.Signature != in.Signature ||
				(in.Poll != nil) != (got.Poll != nil) || in.ExpiresIn > 0 == got.ExpiresAt.IsZero() {
				t.Errorf("stored message %+v does not match %+v", got, in)
			}
			if got.Encrypted && got.PlainText() != "" {
				t.Errorf("PlainText of an encrypted message = %q, want none", got.PlainText())
			}
		})
	}
}

func TestPin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	m := g.mustPost(t, g.ann, chat.NewMessage{Text: "pin me"})
	ref := chat.MessageRef{ThreadID: g.conv.ID, MessageID: m.ID}

	_, err := g.env.PinMessage(ctx, g.bob, chat.PinInput{MessageRef: ref, Pin: true})
	wantErrCode(t, "PinMessage(neither moderator nor author)", err, chat.Forbidden)
	for _, who := range []chat.Actor{g.ann, g.owner} {
		got, err := g.env.PinMessage(ctx, who, chat.PinInput{MessageRef: ref, Pin: true})
		if err != nil {
			t.Fatal(err)
		}
		if !got.Pinned || got.PinnedBy != g.ann.UserID {
			t.Errorf("pinned = %v by %d, want pinned by ann (the second pin changes nothing)", got.Pinned, got.PinnedBy)
		}
	}
	n := len(g.env.Events.Types())
	got, err := g.env.PinMessage(ctx, g.owner, chat.PinInput{MessageRef: ref})
	if err != nil || got.Pinned || got.PinnedBy != g.owner.UserID {
		t.Fatalf("unpin = %+v, %v", got, err)
	}
	if types := g.env.Events.Types()[n:]; !slices.Equal(types, []chat.EventType{chat.EventMessageUnpinned}) {
		t.Errorf("unpin events = %v", types)
	}
	other, _ := g.env.StartConversation(ctx, g.ann, chat.NewConversation{UserIDs: []chat.UserID{g.bob.UserID}})
	_, err = g.env.PinMessage(ctx, g.ann, chat.PinInput{MessageRef: chat.MessageRef{ThreadID: other.ID, MessageID: m.ID}, Pin: true})
	wantErrCode(t, "PinMessage(wrong conversation)", err, chat.Invalid)
}

func TestForward(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	src := g.mustPost(t, g.ann, chat.NewMessage{Text: "b64:AAEC", Encrypted: true, EncryptionAlgorithm: "AES-256-GCM", Signature: "sig",
		Attachments: []chat.Attachment{{Kind: chat.AttachVoice, URL: "https://cdn.example.com/v.ogg"}}})
	dm, err := g.env.StartConversation(ctx, g.bob, chat.NewConversation{UserIDs: []chat.UserID{g.owner.UserID}, Direct: true})
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := g.env.ForwardMessage(ctx, g.bob, chat.Forward{From: chat.MessageRef{ThreadID: g.conv.ID, MessageID: src.ID}, To: dm.ID})
	if err != nil {
		t.Fatal(err)
	}
	if fwd.ForwardedFrom != src.ID || fwd.AuthorID != g.bob.UserID || fwd.ThreadID != dm.ID || fwd.Text != src.Text || !fwd.Encrypted ||
		fwd.EncryptionAlgorithm != "AES-256-GCM" || len(fwd.Attachments) != 1 {
		t.Errorf("forwarded = %+v", fwd)
	}
	// Ann cannot read the direct conversation, so she cannot forward into it.
	_, err = g.env.ForwardMessage(ctx, g.ann, chat.Forward{From: chat.MessageRef{MessageID: src.ID}, To: dm.ID})
	wantErrCode(t, "ForwardMessage(into a conversation one is not in)", err, chat.NotFound)
	// Nor can she forward from it.
	_, err = g.env.ForwardMessage(ctx, g.ann, chat.Forward{From: chat.MessageRef{MessageID: fwd.ID}, To: g.conv.ID})
	wantErrCode(t, "ForwardMessage(from a conversation one is not in)", err, chat.NotFound)
	eph := g.mustPost(t, g.ann, chat.NewMessage{Text: "secret", Ephemeral: true, ExpiresIn: time.Hour})
	_, err = g.env.ForwardMessage(ctx, g.ann, chat.Forward{From: chat.MessageRef{MessageID: eph.ID}, To: g.conv.ID})
	wantErrCode(t, "ForwardMessage(ephemeral)", err, chat.Forbidden)
}

func TestUnsend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	m := g.mustPost(t, g.ann, chat.NewMessage{Text: "oops"})
	ref := chat.MessageRef{ThreadID: g.conv.ID, MessageID: m.ID}
	_, err := g.env.UnsendMessage(ctx, g.owner, ref)
	wantErrCode(t, "UnsendMessage(not the author, even a moderator)", err, chat.Forbidden)
	got, err := g.env.UnsendMessage(ctx, g.ann, ref)
	if err != nil || got.ID != m.ID || got.Text != "" {
		t.Fatalf("UnsendMessage = %+v, %v", got, err)
	}
	if g.lastEvent() != chat.EventMessageUnsent {
		t.Errorf("last event %s, want message.unsent", g.lastEvent())
	}
	_, err = g.env.Message(ctx, g.ann, m.ID)
	wantErrCode(t, "Message(unsent)", err, chat.NotFound)
	_, err = g.env.UnsendMessage(ctx, g.ann, ref)
	wantErrCode(t, "UnsendMessage(twice)", err, chat.NotFound)
	mustNoTrace(t, g.env, m.ID, "oops")
}

// mustNoTrace checks that the event log holds no event carrying the
// message, and nothing of its text.
func mustNoTrace(t *testing.T, env *chattest.Env, id chat.MessageID, text string) {
	t.Helper()
	err := env.Store.View(context.Background(), func(tx chat.ReadTx) error {
		evs, err := tx.EventsAfter(context.Background(), 0, 10000)
		for _, e := range evs {
			if e.Message != nil && e.Message.ID == id && (e.Message.Text != "" || e.Type == chat.EventMessageCreated) {
				t.Errorf("the log still has %s carrying message %d (%q)", e.Type, id, e.Message.Text)
			}
			if e.Message != nil && e.Message.Text == text {
				t.Errorf("the log still has the text %q in %s", text, e.Type)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadReceipt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	first := g.mustPost(t, g.ann, chat.NewMessage{Text: "one"})
	second := g.mustPost(t, g.ann, chat.NewMessage{Text: "two"})
	rs, err := g.env.ReadMessage(ctx, g.bob, chat.MessageRef{ThreadID: g.conv.ID, MessageID: second.ID})
	if err != nil || rs.LastReadID != second.ID || rs.NumUnread != 0 {
		t.Fatalf("ReadMessage(second) = %+v, %v", rs, err)
	}
	rs, err = g.env.ReadMessage(ctx, g.bob, chat.MessageRef{MessageID: first.ID})
	if err != nil || rs.LastReadID != second.ID {
		t.Fatalf("reading an older message moved the marker back: %+v, %v", rs, err)
	}
	evs := g.env.Events.Events()
	last := evs[len(evs)-1]
	if last.Type != chat.EventMessageRead || last.Message.ID != first.ID || last.UserID != g.bob.UserID ||
		!slices.Contains(last.Topics, chat.TopicUser(g.ann.UserID)) {
		t.Errorf("receipt event = %+v, want one for ann's first message that ann hears of", last)
	}
}

func TestVote(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	poll := g.mustPost(t, g.owner, chat.NewMessage{Poll: &chat.NewPoll{Question: "Lunch?", Options: []string{"pizza", "sushi", "salad"}}})
	plain := g.mustPost(t, g.owner, chat.NewMessage{Text: "not a poll"})
	vote := func(a chat.Actor, option int) (*chat.Message, error) {
		return g.env.Vote(ctx, a, chat.VoteInput{MessageRef: chat.MessageRef{ThreadID: g.conv.ID, MessageID: poll.ID}, Option: option})
	}
	if _, err := vote(g.ann, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := vote(g.bob, 0); err != nil {
		t.Fatal(err)
	}
	m, err := vote(g.ann, 2) // changed
	if err != nil || !slices.Equal(m.Poll.Votes, []int{1, 0, 1}) {
		t.Fatalf("votes = %v, %v; want [1 0 1]", m.Poll, err)
	}
	n := len(g.env.Events.Types())
	if m, err = vote(g.ann, 2); err != nil || len(g.env.Events.Types()) != n || !slices.Equal(m.Poll.Votes, []int{1, 0, 1}) {
		t.Errorf("voting again for the same option: %v, %v, %d new events", m.Poll, err, len(g.env.Events.Types())-n)
	}
	_, err = vote(g.ann, 3)
	wantErrCode(t, "Vote(option 3 of 3)", err, chat.Invalid)
	_, err = vote(g.ann, -1)
	wantErrCode(t, "Vote(option -1)", err, chat.Invalid)
	_, err = g.env.Vote(ctx, g.ann, chat.VoteInput{MessageRef: chat.MessageRef{MessageID: plain.ID}})
	wantErrCode(t, "Vote(not a poll)", err, chat.Invalid)
	outsider := g.env.MustUser(t, g.org, "eve", chat.LevelMember)
	_, err = vote(outsider, 0)
	wantErrCode(t, "Vote(not a participant)", err, chat.NotFound)
}

func TestReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	m := g.mustPost(t, g.ann, chat.NewMessage{Text: "rude words"})
	secure := g.mustPost(t, g.ann, chat.NewMessage{Text: "b64:AAAA", Encrypted: true, EncryptionAlgorithm: "AES-256-GCM"})
	ref := chat.MessageRef{ThreadID: g.conv.ID, MessageID: m.ID}

	_, err := g.env.ReportMessage(ctx, g.bob, chat.NewReport{MessageRef: ref, Reason: "  "})
	wantErrCode(t, "ReportMessage(no reason)", err, chat.Invalid)
	r, err := g.env.ReportMessage(ctx, g.bob, chat.NewReport{MessageRef: ref, Reason: "abuse"})
	if err != nil || r.ReporterID != g.bob.UserID || r.AuthorID != g.ann.UserID || r.Excerpt != "rude words" {
		t.Fatalf("ReportMessage = %+v, %v", r, err)
	}
	evs := g.env.Events.Events()
	if e := evs[len(evs)-1]; e.Type != chat.EventMessageReported || slices.Contains(e.Topics, chat.TopicUser(g.ann.UserID)) ||
		!slices.Contains(e.Topics, chat.TopicUser(g.owner.UserID)) || e.Report.Excerpt != "" {
		t.Errorf("report event %s to %v: want it for the reporter and the moderators, not the author, with no excerpt", e.Type, e.Topics)
	}
	again, err := g.env.ReportMessage(ctx, g.bob, chat.NewReport{MessageRef: ref, Reason: "again"})
	if err != nil || again.ID != r.ID || again.Reason != "abuse" {
		t.Errorf("second report = %+v, %v; want the first", again, err)
	}
	sr, err := g.env.ReportMessage(ctx, g.bob, chat.NewReport{MessageRef: chat.MessageRef{MessageID: secure.ID}, Reason: "spam"})
	if err != nil || sr.Excerpt != "" {
		t.Errorf("report of an encrypted message keeps excerpt %q (%v); ciphertext is not text", sr.Excerpt, err)
	}
	outsider := g.env.MustUser(t, g.org, "eve", chat.LevelMember)
	_, err = g.env.ReportMessage(ctx, outsider, chat.NewReport{MessageRef: ref, Reason: "nosy"})
	wantErrCode(t, "ReportMessage(cannot read)", err, chat.NotFound)

	_, err = g.env.Reports(ctx, g.bob, chat.ReportFilter{})
	wantErrCode(t, "Reports(member)", err, chat.Forbidden)
	open, err := g.env.Reports(ctx, g.owner, chat.ReportFilter{})
	if err != nil || len(open) != 2 || open[0].ID != sr.ID {
		t.Fatalf("open reports = %v, %v", open, err)
	}
	_, other := g.env.MustOrg(t)
	if l, err := g.env.Reports(ctx, other, chat.ReportFilter{Status: chat.ReportsAll}); err != nil || len(l) != 0 {
		t.Errorf("another org's admin sees %d reports (%v)", len(l), err)
	}
	_, err = g.env.ResolveReport(ctx, other, chat.ReportResolve{ID: r.ID, Resolution: chat.ResolutionRemoved})
	wantErrCode(t, "ResolveReport(other org)", err, chat.NotFound)
	_, err = g.env.ResolveReport(ctx, g.bob, chat.ReportResolve{ID: r.ID, Resolution: chat.ResolutionRemoved})
	wantErrCode(t, "ResolveReport(member)", err, chat.Forbidden)
	_, err = g.env.ResolveReport(ctx, g.owner, chat.ReportResolve{ID: r.ID, Resolution: "ignored"})
	wantErrCode(t, "ResolveReport(unknown resolution)", err, chat.Invalid)
	done, err := g.env.ResolveReport(ctx, g.owner, chat.ReportResolve{ID: r.ID, Resolution: chat.ResolutionRemoved, Note: "removed"})
	if err != nil || !done.Resolved || done.ResolvedBy != g.owner.UserID {
		t.Fatalf("ResolveReport = %+v, %v", done, err)
	}
	_, err = g.env.Message(ctx, g.bob, m.ID)
	wantErrCode(t, "Message(removed by moderation)", err, chat.NotFound)
	_, err = g.env.ResolveReport(ctx, g.owner, chat.ReportResolve{ID: r.ID, Resolution: chat.ResolutionDismissed})
	wantErrCode(t, "ResolveReport(twice)", err, chat.Conflict)
	if l, _ := g.env.Reports(ctx, g.owner, chat.ReportFilter{}); len(l) != 1 {
		t.Errorf("open reports after resolving one = %d, want 1", len(l))
	}
}

func TestScheduleMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	now := g.env.Now()
	schedule := func(a chat.Actor, at time.Time, text string) (*chat.ScheduledMessage, *chat.Message, error) {
		return g.env.ScheduleMessage(ctx, a, chat.NewScheduled{Message: chat.NewMessage{ThreadID: g.conv.ID, Text: text}, SendAt: at})
	}
	t.Run("PastSendsNow", func(t *testing.T) {
		sm, m, err := schedule(g.ann, now.Add(-time.Hour), "late")
		if err != nil || sm != nil || m == nil || m.Text != "late" {
			t.Fatalf("ScheduleMessage(past) = %v, %v, %v; want the message sent now", sm, m, err)
		}
	})
	t.Run("ErrYearsAhead", func(t *testing.T) {
		_, _, err := schedule(g.ann, now.Add(3*365*24*time.Hour), "far")
		wantErrCode(t, "ScheduleMessage(3 years ahead)", err, chat.Invalid)
	})
	t.Run("ErrNotInConversation", func(t *testing.T) {
		outsider := g.env.MustUser(t, g.org, "eve", chat.LevelMember)
		_, _, err := schedule(outsider, now.Add(time.Hour), "hi")
		wantErrCode(t, "ScheduleMessage(not a participant)", err, chat.NotFound)
	})

	sm, _, err := schedule(g.ann, now.Add(time.Hour), "in an hour")
	if err != nil || sm.State != chat.ScheduledPending {
		t.Fatalf("ScheduleMessage = %+v, %v", sm, err)
	}
	select {
	case <-g.env.DueChanged():
	default:
		t.Error("scheduling did not signal DueChanged")
	}
	if next, err := g.env.NextDue(ctx); err != nil || !next.Equal(sm.SendAt) {
		t.Errorf("NextDue = %v, %v; want %v", next, err, sm.SendAt)
	}
	// Invisible until due: not in the conversation, listed for its author only.
	msgs, _ := g.env.Messages(ctx, g.bob, chat.MessageFilter{ThreadID: g.conv.ID})
	for _, m := range msgs {
		if m.Text == "in an hour" {
			t.Fatal("a scheduled message is visible before its time")
		}
	}
	if l, _ := g.env.ScheduledMessages(ctx, g.bob, chat.ScheduledFilter{}); len(l) != 0 {
		t.Errorf("bob sees %d of ann's scheduled messages", len(l))
	}
	if l, _ := g.env.ScheduledMessages(ctx, g.ann, chat.ScheduledFilter{}); len(l) != 1 {
		t.Errorf("ann sees %d scheduled messages, want 1", len(l))
	}
	if n, err := g.env.PublishDue(ctx, now.Add(time.Minute)); err != nil || n != 0 {
		t.Fatalf("PublishDue before the time = %d, %v", n, err)
	}
	if n, err := g.env.PublishDue(ctx, now.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("PublishDue at the time = %d, %v", n, err)
	}
	if n, _ := g.env.PublishDue(ctx, now.Add(2*time.Hour)); n != 0 {
		t.Fatalf("PublishDue again sent %d more", n)
	}
	msgs, _ = g.env.Messages(ctx, g.bob, chat.MessageFilter{ThreadID: g.conv.ID, Limit: 1})
	if len(msgs) != 1 || msgs[0].Text != "in an hour" || msgs[0].AuthorID != g.ann.UserID {
		t.Fatalf("newest message after delivery = %+v", msgs)
	}
	all, _ := g.env.ScheduledMessages(ctx, g.ann, chat.ScheduledFilter{All: true})
	if len(all) != 1 || all[0].State != chat.ScheduledSent || all[0].MessageID != msgs[0].ID {
		t.Errorf("scheduled row after delivery = %+v", all)
	}

	t.Run("Cancel", func(t *testing.T) {
		sm, _, err := schedule(g.ann, now.Add(time.Hour), "never")
		if err != nil {
			t.Fatal(err)
		}
		_, err = g.env.CancelScheduled(ctx, g.bob, sm.ID)
		wantErrCode(t, "CancelScheduled(someone else's)", err, chat.NotFound)
		if c, err := g.env.CancelScheduled(ctx, g.ann, sm.ID); err != nil || c.State != chat.ScheduledCanceled {
			t.Fatalf("CancelScheduled = %+v, %v", c, err)
		}
		_, err = g.env.CancelScheduled(ctx, g.ann, sm.ID)
		wantErrCode(t, "CancelScheduled(twice)", err, chat.Conflict)
		if n, _ := g.env.PublishDue(ctx, now.Add(2*time.Hour)); n != 0 {
			t.Errorf("a canceled message was sent")
		}
	})
	t.Run("FailsWhenAccessIsLost", func(t *testing.T) {
		ch, err := g.env.CreateChannel(ctx, g.owner, chat.NewChannel{Name: "news"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.env.JoinChannel(ctx, g.bob, ch.ID); err != nil {
			t.Fatal(err)
		}
		th, _, err := g.env.StartThread(ctx, g.owner, chat.NewThread{Text: "topic", ChannelIDs: []chat.ChannelID{ch.ID}})
		if err != nil {
			t.Fatal(err)
		}
		sm, _, err := g.env.ScheduleMessage(ctx, g.bob, chat.NewScheduled{Message: chat.NewMessage{ThreadID: th.ID, Text: "later"}, SendAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.env.LeaveChannel(ctx, g.bob, ch.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := g.env.PublishDue(ctx, now.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("PublishDue = %d, %v; want nothing sent", n, err)
		}
		l, _ := g.env.ScheduledMessages(ctx, g.bob, chat.ScheduledFilter{All: true})
		if len(l) != 1 || l[0].ID != sm.ID || l[0].State != chat.ScheduledFailed || l[0].Failure == "" {
			t.Errorf("row after a refused delivery = %+v", l)
		}
		if g.lastEvent() != chat.EventScheduledFailed {
			t.Errorf("last event %s, want scheduled.failed", g.lastEvent())
		}
	})
}

// TestScheduledAcrossNodes: messages scheduled on one node survive its
// restart and are delivered exactly once by two nodes running the job at
// the same time on one database.
func TestScheduledAcrossNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	now := g.env.Now()
	const n = 120
	for i := range n {
		_, _, err := g.env.ScheduleMessage(ctx, g.ann, chat.NewScheduled{Message: chat.NewMessage{ThreadID: g.conv.ID, Text: "tick"},
			SendAt: now.Add(time.Hour + time.Duration(i)*time.Millisecond)})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Two fresh nodes on the same database: the first one's memory is gone.
	a := chattest.NewOn(t, g.env.Store, realtime.Local{}, 50*time.Millisecond)
	b := chattest.NewOn(t, g.env.Store, realtime.Local{}, 50*time.Millisecond)
	var wg sync.WaitGroup
	sent := make([]int, 2)
	for i, node := range []*chattest.Env{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				k, err := node.PublishDue(ctx, now.Add(2*time.Hour))
				if err != nil {
					t.Error(err)
					return
				}
				sent[i] += k
			}
		}()
	}
	wg.Wait()
	if sent[0]+sent[1] != n {
		t.Fatalf("nodes sent %d + %d, want %d in all", sent[0], sent[1], n)
	}
	msgs, err := g.env.Messages(ctx, g.owner, chat.MessageFilter{ThreadID: g.conv.ID, Limit: chat.MaxPage})
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != n {
		t.Fatalf("conversation has %d messages, want %d", len(msgs), n)
	}
	for i := 1; i < len(msgs); i++ {
		if msgs[i].Seq != msgs[i-1].Seq-1 {
			t.Fatalf("sequence numbers are not dense: %d then %d", msgs[i-1].Seq, msgs[i].Seq)
		}
	}
}

func TestExpire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	keep := g.mustPost(t, g.ann, chat.NewMessage{Text: "stays"})
	eph := g.mustPost(t, g.ann, chat.NewMessage{Text: "self-destructs", Ephemeral: true, ExpiresIn: time.Hour})
	if err := g.env.React(ctx, g.bob, chat.ReactionInput{MessageID: eph.ID, Name: "fire"}); err != nil {
		t.Fatal(err)
	}
	if next, err := g.env.NextDue(ctx); err != nil || !next.Equal(eph.ExpiresAt) {
		t.Errorf("NextDue = %v, %v; want the expiry %v", next, err, eph.ExpiresAt)
	}
	if n, err := g.env.ExpireDue(ctx, g.env.Now()); err != nil || n != 0 {
		t.Fatalf("ExpireDue before the time = %d, %v", n, err)
	}
	if n, err := g.env.ExpireDue(ctx, eph.ExpiresAt); err != nil || n != 1 {
		t.Fatalf("ExpireDue at the time = %d, %v", n, err)
	}
	if g.lastEvent() != chat.EventMessageExpired {
		t.Errorf("last event %s, want message.expired", g.lastEvent())
	}
	_, err := g.env.Message(ctx, g.bob, eph.ID)
	wantErrCode(t, "Message(expired)", err, chat.NotFound)
	if _, err := g.env.Message(ctx, g.bob, keep.ID); err != nil {
		t.Errorf("the other message: %v", err)
	}
	mustNoTrace(t, g.env, eph.ID, "self-destructs")
	v, err := g.env.Thread(ctx, g.bob, g.conv.ID)
	if err != nil || v.Thread.NumChats != 1 {
		t.Errorf("thread after expiry has %d chats (%v), want 1", v.Thread.NumChats, err)
	}

	// Gone for readers as soon as its time is up, before the job runs.
	short := g.mustPost(t, g.ann, chat.NewMessage{Text: "blink", Ephemeral: true, ExpiresIn: time.Millisecond})
	time.Sleep(5 * time.Millisecond)
	_, err = g.env.Message(ctx, g.bob, short.ID)
	wantErrCode(t, "Message(expired, not yet deleted)", err, chat.NotFound)
	msgs, _ := g.env.Messages(ctx, g.bob, chat.MessageFilter{ThreadID: g.conv.ID})
	for _, m := range msgs {
		if m.ID == short.ID {
			t.Error("an expired message is still listed")
		}
	}
}

func TestStopTyping(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := mustGroup(t)
	if err := g.env.StopTyping(ctx, g.ann, g.conv.ID); err != nil {
		t.Fatal(err)
	}
	if g.lastEvent() != chat.EventTypingStopped {
		t.Errorf("last event %s, want typing.stopped", g.lastEvent())
	}
	outsider := g.env.MustUser(t, g.org, "eve", chat.LevelMember)
	wantErrCode(t, "StopTyping(not a participant)", g.env.StopTyping(ctx, outsider, g.conv.ID), chat.NotFound)
}
