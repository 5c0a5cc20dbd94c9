package chat_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

// botWorld is a service with its default org, the operator, a bot and a
// person signed up with a nickname.
type botWorld struct {
	*chattest.Env
	org      *chat.Org
	operator chat.Actor
	bot      *chat.User
	botActor chat.Actor
	token    string
	user     chat.Actor
}

func newBotWorld(t *testing.T) *botWorld {
	t.Helper()
	ctx := context.Background()
	w := &botWorld{Env: chattest.New(t)}
	var err error
	if w.org, err = w.EnsureDefaultOrg(ctx); err != nil {
		t.Fatal(err)
	}
	if w.operator, err = w.OperatorActor(chattest.ClientSecret, w.org.ID); err != nil {
		t.Fatal(err)
	}
	if w.bot, w.token, err = w.CreateBot(ctx, w.operator, chat.NewBot{Name: "Echo", Description: "Says it again."}); err != nil {
		t.Fatal(err)
	}
	if w.botActor, err = w.AuthenticateBot(ctx, w.bot.ID, w.token); err != nil {
		t.Fatal(err)
	}
	w.user = w.mustPerson(t, "Ada")
	return w
}

func (w *botWorld) mustPerson(t *testing.T, nick string) chat.Actor {
	t.Helper()
	u, tok, _, err := w.SignUpWithNickname(context.Background(), chat.AnonymousActor(w.org.ID), nick)
	if err != nil {
		t.Fatal(err)
	}
	a, err := w.Authenticate(context.Background(), tok)
	if err != nil || a.UserID != u.ID {
		t.Fatalf("Authenticate = %+v, %v", a, err)
	}
	return a
}

func (w *botWorld) mustChat(t *testing.T, a chat.Actor) *chat.BotChat {
	t.Helper()
	c, err := w.CreateBotChat(context.Background(), a, w.bot.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *botWorld) mustSend(t *testing.T, a chat.Actor, c *chat.BotChat, body string) *chat.Message {
	t.Helper()
	m, err := w.SendBotChatMessage(context.Background(), a, chat.NewBotChatMessage{ChatID: c.ThreadID, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return m.Message
}

func wantCode(t *testing.T, what string, err error, code chat.Code, reason string) {
	t.Helper()
	if chat.ErrorCode(err) != code || reason != "" && chat.ErrorReason(err) != reason {
		t.Fatalf("%s = %v, want %s (%s)", what, err, code, reason)
	}
}

func TestDefaultOrg(t *testing.T) {
	t.Parallel()
	env := chattest.New(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := make([]chat.OrgID, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			org, err := env.EnsureDefaultOrg(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = org.ID
		}()
	}
	wg.Wait()
	if ids[0] == 0 || len(slices.Compact(slices.Clone(ids))) != 1 {
		t.Fatalf("EnsureDefaultOrg gave orgs %v, want one", ids)
	}
	if _, err := env.OperatorActor("wrong", ids[0]); chat.ErrorCode(err) != chat.Unauthenticated {
		t.Errorf("OperatorActor(wrong secret) = %v", err)
	}
}

func TestBotKeys(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()

	t.Run("WrongToken", func(t *testing.T) {
		_, err := w.AuthenticateBot(ctx, w.bot.ID, strings.Repeat("a", chat.BotTokenLen))
		wantCode(t, "AuthenticateBot(wrong token)", err, chat.Unauthenticated, chat.ReasonBotKey)
		_, err = w.AuthenticateBot(ctx, w.bot.ID, "")
		wantCode(t, "AuthenticateBot(no token)", err, chat.Unauthenticated, chat.ReasonBotKey)
	})
	t.Run("BotWithoutKey", func(t *testing.T) {
		// Botyard let a bot id with no stored key through.
		other, err := w.AddUser(ctx, w.operator, chat.NewUser{Name: "keyless", Bot: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.AuthenticateBot(ctx, other.ID, w.token)
		wantCode(t, "AuthenticateBot(bot without key)", err, chat.Unauthenticated, chat.ReasonBotKey)
		_, err = w.AuthenticateBot(ctx, w.user.UserID, w.token)
		wantCode(t, "AuthenticateBot(a person)", err, chat.Unauthenticated, chat.ReasonBotKey)
	})
	t.Run("ShowAndRotate", func(t *testing.T) {
		shown, err := w.BotKey(ctx, w.operator, w.bot.ID)
		if err != nil || shown != w.token {
			t.Fatalf("BotKey = %q, %v; want the issued token", shown, err)
		}
		_, err = w.BotKey(ctx, w.user, w.bot.ID)
		wantCode(t, "BotKey(member)", err, chat.Forbidden, "")
		bot2, tok2, err := w.CreateBot(ctx, w.operator, chat.NewBot{Name: "Second"})
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := w.RotateBotKey(ctx, w.operator, bot2.ID)
		if err != nil || fresh == tok2 {
			t.Fatalf("RotateBotKey = %q, %v", fresh, err)
		}
		_, err = w.AuthenticateBot(ctx, bot2.ID, tok2)
		wantCode(t, "old key after rotation", err, chat.Unauthenticated, chat.ReasonBotKey)
		if _, err := w.AuthenticateBot(ctx, bot2.ID, fresh); err != nil {
			t.Fatalf("new key: %v", err)
		}
		if shown, _ := w.BotKey(ctx, w.operator, bot2.ID); shown != fresh {
			t.Errorf("BotKey after rotation = %q, want %q", shown, fresh)
		}
		if !slices.Contains(w.Events.Types(), chat.EventBotKeyRotated) {
			t.Error("no bot.key_rotated event")
		}
	})
	t.Run("OnlyManagers", func(t *testing.T) {
		_, _, err := w.CreateBot(ctx, w.user, chat.NewBot{Name: "Mine"})
		wantCode(t, "CreateBot(member)", err, chat.Forbidden, "")
		_, _, err = w.CreateBot(ctx, w.botActor, chat.NewBot{Name: "Child"})
		wantCode(t, "CreateBot(bot)", err, chat.Forbidden, "")
		_, _, err = w.CreateBot(ctx, w.operator, chat.NewBot{Name: "no_underscores"})
		wantCode(t, "CreateBot(bad name)", err, chat.Invalid, chat.ReasonBotNameSymbols)
	})
	t.Run("Delete", func(t *testing.T) {
		bot3, tok3, err := w.CreateBot(ctx, w.operator, chat.NewBot{Name: "Doomed"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.DeleteBot(ctx, w.user, bot3.ID); chat.ErrorCode(err) != chat.Forbidden {
			t.Fatalf("DeleteBot(member) = %v", err)
		}
		if err := w.DeleteBot(ctx, w.operator, bot3.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.AuthenticateBot(ctx, bot3.ID, tok3)
		wantCode(t, "key of a deleted bot", err, chat.Unauthenticated, chat.ReasonBotKey)
		_, err = w.Bot(ctx, w.user, bot3.ID)
		wantCode(t, "deleted bot", err, chat.NotFound, "")
		if err := w.DeleteBot(ctx, w.operator, bot3.ID); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("DeleteBot twice = %v", err)
		}
		if err := w.DeleteBot(ctx, w.operator, w.user.UserID); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("DeleteBot(a person) = %v", err)
		}
	})
}

func TestSignUpWithNickname(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	me, err := w.Me(ctx, w.user)
	if err != nil || me.Name != "Ada" || me.Level != chat.LevelMember || me.Bot {
		t.Fatalf("Me = %+v, %v; want Ada, a member (never the org's owner)", me, err)
	}
	again := w.mustPerson(t, "Ada")
	if again.UserID == w.user.UserID {
		t.Error("a second sign-up with the same nickname returned the same user")
	}
	_, _, _, err = w.SignUpWithNickname(ctx, chat.AnonymousActor(w.org.ID), "no")
	wantCode(t, "short nickname", err, chat.Invalid, chat.ReasonNicknameTooShort)
	closed, _ := w.MustOrg(t)
	_, _, _, err = w.SignUpWithNickname(ctx, chat.AnonymousActor(closed.ID), "Grace")
	wantCode(t, "sign-up in a closed org", err, chat.Forbidden, chat.ReasonSignUpClosed)
	_, _, _, err = w.SignUpWithNickname(ctx, w.user, "Grace")
	wantCode(t, "sign-up while signed in", err, chat.Forbidden, chat.ReasonSignUpClosed)

	_, tok, exp, err := w.SignUpWithNickname(ctx, chat.AnonymousActor(w.org.ID), "Grace")
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < 10079*time.Minute || d > 10081*time.Minute {
		t.Errorf("token lives %v, want Botyard's 10080 minutes", d)
	}
	a, renewed, _, err := w.RenewSession(tok)
	if err != nil || a.OrgID != w.org.ID || renewed == "" {
		t.Fatalf("RenewSession = %+v, %q, %v", a, renewed, err)
	}
	if _, _, _, err := w.RenewSession(tok + "x"); chat.ErrorCode(err) != chat.Unauthenticated {
		t.Errorf("RenewSession(forged) = %v", err)
	}
	limits := func(l chat.BotLimits) func() (chat.BotLimits, error) {
		return func() (chat.BotLimits, error) { return l, nil }
	}
	if err := w.ReloadBotLimits(ctx, w.operator, limits(chat.BotLimits{MinNicknameLen: 1, TokenTTL: time.Hour})); err != nil {
		t.Fatal(err)
	}
	_, _, exp, err = w.SignUpWithNickname(ctx, chat.AnonymousActor(w.org.ID), "Z")
	if err != nil || time.Until(exp) > time.Hour {
		t.Errorf("after reloading limits: %v, expiry in %v", err, time.Until(exp))
	}
	loaded := false
	err = w.ReloadBotLimits(ctx, w.user, func() (chat.BotLimits, error) { loaded = true; return chat.BotLimits{}, nil })
	if chat.ErrorCode(err) != chat.Forbidden || loaded {
		t.Errorf("ReloadBotLimits(member) = %v, loaded %v; want forbidden before loading", err, loaded)
	}
	if err := w.ReloadBotLimits(ctx, w.operator, func() (chat.BotLimits, error) { return chat.BotLimits{}, errors.New("bad file") }); err == nil ||
		w.BotLimits().MinNicknameLen != 1 {
		t.Errorf("a failed load: %v, limits %+v", err, w.BotLimits())
	}
}

func TestBotChats(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	grace := w.mustPerson(t, "Grace")
	c := w.mustChat(t, w.user)

	t.Run("AtMostTenPerBot", func(t *testing.T) {
		for range chat.MaxBotChats - 1 {
			w.mustChat(t, w.user)
		}
		_, err := w.CreateBotChat(ctx, w.user, w.bot.ID)
		wantCode(t, "11th chat", err, chat.Invalid, chat.ReasonTooManyChats)
		chats, err := w.BotChats(ctx, w.user, w.bot.ID)
		if err != nil || len(chats) != chat.MaxBotChats {
			t.Fatalf("BotChats = %d, %v", len(chats), err)
		}
		if err := w.DeleteBotChat(ctx, w.user, chats[9].ThreadID); err != nil {
			t.Fatal(err)
		}
		w.mustChat(t, w.user)
		// Another user has chats of its own.
		w.mustChat(t, grace)
	})
	t.Run("NotTheirs", func(t *testing.T) {
		_, err := w.SendBotChatMessage(ctx, grace, chat.NewBotChatMessage{ChatID: c.ThreadID, Body: "hi"})
		wantCode(t, "another user's chat", err, chat.Forbidden, chat.ReasonForeignChat)
		if !strings.Contains(chat.ErrorMessage(err), "current user") {
			t.Errorf("message = %q", chat.ErrorMessage(err))
		}
		bot2, tok2, err := w.CreateBot(ctx, w.operator, chat.NewBot{Name: "Two"})
		if err != nil {
			t.Fatal(err)
		}
		bot2Actor, _ := w.AuthenticateBot(ctx, bot2.ID, tok2)
		_, err = w.BotChatMessages(ctx, bot2Actor, chat.BotMessageQuery{ChatID: c.ThreadID})
		wantCode(t, "another bot's chat", err, chat.Forbidden, chat.ReasonForeignChat)
		if !strings.Contains(chat.ErrorMessage(err), "current bot") {
			t.Errorf("message = %q", chat.ErrorMessage(err))
		}
		// Another org does not see the chat at all.
		_, owner := w.MustOrg(t)
		_, err = w.BotChatMessages(ctx, owner, chat.BotMessageQuery{ChatID: c.ThreadID})
		wantCode(t, "chat of another org", err, chat.NotFound, "")
		_, err = w.CreateBotChat(ctx, owner, w.bot.ID)
		wantCode(t, "bot of another org", err, chat.NotFound, "")
		_, err = w.CreateBotChat(ctx, w.botActor, w.bot.ID)
		wantCode(t, "a bot opening a chat", err, chat.Forbidden, "")
		_, err = w.CreateBotChat(ctx, w.user, grace.UserID)
		wantCode(t, "a chat with a person", err, chat.NotFound, "")
	})
	t.Run("BotSeesItsChatsWithAUser", func(t *testing.T) {
		chats, err := w.BotChats(ctx, w.botActor, grace.UserID)
		if err != nil || len(chats) != 1 || chats[0].UserID != grace.UserID || chats[0].BotID != w.bot.ID {
			t.Fatalf("BotChats(bot, grace) = %+v, %v", chats, err)
		}
		if none, err := w.BotChats(ctx, w.botActor, 987654); err != nil || len(none) != 0 {
			t.Errorf("BotChats(bot, unknown) = %v, %v", none, err)
		}
	})
}

func TestBotChatMessages(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	c := w.mustChat(t, w.user)

	empty := w.mustSend(t, w.user, c, "")
	if empty.Text != "" {
		t.Errorf("empty body = %q", empty.Text)
	}
	_, err := w.SendBotChatMessage(ctx, w.user, chat.NewBotChatMessage{ChatID: c.ThreadID, Body: strings.Repeat("é", 2049)})
	wantCode(t, "4098-byte body", err, chat.Invalid, chat.ReasonBodyTooLong)
	_, err = w.SendBotChatMessage(ctx, w.user, chat.NewBotChatMessage{ChatID: c.ThreadID, Files: make([]chat.FileID, 11)})
	wantCode(t, "11 attachments", err, chat.Invalid, chat.ReasonTooManyAttachments)
	_, err = w.SendBotChatMessage(ctx, w.user, chat.NewBotChatMessage{Body: "x"})
	wantCode(t, "no chat id", err, chat.Invalid, chat.ReasonChatIDRequired)

	var msgs []*chat.Message
	for i := range 5 {
		msgs = append(msgs, w.mustSend(t, w.user, c, fmt.Sprint("q", i)), w.mustSend(t, w.botActor, c, fmt.Sprint("a", i)))
	}
	for i := 1; i < len(msgs); i++ {
		if !msgs[i].CreatedAt.After(msgs[i-1].CreatedAt) {
			t.Fatalf("message %d was created at %v, not after %v: polling with since would miss it", i, msgs[i].CreatedAt, msgs[i-1].CreatedAt)
		}
	}
	page, err := w.BotChatMessages(ctx, w.user, chat.BotMessageQuery{ChatID: c.ThreadID, Page: 1, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 11 || len(page.Messages) != 3 || page.Messages[0].Message.Text != "a3" || page.Messages[2].Message.Text != "a4" {
		t.Errorf("page 1 = total %d, %v", page.Total, page.Messages)
	}
	// The web client's poll for the bot's answer.
	page, err = w.BotChatMessages(ctx, w.user, chat.BotMessageQuery{ChatID: c.ThreadID, SenderID: w.bot.ID, Since: msgs[8].CreatedAt, Limit: 1})
	if err != nil || page.Total != 1 || page.Messages[0].Message.ID != msgs[9].ID {
		t.Errorf("poll = %+v, %v; want the last answer", page, err)
	}
	page, err = w.BotChatMessages(ctx, w.botActor, chat.BotMessageQuery{ChatID: c.ThreadID, Page: 100})
	if err != nil || len(page.Messages) != 0 || page.Limit != chat.DefaultBotPageLimit {
		t.Errorf("page 100 = %+v, %v", page, err)
	}

	m, err := w.BotChatMessage(ctx, w.botActor, msgs[0].ID)
	if err != nil || m.ID != msgs[0].ID {
		t.Fatalf("BotChatMessage = %v, %v", m, err)
	}
	bot2, tok2, _ := w.CreateBot(ctx, w.operator, chat.NewBot{Name: "Nosy"})
	nosy, _ := w.AuthenticateBot(ctx, bot2.ID, tok2)
	_, err = w.BotChatMessage(ctx, nosy, msgs[0].ID)
	wantCode(t, "a message of another bot's chat", err, chat.NotFound, "")
	if err := w.DeleteBotChat(ctx, w.user, c.ThreadID); err != nil {
		t.Fatal(err)
	}
	_, err = w.BotChatMessages(ctx, w.user, chat.BotMessageQuery{ChatID: c.ThreadID})
	wantCode(t, "a deleted chat", err, chat.NotFound, "")
	_, err = w.BotChatMessage(ctx, w.botActor, msgs[0].ID)
	wantCode(t, "a message of a deleted chat", err, chat.NotFound, "")
}

func TestBotFiles(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	c := w.mustChat(t, w.user)
	up := func(name, ct string, size int) chat.NewUpload {
		return chat.NewUpload{Name: name, ContentType: ct, Size: int64(size), Body: bytes.NewReader(bytes.Repeat([]byte{'x'}, size))}
	}
	_, err := w.UploadBotFiles(ctx, w.user, []chat.NewUpload{up("a.png", "image/png", 10), up("big.png", "image/png", 2097153)})
	wantCode(t, "an image over the limit", err, chat.Invalid, chat.ReasonFileTooLarge)
	if msg := chat.ErrorMessage(err); msg != "Max allowed size for images are 2097152 bytes, but got 2097153." {
		t.Errorf("message = %q", msg)
	}
	_, err = w.UploadBotFiles(ctx, w.user, []chat.NewUpload{up("a.bin", "application/x-parley-unknown", 1)})
	wantCode(t, "an unknown type", err, chat.Invalid, chat.ReasonUnknownContentType)
	_, err = w.UploadBotFiles(ctx, w.user, nil)
	wantCode(t, "no files", err, chat.Invalid, chat.ReasonNoFiles)
	_, err = w.UploadBotFiles(ctx, w.user, make([]chat.NewUpload, 11))
	wantCode(t, "11 files", err, chat.Invalid, chat.ReasonTooManyFiles)
	if n := countType(w.Events.Types(), chat.EventFileUploaded); n != 0 {
		t.Fatalf("failed uploads stored %d files", n)
	}

	files, err := w.UploadBotFiles(ctx, w.user, []chat.NewUpload{up("a.png", "image/png", 10), up("v.mp4", "video/mp4", 3000000)})
	if err != nil {
		t.Fatal(err)
	}
	if countType(w.Events.Types(), chat.EventFileUploaded) != 2 {
		t.Error("want a file.uploaded event per file")
	}
	path := chat.BotFilePath(files[0])
	if !strings.HasPrefix(path, "static/images/") || !strings.HasSuffix(path, ".png") {
		t.Errorf("path = %q", path)
	}
	// The path is a capability: anyone in the org may fetch it.
	f, rc, err := w.OpenBotFile(ctx, chat.AnonymousActor(w.org.ID), path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if f.ID != files[0].ID || len(b) != 10 {
		t.Errorf("OpenBotFile = %+v, %d bytes", f, len(b))
	}
	other, _ := w.MustOrg(t)
	_, _, err = w.OpenBotFile(ctx, chat.AnonymousActor(other.ID), path)
	wantCode(t, "the path in another org", err, chat.NotFound, "")
	_, _, err = w.OpenBotFile(ctx, chat.AnonymousActor(w.org.ID), "static/images/../../etc/passwd")
	wantCode(t, "a path with no token", err, chat.NotFound, "")

	// Unknown and others' files are dropped from a message, as Botyard
	// dropped unknown ids.
	theirs, err := w.UploadBotFiles(ctx, w.botActor, []chat.NewUpload{up("b.png", "image/png", 5)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := w.SendBotChatMessage(ctx, w.user, chat.NewBotChatMessage{ChatID: c.ThreadID, Body: "see",
		Files: []chat.FileID{files[1].ID, 999999, theirs[0].ID, files[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 2 || m.Files[0].ID != files[0].ID || m.Files[1].ID != files[1].ID || len(m.Message.Attachments) != 2 {
		t.Errorf("attachments = %+v", m.Files)
	}
	page, err := w.BotChatMessages(ctx, w.botActor, chat.BotMessageQuery{ChatID: c.ThreadID})
	if err != nil || len(page.Messages) != 1 || len(page.Messages[0].Files) != 2 {
		t.Errorf("page = %+v, %v", page, err)
	}
}

func countType(types []chat.EventType, typ chat.EventType) int {
	n := 0
	for _, t := range types {
		if t == typ {
			n++
		}
	}
	return n
}

func TestBotCommandsAndWebhook(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	err := w.AddBotCommands(ctx, w.botActor, []chat.NewBotCommand{{Alias: "start"}, {Alias: "Bad"}})
	wantCode(t, "a batch with a bad alias", err, chat.Invalid, chat.ReasonAliasSymbols)
	if cmds, _ := w.BotCommands(ctx, w.user, w.bot.ID); len(cmds) != 0 {
		t.Fatalf("a failed batch stored %d commands", len(cmds))
	}
	if err := w.AddBotCommands(ctx, w.botActor, []chat.NewBotCommand{{Alias: "start", Description: "Go."}, {Alias: "help"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddBotCommands(ctx, w.botActor, []chat.NewBotCommand{{Alias: "start", Description: "Go again."}}); err != nil {
		t.Fatal(err)
	}
	cmds, err := w.BotCommands(ctx, w.user, w.bot.ID)
	if err != nil || len(cmds) != 2 || cmds[0].Alias != "start" || cmds[0].Description != "Go again." {
		t.Fatalf("BotCommands = %+v, %v", cmds, err)
	}
	bot2, tok2, _ := w.CreateBot(ctx, w.operator, chat.NewBot{Name: "Two"})
	two, _ := w.AuthenticateBot(ctx, bot2.ID, tok2)
	err = w.RemoveBotCommand(ctx, two, cmds[0].ID)
	wantCode(t, "removing another bot's command", err, chat.Forbidden, chat.ReasonForeignCommand)
	err = w.AddBotCommands(ctx, w.user, []chat.NewBotCommand{{Alias: "x"}})
	wantCode(t, "a person adding commands", err, chat.Forbidden, chat.ReasonNotABot)
	if err := w.RemoveBotCommand(ctx, w.botActor, cmds[0].ID); err != nil {
		t.Fatal(err)
	}
	err = w.RemoveBotCommand(ctx, w.botActor, cmds[0].ID)
	wantCode(t, "removing it twice", err, chat.NotFound, "")
	_, err = w.BotCommands(ctx, w.user, w.user.UserID)
	wantCode(t, "commands of a person", err, chat.NotFound, "")

	_, err = w.BotWebhookOf(ctx, w.botActor)
	wantCode(t, "no webhook yet", err, chat.NotFound, "")
	h1, err := w.SetBotWebhook(ctx, w.botActor, chat.NewBotWebhook{URL: "https://bot.example/hook", Secret: "s3cret"})
	if err != nil || h1.SigningSecret == "" {
		t.Fatalf("SetBotWebhook = %+v, %v", h1, err)
	}
	h2, err := w.SetBotWebhook(ctx, w.botActor, chat.NewBotWebhook{URL: "https://bot.example/hook2"})
	if err != nil || h2.SigningSecret != h1.SigningSecret || h2.Secret != "" {
		t.Fatalf("second SetBotWebhook = %+v, %v; want the same signing secret", h2, err)
	}
	_, err = w.SetBotWebhook(ctx, w.botActor, chat.NewBotWebhook{URL: "ftp://bot.example"})
	wantCode(t, "an ftp webhook", err, chat.Invalid, chat.ReasonInvalidURL)
	if got, err := w.BotWebhookOf(ctx, w.botActor); err != nil || got.URL != "https://bot.example/hook2" {
		t.Errorf("BotWebhookOf = %+v, %v", got, err)
	}
	_, err = w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{})
	wantCode(t, "polling with a webhook", err, chat.Conflict, chat.ReasonWebhookSet)
	for range 2 {
		if err := w.DeleteBotWebhook(ctx, w.botActor); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{}); err != nil {
		t.Errorf("polling after deleting the webhook: %v", err)
	}
	for _, typ := range []chat.EventType{chat.EventBotCommandsChanged, chat.EventBotWebhookChanged, chat.EventUserCreated} {
		if !slices.Contains(w.Events.Types(), typ) {
			t.Errorf("no %s event", typ)
		}
	}
	for _, ev := range w.Events.Events() {
		if ev.Type == chat.EventBotWebhookChanged && !slices.Equal(ev.Topics, []string{chat.TopicUser(w.bot.ID)}) {
			t.Errorf("webhook event goes to %v, want only the bot", ev.Topics)
		}
	}
}

func TestBotUpdatesQueue(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	c := w.mustChat(t, w.user)
	m1 := w.mustSend(t, w.user, c, "one")
	w.mustSend(t, w.botActor, c, "not an update: the bot's own")
	m2 := w.mustSend(t, w.user, c, "two")

	ups, err := w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{})
	if err != nil || len(ups) != 2 || ups[0].Message.ID != m1.ID || ups[1].Message.ID != m2.ID {
		t.Fatalf("BotUpdates = %v, %v; want the user's two messages", ups, err)
	}
	again, _ := w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{})
	if len(again) != 2 {
		t.Fatalf("unacknowledged updates were not returned again: %v", again)
	}
	ups, _ = w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{Offset: again[0].ID + 1, Limit: 5})
	if len(ups) != 1 || ups[0].Message.ID != m2.ID {
		t.Fatalf("after acknowledging the first: %v", ups)
	}
	none, err := w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{Offset: ups[0].ID + 1})
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("after acknowledging both: %v, %v", none, err)
	}
	// An offset beyond the log does not swallow the updates to come.
	if _, err := w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{Offset: 1 << 40}); err != nil {
		t.Fatal(err)
	}
	// A long poll is woken by the next message.
	got := make(chan []*chat.BotUpdate, 1)
	go func() {
		ups, err := w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{Timeout: 20 * time.Second})
		if err != nil {
			t.Error(err)
		}
		got <- ups
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	m3 := w.mustSend(t, w.user, c, "three")
	select {
	case ups := <-got:
		if len(ups) != 1 || ups[0].Message.ID != m3.ID {
			t.Fatalf("long poll = %v", ups)
		}
		t.Logf("long poll answered %v after the send", time.Since(start))
	case <-time.After(15 * time.Second):
		t.Fatal("the long poll was not woken")
	}
	// Other bots and other users' chats are not in this bot's queue.
	bot2, tok2, _ := w.CreateBot(ctx, w.operator, chat.NewBot{Name: "Two"})
	two, _ := w.AuthenticateBot(ctx, bot2.ID, tok2)
	if ups, _ := w.BotUpdates(ctx, two, chat.BotUpdatesQuery{}); len(ups) != 0 {
		t.Errorf("another bot got %v", ups)
	}
	_, err = w.BotUpdates(ctx, w.user, chat.BotUpdatesQuery{})
	wantCode(t, "a person polling", err, chat.Forbidden, chat.ReasonNotABot)
	_, err = w.BotUpdates(ctx, w.botActor, chat.BotUpdatesQuery{Offset: -1})
	wantCode(t, "a negative offset", err, chat.Invalid, "")
}

// fakeSender records deliveries and fails while down is set.
type fakeSender struct {
	mu   sync.Mutex
	down bool
	got  []*chat.WebhookRequest
	errs int
}

func (f *fakeSender) Send(ctx context.Context, req *chat.WebhookRequest) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		f.errs++
		return errors.New("connection refused")
	}
	f.got = append(f.got, req)
	return nil
}

func (f *fakeSender) bodies() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.got {
		out = append(out, string(r.Body))
	}
	return out
}

func TestDeliverWebhook(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	c := w.mustChat(t, w.user)
	hook, err := w.SetBotWebhook(ctx, w.botActor, chat.NewBotWebhook{URL: "http://bot.invalid/hook", Secret: "auth"})
	if err != nil {
		t.Fatal(err)
	}
	sender := &fakeSender{}
	ref := chat.BotRef{OrgID: w.org.ID, BotID: w.bot.ID}
	opt := chat.DeliveryOptions{Node: "n1", Sender: sender, Format: func(u *chat.BotUpdate) ([]byte, error) { return []byte(u.Message.Text), nil },
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 80 * time.Millisecond, Batch: 2}

	if d, err := w.DeliverWebhook(ctx, ref, opt); err != nil || d.Delivered != 0 {
		t.Fatalf("nothing pending: %+v, %v", d, err)
	}
	for _, s := range []string{"a", "b", "c"} {
		w.mustSend(t, w.user, c, s)
	}
	d, err := w.DeliverWebhook(ctx, ref, opt)
	if err != nil || d.Delivered != 2 || !d.More {
		t.Fatalf("first batch: %+v, %v", d, err)
	}
	if d, err = w.DeliverWebhook(ctx, ref, opt); err != nil || d.Delivered != 1 || d.More {
		t.Fatalf("second batch: %+v, %v", d, err)
	}
	if got := sender.bodies(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("delivered %v", got)
	}
	r := sender.got[0]
	if r.Header["Authorization"] != "auth" || r.URL != hook.URL || r.Header[chat.HeaderUpdateID] == "" {
		t.Errorf("request = %+v", r)
	}
	var unix int64
	fmt.Sscan(r.Header[chat.HeaderTimestamp], &unix)
	if want := chat.SignWebhook(hook.SigningSecret, time.Unix(unix, 0), r.Body); r.Header[chat.HeaderSignature] != want {
		t.Errorf("signature %q, want %q", r.Header[chat.HeaderSignature], want)
	}

	// The bot's own replies are events of its chats too: they are read
	// past, even when a whole batch holds nothing else.
	for _, r := range []string{"r1", "r2", "r3"} {
		w.mustSend(t, w.botActor, c, r)
	}
	w.mustSend(t, w.user, c, "after replies")
	if d, err := w.DeliverWebhook(ctx, ref, opt); err != nil || d.Delivered != 1 {
		t.Fatalf("after the bot's replies: %+v, %v", d, err)
	}

	// Down: the failure puts the next attempt off, with growing waits.
	sender.mu.Lock()
	sender.down = true
	sender.mu.Unlock()
	w.mustSend(t, w.user, c, "d")
	var waits []time.Duration
	for range 4 {
		d, err := w.DeliverWebhook(ctx, ref, opt)
		if err != nil || d.Delivered != 0 || d.RetryAt.IsZero() {
			t.Fatalf("while down: %+v, %v", d, err)
		}
		if early, _ := w.DeliverWebhook(ctx, ref, opt); !early.RetryAt.Equal(d.RetryAt) {
			t.Fatalf("a call before the retry time did something: %+v", early)
		}
		waits = append(waits, time.Until(d.RetryAt))
		time.Sleep(time.Until(d.RetryAt) + 5*time.Millisecond)
	}
	if waits[3] > 80*time.Millisecond || waits[0] > waits[2] {
		t.Errorf("waits %v: want growing, at most the 80ms maximum", waits)
	}
	// Back up: the message waiting is delivered, once.
	sender.mu.Lock()
	sender.down = false
	sender.mu.Unlock()
	if d, err := w.DeliverWebhook(ctx, ref, opt); err != nil || d.Delivered != 1 {
		t.Fatalf("back up: %+v, %v", d, err)
	}
	if got := sender.bodies(); !slices.Equal(got, []string{"a", "b", "c", "after replies", "d"}) {
		t.Fatalf("delivered %v", got)
	}
}

func TestDeliverWebhookOneNodeAtATime(t *testing.T) {
	t.Parallel()
	w := newBotWorld(t)
	ctx := context.Background()
	c := w.mustChat(t, w.user)
	if _, err := w.SetBotWebhook(ctx, w.botActor, chat.NewBotWebhook{URL: "http://bot.invalid/hook"}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 30 {
		want = append(want, fmt.Sprint(i))
		w.mustSend(t, w.user, c, fmt.Sprint(i))
	}
	sender := &fakeSender{}
	ref := chat.BotRef{OrgID: w.org.ID, BotID: w.bot.ID}
	var wg sync.WaitGroup
	for n := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opt := chat.DeliveryOptions{Node: fmt.Sprint("node", n), Sender: sender, Batch: 5, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond,
				Format: func(u *chat.BotUpdate) ([]byte, error) { return []byte(u.Message.Text), nil }}
			for len(sender.bodies()) < len(want) {
				d, err := w.DeliverWebhook(ctx, ref, opt)
				if err != nil {
					t.Error(err)
					return
				}
				if !d.RetryAt.IsZero() {
					// Another node holds the lease (a worker would also be
					// woken by the next message).
					time.Sleep(min(time.Until(d.RetryAt), 10*time.Millisecond))
				}
			}
		}()
	}
	wg.Wait()
	if got := sender.bodies(); !slices.Equal(got, want) {
		t.Fatalf("four nodes delivered %v, want each message once, in order", got)
	}
}
