package sqlstore_test

import (
	"context"
	"crypto/rand"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// fixture is an org with two users, a conversation between them and a
// message in it, written straight through the store.
type fixture struct {
	org    *chat.Org
	ada    *chat.User
	bob    *chat.User
	thread *chat.Thread
	msg    *chat.Message
}

func mustFixture(t *testing.T, s *sqlstore.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{org: mustOrg(t, s)}
	err := s.Update(ctx, func(tx chat.Tx) error {
		f.ada = &chat.User{OrgID: f.org.ID, Name: "Ada", Level: chat.LevelOwner, CreatedAt: now(), UpdatedAt: now()}
		f.bob = &chat.User{OrgID: f.org.ID, Name: "Bob", Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
		for _, u := range []*chat.User{f.ada, f.bob} {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		f.thread = &chat.Thread{OrgID: f.org.ID, Kind: chat.KindGroup, AuthorID: f.ada.ID, CreatedAt: now(), UpdatedAt: now(),
			Participants: []chat.UserID{f.ada.ID, f.bob.ID}, Moderators: []chat.UserID{f.ada.ID}}
		if err := tx.InsertThread(ctx, f.thread); err != nil {
			return err
		}
		var err error
		f.msg, err = insertMessage(ctx, tx, f, "hello", time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// otherOrg adds one more org (mustOrg's slug is per test).
func otherOrg(t *testing.T, s *sqlstore.Store) *chat.Org {
	t.Helper()
	o := &chat.Org{Slug: rand.Text(), JoinSecret: rand.Text(), Flags: map[string]bool{}, CreatedAt: now(), UpdatedAt: now()}
	updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error { return tx.InsertOrg(ctx, o) })
	return o
}

func insertMessage(ctx context.Context, tx chat.Tx, f *fixture, text string, expires time.Time) (*chat.Message, error) {
	seq, err := tx.NextSeq(ctx, f.thread.ID, now())
	if err != nil {
		return nil, err
	}
	m := &chat.Message{OrgID: f.org.ID, ThreadID: f.thread.ID, Seq: seq, AuthorID: f.ada.ID, Text: text, CreatedAt: now(), UpdatedAt: now(),
		ExpiresAt: expires, Poll: &chat.Poll{Question: "q", Options: []string{"a", "b"}}}
	return m, tx.InsertMessage(ctx, m)
}

func updateCtx(t *testing.T, s *sqlstore.Store, fn func(ctx context.Context, tx chat.Tx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx chat.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func viewCtx(t *testing.T, s *sqlstore.Store, fn func(ctx context.Context, tx chat.ReadTx) error) {
	t.Helper()
	ctx := context.Background()
	if err := s.View(ctx, func(tx chat.ReadTx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

func TestPurgeMessage(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		f := mustFixture(t, s)
		var keep *chat.Message
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			if _, err := tx.SetReaction(ctx, chat.Reaction{MessageID: f.msg.ID, UserID: f.bob.ID, Name: "+1"}, now()); err != nil {
				return err
			}
			if err := tx.Vote(ctx, f.msg.ID, f.bob.ID, 1, now()); err != nil {
				return err
			}
			if err := tx.InsertEdit(ctx, f.msg.ID, "earlier", now()); err != nil {
				return err
			}
			file := &chat.File{OrgID: f.org.ID, OwnerID: f.ada.ID, Name: "a.txt", ContentType: "text/plain", Size: 1, Key: "o/1/key", CreatedAt: now()}
			if err := tx.InsertFile(ctx, file); err != nil {
				return err
			}
			if err := tx.AttachFiles(ctx, f.msg.ID, []chat.FileID{file.ID}); err != nil {
				return err
			}
			var err error
			if keep, err = insertMessage(ctx, tx, f, "keep me", time.Time{}); err != nil {
				return err
			}
			for _, m := range []*chat.Message{f.msg, keep} {
				if err := tx.AppendEvent(ctx, &chat.Event{OrgID: f.org.ID, Type: chat.EventMessageCreated, Message: m, Topics: []string{"t:1"}, At: now()}); err != nil {
					return err
				}
			}
			return tx.AppendEvent(ctx, &chat.Event{OrgID: f.org.ID, Type: chat.EventReactionSet, Topics: []string{"t:1"}, At: now(),
				Reaction: &chat.Reaction{MessageID: f.msg.ID, UserID: f.bob.ID, Name: "+1"}})
		})
		// Another org cannot purge it.
		other := otherOrg(t, s)
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			_, found, err := tx.PurgeMessage(ctx, other.ID, f.msg.ID)
			if found {
				t.Error("purged a message of another org")
			}
			return err
		})
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			keys, found, err := tx.PurgeMessage(ctx, f.org.ID, f.msg.ID)
			if err != nil {
				return err
			}
			if !found || !slices.Equal(keys, []string{"o/1/key"}) {
				t.Errorf("PurgeMessage = %v, %v; want the file key, true", keys, found)
			}
			_, found, err = tx.PurgeMessage(ctx, f.org.ID, f.msg.ID)
			if found {
				t.Error("a second purge found the message")
			}
			return err
		})
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			if _, err := tx.MessageByID(ctx, f.org.ID, f.msg.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("purged message: %v, want not_found", err)
			}
			if _, err := tx.PollVote(ctx, f.msg.ID, f.bob.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("vote of purged message: %v, want not_found", err)
			}
			if edits, err := tx.Edits(ctx, f.msg.ID); err != nil || len(edits) != 0 {
				t.Errorf("edits of purged message: %v, %v", edits, err)
			}
			evs, err := tx.EventsAfter(ctx, 0, 100)
			if err != nil {
				return err
			}
			if len(evs) != 1 || evs[0].Message == nil || evs[0].Message.ID != keep.ID {
				t.Errorf("log after purge has %d events; want only the other message's", len(evs))
			}
			m, err := tx.MessageByID(ctx, f.org.ID, keep.ID)
			if err != nil || m.Text != "keep me" {
				t.Errorf("other message: %v, %v", m, err)
			}
			return nil
		})
	})
}

func TestExpiriesAndVotes(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		f := mustFixture(t, s)
		base := now()
		var soon, later *chat.Message
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			var err error
			if later, err = insertMessage(ctx, tx, f, "later", base.Add(time.Hour)); err != nil {
				return err
			}
			soon, err = insertMessage(ctx, tx, f, "soon", base.Add(time.Second))
			return err
		})
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			next, err := tx.NextExpiry(ctx)
			if err != nil || !next.Equal(soon.ExpiresAt) {
				t.Errorf("NextExpiry = %v, %v; want %v", next, err, soon.ExpiresAt)
			}
			due, err := tx.DueExpiries(ctx, base.Add(time.Second), 10)
			if err != nil || len(due) != 1 || due[0].ID != soon.ID {
				t.Errorf("DueExpiries(+1s) = %v, %v; want the soon one", due, err)
			}
			due, err = tx.DueExpiries(ctx, base.Add(2*time.Hour), 10)
			if err != nil || len(due) != 2 || due[0].ID != soon.ID || due[1].ID != later.ID {
				t.Errorf("DueExpiries(+2h) = %d messages, %v; want both, soonest first", len(due), err)
			}
			if _, err := tx.PollVote(ctx, soon.ID, f.bob.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("PollVote(no vote) = %v, want not_found", err)
			}
			return nil
		})
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			if err := tx.Vote(ctx, soon.ID, f.bob.ID, 0, now()); err != nil {
				return err
			}
			return tx.Vote(ctx, soon.ID, f.bob.ID, 1, now())
		})
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			if o, err := tx.PollVote(ctx, soon.ID, f.bob.ID); err != nil || o != 1 {
				t.Errorf("PollVote = %d, %v; want the changed vote 1", o, err)
			}
			m, err := tx.MessageByID(ctx, f.org.ID, soon.ID)
			if err != nil || !slices.Equal(m.Poll.Votes, []int{0, 1}) {
				t.Errorf("votes = %v, %v; want [0 1]", m.Poll, err)
			}
			return nil
		})
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			for _, m := range []*chat.Message{soon, later, f.msg} {
				if _, _, err := tx.PurgeMessage(ctx, f.org.ID, m.ID); err != nil {
					return err
				}
			}
			return nil
		})
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			next, err := tx.NextExpiry(ctx)
			if err != nil || !next.IsZero() {
				t.Errorf("NextExpiry with none = %v, %v; want zero", next, err)
			}
			return nil
		})
	})
}

func TestReports(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		f := mustFixture(t, s)
		r := &chat.Report{OrgID: f.org.ID, ThreadID: f.thread.ID, MessageID: f.msg.ID, AuthorID: f.ada.ID, ReporterID: f.bob.ID,
			Reason: "spam", Excerpt: "hello", CreatedAt: now()}
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error { return tx.InsertReport(ctx, r) })
		dup := *r
		err := s.Update(context.Background(), func(tx chat.Tx) error { return tx.InsertReport(context.Background(), &dup) })
		if chat.ErrorCode(err) != chat.Conflict || chat.ErrorReason(err) != chat.ConflictReport {
			t.Fatalf("second report by the same reporter: %v, want conflict %s", err, chat.ConflictReport)
		}
		other := otherOrg(t, s)
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			got, err := tx.ReportByReporter(ctx, f.org.ID, f.msg.ID, f.bob.ID)
			if err != nil || got.ID != r.ID || got.Excerpt != "hello" || !got.CreatedAt.Equal(r.CreatedAt) {
				t.Errorf("ReportByReporter = %+v, %v", got, err)
			}
			if _, err := tx.ReportByID(ctx, other.ID, r.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("ReportByID(other org) = %v, want not_found", err)
			}
			open, err := tx.Reports(ctx, f.org.ID, chat.ReportFilter{Status: chat.ReportsOpen, Limit: 10})
			if err != nil || len(open) != 1 {
				t.Errorf("open reports = %d, %v", len(open), err)
			}
			if l, _ := tx.Reports(ctx, other.ID, chat.ReportFilter{Status: chat.ReportsAll, Limit: 10}); len(l) != 0 {
				t.Errorf("another org lists %d reports", len(l))
			}
			return nil
		})
		r.Resolved, r.Resolution, r.ResolvedBy, r.ResolvedAt, r.Note = true, chat.ResolutionRemoved, f.ada.ID, now(), "gone"
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error { return tx.UpdateReport(ctx, r) })
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			got, err := tx.ReportByID(ctx, f.org.ID, r.ID)
			if err != nil || !got.Resolved || got.Resolution != chat.ResolutionRemoved || got.ResolvedBy != f.ada.ID || got.Note != "gone" {
				t.Errorf("resolved report = %+v, %v", got, err)
			}
			for status, want := range map[chat.ReportStatus]int{chat.ReportsOpen: 0, chat.ReportsResolved: 1, chat.ReportsAll: 1} {
				l, err := tx.Reports(ctx, f.org.ID, chat.ReportFilter{Status: status, Limit: 10})
				if err != nil || len(l) != want {
					t.Errorf("Reports(status %d) = %d, %v; want %d", status, len(l), err, want)
				}
			}
			l, err := tx.Reports(ctx, f.org.ID, chat.ReportFilter{Status: chat.ReportsAll, Before: r.ID, Limit: 10})
			if err != nil || len(l) != 0 {
				t.Errorf("Reports(before the only one) = %d, %v", len(l), err)
			}
			return nil
		})
	})
}

func TestScheduledMessages(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		f := mustFixture(t, s)
		base := now()
		var rows []*chat.ScheduledMessage
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			for i, d := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
				sm := &chat.ScheduledMessage{OrgID: f.org.ID, ThreadID: f.thread.ID, AuthorID: f.bob.ID, SendAt: base.Add(d), State: chat.ScheduledPending,
					Message: chat.NewMessage{Text: "later " + string(rune('a'+i)), Poll: &chat.NewPoll{Question: "q", Options: []string{"x", "y"}},
						Attachments: []chat.Attachment{{Kind: chat.AttachVoice, URL: "https://example.com/v.ogg"}}, ExpiresIn: time.Minute},
					CreatedAt: base, UpdatedAt: base}
				if err := tx.InsertScheduled(ctx, sm); err != nil {
					return err
				}
				rows = append(rows, sm)
			}
			return nil
		})
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			next, err := tx.NextScheduled(ctx)
			if err != nil || !next.Equal(base.Add(time.Second)) {
				t.Errorf("NextScheduled = %v, %v", next, err)
			}
			due, err := tx.DueScheduled(ctx, base.Add(2*time.Second), 10)
			if err != nil || len(due) != 2 || due[0].ID != rows[1].ID || due[1].ID != rows[2].ID {
				t.Fatalf("DueScheduled = %v, %v; want rows 1 and 2, most overdue first", due, err)
			}
			got := due[0]
			if got.Message.Text != "later b" || got.Message.Poll == nil || got.Message.Attachments[0].URL != "https://example.com/v.ogg" ||
				got.Message.ExpiresIn != time.Minute || !got.SendAt.Equal(rows[1].SendAt) {
				t.Errorf("scheduled message did not round-trip: %+v", got)
			}
			if n, err := tx.CountScheduled(ctx, f.org.ID, f.bob.ID); err != nil || n != 3 {
				t.Errorf("CountScheduled = %d, %v", n, err)
			}
			l, err := tx.ScheduledMessages(ctx, f.org.ID, f.bob.ID, chat.ScheduledFilter{Limit: 10})
			if err != nil || len(l) != 3 || l[0].ID != rows[1].ID {
				t.Errorf("ScheduledMessages = %v, %v", l, err)
			}
			if l, _ := tx.ScheduledMessages(ctx, f.org.ID, f.ada.ID, chat.ScheduledFilter{Limit: 10}); len(l) != 0 {
				t.Errorf("another author sees %d scheduled messages", len(l))
			}
			return nil
		})

		// Claims: of many concurrent units of work, exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.Update(context.Background(), func(tx chat.Tx) error {
					ok, err := tx.ClaimScheduled(context.Background(), rows[1].ID, "node", now())
					if ok {
						mu.Lock()
						wins++
						mu.Unlock()
					}
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d concurrent claims succeeded, want 1", wins)
		}
		sent := *rows[1]
		sent.State, sent.MessageID, sent.ClaimedBy, sent.UpdatedAt = chat.ScheduledSent, f.msg.ID, "node", now()
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error { return tx.UpdateScheduled(ctx, &sent) })
		viewCtx(t, s, func(ctx context.Context, tx chat.ReadTx) error {
			got, err := tx.ScheduledByID(ctx, f.org.ID, sent.ID)
			if err != nil || got.State != chat.ScheduledSent || got.MessageID != f.msg.ID || got.ClaimedBy != "node" {
				t.Errorf("sent row = %+v, %v", got, err)
			}
			due, err := tx.DueScheduled(ctx, base.Add(time.Hour), 10)
			if err != nil || len(due) != 2 {
				t.Errorf("DueScheduled after one was sent = %d, %v; want 2", len(due), err)
			}
			if n, _ := tx.CountScheduled(ctx, f.org.ID, f.bob.ID); n != 2 {
				t.Errorf("CountScheduled after one was sent = %d", n)
			}
			all, err := tx.ScheduledMessages(ctx, f.org.ID, f.bob.ID, chat.ScheduledFilter{All: true, Limit: 10})
			if err != nil || len(all) != 3 {
				t.Errorf("all scheduled = %d, %v", len(all), err)
			}
			if _, err := tx.ScheduledByID(ctx, otherOrg(t, s).ID, sent.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("ScheduledByID(other org) = %v", err)
			}
			return nil
		})
		updateCtx(t, s, func(ctx context.Context, tx chat.Tx) error {
			ok, err := tx.ClaimScheduled(ctx, sent.ID, "other", now())
			if ok {
				t.Error("claimed a sent row")
			}
			return err
		})
	})
}
