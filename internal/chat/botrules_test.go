package chat

import (
	"strings"
	"testing"
	"time"
)

func botAuthority(id UserID) *authority {
	return &authority{actor: MemberActor(1, id), user: &User{ID: id, OrgID: 1, Level: LevelMember, Bot: true}}
}

func personAuthority(id UserID) *authority {
	return &authority{actor: MemberActor(1, id), user: &User{ID: id, OrgID: 1, Level: LevelMember}}
}

func TestBotChatAccess(t *testing.T) {
	c := &BotChat{ThreadID: 7, OrgID: 1, UserID: 10, BotID: 20}
	tests := []struct {
		name string
		au   *authority
		c    *BotChat
		want chatRelation
	}{
		{"its user", personAuthority(10), c, chatOwn},
		{"its bot", botAuthority(20), c, chatOwn},
		{"another user", personAuthority(11), c, chatForeign},
		{"another bot", botAuthority(21), c, chatForeign},
		{"a bot with the user's id", botAuthority(10), c, chatForeign},
		{"a person with the bot's id", personAuthority(20), c, chatForeign},
		{"anonymous", &authority{actor: AnonymousActor(1)}, c, chatHidden},
		{"operator", &authority{actor: Actor{Kind: Anonymous, OrgID: 1, Operator: true}, perms: PermAdministrator}, c, chatHidden},
		{"the user, in another org", &authority{actor: MemberActor(2, 10), user: &User{ID: 10, OrgID: 2}}, c, chatHidden},
		{"no chat", personAuthority(10), nil, chatHidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := botChatAccess(tt.au, tt.c); got != tt.want {
				t.Errorf("botChatAccess = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBotPolicies(t *testing.T) {
	operator := &authority{actor: Actor{Kind: Anonymous, OrgID: 1, Operator: true}, perms: PermAdministrator}
	admin := member(LevelAdmin, 0)
	userManager := member(LevelMember, PermManageUsers)
	person := personAuthority(10)
	bot := botAuthority(20)
	anon := &authority{actor: AnonymousActor(1)}
	theBot := &User{ID: 20, OrgID: 1, Bot: true}

	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"operator manages bots", canManageBots(operator), true},
		{"admin manages bots", canManageBots(admin), true},
		{"user manager manages bots", canManageBots(userManager), true},
		{"member does not manage bots", canManageBots(person), false},
		{"bot does not manage bots", canManageBots(bot), false},
		{"anonymous does not manage bots", canManageBots(anon), false},

		{"operator reloads config", canReloadBotConfig(operator), true},
		{"admin does not reload config", canReloadBotConfig(admin), false},

		{"bot acts as bot", actsAsBot(bot), true},
		{"person does not act as bot", actsAsBot(person), false},
		{"anonymous does not act as bot", actsAsBot(anon), false},

		{"person chats with bot", canChatWithBot(person, theBot), true},
		{"bot does not chat with bot", canChatWithBot(bot, &User{ID: 21, OrgID: 1, Bot: true}), false},
		{"person does not chat with person", canChatWithBot(person, &User{ID: 11, OrgID: 1}), false},
		{"person does not chat with deleted bot", canChatWithBot(person, &User{ID: 20, OrgID: 1, Bot: true, Deleted: true}), false},
		{"person does not chat with bot of another org", canChatWithBot(person, &User{ID: 20, OrgID: 2, Bot: true}), false},
		{"anonymous does not chat", canChatWithBot(anon, theBot), false},

		{"visitor signs up in the default org", canSignUpWithNickname(anon, &Org{ID: 1, Slug: DefaultOrgSlug}), true},
		{"visitor signs up in an open org", canSignUpWithNickname(anon, &Org{ID: 1, Slug: "x", OpenJoin: true}), true},
		{"visitor does not sign up in a closed org", canSignUpWithNickname(anon, &Org{ID: 1, Slug: "x"}), false},
		{"visitor does not sign up in another org", canSignUpWithNickname(anon, &Org{ID: 2, Slug: DefaultOrgSlug}), false},
		{"member does not sign up again", canSignUpWithNickname(person, &Org{ID: 1, Slug: DefaultOrgSlug}), false},
		{"no org", canSignUpWithNickname(anon, nil), false},

		{"file path in the org", canOpenFileByPath(anon, &File{OrgID: 1}), true},
		{"file path of another org", canOpenFileByPath(anon, &File{OrgID: 2}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestBotValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name   string
		err    error
		reason string
	}{
		{"bot name", (&NewBot{Name: "Echo bot-2"}).validate(), ""},
		{"empty bot name", (&NewBot{}).validate(), ReasonBotNameEmpty},
		{"long bot name", (&NewBot{Name: long(33)}).validate(), ReasonBotNameTooLong},
		{"32-byte bot name", (&NewBot{Name: long(32)}).validate(), ""},
		{"bot name with symbols", (&NewBot{Name: "echo_bot"}).validate(), ReasonBotNameSymbols},
		{"bot name not in English", (&NewBot{Name: "бот"}).validate(), ReasonBotNameSymbols},
		{"long description", (&NewBot{Name: "a", Description: long(513)}).validate(), ReasonBotDescTooLong},
		{"avatar", (&NewBot{Name: "a", Avatar: "https://example.com/a.png"}).validate(), ""},
		{"avatar not a URL", (&NewBot{Name: "a", Avatar: "example.com/a.png"}).validate(), ReasonInvalidURL},
		{"avatar of another scheme", (&NewBot{Name: "a", Avatar: "ftp://example.com/a.png"}).validate(), ReasonInvalidURL},
		{"avatar without host", (&NewBot{Name: "a", Avatar: "https:///a.png"}).validate(), ReasonInvalidURL},
		{"change nothing", (&BotChange{}).validate(), ""},
		{"change to bad name", (&BotChange{Name: new("a!")}).validate(), ReasonBotNameSymbols},

		{"alias", NewBotCommand{Alias: "start_now-2"}.validate(), ""},
		{"empty alias", NewBotCommand{}.validate(), ReasonAliasEmpty},
		{"long alias", NewBotCommand{Alias: long(33)}.validate(), ReasonAliasTooLong},
		{"upper case alias", NewBotCommand{Alias: "Start"}.validate(), ReasonAliasSymbols},
		{"alias with a slash", NewBotCommand{Alias: "/start"}.validate(), ReasonAliasSymbols},
		{"long command description", NewBotCommand{Alias: "a", Description: long(129)}.validate(), ReasonCommandDescTooLong},

		{"webhook", NewBotWebhook{URL: "http://127.0.0.1:9000/hook", Secret: long(64)}.validate(), ""},
		{"no webhook URL", NewBotWebhook{}.validate(), ReasonWebhookURLEmpty},
		{"long webhook URL", NewBotWebhook{URL: "https://example.com/" + long(120)}.validate(), ReasonWebhookURLTooLong},
		{"webhook URL not a URL", NewBotWebhook{URL: "not a url"}.validate(), ReasonInvalidURL},
		{"long webhook secret", NewBotWebhook{URL: "https://example.com", Secret: long(65)}.validate(), ReasonWebhookSecretLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorReason(tt.err); got != tt.reason || (tt.reason == "") != (tt.err == nil) {
				t.Errorf("validate = %v (reason %q), want reason %q", tt.err, got, tt.reason)
			}
			if tt.err != nil && ErrorCode(tt.err) != Invalid {
				t.Errorf("code = %s, want invalid", ErrorCode(tt.err))
			}
		})
	}
}

func TestCheckNickname(t *testing.T) {
	l := DefaultBotLimits()
	tests := []struct {
		nick   string
		reason string
	}{
		{"Ada", ""},
		{"Ada Lovelace-2", ""},
		{"ab", ReasonNicknameTooShort},
		{strings.Repeat("a", 32), ""},
		{strings.Repeat("a", 33), ReasonNicknameTooLong},
		{"ada_l", ReasonNicknameSymbols},
		{"Zoë", ReasonNicknameSymbols},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := ErrorReason(checkNickname(l, tt.nick)); got != tt.reason {
			t.Errorf("checkNickname(%q) reason = %q, want %q", tt.nick, got, tt.reason)
		}
	}
	l.MinNicknameLen, l.MaxNicknameLen = 1, 4
	if got := ErrorReason(checkNickname(l, "abcde")); got != ReasonNicknameTooLong {
		t.Errorf("with max 4, reason = %q", got)
	}
}

func TestBotLimitsWithDefaults(t *testing.T) {
	got := BotLimits{MaxBodyLen: 10, MinNicknameLen: 50, MaxImageSize: -1}.WithDefaults()
	want := DefaultBotLimits()
	want.MaxBodyLen = 10
	want.MinNicknameLen = want.MaxNicknameLen
	if got != want {
		t.Errorf("WithDefaults = %+v, want %+v", got, want)
	}
	if n := DefaultBotLimits().MaxUploadSize(); n != 26214400 {
		t.Errorf("MaxUploadSize = %d", n)
	}
}

func TestBotTokens(t *testing.T) {
	a := deriveBotToken("secret", 1, 2, "salt")
	if len(a) != BotTokenLen || strings.Trim(a, botKeyAlphabet) != "" {
		t.Fatalf("token %q is not %d characters of the alphabet", a, BotTokenLen)
	}
	if deriveBotToken("secret", 1, 2, "salt") != a {
		t.Error("the token is not deterministic")
	}
	for _, other := range []string{deriveBotToken("secret2", 1, 2, "salt"), deriveBotToken("secret", 3, 2, "salt"),
		deriveBotToken("secret", 1, 3, "salt"), deriveBotToken("secret", 1, 2, "salt2")} {
		if other == a {
			t.Error("a different secret, org, bot or salt gives the same token")
		}
	}
	if hashBotToken(a) == a || len(hashBotToken(a)) != 64 {
		t.Errorf("hash = %q", hashBotToken(a))
	}
}

func TestSignWebhook(t *testing.T) {
	at := time.Unix(1700000000, 0)
	got := SignWebhook("k", at, []byte(`{"id":"x"}`))
	// echo -n '1700000000.{"id":"x"}' | openssl dgst -sha256 -hmac k
	const want = "sha256=9649eb963cb606bebd51c5e04c62d4670c344b56726aeef66b386a4a923cd98d"
	if got != want {
		t.Fatalf("SignWebhook = %q, want %q", got, want)
	}
	if SignWebhook("k", at, []byte(`{"id":"y"}`)) == got || SignWebhook("k2", at, []byte(`{"id":"x"}`)) == got ||
		SignWebhook("k", at.Add(time.Second), []byte(`{"id":"x"}`)) == got {
		t.Error("the signature does not cover the secret, the time and the body")
	}
}

func TestBackoff(t *testing.T) {
	o := DeliveryOptions{MinBackoff: time.Second, MaxBackoff: time.Minute}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}
	for i, w := range want {
		if got := o.Backoff(i + 1); got != w {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := o.Backoff(1000); got != time.Minute {
		t.Errorf("Backoff(1000) = %v", got)
	}
	for range 100 {
		if j := jittered(time.Minute, time.Minute); j < 54*time.Second || j > time.Minute {
			t.Fatalf("jittered(1m) = %v", j)
		}
	}
	var d DeliveryOptions
	d.defaults()
	if d.MinBackoff != time.Second || d.MaxBackoff != time.Minute || d.Lease != 30*time.Second {
		t.Errorf("defaults = %+v", d)
	}
}

func TestUpdateCandidate(t *testing.T) {
	msg := &Message{ID: 1, ThreadID: 7, AuthorID: 10}
	tests := []struct {
		name string
		ev   *Event
		want bool
	}{
		{"user's message in a thread of the bot", &Event{Type: EventMessageCreated, Message: msg, Topics: []string{"t:7", "u:10", "u:20"}}, true},
		{"the bot's own message", &Event{Type: EventMessageCreated, Message: &Message{AuthorID: 20}, Topics: []string{"u:10", "u:20"}}, false},
		{"a thread without the bot", &Event{Type: EventMessageCreated, Message: msg, Topics: []string{"t:7", "u:10", "u:201"}}, false},
		{"an edit", &Event{Type: EventMessageEdited, Message: msg, Topics: []string{"u:20"}}, false},
		{"no message", &Event{Type: EventMessageCreated, Topics: []string{"u:20"}}, false},
	}
	for _, tt := range tests {
		if got := updateCandidate(tt.ev, 20); got != tt.want {
			t.Errorf("%s: updateCandidate = %v, want %v", tt.name, got, tt.want)
		}
	}
	if !wakesWatch(&Event{Type: EventBotWebhookChanged, UserID: 20}, 20) || wakesWatch(&Event{Type: EventBotWebhookChanged, UserID: 21}, 20) {
		t.Error("a webhook change wakes the wrong watches")
	}
	c := &BotChat{ThreadID: 7, UserID: 10, BotID: 20}
	if !isBotUpdate(c, msg, 20) {
		t.Error("the user's message in the bot's chat is not an update")
	}
	if isBotUpdate(c, msg, 21) || isBotUpdate(nil, msg, 20) || isBotUpdate(c, &Message{ThreadID: 7, AuthorID: 11}, 20) ||
		isBotUpdate(c, &Message{ThreadID: 8, AuthorID: 10}, 20) {
		t.Error("a message outside the bot's chat or by someone else is an update")
	}
}

func TestBotFileKind(t *testing.T) {
	tests := []struct {
		ct, folder, ext, reason string
	}{
		{"image/png", "images", ".png", ""},
		{"image/jpeg", "images", ".jpeg", ""},
		{"IMAGE/PNG", "images", ".png", ""},
		{"video/mp4", "videos", ".mp4", ""},
		{"audio/mpeg", "audios", ".mp3", ""},
		// Other types take the first extension the machine's MIME database
		// knows, as Botyard did; "*" accepts any.
		{"application/pdf", "files", ".pdf", ""},
		{"text/html; charset=utf-8", "files", ".html", ""},
		{"application/vnd.oasis.opendocument.text", "files", "*", ""},
		{"application/x-parley-unknown", "", "", ReasonUnknownContentType},
		{"", "", "", ReasonInvalidContentType},
		{"image/", "", "", ReasonInvalidContentType},
	}
	for _, tt := range tests {
		folder, ext, err := botFileKind(tt.ct)
		if tt.ext == "*" && strings.HasPrefix(ext, ".") {
			ext = "*"
		}
		if folder != tt.folder || ext != tt.ext || ErrorReason(err) != tt.reason {
			t.Errorf("botFileKind(%q) = %q, %q, %v; want %q, %q, reason %q", tt.ct, folder, ext, err, tt.folder, tt.ext, tt.reason)
		}
	}
	f := &File{Key: "o/3/abcdefghijklmnopqrstuvwxyz", ContentType: "image/png"}
	if got := BotFilePath(f); got != "static/images/abcdefghijklmnopqrstuvwxyz.png" {
		t.Errorf("BotFilePath = %q", got)
	}
	for name, want := range map[string]string{
		"abcdefghijklmnopqrstuvwxyz.png": "abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwx23": "abcdefghijklmnopqrstuvwx23",
		"static/images/abcdefghijklmnopqrstuvwxyz.png": "abcdefghijklmnopqrstuvwxyz",
		"abcdefghijklmnopqrstuvwxy1.png":               "", "short.png": "", "ABCDEFGHIJKLMNOPQRSTUVWXYZ.png": "", "": "",
	} {
		if got := fileToken(name); got != want {
			t.Errorf("fileToken(%q) = %q, want %q", name, got, want)
		}
	}
}
