package sqlstore_test

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// world is a small org written straight through the store.
type world struct {
	t   *testing.T
	s   *sqlstore.Store
	org *chat.Org
	now time.Time
}

func newWorld(t *testing.T, s *sqlstore.Store) *world {
	t.Helper()
	w := &world{t: t, s: s, now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	key := crand.Text()
	w.org = &chat.Org{Slug: "slug-" + key, JoinSecret: "js-" + key, Flags: map[string]bool{}, CreatedAt: w.now, UpdatedAt: w.now}
	w.update(func(tx chat.Tx) error { return tx.InsertOrg(context.Background(), w.org) })
	return w
}

func (w *world) update(fn func(tx chat.Tx) error) {
	w.t.Helper()
	if err := w.s.Update(context.Background(), fn); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) user(name string) chat.UserID {
	w.t.Helper()
	u := &chat.User{OrgID: w.org.ID, Username: name, Name: name, Level: chat.LevelMember, CreatedAt: w.now, UpdatedAt: w.now}
	w.update(func(tx chat.Tx) error { return tx.InsertUser(context.Background(), u) })
	return u.ID
}

func (w *world) channel(name string) chat.ChannelID {
	w.t.Helper()
	c := &chat.Channel{OrgID: w.org.ID, Name: name, Visibility: chat.VisibleMembers, CreatedAt: w.now, UpdatedAt: w.now}
	w.update(func(tx chat.Tx) error { return tx.InsertChannel(context.Background(), c) })
	return c.ID
}

// thread stores th (OrgID, times and kind filled in when zero).
func (w *world) thread(th *chat.Thread) *chat.Thread {
	w.t.Helper()
	th.OrgID = w.org.ID
	if th.Kind == 0 {
		th.Kind = chat.KindTopic
	}
	if th.CreatedAt.IsZero() {
		th.CreatedAt = w.now
	}
	if th.UpdatedAt.IsZero() {
		th.UpdatedAt = th.CreatedAt
	}
	if th.Tags == nil {
		th.Tags = []string{}
	}
	w.update(func(tx chat.Tx) error { return tx.InsertThread(context.Background(), th) })
	return th
}

// chat posts text in th as author.
func (w *world) chat(th *chat.Thread, author chat.UserID, text string) *chat.Message {
	w.t.Helper()
	ctx := context.Background()
	m := &chat.Message{OrgID: w.org.ID, ThreadID: th.ID, AuthorID: author, Text: text, CreatedAt: w.now, UpdatedAt: w.now}
	w.update(func(tx chat.Tx) error {
		seq, err := tx.NextSeq(ctx, th.ID, w.now)
		if err != nil {
			return err
		}
		m.Seq = seq
		return tx.InsertMessage(ctx, m)
	})
	return m
}

// search runs q within scope and returns the hits.
func (w *world) search(scope chat.ThreadScope, q chat.ThreadQuery) []chat.ThreadHit {
	w.t.Helper()
	if q.Limit == 0 {
		q.Limit = 100
	}
	var hits []chat.ThreadHit
	err := w.s.View(context.Background(), func(tx chat.ReadTx) error {
		var err error
		hits, err = tx.SearchThreads(context.Background(), scope, q)
		return err
	})
	if err != nil {
		w.t.Fatalf("SearchThreads: %v", err)
	}
	return hits
}

// find returns the ids of the threads in scope holding every word of text.
func (w *world) find(scope chat.ThreadScope, text string) []chat.ThreadID {
	w.t.Helper()
	terms, err := chat.ParseSearchText(text)
	if err != nil {
		w.t.Fatal(err)
	}
	return hitIDs(w.search(scope, chat.ThreadQuery{Terms: terms, MinTerms: len(terms),
		Sort: []chat.SortKey{{Field: chat.SortTextMatch, Desc: true}}}))
}

// docs counts the index documents of a thread.
func (w *world) docs(th chat.ThreadID) int {
	w.t.Helper()
	var n int
	// The id is ours, an integer, so it is written into the query rather
	// than bound (placeholders differ per engine).
	if err := w.s.DB().QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM search_fts WHERE thread_id = %d`, int64(th))).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func hitIDs(hits []chat.ThreadHit) []chat.ThreadID {
	ids := []chat.ThreadID{}
	for _, h := range hits {
		ids = append(ids, h.Thread.ID)
	}
	return ids
}

func TestSearchIndex(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		ann, bob := w.user("ann"), w.user("bob")
		ch := w.channel("general")
		scope := chat.ThreadScope{OrgID: w.org.ID, Channels: []chat.ChannelID{ch}, Participant: ann}

		rocket := w.thread(&chat.Thread{Subject: "Deploying the rocket", Summary: "Launch notes", Tags: []string{"ops"}, AuthorID: ann,
			ChannelIDs: []chat.ChannelID{ch}, Participants: []chat.UserID{ann}})
		w.chat(rocket, ann, "Deploying the rocket")
		engines := w.chat(rocket, bob, "The engines need one more test before the window opens")
		kitchen := w.thread(&chat.Thread{Subject: "Kitchen", AuthorID: bob, ChannelIDs: []chat.ChannelID{ch}, Participants: []chat.UserID{bob}})
		w.chat(kitchen, bob, "Recipes and 東京タワー photos; 我们在北京见面. The rocket salad is great")
		dm := w.thread(&chat.Thread{Kind: chat.KindDirect, Key: "dm", AuthorID: ann, Participants: []chat.UserID{ann, bob}})
		w.chat(dm, ann, "secret handshake")

		// Another org's thread about rockets is never found.
		other := newWorld(t, s)
		och := other.channel("general")
		other.chat(other.thread(&chat.Thread{Subject: "rocket rocket rocket", ChannelIDs: []chat.ChannelID{och}}), 0, "rocket engines")

		t.Run("Subject", func(t *testing.T) {
			if got := w.find(scope, "deploying"); !slices.Equal(got, []chat.ThreadID{rocket.ID}) {
				t.Errorf("find(deploying) = %v, want [%d]", got, rocket.ID)
			}
		})
		t.Run("WordDeepInAReply", func(t *testing.T) {
			hits := w.search(scope, chat.ThreadQuery{Terms: mustTerms(t, "window "), MinTerms: 1})
			if len(hits) != 1 || hits[0].Thread.ID != rocket.ID || hits[0].ChatID != engines.ID {
				t.Fatalf("hits = %+v, want the rocket thread with chat %d", hits, engines.ID)
			}
			if !slices.Equal(hits[0].Thread.Tags, []string{"ops"}) || !slices.Equal(hits[0].Thread.ChannelIDs, []chat.ChannelID{ch}) {
				t.Errorf("hit thread sets = %+v", hits[0].Thread)
			}
		})
		t.Run("TagsAndSummary", func(t *testing.T) {
			if got := w.find(scope, "ops launch"); !slices.Equal(got, []chat.ThreadID{rocket.ID}) {
				t.Errorf("find(ops launch) = %v", got)
			}
		})
		t.Run("EveryTermSomewhereInTheThread", func(t *testing.T) {
			if got := w.find(scope, "deploying engines"); !slices.Equal(got, []chat.ThreadID{rocket.ID}) {
				t.Errorf("find(deploying engines) = %v", got)
			}
			if got := w.find(scope, "kitchen engines"); len(got) != 0 {
				t.Errorf("find(kitchen engines) = %v, want none", got)
			}
			hits := w.search(scope, chat.ThreadQuery{Terms: mustTerms(t, "kitchen engines "), MinTerms: 1})
			if len(hits) != 2 {
				t.Errorf("any of kitchen, engines = %v, want both threads", hitIDs(hits))
			}
		})
		t.Run("RelevanceAndOrgs", func(t *testing.T) {
			// The subject match outranks a mention in a chat; the other
			// org's rocket thread does not appear.
			hits := w.search(scope, chat.ThreadQuery{Terms: mustTerms(t, "rocket "), MinTerms: 1,
				Sort: []chat.SortKey{{Field: chat.SortTextMatch, Desc: true}}})
			if got := hitIDs(hits); !slices.Equal(got, []chat.ThreadID{rocket.ID, kitchen.ID}) {
				t.Fatalf("rocket = %v, want [%d %d]", got, rocket.ID, kitchen.ID)
			}
			// rocket: subject (4) in two documents (subject, first chat).
			if hits[0].Score != 4*10+2 || hits[1].Score != 1*10+1 {
				t.Errorf("scores = %d, %d; want 42, 11", hits[0].Score, hits[1].Score)
			}
		})
		t.Run("TopicsOnly", func(t *testing.T) {
			topics := func(q string) []chat.ThreadID {
				terms := mustTerms(t, q)
				return hitIDs(w.search(scope, chat.ThreadQuery{Terms: terms, MinTerms: 1, Topics: true}))
			}
			if got := topics("window "); len(got) != 0 {
				t.Errorf("a word only in a chat matches topics: %v", got)
			}
			if got := topics("deploying ops "); !slices.Equal(got, []chat.ThreadID{rocket.ID}) {
				t.Errorf("subject and tag words in topics = %v", got)
			}
			if got := topics("topic "); len(got) != 0 {
				t.Errorf("the topic marker is searchable: %v", got)
			}
		})
		t.Run("CJKSubstrings", func(t *testing.T) {
			for _, q := range []string{"東京", "タワー", "京タ", "ー", "北京", "见面", "北京见面"} {
				if got := w.find(scope, q); !slices.Equal(got, []chat.ThreadID{kitchen.ID}) {
					t.Errorf("find(%q) = %v, want [%d]", q, got, kitchen.ID)
				}
			}
			if got := w.find(scope, "东京"); len(got) != 0 { // simplified 东 is another character
				t.Errorf("find(东京) = %v", got)
			}
		})
		t.Run("Scope", func(t *testing.T) {
			if got := w.find(scope, "handshake"); !slices.Equal(got, []chat.ThreadID{dm.ID}) {
				t.Errorf("participant finds own DM: %v", got)
			}
			notMine := chat.ThreadScope{OrgID: w.org.ID, Channels: []chat.ChannelID{ch}}
			if got := w.find(notMine, "handshake"); len(got) != 0 {
				t.Errorf("non-participant finds DM: %v", got)
			}
			if got := w.find(chat.ThreadScope{OrgID: w.org.ID, Participant: ann}, "deploying"); len(got) != 0 {
				t.Errorf("without the channel: %v", got)
			}
		})
		t.Run("EditsAndDeletes", func(t *testing.T) {
			m := w.chat(rocket, bob, "temporary zeppelin")
			if got := w.find(scope, "zeppelin"); len(got) != 1 {
				t.Fatalf("new chat not found: %v", got)
			}
			m.Text, m.Edited = "permanent airship", true
			w.update(func(tx chat.Tx) error { return tx.UpdateMessage(ctx, m) })
			if got := w.find(scope, "zeppelin"); len(got) != 0 {
				t.Errorf("edited-away word still found: %v", got)
			}
			if got := w.find(scope, "airship"); len(got) != 1 {
				t.Errorf("edited-in word not found: %v", got)
			}
			before := w.docs(rocket.ID)
			m.Deleted, m.Text = true, ""
			w.update(func(tx chat.Tx) error { return tx.UpdateMessage(ctx, m) })
			if got := w.find(scope, "airship"); len(got) != 0 {
				t.Errorf("deleted chat still found: %v", got)
			}
			if after := w.docs(rocket.ID); after != before-1 {
				t.Errorf("documents %d -> %d after deleting a chat", before, after)
			}

			rocket.Subject, rocket.Tags = "Launching the shuttle", []string{"space"}
			w.update(func(tx chat.Tx) error { return tx.UpdateThread(ctx, rocket) })
			if got := w.find(scope, "shuttle space"); len(got) != 1 {
				t.Errorf("new subject and tag not found: %v", got)
			}
			if got := w.find(scope, "ops"); len(got) != 0 {
				t.Errorf("old tag still found: %v", got)
			}

			// A deleted thread and its chats leave the index; undeleted,
			// they come back.
			rocket.Deleted = true
			w.update(func(tx chat.Tx) error { return tx.UpdateThread(ctx, rocket) })
			if n := w.docs(rocket.ID); n != 0 {
				t.Errorf("deleted thread has %d documents", n)
			}
			rocket.Deleted = false
			w.update(func(tx chat.Tx) error { return tx.UpdateThread(ctx, rocket) })
			if got := w.find(scope, "shuttle window"); !slices.Equal(got, []chat.ThreadID{rocket.ID}) {
				t.Errorf("undeleted thread = %v", got)
			}
		})
		t.Run("Rebuild", func(t *testing.T) {
			queries := []string{"rocket", "window", "東京", "shuttle", "handshake", "salad photos"}
			before := map[string][]chat.ThreadID{}
			for _, q := range queries {
				before[q] = w.find(scope, q)
			}
			docs := w.docs(rocket.ID)
			if err := s.RebuildSearchIndex(ctx); err != nil {
				t.Fatal(err)
			}
			for _, q := range queries {
				if got := w.find(scope, q); !slices.Equal(got, before[q]) {
					t.Errorf("after rebuild find(%q) = %v, want %v", q, got, before[q])
				}
			}
			if got := w.docs(rocket.ID); got != docs {
				t.Errorf("rebuild: %d documents, incremental %d", got, docs)
			}
		})
	})
}

func mustTerms(t *testing.T, q string) []chat.SearchTerm {
	t.Helper()
	terms, err := chat.ParseSearchText(q)
	if err != nil {
		t.Fatal(err)
	}
	return terms
}

// TestSearchIndexBuiltOnOpen checks that Open builds the index for data it
// does not cover (written before search existed, or by another tokenizer).
func TestSearchIndexBuiltOnOpen(t *testing.T) {
	sqlstoretest.ForEachDSN(t, func(t *testing.T, dsn string) {
		s, err := sqlstore.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, s)
		ch := w.channel("c")
		th := w.thread(&chat.Thread{Subject: "Quarterly planning", ChannelIDs: []chat.ChannelID{ch}})
		w.chat(th, 0, "budget spreadsheet")
		for _, q := range []string{`DELETE FROM search_fts`, `UPDATE search_meta SET tokenizer = 0`} {
			if _, err := s.DB().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		scope := chat.ThreadScope{OrgID: w.org.ID, Channels: []chat.ChannelID{ch}}
		if got := w.find(scope, "budget"); len(got) != 0 {
			t.Fatalf("emptied index still finds %v", got)
		}
		s.Close()

		s2, err := sqlstore.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		w.s = s2
		if got := w.find(scope, "budget quarterly"); !slices.Equal(got, []chat.ThreadID{th.ID}) {
			t.Errorf("after reopening find = %v, want [%d]", got, th.ID)
		}
	})
}

// TestSearchFilters checks, on random threads and random filters, that the
// store selects exactly the threads chat.Expr.Match selects, and sorts them
// as asked: the SQL and the Go definitions of a filter agree.
func TestSearchFilters(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		rng := rand.New(rand.NewPCG(1, 2))
		w := newWorld(t, s)
		me := w.user("me")
		users := []chat.UserID{me, w.user("u1"), w.user("u2"), w.user("u3")}
		chans := []chat.ChannelID{w.channel("c1"), w.channel("c2"), w.channel("c3")}
		tags := []string{"red", "green", "blue"}
		base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
		var threads []*chat.Thread
		for i := range 40 {
			th := &chat.Thread{Subject: fmt.Sprintf("thread %d", i), AuthorID: pick(rng, users), Resolved: rng.IntN(2) == 0,
				Hidden: rng.IntN(4) == 0, CreatedAt: base.Add(time.Duration(rng.IntN(100)) * time.Second)}
			th.UpdatedAt = th.CreatedAt.Add(time.Duration(rng.IntN(100)) * time.Second)
			th.Participants = someOf(rng, users)
			if !slices.Contains(th.Participants, th.AuthorID) {
				th.Participants = append(th.Participants, th.AuthorID)
			}
			slices.Sort(th.Participants)
			switch rng.IntN(3) {
			case 0:
				th.ChannelIDs = someOf(rng, chans)
			case 1:
				th.Kind, th.Key = chat.KindDirect, fmt.Sprintf("dm%d", i)
			default:
				th.Kind = chat.KindGroup
			}
			if th.Kind != chat.KindTopic && !slices.Contains(th.Participants, me) {
				th.Participants = append(th.Participants, me) // visible to me
				slices.Sort(th.Participants)
			}
			th.Tags = someOf(rng, tags)
			slices.Sort(th.Tags)
			threads = append(threads, w.thread(th))
		}
		scope := chat.ThreadScope{OrgID: w.org.ID, Channels: chans, Participant: me, Hidden: true}
		gen := filterGen{rng: rng, users: users, chans: chans, tags: tags, base: base}
		for i := range 300 {
			e := gen.expr(3)
			sort := []chat.SortKey{{Field: chat.SortCreatedAt, Desc: rng.IntN(2) == 0}}
			var want []*chat.Thread
			for _, th := range threads {
				if e.Match(th) {
					want = append(want, th)
				}
			}
			slices.SortStableFunc(want, func(a, b *chat.Thread) int {
				c := a.CreatedAt.Compare(b.CreatedAt)
				if sort[0].Desc {
					c = -c
				}
				if c == 0 {
					c = int(b.ID - a.ID)
				}
				return c
			})
			wantIDs := []chat.ThreadID{}
			for _, th := range want {
				wantIDs = append(wantIDs, th.ID)
			}
			got := hitIDs(w.search(scope, chat.ThreadQuery{Filter: e, Sort: sort}))
			if diff := cmp.Diff(wantIDs, got); diff != "" {
				t.Fatalf("filter %d %#v (-Match +store):\n%s", i, e, diff)
			}
		}
	})
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// someOf returns a random non-empty subset of xs.
func someOf[T any](rng *rand.Rand, xs []T) []T {
	var out []T
	for _, x := range xs {
		if rng.IntN(2) == 0 {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		out = append(out, pick(rng, xs))
	}
	return out
}

type filterGen struct {
	rng   *rand.Rand
	users []chat.UserID
	chans []chat.ChannelID
	tags  []string
	base  time.Time
}

func (g filterGen) expr(depth int) chat.Expr {
	n := g.rng.IntN(9)
	if depth == 0 {
		n = 3 + g.rng.IntN(6)
	}
	switch n {
	case 0:
		return chat.And{g.expr(depth - 1), g.expr(depth - 1)}
	case 1:
		return chat.Or{g.expr(depth - 1), g.expr(depth - 1)}
	case 2:
		return chat.Not{X: g.expr(depth - 1)}
	case 3:
		return chat.HasAny{Field: chat.FieldUserIDs, IDs: int64s(someOf(g.rng, g.users))}
	case 4:
		return chat.HasAny{Field: chat.FieldChannelIDs, IDs: int64s(someOf(g.rng, g.chans))}
	case 5:
		return chat.HasAny{Field: chat.FieldAuthorID, IDs: int64s(someOf(g.rng, g.users))}
	case 6:
		return chat.HasAny{Field: chat.FieldTags, Tags: someOf(g.rng, g.tags)}
	case 7:
		e := chat.InTime{Field: pick(g.rng, []chat.FilterField{chat.FieldCreatedAt, chat.FieldUpdatedAt})}
		if g.rng.IntN(3) > 0 {
			e.From = g.base.Add(time.Duration(g.rng.IntN(150)) * time.Second)
		}
		if g.rng.IntN(3) > 0 {
			e.Until = g.base.Add(time.Duration(g.rng.IntN(150)) * time.Second)
		}
		return e
	}
	return chat.Is{Field: pick(g.rng, []chat.FilterField{chat.FieldResolved, chat.FieldHidden, chat.FieldDirect, chat.FieldGroup}),
		Value: g.rng.IntN(2) == 0}
}

func int64s[T ~int64](ids []T) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// TestChannelList checks the light channel listing permission scopes use.
func TestChannelList(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		w := newWorld(t, s)
		a, b := w.channel("a"), w.channel("b")
		newWorld(t, s).channel("elsewhere")
		w.update(func(tx chat.Tx) error {
			c, err := tx.ChannelByID(ctx, w.org.ID, b)
			if err != nil {
				return err
			}
			c.Deleted = true
			return tx.UpdateChannel(ctx, c)
		})
		err := s.View(ctx, func(tx chat.ReadTx) error {
			got, err := tx.ChannelList(ctx, w.org.ID)
			if err != nil {
				return err
			}
			if len(got) != 1 || got[0].ID != a || got[0].Name != "a" || got[0].Visibility != chat.VisibleMembers {
				t.Errorf("ChannelList = %+v, want channel a only", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
