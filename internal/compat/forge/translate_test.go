package forge

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

func TestFormatID(t *testing.T) {
	tests := []struct {
		k    kind
		id   int64
		want string
	}{
		{kindUser, 1, "7061726c-0400-4000-8000-000000000001"},
		{kindChannel, 255, "7061726c-0300-4000-8000-0000000000ff"},
		{kindMessage, 1 << 48, "7061726c-0100-4000-8001-000000000000"},
		{kindChannelRole, chat.MaxID, "7061726c-0a00-4000-80ff-ffffffffffff"},
		{kindRole, 42, "7061726c-0800-4000-8000-00000000002a"},
	}
	for _, tt := range tests {
		got := formatID(tt.k, tt.id)
		if got != tt.want {
			t.Errorf("formatID(%d, %d) = %q, want %q", tt.k, tt.id, got, tt.want)
		}
		u, err := parseUUID(got)
		if err != nil {
			t.Fatalf("parseUUID(%q): %v", got, err)
		}
		if back := idOf(tt.k, u); back != tt.id {
			t.Errorf("idOf(%d, %q) = %d, want %d", tt.k, got, back, tt.id)
		}
		// The version and variant are those of a v4 UUID.
		if got[14] != '4' || !strings.ContainsRune("89ab", rune(got[19])) {
			t.Errorf("formatID(%d, %d) = %q is not laid out as a v4 UUID", tt.k, tt.id, got)
		}
	}
}

func TestIDOf(t *testing.T) {
	user5 := formatID(kindUser, 5)
	tests := []struct {
		name string
		s    string
		k    kind
		want int64
	}{
		{"ours", user5, kindUser, 5},
		{"upper case", strings.ToUpper(user5), kindUser, 5},
		{"simple form", strings.ReplaceAll(user5, "-", ""), kindUser, 5},
		{"braced", "{" + user5 + "}", kindUser, 5},
		{"urn", "urn:uuid:" + user5, kindUser, 5},
		{"another kind", user5, kindChannel, noSuchID},
		{"a random v4 uuid", "c9d5b0e8-4c0a-4db5-991d-1e5f3a6c4d72", kindUser, noSuchID},
		{"nil", "00000000-0000-0000-0000-000000000000", kindUser, noSuchID},
		{"id zero", "7061726c-0400-4000-8000-000000000000", kindUser, noSuchID},
		{"id beyond 56 bits", "7061726c-0400-4000-8100-000000000000", kindUser, noSuchID},
		{"reserved byte set", "7061726c-0401-4000-8000-000000000005", kindUser, noSuchID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseID(tt.k, tt.s)
			if err != nil || got != tt.want {
				t.Errorf("parseID(%d, %q) = %d, %v; want %d", tt.k, tt.s, got, err, tt.want)
			}
		})
	}
}

// TestParseUUIDErrors checks the uuid crate's texts, which ConvoForge sent to
// its clients.
func TestParseUUIDErrors(t *testing.T) {
	const prefix = "invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found "
	tests := []struct {
		in   string
		want string
	}{
		{"", "invalid length: expected length 32 for simple format, found 0"},
		{"abc", "invalid length: expected length 32 for simple format, found 3"},
		{"not-a-uuid", prefix + "`n` at 1"},
		{"c9d5b0e8-4c0a-4db5-991d-1e5f3a6c4d7z", prefix + "`z` at 36"},
		{"c9d5b0e8-4c0a-4db5-991d", "invalid group count: expected 5, found 4"},
		{"c9d5b0e84-c0a-4db5-991d-1e5f3a6c4d72", "invalid group length in group 0: expected 8, found 9"},
		{"c9d5b0e8-4c0a-4db5-991d-1e5f3a6c4d722", "invalid group length in group 4: expected 12, found 13"},
		{"{c9d5b0e8-4c0a-4db5-991d-1e5f3a6c4d7g}", prefix + "`g` at 37"},
		{"c9d5b0e8-4c0a-4db5-991d-1e5f3a6c4dé", prefix + "`é` at 35"},
		{"\xff", "non-UTF8 input"},
	}
	for _, tt := range tests {
		_, err := parseUUID(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("parseUUID(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestTimes(t *testing.T) {
	tests := []struct {
		t           time.Time
		naive, isoT string
	}{
		{time.Date(2024, 8, 5, 13, 25, 55, 0, time.UTC), "2024-08-05 13:25:55", "2024-08-05T13:25:55"},
		{time.Date(2024, 8, 5, 13, 25, 55, 123_000_000, time.UTC), "2024-08-05 13:25:55.123", "2024-08-05T13:25:55.123"},
		{time.Date(2024, 8, 5, 13, 25, 55, 123_456_000, time.UTC), "2024-08-05 13:25:55.123456", "2024-08-05T13:25:55.123456"},
		{time.Date(2024, 8, 5, 13, 25, 55, 1, time.UTC), "2024-08-05 13:25:55.000000001", "2024-08-05T13:25:55.000000001"},
		{time.Date(2024, 8, 5, 15, 25, 55, 0, time.FixedZone("CEST", 7200)), "2024-08-05 13:25:55", "2024-08-05T13:25:55"},
	}
	for _, tt := range tests {
		if got := naiveTime(tt.t); got != tt.naive {
			t.Errorf("naiveTime(%v) = %q, want %q", tt.t, got, tt.naive)
		}
		if got := isoTime(tt.t); got != tt.isoT {
			t.Errorf("isoTime(%v) = %q, want %q", tt.t, got, tt.isoT)
		}
	}
}

func TestPage(t *testing.T) {
	tests := []struct {
		query         string
		offset, limit int
	}{
		{"", 0, 30},
		{"page=2", 30, 30},
		{"page=3&per_page=10", 20, 10},
		{"page=0&per_page=0", 0, 30},
		{"page=-1&per_page=x", 0, 30},
		{"per_page=100000", 0, maxPerPage},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		if offset, limit := page(q); offset != tt.offset || limit != tt.limit {
			t.Errorf("page(%q) = %d, %d; want %d, %d", tt.query, offset, limit, tt.offset, tt.limit)
		}
	}
}

func TestRecipient(t *testing.T) {
	ch := chat.ConversationRef{ChannelID: 7}
	rt, rid := recipient(ch)
	if rt != "CHANNEL" || rid != formatID(kindChannel, 7) {
		t.Errorf("recipient(channel) = %s, %s", rt, rid)
	}
	u, _ := parseUUID(rid)
	if back, ok := conversationRef(rt, u); !ok || back != ch {
		t.Errorf("conversationRef(%s, %s) = %+v, %v", rt, rid, back, ok)
	}
	if _, ok := conversationRef("GROUP", u); ok {
		t.Error("conversationRef accepts GROUP")
	}
	// A channel's UUID names no user.
	if back, _ := conversationRef("USER", u); back.UserID != noSuchID {
		t.Errorf("conversationRef(USER, a channel id) = %+v", back)
	}
	if got := authorRef(chat.ConversationRef{UserID: 9}, 3, 9); got != (chat.ConversationRef{UserID: 3}) {
		t.Errorf("authorRef of the peer's message = %+v, want me", got)
	}
	if got := authorRef(chat.ConversationRef{UserID: 9}, 3, 3); got != (chat.ConversationRef{UserID: 9}) {
		t.Errorf("authorRef of my message = %+v, want the peer", got)
	}
}

// FuzzParseUUID checks that any input parses or fails without panicking, and
// that whatever parses renders back to its canonical form.
func FuzzParseUUID(f *testing.F) {
	for _, s := range []string{formatID(kindUser, 1), "c9d5b0e8-4c0a-4db5-991d-1e5f3a6c4d72", "{" + formatID(kindRole, 9) + "}",
		"urn:uuid:" + formatID(kindFile, 3), strings.Repeat("a", 32), "", "--------", "c9d5b0e8-4c0a-4db5-991d-1e5f3a6c4dé"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := parseUUID(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("parseUUID(%q): empty error", s)
			}
			return
		}
		canon := formatUUID(u)
		again, err := parseUUID(canon)
		if err != nil || again != u {
			t.Fatalf("parseUUID(formatUUID(%q)) = %v, %v", s, again, err)
		}
		if strings.ToLower(s) == s && len(s) == 36 && canon != s {
			t.Fatalf("canonical %q differs from the lowercase input %q", canon, s)
		}
	})
}

// FuzzIDRoundTrip checks that formatID and idOf are inverse for every kind
// and id, and that an id never reads as another kind.
func FuzzIDRoundTrip(f *testing.F) {
	f.Add(byte(kindUser), int64(1))
	f.Add(byte(kindChannelRole), int64(chat.MaxID))
	f.Fuzz(func(t *testing.T, k byte, id int64) {
		if id <= 0 || id > chat.MaxID {
			return
		}
		s := formatID(kind(k), id)
		got, err := parseID(kind(k), s)
		if err != nil || got != id {
			t.Fatalf("parseID(formatID(%d, %d)) = %d, %v", k, id, got, err)
		}
		if other, _ := parseID(kind(k+1), s); other != noSuchID {
			t.Fatalf("%s reads as kind %d id %d", s, k+1, other)
		}
	})
}
