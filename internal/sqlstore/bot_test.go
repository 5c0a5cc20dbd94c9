package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// botFixture is an org with a person, two bots and a chat between the person
// and the first bot.
type botFixture struct {
	org, other      *chat.Org
	user, bot, bot2 *chat.User
	chat            *chat.BotChat
}

// mustUpdate runs fn in a write unit of work and fails t on an error.
func mustUpdate(t *testing.T, s *sqlstore.Store, fn func(tx chat.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func mustView(t *testing.T, s *sqlstore.Store, fn func(tx chat.ReadTx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func newBotFixture(t *testing.T, s *sqlstore.Store) *botFixture {
	t.Helper()
	ctx := context.Background()
	f := &botFixture{org: mustOrg(t, s)}
	f.other = &chat.Org{Slug: "other-" + t.Name(), JoinSecret: "js2-" + t.Name(), Flags: map[string]bool{}, CreatedAt: now(), UpdatedAt: now()}
	mustUpdate(t, s, func(tx chat.Tx) error {
		if err := tx.InsertOrg(ctx, f.other); err != nil {
			return err
		}
		f.user = &chat.User{OrgID: f.org.ID, Name: "ada", Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
		f.bot = &chat.User{OrgID: f.org.ID, Name: "Echo", Bot: true, Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
		f.bot2 = &chat.User{OrgID: f.org.ID, Name: "Other", Bot: true, Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
		for _, u := range []*chat.User{f.user, f.bot, f.bot2} {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		for _, b := range []*chat.User{f.bot, f.bot2} {
			if err := tx.InsertBotState(ctx, &chat.BotState{BotID: b.ID, OrgID: f.org.ID, KeySalt: "salt", KeyHash: "hash", CreatedAt: now(), UpdatedAt: now()}); err != nil {
				return err
			}
		}
		th := &chat.Thread{OrgID: f.org.ID, Kind: chat.KindGroup, AuthorID: f.user.ID, CreatedAt: now(), UpdatedAt: now(),
			Participants: []chat.UserID{f.user.ID, f.bot.ID}}
		if err := tx.InsertThread(ctx, th); err != nil {
			return err
		}
		f.chat = &chat.BotChat{ThreadID: th.ID, OrgID: f.org.ID, UserID: f.user.ID, BotID: f.bot.ID, CreatedAt: now()}
		_, err := tx.InsertBotChat(ctx, f.chat)
		return err
	})
	return f
}

func TestBotStoreContract(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()

		t.Run("BotState", func(t *testing.T) {
			f := newBotFixture(t, s)
			mustUpdate(t, s, func(tx chat.Tx) error { return tx.SetBotKey(ctx, f.org.ID, f.bot.ID, "s2", "h2", now()) })
			mustView(t, s, func(tx chat.ReadTx) error {
				st, err := tx.BotState(ctx, f.bot.ID)
				if err != nil {
					return err
				}
				if st.OrgID != f.org.ID || st.KeySalt != "s2" || st.KeyHash != "h2" {
					t.Errorf("bot state = %+v", st)
				}
				if _, err := tx.BotState(ctx, f.user.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("BotState(person) = %v, want not_found", err)
				}
				bots, err := tx.Bots(ctx, f.org.ID)
				if err != nil {
					return err
				}
				if len(bots) != 2 || bots[0].ID != f.bot.ID || bots[1].ID != f.bot2.ID {
					t.Errorf("Bots = %v, want the two bots in order", bots)
				}
				if other, _ := tx.Bots(ctx, f.other.ID); len(other) != 0 {
					t.Errorf("Bots(other org) = %v, want none", other)
				}
				return nil
			})
			// Deleting removes the record, the webhook and the commands.
			mustUpdate(t, s, func(tx chat.Tx) error {
				if err := tx.UpsertBotCommand(ctx, &chat.BotCommand{OrgID: f.org.ID, BotID: f.bot.ID, Alias: "start", CreatedAt: now()}); err != nil {
					return err
				}
				if err := tx.UpsertBotWebhook(ctx, &chat.BotWebhook{BotID: f.bot.ID, OrgID: f.org.ID, URL: "http://x", SigningSecret: "k", CreatedAt: now(), UpdatedAt: now()}); err != nil {
					return err
				}
				return tx.DeleteBotState(ctx, f.org.ID, f.bot.ID)
			})
			mustView(t, s, func(tx chat.ReadTx) error {
				if _, err := tx.BotState(ctx, f.bot.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("BotState after delete = %v", err)
				}
				if _, err := tx.BotWebhook(ctx, f.org.ID, f.bot.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("BotWebhook after delete = %v", err)
				}
				if cmds, _ := tx.BotCommands(ctx, f.org.ID, f.bot.ID); len(cmds) != 0 {
					t.Errorf("BotCommands after delete = %v", cmds)
				}
				return nil
			})
		})

		t.Run("Commands", func(t *testing.T) {
			f := newBotFixture(t, s)
			start := &chat.BotCommand{OrgID: f.org.ID, BotID: f.bot.ID, Alias: "start", Description: "Start.", CreatedAt: now()}
			help := &chat.BotCommand{OrgID: f.org.ID, BotID: f.bot.ID, Alias: "help", CreatedAt: now()}
			again := &chat.BotCommand{OrgID: f.org.ID, BotID: f.bot.ID, Alias: "start", Description: "Start over.", CreatedAt: now()}
			mustUpdate(t, s, func(tx chat.Tx) error {
				for _, c := range []*chat.BotCommand{start, help, again} {
					if err := tx.UpsertBotCommand(ctx, c); err != nil {
						return err
					}
				}
				return tx.UpsertBotCommand(ctx, &chat.BotCommand{OrgID: f.org.ID, BotID: f.bot2.ID, Alias: "start", CreatedAt: now()})
			})
			if again.ID != start.ID {
				t.Errorf("same alias got id %d, want %d", again.ID, start.ID)
			}
			mustView(t, s, func(tx chat.ReadTx) error {
				cmds, err := tx.BotCommands(ctx, f.org.ID, f.bot.ID)
				if err != nil {
					return err
				}
				got := []string{}
				for _, c := range cmds {
					got = append(got, c.Alias+":"+c.Description)
				}
				if diff := cmp.Diff([]string{"start:Start over.", "help:"}, got); diff != "" {
					t.Errorf("commands (-want +got):\n%s", diff)
				}
				if _, err := tx.BotCommandByID(ctx, f.other.ID, help.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("command of another org = %v, want not_found", err)
				}
				return nil
			})
			mustUpdate(t, s, func(tx chat.Tx) error { return tx.DeleteBotCommand(ctx, f.org.ID, help.ID) })
			mustView(t, s, func(tx chat.ReadTx) error {
				if _, err := tx.BotCommandByID(ctx, f.org.ID, help.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("deleted command = %v, want not_found", err)
				}
				return nil
			})
		})

		t.Run("ChatsAreCountedOneAfterTheOther", func(t *testing.T) {
			f := newBotFixture(t, s)
			// Concurrent inserts for one pair each see a different count:
			// the count row serializes them.
			var mu sync.Mutex
			var counts []int
			var wg sync.WaitGroup
			for range 12 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := s.Update(ctx, func(tx chat.Tx) error {
						th := &chat.Thread{OrgID: f.org.ID, Kind: chat.KindGroup, AuthorID: f.user.ID, CreatedAt: now(), UpdatedAt: now()}
						if err := tx.InsertThread(ctx, th); err != nil {
							return err
						}
						n, err := tx.InsertBotChat(ctx, &chat.BotChat{ThreadID: th.ID, OrgID: f.org.ID, UserID: f.user.ID, BotID: f.bot2.ID, CreatedAt: now()})
						mu.Lock()
						counts = append(counts, n)
						mu.Unlock()
						return err
					})
					if err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			slices.Sort(counts)
			if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}; !slices.Equal(counts, want) {
				t.Fatalf("counts = %v, want %v", counts, want)
			}
			var chats []*chat.BotChat
			mustView(t, s, func(tx chat.ReadTx) error {
				var err error
				chats, err = tx.BotChats(ctx, f.org.ID, f.user.ID, f.bot2.ID)
				return err
			})
			if len(chats) != 12 || chats[0].ThreadID > chats[11].ThreadID {
				t.Fatalf("BotChats = %d chats, want 12 oldest first", len(chats))
			}
			mustUpdate(t, s, func(tx chat.Tx) error { return tx.DeleteBotChat(ctx, f.org.ID, chats[0].ThreadID) })
			mustUpdate(t, s, func(tx chat.Tx) error {
				th := &chat.Thread{OrgID: f.org.ID, Kind: chat.KindGroup, AuthorID: f.user.ID, CreatedAt: now(), UpdatedAt: now()}
				if err := tx.InsertThread(ctx, th); err != nil {
					return err
				}
				n, err := tx.InsertBotChat(ctx, &chat.BotChat{ThreadID: th.ID, OrgID: f.org.ID, UserID: f.user.ID, BotID: f.bot2.ID, CreatedAt: now()})
				if n != 12 {
					t.Errorf("count after delete and insert = %d, want 12", n)
				}
				return err
			})
			mustView(t, s, func(tx chat.ReadTx) error {
				if _, err := tx.BotChatByID(ctx, f.org.ID, chats[0].ThreadID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("deleted chat = %v, want not_found", err)
				}
				if _, err := tx.BotChatByID(ctx, f.other.ID, f.chat.ThreadID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("chat through another org = %v, want not_found", err)
				}
				got, err := tx.BotChatsByID(ctx, f.org.ID, []chat.ThreadID{f.chat.ThreadID, chats[0].ThreadID, chats[1].ThreadID})
				if err != nil {
					return err
				}
				if len(got) != 2 || got[0].ThreadID != f.chat.ThreadID || got[1].ThreadID != chats[1].ThreadID {
					t.Errorf("BotChatsByID = %+v, want the two live chats", got)
				}
				return nil
			})
		})

		t.Run("MessagePage", func(t *testing.T) {
			f := newBotFixture(t, s)
			base := now()
			var ids []chat.MessageID
			mustUpdate(t, s, func(tx chat.Tx) error {
				for i := range 7 {
					author := f.user.ID
					if i%2 == 1 {
						author = f.bot.ID
					}
					seq, err := tx.NextSeq(ctx, f.chat.ThreadID, base)
					if err != nil {
						return err
					}
					m := &chat.Message{OrgID: f.org.ID, ThreadID: f.chat.ThreadID, Seq: seq, AuthorID: author, Text: string(rune('a' + i)),
						Deleted: i == 6, CreatedAt: base.Add(time.Duration(i) * time.Millisecond), UpdatedAt: base}
					if err := tx.InsertMessage(ctx, m); err != nil {
						return err
					}
					ids = append(ids, m.ID)
				}
				return nil
			})
			texts := func(ms []*chat.Message) string {
				var b []byte
				for _, m := range ms {
					b = append(b, m.Text...)
				}
				return string(b)
			}
			tests := []struct {
				name      string
				f         chat.MessagePageFilter
				want      string
				wantTotal int
			}{
				{"first page", chat.MessagePageFilter{Limit: 2}, "fe", 6},
				{"second page", chat.MessagePageFilter{Limit: 2, Offset: 2}, "dc", 6},
				{"past the end", chat.MessagePageFilter{Limit: 2, Offset: 10}, "", 6},
				{"by author", chat.MessagePageFilter{Limit: 10, AuthorID: f.bot.ID}, "fdb", 3},
				{"after, strictly", chat.MessagePageFilter{Limit: 10, After: base.Add(3 * time.Millisecond)}, "fe", 2},
				{"author and after", chat.MessagePageFilter{Limit: 1, AuthorID: f.bot.ID, After: base}, "f", 3},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					tt.f.ThreadID = f.chat.ThreadID
					mustView(t, s, func(tx chat.ReadTx) error {
						got, total, err := tx.MessagePage(ctx, tt.f)
						if err != nil {
							return err
						}
						if texts(got) != tt.want || total != tt.wantTotal {
							t.Errorf("MessagePage = %q, %d; want %q, %d", texts(got), total, tt.want, tt.wantTotal)
						}
						return nil
					})
				})
			}
		})

		t.Run("Webhooks", func(t *testing.T) {
			f := newBotFixture(t, s)
			h := &chat.BotWebhook{BotID: f.bot.ID, OrgID: f.org.ID, URL: "http://a", Secret: "s", SigningSecret: "k", CreatedAt: now(), UpdatedAt: now()}
			mustUpdate(t, s, func(tx chat.Tx) error {
				if err := tx.UpsertBotWebhook(ctx, h); err != nil {
					return err
				}
				h2 := *h
				h2.URL, h2.Secret = "http://b", ""
				return tx.UpsertBotWebhook(ctx, &h2)
			})
			mustView(t, s, func(tx chat.ReadTx) error {
				got, err := tx.BotWebhook(ctx, f.org.ID, f.bot.ID)
				if err != nil {
					return err
				}
				if got.URL != "http://b" || got.Secret != "" || got.SigningSecret != "k" {
					t.Errorf("webhook = %+v", got)
				}
				if _, err := tx.BotWebhook(ctx, f.other.ID, f.bot.ID); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("webhook through another org = %v", err)
				}
				bots, err := tx.WebhookBots(ctx)
				if err != nil {
					return err
				}
				if !slices.Contains(bots, chat.BotRef{OrgID: f.org.ID, BotID: f.bot.ID}) {
					t.Errorf("WebhookBots = %v, want the bot", bots)
				}
				return nil
			})
			mustUpdate(t, s, func(tx chat.Tx) error {
				for i, want := range []bool{true, false} {
					got, err := tx.DeleteBotWebhook(ctx, f.org.ID, f.bot.ID)
					if err != nil {
						return err
					}
					if got != want {
						t.Errorf("delete #%d = %v, want %v", i, got, want)
					}
				}
				return nil
			})
		})

		t.Run("TopicEvents", func(t *testing.T) {
			f := newBotFixture(t, s)
			var first int64
			mustView(t, s, func(tx chat.ReadTx) error { _, l, err := tx.EventBounds(ctx); first = l; return err })
			evs := []*chat.Event{
				{OrgID: f.org.ID, Type: chat.EventMessageCreated, Topics: []string{"t:1", "u:12"}, At: now()},
				{OrgID: f.org.ID, Type: chat.EventMessageCreated, Topics: []string{"t:1", "u:1", "u:2"}, At: now()},
				{OrgID: f.org.ID, Type: chat.EventMessageEdited, Topics: []string{"u:1"}, At: now()},
				{OrgID: f.other.ID, Type: chat.EventMessageCreated, Topics: []string{"u:1"}, At: now()},
				{OrgID: f.org.ID, Type: chat.EventMessageCreated, Topics: []string{"u:1"}, At: now()},
			}
			mustUpdate(t, s, func(tx chat.Tx) error {
				for _, e := range evs {
					if err := tx.AppendEvent(ctx, e); err != nil {
						return err
					}
				}
				return nil
			})
			mustView(t, s, func(tx chat.ReadTx) error {
				got, err := tx.TopicEvents(ctx, f.org.ID, "u:1", chat.EventMessageCreated, first, first+5, 10)
				if err != nil {
					return err
				}
				if len(got) != 2 || got[0].ID != evs[1].ID || got[1].ID != evs[4].ID {
					t.Errorf("TopicEvents = %v, want events %d and %d", got, evs[1].ID, evs[4].ID)
				}
				got, err = tx.TopicEvents(ctx, f.org.ID, "u:1", chat.EventMessageCreated, first, evs[3].ID, 10)
				if err != nil {
					return err
				}
				if len(got) != 1 {
					t.Errorf("TopicEvents up to %d = %d events, want 1", evs[3].ID, len(got))
				}
				if _, err := tx.TopicEvents(ctx, f.org.ID, "u:%", chat.EventMessageCreated, 0, 100, 10); err == nil {
					t.Error("a topic with a LIKE wildcard was accepted")
				}
				return nil
			})
		})

		t.Run("FileByKey", func(t *testing.T) {
			f := newBotFixture(t, s)
			file := &chat.File{OrgID: f.org.ID, OwnerID: f.user.ID, Name: "a.png", ContentType: "image/png", Size: 3, Key: "o/1/abc", CreatedAt: now()}
			mustUpdate(t, s, func(tx chat.Tx) error { return tx.InsertFile(ctx, file) })
			mustView(t, s, func(tx chat.ReadTx) error {
				got, err := tx.FileByKey(ctx, f.org.ID, "o/1/abc")
				if err != nil || got.ID != file.ID {
					t.Errorf("FileByKey = %+v, %v", got, err)
				}
				if _, err := tx.FileByKey(ctx, f.other.ID, "o/1/abc"); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("FileByKey(other org) = %v, want not_found", err)
				}
				return nil
			})
		})

		t.Run("DeliveryLease", func(t *testing.T) {
			f := newBotFixture(t, s)
			org, bot := f.org.ID, f.bot.ID
			t0 := now()
			state0 := func(tx chat.Tx) *chat.BotState {
				st, err := tx.BotState(ctx, bot)
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
			state := func() *chat.BotState {
				var st *chat.BotState
				mustView(t, s, func(tx chat.ReadTx) error { var err error; st, err = tx.BotState(ctx, bot); return err })
				return st
			}
			claim := func(tx chat.Tx, node string, now, until time.Time) (bool, error) {
				ok, pos, err := tx.ClaimBotDelivery(ctx, org, bot, node, now, until)
				if ok && pos != state0(tx).Position {
					t.Errorf("claim answered position %d, want %d", pos, state0(tx).Position)
				}
				return ok, err
			}
			step := func(name string, want bool, fn func(tx chat.Tx) (bool, error)) {
				t.Helper()
				var got bool
				mustUpdate(t, s, func(tx chat.Tx) error { var err error; got, err = fn(tx); return err })
				if got != want {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
			step("claim by a", true, func(tx chat.Tx) (bool, error) {
				return claim(tx, "a", t0, t0.Add(time.Minute))
			})
			step("claim by b while a holds it", false, func(tx chat.Tx) (bool, error) {
				return claim(tx, "b", t0, t0.Add(time.Minute))
			})
			step("claim again by a", true, func(tx chat.Tx) (bool, error) {
				return claim(tx, "a", t0, t0.Add(time.Minute))
			})
			step("advance by b", false, func(tx chat.Tx) (bool, error) { return tx.AdvanceBotDelivery(ctx, org, bot, "b", 5, t0) })
			step("advance by a", true, func(tx chat.Tx) (bool, error) {
				return tx.AdvanceBotDelivery(ctx, org, bot, "a", 5, t0.Add(time.Minute))
			})
			step("advance backwards", true, func(tx chat.Tx) (bool, error) {
				return tx.AdvanceBotDelivery(ctx, org, bot, "a", 3, t0.Add(time.Minute))
			})
			if st := state(); st.Position != 5 || st.LeaseOwner != "a" {
				t.Errorf("after advancing: %+v, want position 5 held by a", st)
			}
			step("claim by b after a's lease ran out", true, func(tx chat.Tx) (bool, error) {
				return claim(tx, "b", t0.Add(2*time.Minute), t0.Add(3*time.Minute))
			})
			step("fail by a, who lost the lease", false, func(tx chat.Tx) (bool, error) { return tx.FailBotDelivery(ctx, org, bot, "a", 1, t0, "x") })
			step("fail by b", true, func(tx chat.Tx) (bool, error) {
				return tx.FailBotDelivery(ctx, org, bot, "b", 3, t0.Add(10*time.Minute), "503 Service Unavailable")
			})
			if st := state(); st.Failures != 3 || !st.RetryAt.Equal(t0.Add(10*time.Minute)) || st.LeaseOwner != "" || st.LastError != "503 Service Unavailable" {
				t.Errorf("after failing: %+v", st)
			}
			step("claim before the retry time", false, func(tx chat.Tx) (bool, error) {
				return claim(tx, "a", t0.Add(time.Minute), t0.Add(2*time.Minute))
			})
			mustUpdate(t, s, func(tx chat.Tx) error { return tx.ResetBotDelivery(ctx, org, bot, t0) })
			step("claim after a reset", true, func(tx chat.Tx) (bool, error) {
				return claim(tx, "a", t0, t0.Add(time.Minute))
			})
			mustUpdate(t, s, func(tx chat.Tx) error { return tx.ReleaseBotDelivery(ctx, org, bot, "a") })
			step("claim by b after a released", true, func(tx chat.Tx) (bool, error) {
				return claim(tx, "b", t0, t0.Add(time.Minute))
			})

			mustUpdate(t, s, func(tx chat.Tx) error { return tx.AckBotUpdates(ctx, org, bot, 9, t0) })
			mustUpdate(t, s, func(tx chat.Tx) error { return tx.AckBotUpdates(ctx, org, bot, 7, t0) })
			if st := state(); st.Position != 9 {
				t.Errorf("position after acking 9 then 7 = %d, want 9", st.Position)
			}
			step("skip from a stale position", false, func(tx chat.Tx) (bool, error) { return tx.SkipBotUpdates(ctx, org, bot, 5, 20, t0) })
			step("skip from the position", true, func(tx chat.Tx) (bool, error) { return tx.SkipBotUpdates(ctx, org, bot, 9, 20, t0) })
			if st := state(); st.Position != 20 {
				t.Errorf("position after skipping = %d, want 20", st.Position)
			}
		})
	})
}
