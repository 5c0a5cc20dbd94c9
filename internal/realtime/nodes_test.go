package realtime_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/realtime"
	"github.com/parley-chat/parley/internal/realtime/natsbus"
	"github.com/parley-chat/parley/internal/realtime/pgbus"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// A poll interval so long that only the broker can explain timely delivery.
const slowPoll = time.Minute

// natsURL returns the NATS server to use: PARLEY_TEST_NATS_URL (CI's), or an
// embedded one started for the test.
func natsURL(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("PARLEY_TEST_NATS_URL"); u != "" {
		return u
	}
	if os.Getenv("PARLEY_TEST_REQUIRE_NATS") != "" {
		t.Fatal("PARLEY_TEST_REQUIRE_NATS is set but PARLEY_TEST_NATS_URL is empty")
	}
	s, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("embedded NATS did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}

func openStore(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// nodePair builds two nodes over one database.
type nodePair func(t *testing.T) (*chattest.Env, *chattest.Env)

func TestTwoNodes(t *testing.T) {
	channel := func(t *testing.T) string {
		return "t" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")) + fmt.Sprint(time.Now().UnixNano())
	}
	pairs := map[string]nodePair{
		"sqlite+nats": func(t *testing.T) (*chattest.Env, *chattest.Env) {
			dsn, url, ch := filepath.Join(t.TempDir(), "p.db"), natsURL(t), channel(t)
			return node(t, openStore(t, dsn), mustNATS(t, url, ch)), node(t, openStore(t, dsn), mustNATS(t, url, ch))
		},
		"postgres+notify": func(t *testing.T) (*chattest.Env, *chattest.Env) {
			dsn, ch := sqlstoretest.PostgresDSN(t), channel(t)
			return node(t, openStore(t, dsn), mustPG(t, dsn, ch)), node(t, openStore(t, dsn), mustPG(t, dsn, ch))
		},
		"postgres+nats": func(t *testing.T) (*chattest.Env, *chattest.Env) {
			dsn, url, ch := sqlstoretest.PostgresDSN(t), natsURL(t), channel(t)
			return node(t, openStore(t, dsn), mustNATS(t, url, ch)), node(t, openStore(t, dsn), mustNATS(t, url, ch))
		},
	}
	for name, pair := range pairs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testTwoNodes(t, pair)
		})
	}
}

func node(t *testing.T, s *sqlstore.Store, b realtime.Broker) *chattest.Env {
	t.Helper()
	t.Cleanup(func() { b.Close() })
	return chattest.NewOn(t, s, b, slowPoll)
}

func mustNATS(t *testing.T, url, prefix string) realtime.Broker {
	b, err := natsbus.Open(url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustPG(t *testing.T, dsn, channel string) realtime.Broker {
	b, err := pgbus.Open(context.Background(), dsn, channel)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testTwoNodes: two clients on two nodes chat live; one drops off, misses a
// hundred events of every kind, comes back on the other node with its last
// update id, and ends up with exactly what it missed, in order.
func testTwoNodes(t *testing.T, pair nodePair) {
	ctx := context.Background()
	n1, n2 := pair(t)
	org, alice := n1.MustOrg(t)
	bob := n1.MustUser(t, org, "bob", chat.LevelMember)
	ch, err := n1.CreateChannel(ctx, alice, chat.NewChannel{Name: "general", Visibility: chat.VisibleAnyone})
	if err != nil {
		t.Fatal(err)
	}
	th, _, err := n1.StartThread(ctx, alice, chat.NewThread{Text: "hello", ChannelIDs: []chat.ChannelID{ch.ID}})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the brokers' subscriptions settle

	// Bob listens on node 2; Alice writes on node 1.
	sub, err := n2.Subscribe(ctx, bob, chat.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n1.PostMessage(ctx, alice, chat.NewMessage{ThreadID: th.ID, Text: "live across nodes"}); err != nil {
		t.Fatal(err)
	}
	ev := mustNext(t, sub)
	if ev.Type != chat.EventMessageCreated || ev.Message.Text != "live across nodes" {
		t.Fatalf("got %s %+v", ev.Type, ev.Message)
	}
	// Ephemeral events cross nodes too.
	if err := n1.Typing(ctx, alice, th.ID); err != nil {
		t.Fatal(err)
	}
	if ev := mustNext(t, sub); ev.Type != chat.EventTyping || ev.UserID != alice.UserID {
		t.Fatalf("got %s, want typing", ev.Type)
	}
	// Presence is shared through the database.
	if err := n1.TouchPresence(ctx, alice); err != nil {
		t.Fatal(err)
	}
	if ev := mustNext(t, sub); ev.Type != chat.EventPresence || ev.Presence.Status != "active" {
		t.Fatalf("got %s, want presence", ev.Type)
	}
	active, err := n2.ActiveUsers(ctx, bob)
	if err != nil || len(active) != 1 || active[0] != alice.UserID {
		t.Fatalf("active users seen from node 2 = %v, %v", active, err)
	}
	cursor := sub.LastID
	sub.Close()

	// A hundred events of every kind while Bob is away.
	var want []chat.EventType
	for i := range 20 {
		m, err := n1.PostMessage(ctx, alice, chat.NewMessage{ThreadID: th.ID, Text: fmt.Sprintf("missed %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n1.EditMessage(ctx, alice, chat.MessageEdit{ID: m.ID, Text: "edited"}); err != nil {
			t.Fatal(err)
		}
		if err := n2.React(ctx, alice, chat.ReactionInput{MessageID: m.ID, Name: "ok"}); err != nil {
			t.Fatal(err)
		}
		if err := n1.React(ctx, alice, chat.ReactionInput{MessageID: m.ID, Name: "ok", Remove: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := n2.DeleteMessage(ctx, alice, m.ID); err != nil {
			t.Fatal(err)
		}
		want = append(want, chat.EventMessageCreated, chat.EventMessageEdited, chat.EventReactionSet, chat.EventReactionUnset, chat.EventMessageDeleted)
	}
	// Bob comes back on node 1.
	again, err := n1.Subscribe(ctx, bob, chat.SubscribeOptions{Resume: true, Since: cursor})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := n2.PostMessage(ctx, alice, chat.NewMessage{ThreadID: th.ID, Text: "after"}); err != nil {
		t.Fatal(err)
	}
	want = append(want, chat.EventMessageCreated)
	last := cursor
	for i, w := range want {
		ev := mustNext(t, again)
		if ev.Type != w || ev.ID <= last {
			t.Fatalf("event %d: %s id %d (after %d), want %s", i, ev.Type, ev.ID, last, w)
		}
		last = ev.ID
	}
	ctx2, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if ev, err := again.Next(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("extra event after the replay: %v %v", ev, err)
	}
}

func mustNext(t *testing.T, sub *chat.Subscription) *chat.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ev, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("next event: %v", err)
	}
	return ev
}
