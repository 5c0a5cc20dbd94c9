package convo

import (
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
)

func TestCommentID(t *testing.T) {
	tests := []struct {
		id   chat.MessageID
		want string
	}{
		{1, "000000000000000000000001"},
		{61, "00000000000000000000000z"},
		{62, "000000000000000000000010"},
		{chat.MaxID, "00000000000000" + render62(chat.MaxID, 10)},
	}
	for _, tt := range tests {
		got := commentID(tt.id)
		if got != tt.want || len(got) != commentIDLen {
			t.Errorf("commentID(%d) = %q, want %q", tt.id, got, tt.want)
		}
		back, ok := parseCommentID(got)
		if !ok || back != tt.id {
			t.Errorf("parseCommentID(%q) = %d, %v; want %d", got, back, ok, tt.id)
		}
	}
	for _, bad := range []string{"", "0", "000000000000000000000000", "00000000000000000000000!", "1000000000000000000000001",
		"00000000000001000000000001"[:24], "zzzzzzzzzzzzzzzzzzzzzzzz", "01f71qnhfzt5zdf17k5xk5cz4m", "fJPU8mZiQwVXV6K1xXlw"} {
		if id, ok := parseCommentID(bad); ok {
			t.Errorf("parseCommentID(%q) = %d, want refusal", bad, id)
		}
	}
	// The largest id that fits in ten digits but exceeds 56 bits.
	if _, ok := parseCommentID("00000000000000" + render62(chat.MaxID+1, 10)); ok {
		t.Error("an id above chat.MaxID was accepted")
	}
}

func TestThreadRef(t *testing.T) {
	tests := []struct {
		in   string
		want chat.ThreadRef
	}{
		{"KIGZUnR4RzXDFheXoOwo", chat.ThreadRef{Key: "KIGZUnR4RzXDFheXoOwo"}},
		{"eip155:1/erc721:0xabc/1", chat.ThreadRef{Key: "eip155:1/erc721:0xabc/1"}},
		{" spaced ", chat.ThreadRef{Key: "spaced"}},
		{render62(42, 26), chat.ThreadRef{Key: render62(42, 26), ID: 42}},
		{render62(42, 24), chat.ThreadRef{Key: render62(42, 24)}},
	}
	for _, tt := range tests {
		if got := threadRef(tt.in); got != tt.want {
			t.Errorf("threadRef(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if got := threadID(&chat.Thread{ID: 42}); got != render62(42, 26) {
		t.Errorf("threadID(keyless 42) = %q", got)
	}
	if got := threadID(&chat.Thread{ID: 42, Key: "page"}); got != "page" {
		t.Errorf("threadID(keyed) = %q", got)
	}
}

func TestDecodeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https%3A%2F%2Fgoogle.com%2F", "https://google.com/"},
		{"https://google.com/", "https://google.com/"},
		{"https://a.com/?q=a+b", "https://a.com/?q=a+b"},
		{"https%3A%2F%2Fa.com%2F%3Fx%3D%2520", "https://a.com/?x=%20"},
		{"https://a.com/%zz", "https://a.com/%zz"},
	}
	for _, tt := range tests {
		if got := decodeURL(tt.in); got != tt.want {
			t.Errorf("decodeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestUsageKey(t *testing.T) {
	if got := usageKey("CSabc", "2026-11"); got != "CSabc-usage-1126" {
		t.Errorf("usageKey = %q", got)
	}
}

func TestChainOf(t *testing.T) {
	for in, want := range map[string]string{"0xd8dA6BF26964aF9D7eEd9e03E53415D37aA96045": "ethereum", "convo.testnet": "near"} {
		if got := chainOf(in); got != want {
			t.Errorf("chainOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzIDs(f *testing.F) {
	for _, s := range []string{"000000000000000000000001", render62(chat.MaxID, 26), "zzzzzzzzzzzzzzzzzzzzzzzzzz", "", "0000000000000000000000000!"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, width := range []int{commentIDLen, threadIDLen} {
			v, ok := parse62(s, width)
			if !ok {
				continue
			}
			if v <= 0 || v > chat.MaxID {
				t.Fatalf("parse62(%q) = %d, outside (0, MaxID]", s, v)
			}
			if back := render62(v, width); back != s {
				t.Fatalf("render62(parse62(%q)) = %q: not reversible", s, back)
			}
		}
		if ref := threadRef(s); ref.Key != strings.TrimSpace(s) {
			t.Fatalf("threadRef(%q).Key = %q", s, ref.Key)
		}
	})
}
