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

func TestChannelThreads(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustOrg(t, s)
		base := now().Add(-time.Hour)
		var general, other *chat.Channel
		var ada, bob *chat.User
		// Threads in general, by name; their activity times are base+minutes.
		threads := map[string]*chat.Thread{}
		err := s.Update(ctx, func(tx chat.Tx) error {
			ada = &chat.User{OrgID: org.ID, Name: "Ada", Level: chat.LevelMember, CreatedAt: base, UpdatedAt: base}
			bob = &chat.User{OrgID: org.ID, Name: "Bob", Level: chat.LevelMember, CreatedAt: base, UpdatedAt: base}
			for _, u := range []*chat.User{ada, bob} {
				if err := tx.InsertUser(ctx, u); err != nil {
					return err
				}
			}
			general = &chat.Channel{OrgID: org.ID, Name: "general", Visibility: chat.VisibleMembers, CreatedAt: base, UpdatedAt: base}
			other = &chat.Channel{OrgID: org.ID, Name: "other", Visibility: chat.VisibleMembers, CreatedAt: base, UpdatedAt: base}
			for _, c := range []*chat.Channel{general, other} {
				if err := tx.InsertChannel(ctx, c); err != nil {
					return err
				}
			}
			for _, tt := range []struct {
				name     string
				minutes  int
				chans    []chat.ChannelID
				kind     chat.ThreadKind
				hidden   bool
				deleted  bool
				tags     []string
				lastSeq  int64
				particip []chat.UserID
			}{
				{name: "old", minutes: 1, chans: []chat.ChannelID{general.ID}, lastSeq: 3},
				{name: "tieLow", minutes: 5, chans: []chat.ChannelID{general.ID}},
				{name: "tieHigh", minutes: 5, chans: []chat.ChannelID{general.ID, other.ID}, tags: []string{"b", "a"}},
				{name: "newest", minutes: 9, chans: []chat.ChannelID{general.ID}, particip: []chat.UserID{ada.ID, bob.ID}},
				{name: "hidden", minutes: 7, chans: []chat.ChannelID{general.ID}, hidden: true},
				{name: "deleted", minutes: 8, chans: []chat.ChannelID{general.ID}, deleted: true},
				{name: "elsewhere", minutes: 6, chans: []chat.ChannelID{other.ID}},
				{name: "conversation", minutes: 10, kind: chat.KindGroup, particip: []chat.UserID{ada.ID, bob.ID}},
			} {
				at := base.Add(time.Duration(tt.minutes) * time.Minute)
				kind := tt.kind
				if kind == 0 {
					kind = chat.KindTopic
				}
				th := &chat.Thread{OrgID: org.ID, Kind: kind, Subject: tt.name, AuthorID: ada.ID, Hidden: tt.hidden, Deleted: tt.deleted,
					Tags: tt.tags, LastSeq: tt.lastSeq, CreatedAt: base, UpdatedAt: at, ChannelIDs: tt.chans, Participants: tt.particip}
				slices.Sort(th.Tags)
				if err := tx.InsertThread(ctx, th); err != nil {
					return err
				}
				threads[tt.name] = th
			}
			return tx.UpsertReadState(ctx, &chat.ReadState{UserID: ada.ID, ThreadID: threads["old"].ID, LastReadSeq: 2, LastReadID: 77, UpdatedAt: base})
		})
		if err != nil {
			t.Fatal(err)
		}
		scope := chat.ThreadScope{OrgID: org.ID, Channels: []chat.ChannelID{general.ID, other.ID}, Participant: ada.ID}
		list := func(t *testing.T, scope chat.ThreadScope, f chat.ChannelThreadFilter) []string {
			t.Helper()
			var got []*chat.Thread
			if err := s.View(ctx, func(tx chat.ReadTx) error {
				var err error
				got, err = tx.ChannelThreads(ctx, scope, f)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			names := []string{}
			for _, th := range got {
				names = append(names, th.Subject)
			}
			return names
		}

		t.Run("NewestActivityFirst", func(t *testing.T) {
			got := list(t, scope, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 10})
			want := []string{"newest", "tieHigh", "tieLow", "old"}
			if !slices.Equal(got, want) {
				t.Errorf("threads = %v, want %v", got, want)
			}
		})
		t.Run("Paging", func(t *testing.T) {
			var got []string
			f := chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 1}
			for range 10 {
				page := list(t, scope, f)
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
				f.Before = threads[page[len(page)-1]].ID
			}
			want := []string{"newest", "tieHigh", "tieLow", "old"}
			if !slices.Equal(got, want) {
				t.Errorf("paged threads = %v, want %v", got, want)
			}
		})
		t.Run("HiddenWithScope", func(t *testing.T) {
			mod := scope
			mod.Hidden = true
			got := list(t, mod, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 10})
			want := []string{"newest", "hidden", "tieHigh", "tieLow", "old"}
			if !slices.Equal(got, want) {
				t.Errorf("threads = %v, want %v", got, want)
			}
		})
		t.Run("OutOfScope", func(t *testing.T) {
			got := list(t, chat.ThreadScope{OrgID: org.ID, Channels: []chat.ChannelID{other.ID}}, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 10})
			// tieHigh is in both channels: the scope allows it through other.
			if !slices.Equal(got, []string{"tieHigh"}) {
				t.Errorf("threads = %v, want [tieHigh]", got)
			}
			other := chat.ThreadScope{OrgID: org.ID + 1000, Channels: []chat.ChannelID{general.ID}}
			if got := list(t, other, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 10}); len(got) != 0 {
				t.Errorf("another org's scope lists %v", got)
			}
		})
		t.Run("SetsLoaded", func(t *testing.T) {
			var got []*chat.Thread
			s.View(ctx, func(tx chat.ReadTx) error {
				var err error
				got, err = tx.ChannelThreads(ctx, scope, chat.ChannelThreadFilter{ChannelID: general.ID, Limit: 2})
				return err
			})
			if len(got) != 2 {
				t.Fatalf("got %d threads", len(got))
			}
			if !slices.Equal(got[0].Participants, []chat.UserID{ada.ID, bob.ID}) || len(got[0].ChannelIDs) != 1 {
				t.Errorf("newest = %+v", got[0])
			}
			if !slices.Equal(got[1].ChannelIDs, []chat.ChannelID{general.ID, other.ID}) || !slices.Equal(got[1].Tags, []string{"a", "b"}) {
				t.Errorf("tieHigh channels %v tags %v", got[1].ChannelIDs, got[1].Tags)
			}
			if !got[0].UpdatedAt.Equal(base.Add(9 * time.Minute)) {
				t.Errorf("updated_at = %v", got[0].UpdatedAt)
			}
		})
		t.Run("ReadStates", func(t *testing.T) {
			var rs []*chat.ReadState
			err := s.View(ctx, func(tx chat.ReadTx) error {
				var err error
				rs, err = tx.ReadStates(ctx, ada.ID, []chat.ThreadID{threads["old"].ID, threads["newest"].ID})
				if err != nil {
					return err
				}
				none, err := tx.ReadStates(ctx, bob.ID, []chat.ThreadID{threads["old"].ID})
				if len(none) != 0 {
					t.Errorf("bob has read states %v", none)
				}
				empty, err2 := tx.ReadStates(ctx, ada.ID, nil)
				if err2 != nil || len(empty) != 0 {
					t.Errorf("no threads: %v, %v", empty, err2)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 || rs[0].ThreadID != threads["old"].ID || rs[0].LastReadSeq != 2 || rs[0].LastReadID != 77 || !rs[0].UpdatedAt.Equal(base) {
				t.Errorf("read states = %+v", rs)
			}
		})
	})
}
