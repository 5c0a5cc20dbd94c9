package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// mustThread stores a thread with key (may be "") and returns it.
func mustThread(t *testing.T, s *sqlstore.Store, th *chat.Thread) *chat.Thread {
	t.Helper()
	th.CreatedAt, th.UpdatedAt = now(), now()
	update(t, s, func(tx chat.Tx) error { return tx.InsertThread(context.Background(), th) })
	return th
}

// mustPost stores a message in th the way chat does, advancing its seq.
func mustPost(t *testing.T, s *sqlstore.Store, th *chat.Thread, author chat.UserID, text string) *chat.Message {
	t.Helper()
	ctx := context.Background()
	m := &chat.Message{OrgID: th.OrgID, ThreadID: th.ID, AuthorID: author, Text: text, CreatedAt: now(), UpdatedAt: now()}
	update(t, s, func(tx chat.Tx) error {
		seq, err := tx.NextSeq(ctx, th.ID, now())
		if err != nil {
			return err
		}
		m.Seq = seq
		return tx.InsertMessage(ctx, m)
	})
	th.LastSeq = m.Seq
	return m
}

func ids(msgs []*chat.Message) []chat.MessageID {
	out := []chat.MessageID{}
	for _, m := range msgs {
		out = append(out, m.ID)
	}
	return out
}

func TestConversationContract(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org, other := mustOrgNamed(t, s, "a"), mustOrgNamed(t, s, "b")
		ada, bob := mustUser(t, s, org.ID, "ada"), mustUser(t, s, org.ID, "bob")
		eve := mustUser(t, s, other.ID, "eve")
		ch := mustChannel(t, s, org.ID, "general")
		timeline := mustThread(t, s, &chat.Thread{OrgID: org.ID, Kind: chat.KindTopic, Key: "ch:1", AuthorID: ada.ID,
			ChannelIDs: []chat.ChannelID{ch.ID}, Participants: []chat.UserID{ada.ID}})
		dm := mustThread(t, s, &chat.Thread{OrgID: org.ID, Kind: chat.KindDirect, Key: "dm:1:2", AuthorID: ada.ID,
			Participants: []chat.UserID{ada.ID, bob.ID}})
		theirs := mustThread(t, s, &chat.Thread{OrgID: other.ID, Kind: chat.KindDirect, Key: "dm:3:3", AuthorID: eve.ID,
			Participants: []chat.UserID{eve.ID}})

		m1 := mustPost(t, s, timeline, ada.ID, "Hello World")
		m2 := mustPost(t, s, timeline, bob.ID, "hello again")
		m3 := mustPost(t, s, timeline, ada.ID, "bye")
		d1 := mustPost(t, s, dm, bob.ID, "psst, hello")
		e1 := mustPost(t, s, theirs, eve.ID, "hello from elsewhere")
		secret := &chat.Message{OrgID: org.ID, ThreadID: timeline.ID, AuthorID: ada.ID, Text: "hello ciphertext", Encrypted: true, CreatedAt: now(), UpdatedAt: now()}
		update(t, s, func(tx chat.Tx) error {
			seq, err := tx.NextSeq(ctx, timeline.ID, now())
			secret.Seq = seq
			if err != nil {
				return err
			}
			return tx.InsertMessage(ctx, secret)
		})
		timeline.LastSeq = secret.Seq
		m2.Deleted = true
		update(t, s, func(tx chat.Tx) error { return tx.UpdateMessage(ctx, m2) })

		t.Run("FindMessages", func(t *testing.T) {
			tests := []struct {
				name string
				q    chat.MessageQuery
				want []chat.MessageID
			}{
				{"thread, newest first, no deleted", chat.MessageQuery{OrgID: org.ID, ThreadID: timeline.ID, Limit: 10}, []chat.MessageID{secret.ID, m3.ID, m1.ID}},
				{"page", chat.MessageQuery{OrgID: org.ID, ThreadID: timeline.ID, Offset: 1, Limit: 1}, []chat.MessageID{m3.ID}},
				{"by author across threads", chat.MessageQuery{OrgID: org.ID, AuthorID: bob.ID, Limit: 10}, []chat.MessageID{d1.ID}},
				{"contains is case sensitive and skips ciphertext", chat.MessageQuery{OrgID: org.ID, Contains: "hello", Limit: 10}, []chat.MessageID{d1.ID}},
				{"contains, other case", chat.MessageQuery{OrgID: org.ID, Contains: "Hello", Limit: 10}, []chat.MessageID{m1.ID}},
				{"contains with LIKE wildcards is literal", chat.MessageQuery{OrgID: org.ID, Contains: "h%o", Limit: 10}, []chat.MessageID{}},
				{"other org's thread", chat.MessageQuery{OrgID: org.ID, ThreadID: theirs.ID, Limit: 10}, []chat.MessageID{}},
				{"other org", chat.MessageQuery{OrgID: other.ID, Limit: 10}, []chat.MessageID{e1.ID}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					view(t, s, func(tx chat.ReadTx) error {
						got, err := tx.FindMessages(ctx, tt.q)
						if err != nil {
							return err
						}
						if !slices.Equal(ids(got), tt.want) {
							t.Errorf("FindMessages(%+v) = %v, want %v", tt.q, ids(got), tt.want)
						}
						return nil
					})
				})
			}
			if err := s.View(ctx, func(tx chat.ReadTx) error {
				_, err := tx.FindMessages(ctx, chat.MessageQuery{OrgID: org.ID})
				return err
			}); err == nil {
				t.Error("FindMessages without a limit succeeded")
			}
		})

		t.Run("ReadersAndReads", func(t *testing.T) {
			update(t, s, func(tx chat.Tx) error {
				if err := tx.UpsertReadState(ctx, &chat.ReadState{UserID: ada.ID, ThreadID: timeline.ID, LastReadSeq: m3.Seq, UpdatedAt: now()}); err != nil {
					return err
				}
				if err := tx.UpsertReadState(ctx, &chat.ReadState{UserID: bob.ID, ThreadID: timeline.ID, LastReadSeq: m1.Seq, UpdatedAt: now()}); err != nil {
					return err
				}
				return tx.UpsertReadState(ctx, &chat.ReadState{UserID: bob.ID, ThreadID: dm.ID, LastReadSeq: d1.Seq, UpdatedAt: now()})
			})
			view(t, s, func(tx chat.ReadTx) error {
				for _, c := range []struct {
					seq  int64
					want []chat.UserID
				}{{m1.Seq, []chat.UserID{ada.ID, bob.ID}}, {m3.Seq, []chat.UserID{ada.ID}}, {secret.Seq, []chat.UserID{}}} {
					got, err := tx.ThreadReaders(ctx, timeline.ID, c.seq)
					if err != nil {
						return err
					}
					if !slices.Equal(got, c.want) {
						t.Errorf("ThreadReaders(seq %d) = %v, want %v", c.seq, got, c.want)
					}
				}
				reads, err := tx.ThreadReads(ctx, chat.ThreadReadFilter{OrgID: org.ID, UserID: ada.ID, Keys: []string{"ch:1", "dm:3:3"}, Direct: true})
				if err != nil {
					return err
				}
				want := []chat.ThreadRead{
					{ThreadID: timeline.ID, Kind: chat.KindTopic, Key: "ch:1", LastSeq: timeline.LastSeq, ReadSeq: m3.Seq},
					{ThreadID: dm.ID, Kind: chat.KindDirect, Key: "dm:1:2", LastSeq: d1.Seq, ReadSeq: 0},
				}
				if !slices.Equal(reads, want) {
					t.Errorf("ThreadReads(ada) = %+v, want %+v", reads, want)
				}
				if reads, _ := tx.ThreadReads(ctx, chat.ThreadReadFilter{OrgID: org.ID, UserID: eve.ID, Direct: true}); len(reads) != 0 {
					t.Errorf("eve reads %+v in another org", reads)
				}
				if reads, _ := tx.ThreadReads(ctx, chat.ThreadReadFilter{OrgID: org.ID, UserID: ada.ID}); len(reads) != 0 {
					t.Errorf("an empty filter selects %+v", reads)
				}
				return nil
			})
			bob.Deleted = true
			update(t, s, func(tx chat.Tx) error { return tx.UpdateUser(ctx, bob) })
			view(t, s, func(tx chat.ReadTx) error {
				if got, _ := tx.ThreadReaders(ctx, timeline.ID, m1.Seq); !slices.Equal(got, []chat.UserID{ada.ID}) {
					t.Errorf("ThreadReaders lists a deleted user: %v", got)
				}
				return nil
			})
		})

		t.Run("UsersByIDAndName", func(t *testing.T) {
			view(t, s, func(tx chat.ReadTx) error {
				users, err := tx.UsersByID(ctx, org.ID, []chat.UserID{bob.ID, eve.ID, ada.ID, 999})
				if err != nil {
					return err
				}
				if len(users) != 2 || users[0].ID != ada.ID || users[1].ID != bob.ID {
					t.Errorf("UsersByID = %v, want ada and bob only", users)
				}
				if got, _ := tx.UsersByID(ctx, org.ID, nil); len(got) != 0 {
					t.Errorf("UsersByID(nil) = %v", got)
				}
				if got, _ := tx.UserIDsByName(ctx, org.ID, "ada"); !slices.Equal(got, []chat.UserID{ada.ID}) {
					t.Errorf("UserIDsByName(ada) = %v", got)
				}
				if got, _ := tx.UserIDsByName(ctx, org.ID, "eve"); len(got) != 0 {
					t.Errorf("UserIDsByName finds another org's user: %v", got)
				}
				if got, _ := tx.UserIDsByName(ctx, org.ID, "bob"); len(got) != 0 {
					t.Errorf("UserIDsByName finds a deleted user: %v", got)
				}
				return nil
			})
		})
	})
}

func TestMediaContract(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org, other := mustOrgNamed(t, s, "a"), mustOrgNamed(t, s, "b")
		ada := mustUser(t, s, org.ID, "ada")
		eve := mustUser(t, s, other.ID, "eve")
		th := mustThread(t, s, &chat.Thread{OrgID: org.ID, Kind: chat.KindGroup, AuthorID: ada.ID, Participants: []chat.UserID{ada.ID}})
		m := mustPost(t, s, th, ada.ID, "with files")
		file := func(org chat.OrgID, owner chat.UserID, key string, msg chat.MessageID) *chat.File {
			f := &chat.File{OrgID: org, OwnerID: owner, Name: key + ".png", ContentType: "image/png", Size: 3, Key: key, MessageID: msg, CreatedAt: now()}
			update(t, s, func(tx chat.Tx) error { return tx.InsertFile(ctx, f) })
			return f
		}
		f1, f2 := file(org.ID, ada.ID, "o/1/one", m.ID), file(org.ID, ada.ID, "o/1/two", m.ID)
		loose := file(org.ID, ada.ID, "o/1/loose", 0)
		theirs := file(other.ID, eve.ID, "o/2/theirs", m.ID)

		view(t, s, func(tx chat.ReadTx) error {
			got, err := tx.MessageFiles(ctx, org.ID, []chat.MessageID{m.ID})
			if err != nil {
				return err
			}
			if len(got) != 2 || got[0].ID != f1.ID || got[1].ID != f2.ID {
				t.Errorf("MessageFiles = %v, want f1, f2 (not the other org's)", got)
			}
			if got, _ := tx.MessageFiles(ctx, org.ID, nil); len(got) != 0 {
				t.Errorf("MessageFiles(nil) = %v", got)
			}
			f, err := tx.FileByKey(ctx, org.ID, "o/1/loose")
			if err != nil || f.ID != loose.ID {
				t.Errorf("FileByKey = %v, %v", f, err)
			}
			if _, err := tx.FileByKey(ctx, org.ID, theirs.Key); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("FileByKey(other org's key) = %v, want not_found", err)
			}
			if _, err := tx.ProfileFile(ctx, org.ID, ada.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("ProfileFile before any = %v, want not_found", err)
			}
			return nil
		})

		update(t, s, func(tx chat.Tx) error { return tx.SetProfileFile(ctx, org.ID, ada.ID, loose.ID, now()) })
		update(t, s, func(tx chat.Tx) error { return tx.SetProfileFile(ctx, org.ID, ada.ID, f1.ID, now()) })
		view(t, s, func(tx chat.ReadTx) error {
			if id, err := tx.ProfileFile(ctx, org.ID, ada.ID); err != nil || id != f1.ID {
				t.Errorf("ProfileFile = %d, %v; want %d", id, err, f1.ID)
			}
			if _, err := tx.ProfileFile(ctx, other.ID, ada.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("ProfileFile from the other org = %v, want not_found", err)
			}
			return nil
		})

		update(t, s, func(tx chat.Tx) error {
			if err := tx.DeleteFile(ctx, org.ID, loose.ID); err != nil {
				return err
			}
			// Another org's file is out of reach.
			return tx.DeleteFile(ctx, org.ID, theirs.ID)
		})
		view(t, s, func(tx chat.ReadTx) error {
			if _, err := tx.FileByID(ctx, org.ID, loose.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("deleted file: %v, want not_found", err)
			}
			if _, err := tx.FileByID(ctx, other.ID, theirs.ID); err != nil {
				t.Errorf("the other org's file was deleted: %v", err)
			}
			return nil
		})
		// The file of a profile image cannot be deleted from under it.
		if err := s.Update(ctx, func(tx chat.Tx) error { return tx.DeleteFile(ctx, org.ID, f1.ID) }); err == nil {
			t.Error("deleted the file of a profile image")
		}
	})
}
