package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

func mustOrg(t *testing.T, s *sqlstore.Store) *chat.Org {
	t.Helper()
	o := &chat.Org{Slug: "slug-" + t.Name(), JoinSecret: "js-" + t.Name(), Flags: map[string]bool{"s3": true}, CreatedAt: now(), UpdatedAt: now()}
	if err := s.Update(context.Background(), func(tx chat.Tx) error { return tx.InsertOrg(context.Background(), o) }); err != nil {
		t.Fatal(err)
	}
	return o
}

func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func TestStoreContract(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustOrg(t, s)

		t.Run("OrgRoundTrip", func(t *testing.T) {
			err := s.View(ctx, func(tx chat.ReadTx) error {
				got, err := tx.OrgBySlug(ctx, org.Slug)
				if err != nil {
					return err
				}
				if got.ID != org.ID || !got.Flags["s3"] || !got.CreatedAt.Equal(org.CreatedAt) {
					t.Errorf("org = %+v, want %+v", got, org)
				}
				_, err = tx.OrgByID(ctx, org.ID+1000)
				if chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("missing org: %v, want not_found", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})

		t.Run("UniqueUserEmail", func(t *testing.T) {
			u := &chat.User{OrgID: org.ID, Email: "a@example.com", Name: "A", Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
			if err := s.Update(ctx, func(tx chat.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
				t.Fatal(err)
			}
			dup := *u
			err := s.Update(ctx, func(tx chat.Tx) error { return tx.InsertUser(ctx, &dup) })
			if chat.ErrorCode(err) != chat.Conflict || chat.ErrorReason(err) != chat.ConflictEmail {
				t.Fatalf("duplicate email: %v, want conflict %s", err, chat.ConflictEmail)
			}
			// Users without email or username do not collide.
			for range 2 {
				n := &chat.User{OrgID: org.ID, Name: "anon", Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
				if err := s.Update(ctx, func(tx chat.Tx) error { return tx.InsertUser(ctx, n) }); err != nil {
					t.Fatal(err)
				}
			}
		})

		t.Run("EventIDsFollowCommitOrder", func(t *testing.T) {
			// Concurrent units of work each append one event; the log must
			// hold them with dense, increasing ids and nothing rolled back.
			var wg sync.WaitGroup
			for i := range 20 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := s.Update(ctx, func(tx chat.Tx) error {
						if err := tx.AppendEvent(ctx, &chat.Event{OrgID: org.ID, Type: chat.EventOrgUpdated, Topics: []string{"o:1"}, At: now()}); err != nil {
							return err
						}
						if i%5 == 0 {
							return chat.Errorf(chat.Invalid, "roll back")
						}
						return nil
					})
					if err != nil && chat.ErrorCode(err) != chat.Invalid {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			var evs []*chat.Event
			err := s.View(ctx, func(tx chat.ReadTx) error {
				var err error
				evs, err = tx.EventsAfter(ctx, 0, 100)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) != 16 {
				t.Fatalf("log has %d events, want 16 (4 rolled back)", len(evs))
			}
			for i, e := range evs {
				if e.ID != int64(i+1) {
					t.Fatalf("event %d has id %d: ids are not dense and ordered", i, e.ID)
				}
			}
			var horizon, last int64
			s.View(ctx, func(tx chat.ReadTx) error { horizon, last, err = tx.EventBounds(ctx); return err })
			if horizon != 0 || last != 16 {
				t.Errorf("bounds = %d, %d; want 0, 16", horizon, last)
			}
		})
	})
}
