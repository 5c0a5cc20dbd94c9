package botyard

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// isULID reports whether s is a valid lowercase ULID: 26 Crockford base32
// characters, the first at most 7 (128 bits).
func isULID(s string) bool {
	if len(s) != 26 || s[0] > '7' {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune(crockford, c) {
			return false
		}
	}
	return true
}

// ulidTimeOf decodes the time part of a ULID, as any ULID library does.
func ulidTimeOf(s string) time.Time {
	var ms int64
	for _, c := range s[:10] {
		ms = ms<<5 | int64(strings.IndexRune(crockford, c))
	}
	return time.UnixMilli(ms).UTC()
}

func TestFormatULID(t *testing.T) {
	tests := []struct {
		kind chat.Kind
		id   int64
		want string
	}{
		{chat.KindUser, 1, "01hc69at000g000000000035s0"},
		{chat.KindThread, 1, "01hc69at000800000000002maf"},
		{chat.KindMessage, 42, "01hc69at00040000000002mwvw"},
		{chat.KindUser, chat.MaxID, "01hc69at000kzzzzzzzzzzz0ga"},
		{kindCommand, 7, "01hc69at00800000000000fmwm"},
	}
	for _, tt := range tests {
		got := formatULID(tt.kind, tt.id)
		if got != tt.want {
			t.Errorf("formatULID(%v, %d) = %q, want %q", tt.kind, tt.id, got, tt.want)
		}
		if !isULID(got) {
			t.Errorf("formatULID(%v, %d) = %q is not a valid ULID", tt.kind, tt.id, got)
		}
		if at := ulidTimeOf(got); !at.Equal(time.Date(2023, 10, 8, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("formatULID(%v, %d) has time %v", tt.kind, tt.id, at)
		}
		k, id, err := parseULID(got)
		if err != nil || k != tt.kind || id != tt.id {
			t.Errorf("parseULID(%q) = %v, %d, %v; want %v, %d", got, k, id, err, tt.kind, tt.id)
		}
		if _, id, err := parseULID(strings.ToUpper(got)); err != nil || id != tt.id {
			t.Errorf("parseULID(upper case %q) = %d, %v", got, id, err)
		}
	}
	if a, b := formatULID(chat.KindMessage, 99), formatULID(chat.KindMessage, 100); a >= b {
		t.Errorf("ids do not sort by value: %q >= %q", a, b)
	}
}

func TestParseULID(t *testing.T) {
	good := formatULID(chat.KindThread, 12345)
	flipped := []byte(good)
	flipped[20] = '0' + (flipped[20]-'0'+1)%10
	tests := []struct {
		name string
		s    string
		want error
	}{
		{"empty", "", errULIDLength},
		{"short", good[:25], errULIDLength},
		{"long", good + "0", errULIDLength},
		{"letter u", good[:25] + "u", errULIDChar},
		{"letter i", "i" + good[1:], errULIDChar},
		{"space", good[:25] + " ", errULIDChar},
		{"over 128 bits", "8" + good[1:], errULIDRange},
		{"Botyard's own id", "01hc76p6ma76qfrs0bfr5x2pry", errULIDOurs},
		{"changed digit", string(flipped), errULIDOurs},
		{"zero id", formatULID(chat.KindUser, 0), errULIDOurs},
		{"id beyond 56 bits", formatULID(chat.KindUser, chat.MaxID+1), errULIDOurs},
		{"negative id", formatULID(chat.KindUser, -5), errULIDOurs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := parseULID(tt.s); !errors.Is(err, tt.want) {
				t.Errorf("parseULID(%q) = %v, want %v", tt.s, err, tt.want)
			}
		})
	}
	if _, err := parseID(chat.KindUser, "bot", good); chat.ErrorCode(err) != chat.Invalid ||
		chat.ErrorMessage(err) != `Invalid bot ID: "`+good+`" is a chat id, not a user id.` {
		t.Errorf("parseID(a chat id as a bot id) = %v", err)
	}
	if _, err := parseID(chat.KindThread, "chat", "nope"); chat.ErrorMessage(err) != `Invalid chat ID: "nope" is not 26 characters long.` {
		t.Errorf("parseID(nope) = %v", err)
	}
}

func TestBotKeyFormat(t *testing.T) {
	key := botKey(5, "abc")
	bot, token, ok := parseBotKey(key)
	if !ok || token != "abc" || bot != userULID(5) {
		t.Errorf("parseBotKey(%q) = %q, %q, %v", key, bot, token, ok)
	}
	if _, _, ok := parseBotKey("no-colon"); ok {
		t.Error("a key without a colon parsed")
	}
}

func FuzzULIDRoundTrip(f *testing.F) {
	f.Add(byte(chat.KindUser), int64(1))
	f.Add(byte(kindCommand), int64(chat.MaxID))
	f.Add(byte(0xff), int64(1<<40))
	f.Fuzz(func(t *testing.T, kind byte, id int64) {
		s := formatULID(chat.Kind(kind), id)
		if !isULID(s) {
			t.Fatalf("formatULID(%d, %d) = %q is not a ULID", kind, id, s)
		}
		k, got, err := parseULID(s)
		if id <= 0 || id > chat.MaxID {
			if err == nil {
				t.Fatalf("parseULID accepted out-of-range id %d", id)
			}
			return
		}
		if err != nil || k != chat.Kind(kind) || got != id {
			t.Fatalf("parseULID(formatULID(%d, %d)) = %d, %d, %v", kind, id, k, got, err)
		}
	})
}

func FuzzParseULID(f *testing.F) {
	f.Add(formatULID(chat.KindThread, 77))
	f.Add("01hc76p6ma76qfrs0bfr5x2pry")
	f.Add("7zzzzzzzzzzzzzzzzzzzzzzzzz")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		k, id, err := parseULID(s)
		if err != nil {
			return
		}
		// Anything accepted is exactly what formatULID makes (in any case).
		if again := formatULID(k, id); again != strings.ToLower(s) {
			t.Fatalf("parseULID(%q) = %d, %d but formatULID gives %q", s, k, id, again)
		}
	})
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{"service":{"name":"Yard","description":"d","avatar":"https://x/a.png","socials":[{"title":"Web","url":"https://x"}]},
		"limits":{"user":{"maxNicknameLength":8,"authTokenLifetime":60},"file":{"maxImageSize":10}},"allo":{"anything":true}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Service.Name != "Yard" || len(c.Service.Socials) != 1 || c.Service.Socials[0].URL != "https://x" {
		t.Errorf("service = %+v", c.Service)
	}
	l := c.ChatLimits()
	want := chat.DefaultBotLimits()
	want.MaxNicknameLen, want.TokenTTL, want.MaxImageSize = 8, time.Hour, 10
	if l != want {
		t.Errorf("limits = %+v, want %+v", l, want)
	}
	if c.Limits.Message.MaxBodyLength != 4096 {
		t.Errorf("defaults are not filled in: %+v", c.Limits)
	}
	c, err = ParseConfig([]byte(`{}`))
	if err != nil || c.Service.Name != DefaultConfig().Service.Name || c.ChatLimits() != chat.DefaultBotLimits() {
		t.Errorf("empty config = %+v, %v", c, err)
	}
	if _, err := ParseConfig([]byte(`{"limits":{"user":{"maxNicknameLength":"eight"}}}`)); err == nil {
		t.Error("a string limit parsed")
	}
	if _, err := ParseConfig([]byte(`{"service":`)); err == nil {
		t.Error("truncated JSON parsed")
	}
	if _, err := LoadConfig("/nonexistent/botyard.json"); err == nil {
		t.Error("a missing file loaded")
	}
	if c, err := LoadConfig(""); err != nil || c.Service.Socials == nil {
		t.Errorf("LoadConfig(\"\") = %+v, %v", c, err)
	}
}
