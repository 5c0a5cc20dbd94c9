package sqlstore_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

func TestFeeds(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		ann, bob := w.user("ann"), w.user("bob")
		ch := w.channel("c")
		feeds := func(user chat.UserID) []*chat.Feed {
			t.Helper()
			var out []*chat.Feed
			if err := s.View(ctx, func(tx chat.ReadTx) error {
				var err error
				out, err = tx.Feeds(ctx, w.org.ID, user)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}

		a := &chat.Feed{OrgID: w.org.ID, UserID: ann, Name: "ops", ChannelIDs: []chat.ChannelID{ch}, UserIDs: []chat.UserID{bob},
			CreatedAt: w.now, UpdatedAt: w.now}
		b := &chat.Feed{OrgID: w.org.ID, UserID: ann, Name: "dms", DM: true, CreatedAt: w.now, UpdatedAt: w.now}
		w.update(func(tx chat.Tx) error {
			if err := tx.InsertFeed(ctx, a); err != nil {
				return err
			}
			return tx.InsertFeed(ctx, b)
		})
		if a.ID < chat.FirstFeedID || b.ID <= a.ID {
			t.Fatalf("feed ids %d, %d: want increasing from %d", a.ID, b.ID, chat.FirstFeedID)
		}
		if diff := cmp.Diff([]*chat.Feed{a, b}, feeds(ann), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Feeds(ann) (-want +got):\n%s", diff)
		}
		if got := feeds(bob); len(got) != 0 {
			t.Errorf("Feeds(bob) = %v", got)
		}

		a.Name, a.ChannelIDs, a.UserIDs, a.DM = "renamed", nil, nil, true
		w.update(func(tx chat.Tx) error { return tx.UpdateFeed(ctx, a) })
		err := s.View(ctx, func(tx chat.ReadTx) error {
			got, err := tx.FeedByID(ctx, w.org.ID, a.ID)
			if err != nil {
				return err
			}
			if got.Name != "renamed" || len(got.ChannelIDs) != 0 || len(got.UserIDs) != 0 || !got.DM {
				t.Errorf("after update: %+v", got)
			}
			other := newWorld(t, s)
			if _, err := tx.FeedByID(ctx, other.org.ID, a.ID); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("FeedByID(other org) = %v, want not_found", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		w.update(func(tx chat.Tx) error { return tx.DeleteFeed(ctx, w.org.ID, a.ID) })
		if got := feeds(ann); len(got) != 1 || got[0].ID != b.ID {
			t.Errorf("after delete: %v", got)
		}
	})
}
