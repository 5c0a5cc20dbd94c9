package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

func TestAPIKeysAndNonces(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustOrg(t, s)
		k1 := &chat.APIKey{OrgID: org.ID, OwnerID: 7, Key: "CSone", Active: true, CreatedAt: now()}
		k2 := &chat.APIKey{OrgID: org.ID, OwnerID: 7, Key: "CStwo", Active: true, CreatedAt: now()}
		op := &chat.APIKey{OrgID: org.ID, Key: "CSop", Active: true, CreatedAt: now()}
		mustUpdate(t, s, func(tx chat.Tx) error {
			for _, k := range []*chat.APIKey{k1, k2, op} {
				if err := tx.InsertAPIKey(ctx, k); err != nil {
					return err
				}
			}
			return tx.RevokeAPIKey(ctx, k1.ID, now())
		})
		err := s.Update(ctx, func(tx chat.Tx) error {
			return tx.InsertAPIKey(ctx, &chat.APIKey{OrgID: org.ID, Key: "CSone", CreatedAt: now()})
		})
		if chat.ErrorReason(err) != chat.ConflictAPIKey {
			t.Errorf("duplicate key: %v, want conflict %s", err, chat.ConflictAPIKey)
		}
		var counts []int64
		mustUpdate(t, s, func(tx chat.Tx) error {
			for _, p := range []string{"2026-10", "2026-11", "2026-11"} {
				n, err := tx.CountAPIKeyUse(ctx, k2.ID, p)
				if err != nil {
					return err
				}
				counts = append(counts, n)
			}
			return nil
		})
		if !slices.Equal(counts, []int64{1, 1, 2}) {
			t.Errorf("counts = %v, want [1 1 2]", counts)
		}
		s.View(ctx, func(tx chat.ReadTx) error {
			got, err := tx.APIKeyByKey(ctx, "CSone")
			if err != nil || got.Active || got.RevokedAt.IsZero() || got.OwnerID != 7 {
				t.Errorf("APIKeyByKey = %+v, %v", got, err)
			}
			if _, err := tx.APIKeyByKey(ctx, "CSnone"); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("missing key: %v", err)
			}
			keys, err := tx.APIKeys(ctx, org.ID, 7)
			if err != nil || len(keys) != 2 || keys[0].ID != k2.ID {
				t.Errorf("APIKeys(owner 7) = %v, %v; want newest first", keys, err)
			}
			if keys, _ := tx.APIKeys(ctx, org.ID, 0); len(keys) != 1 || keys[0].Key != "CSop" {
				t.Errorf("APIKeys(operator) = %v", keys)
			}
			u, err := tx.APIKeyUsage(ctx, k2.ID)
			if err != nil || len(u) != 2 || u[0] != (chat.APIKeyUsage{Period: "2026-10", Count: 1}) || u[1].Count != 2 {
				t.Errorf("APIKeyUsage = %v, %v", u, err)
			}
			return nil
		})

		past, future := now().Add(-time.Hour), now().Add(time.Hour)
		mustUpdate(t, s, func(tx chat.Tx) error {
			if err := tx.InsertNonce(ctx, org.ID, "0xA", "nonce0001", past); err != nil {
				return err
			}
			return tx.InsertNonce(ctx, org.ID, "0xA", "nonce0002", future)
		})
		err = s.Update(ctx, func(tx chat.Tx) error { return tx.InsertNonce(ctx, org.ID, "0xA", "nonce0002", future) })
		if chat.ErrorReason(err) != chat.ConflictNonceUsed {
			t.Errorf("reused nonce: %v, want conflict %s", err, chat.ConflictNonceUsed)
		}
		// Another signer may use the same nonce.
		mustUpdate(t, s, func(tx chat.Tx) error { return tx.InsertNonce(ctx, org.ID, "0xB", "nonce0002", future) })
		var pruned int
		mustUpdate(t, s, func(tx chat.Tx) (err error) { pruned, err = tx.PruneNonces(ctx, now()); return err })
		if pruned != 1 {
			t.Errorf("pruned %d nonces, want 1", pruned)
		}
		// A pruned nonce is forgotten.
		mustUpdate(t, s, func(tx chat.Tx) error { return tx.InsertNonce(ctx, org.ID, "0xA", "nonce0001", future) })
	})
}

func TestCommentQueries(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustOrg(t, s)
		other := &chat.Org{Slug: "other-" + t.Name(), JoinSecret: "other-" + t.Name(), Flags: map[string]bool{}, CreatedAt: now(), UpdatedAt: now()}
		var users []*chat.User
		var pub, priv, foreign *chat.Thread
		var msgs []*chat.Message
		mustUpdate(t, s, func(tx chat.Tx) error {
			if err := tx.InsertOrg(ctx, other); err != nil {
				return err
			}
			for _, name := range []string{"alice", "bob"} {
				u := &chat.User{OrgID: org.ID, Username: name, Name: name, Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
				if err := tx.InsertUser(ctx, u); err != nil {
					return err
				}
				users = append(users, u)
			}
			alice, bob := users[0].ID, users[1].ID
			pub = &chat.Thread{OrgID: org.ID, Kind: chat.KindGroup, Key: "page", URL: "https://e.com/p", AuthorID: alice, ReadPublic: true,
				WritePublic: true, Subject: "Page", Tags: []string{"go"}, CreatedAt: now(), UpdatedAt: now()}
			priv = &chat.Thread{OrgID: org.ID, Kind: chat.KindGroup, Key: "club", URL: "https://e.com/p", AuthorID: bob,
				Participants: []chat.UserID{bob}, Moderators: []chat.UserID{bob}, CreatedAt: now(), UpdatedAt: now()}
			foreign = &chat.Thread{OrgID: other.ID, Kind: chat.KindGroup, Key: "page", URL: "https://e.com/p", ReadPublic: true, CreatedAt: now(), UpdatedAt: now()}
			for _, th := range []*chat.Thread{pub, priv, foreign} {
				if err := tx.InsertThread(ctx, th); err != nil {
					return err
				}
			}
			for i, c := range []struct {
				th     *chat.Thread
				author chat.UserID
				tags   []string
			}{{pub, alice, []string{"news"}}, {pub, bob, []string{"", "x"}}, {pub, alice, nil}, {priv, bob, []string{"news"}}, {foreign, 0, nil}} {
				m := &chat.Message{OrgID: c.th.OrgID, ThreadID: c.th.ID, Seq: int64(i + 1), AuthorID: c.author, Text: "m", Tags: c.tags,
					CreatedAt: now(), UpdatedAt: now()}
				if i == 1 {
					m.ReplyTo = msgs[0].ID
				}
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
				msgs = append(msgs, m)
			}
			msgs[2].Deleted = true
			return tx.UpdateMessage(ctx, msgs[2])
		})
		alice, bob := users[0].ID, users[1].ID
		anon := chat.ThreadScope{OrgID: org.ID}
		asBob := chat.ThreadScope{OrgID: org.ID, Participant: bob}
		ids := func(ms []*chat.Message) []chat.MessageID {
			var out []chat.MessageID
			for _, m := range ms {
				out = append(out, m.ID)
			}
			return out
		}
		m := func(i ...int) []chat.MessageID {
			var out []chat.MessageID
			for _, j := range i {
				out = append(out, msgs[j].ID)
			}
			return out
		}
		for _, tt := range []struct {
			name string
			f    chat.CommentFilter
			want []chat.MessageID
		}{
			{"thread", chat.CommentFilter{ThreadID: pub.ID, Scope: &anon}, m(0, 1)},
			{"newest first", chat.CommentFilter{ThreadID: pub.ID, Scope: &anon, NewestFirst: true}, m(1, 0)},
			{"url, anonymous", chat.CommentFilter{URL: "https://e.com/p", Scope: &anon}, m(0, 1)},
			{"url, participant", chat.CommentFilter{URL: "https://e.com/p", Scope: &asBob}, m(0, 1, 3)},
			{"author", chat.CommentFilter{AuthorID: bob, Scope: &asBob}, m(1, 3)},
			{"author, unscoped", chat.CommentFilter{AuthorID: bob}, m(1, 3)},
			{"tag1", chat.CommentFilter{Tags: []string{"news", ""}, Scope: &asBob}, m(0, 3)},
			{"tag2", chat.CommentFilter{Tags: []string{"", "x"}, Scope: &anon}, m(1)},
			{"reply to", chat.CommentFilter{ReplyTo: msgs[0].ID, Scope: &anon}, m(1)},
			{"offset", chat.CommentFilter{ThreadID: pub.ID, Scope: &anon, Offset: 1}, m(1)},
			{"limit", chat.CommentFilter{ThreadID: pub.ID, Scope: &anon, Limit: 1}, m(0)},
			{"alice's, deleted left out", chat.CommentFilter{AuthorID: alice}, m(0)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.OrgID = org.ID
				if tt.f.Limit == 0 {
					tt.f.Limit = 10
				}
				err := s.View(ctx, func(tx chat.ReadTx) error {
					got, err := tx.Comments(ctx, tt.f)
					if err != nil {
						return err
					}
					if !slices.Equal(ids(got), tt.want) {
						t.Errorf("Comments = %v, want %v", ids(got), tt.want)
					}
					f := tt.f
					f.Offset, f.Limit = 0, 0
					n, err := tx.CountComments(ctx, f)
					if err == nil && tt.name != "offset" && tt.name != "limit" && n != len(tt.want) {
						t.Errorf("CountComments = %d, want %d", n, len(tt.want))
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}

		yes, no := true, false
		for _, tt := range []struct {
			name string
			f    chat.ThreadFilter
			want []chat.ThreadID
		}{
			{"anonymous sees the public one", chat.ThreadFilter{Scope: anon, Kind: chat.KindGroup}, []chat.ThreadID{pub.ID}},
			{"participant sees both", chat.ThreadFilter{Scope: asBob, Kind: chat.KindGroup}, []chat.ThreadID{pub.ID, priv.ID}},
			{"newest first", chat.ThreadFilter{Scope: asBob, NewestFirst: true}, []chat.ThreadID{priv.ID, pub.ID}},
			{"key", chat.ThreadFilter{Scope: asBob, Key: "club"}, []chat.ThreadID{priv.ID}},
			{"author", chat.ThreadFilter{Scope: asBob, AuthorID: alice}, []chat.ThreadID{pub.ID}},
			{"subject", chat.ThreadFilter{Scope: asBob, Subject: "Page"}, []chat.ThreadID{pub.ID}},
			{"read public", chat.ThreadFilter{Scope: asBob, ReadPublic: &no}, []chat.ThreadID{priv.ID}},
			{"write public", chat.ThreadFilter{Scope: asBob, WritePublic: &yes}, []chat.ThreadID{pub.ID}},
			{"tags", chat.ThreadFilter{Scope: asBob, Tags: []string{"go"}}, []chat.ThreadID{pub.ID}},
			{"member", chat.ThreadFilter{Scope: asBob, Member: bob}, []chat.ThreadID{priv.ID}},
			{"moderator", chat.ThreadFilter{Scope: asBob, Moderator: bob}, []chat.ThreadID{priv.ID}},
			{"url", chat.ThreadFilter{Scope: asBob, URL: "https://e.com/p", Offset: 1}, []chat.ThreadID{priv.ID}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.Limit = 10
				err := s.View(ctx, func(tx chat.ReadTx) error {
					got, err := tx.FindThreads(ctx, tt.f)
					if err != nil {
						return err
					}
					var ids []chat.ThreadID
					for _, th := range got {
						ids = append(ids, th.ID)
					}
					if !slices.Equal(ids, tt.want) {
						t.Errorf("FindThreads = %v, want %v", ids, tt.want)
					}
					if tt.f.Offset == 0 {
						n, err := tx.CountThreads(ctx, tt.f)
						if err != nil || n != len(tt.want) {
							t.Errorf("CountThreads = %d, %v; want %d", n, err, len(tt.want))
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}

		mustUpdate(t, s, func(tx chat.Tx) error { return tx.ReleaseThreadKey(ctx, priv.ID) })
		s.View(ctx, func(tx chat.ReadTx) error {
			if _, err := tx.ThreadByKey(ctx, org.ID, "club"); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("released key still names a thread: %v", err)
			}
			return nil
		})
		// The key can be taken again.
		mustUpdate(t, s, func(tx chat.Tx) error {
			return tx.InsertThread(ctx, &chat.Thread{OrgID: org.ID, Kind: chat.KindGroup, Key: "club", CreatedAt: now(), UpdatedAt: now()})
		})
	})
}
