package chat_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
)

func TestIndexTokens(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"Hello, World! hello", []string{"hello", "world"}},
		{"don't stop-me now", []string{"don", "t", "stop", "me", "now"}},
		{"🎉 party 🎉", []string{"party"}},
		{"ＡＢＣ１２３ abc", []string{"abc123", "abc"}},
		{"café CAFÉ", []string{"café"}},
		{"cafe\u0301", []string{"cafe\u0301"}}, // a combining mark stays in its word
		{"東京タワー", []string{"東京", "京タ", "タワ", "ワー", "ー"}},
		{"我爱北京", []string{"我爱", "爱北", "北京", "京"}},
		{"猫", []string{"猫"}},
		{"iPhone用の充電器", []string{"iphone", "用の", "の充", "充電", "電器", "器"}},
		{"2024年 版", []string{"2024", "年", "版"}},
		{"안녕하세요 세계", []string{"안녕", "녕하", "하세", "세요", "요", "세계", "계"}},
		{"北京 北京", []string{"北京", "京"}},
		{strings.Repeat("x", 100), []string{strings.Repeat("x", chat.MaxTokenRunes)}},
		{"bad \xff byte", []string{"bad", "byte"}},
	}
	for _, tt := range tests {
		got := chat.IndexTokens(tt.text)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("IndexTokens(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestParseSearchText(t *testing.T) {
	tests := []struct {
		q    string
		want []chat.SearchTerm
	}{
		{"", nil},
		{"  * ", nil},
		{"Typesense", []chat.SearchTerm{{Text: "typesense", Tokens: []string{"typesense"}, Prefix: true}}},
		{"typesense ", []chat.SearchTerm{{Text: "typesense", Tokens: []string{"typesense"}}}},
		{"go", []chat.SearchTerm{{Text: "go", Tokens: []string{"go"}}}},
		{"deploy the app", []chat.SearchTerm{{Text: "deploy", Tokens: []string{"deploy"}}, {Text: "the", Tokens: []string{"the"}},
			{Text: "app", Tokens: []string{"app"}, Prefix: true}}},
		{"Foo foo, FOO.", []chat.SearchTerm{{Text: "foo", Tokens: []string{"foo"}}}},
		{"東京", []chat.SearchTerm{{Text: "東京", Tokens: []string{"東京"}, Segmented: true}}},
		{"東京タワー", []chat.SearchTerm{{Text: "東京タワー", Tokens: []string{"タワ", "ワー", "京タ", "東京"}, Segmented: true}}},
		{"京", []chat.SearchTerm{{Text: "京", Tokens: []string{"京"}, Prefix: true, Segmented: true}}},
		{"ok 北京", []chat.SearchTerm{{Text: "ok", Tokens: []string{"ok"}}, {Text: "北京", Tokens: []string{"北京"}, Segmented: true}}},
	}
	for _, tt := range tests {
		got, err := chat.ParseSearchText(tt.q)
		if err != nil {
			t.Errorf("ParseSearchText(%q): %v", tt.q, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseSearchText(%q) (-want +got):\n%s", tt.q, diff)
		}
	}
	var many []string
	for i := range chat.MaxSearchTerms + 1 {
		many = append(many, fmt.Sprintf("w%d", i))
	}
	for _, bad := range []string{strings.Join(many, " "), strings.Repeat("x", chat.MaxSearchTextLen+1), "bad \xff"} {
		if _, err := chat.ParseSearchText(bad); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("ParseSearchText(%.30q) = %v, want invalid", bad, err)
		}
	}
	// Duplicates do not count towards the limit.
	if _, err := chat.ParseSearchText(strings.Repeat("same ", 50)); err != nil {
		t.Errorf("repeated word: %v", err)
	}
}

// TestQueryFindsItsText checks the property search rests on: the tokens of
// any query term taken from a text are among the text's index tokens (a
// prefix term: some index token begins with it).
func TestQueryFindsItsText(t *testing.T) {
	texts := []string{
		"Revolutionizing Communication: Reinventing the Chat Platform",
		"東京タワーに行きました。とても高かったです",
		"我们明天在北京开会，请准时参加",
		"서울에서 만나요 내일",
		"mixed 日本語 text with 中文 and English",
	}
	for _, text := range texts {
		idx := map[string]bool{}
		for _, tok := range chat.IndexTokens(text) {
			idx[tok] = true
		}
		runes := []rune(text)
		for i := range runes {
			for j := i + 1; j <= len(runes) && j <= i+6; j++ {
				terms, err := chat.ParseSearchText(string(runes[i:j]) + " ")
				if err != nil {
					t.Fatal(err)
				}
				for _, term := range terms {
					if !term.Segmented {
						continue // a piece of a word is not a word
					}
					for k, tok := range term.Tokens {
						found := idx[tok]
						if term.Prefix && k == len(term.Tokens)-1 {
							found = false
							for it := range idx {
								found = found || strings.HasPrefix(it, tok)
							}
						}
						if !found {
							t.Errorf("%q: query %q needs token %q, which is not indexed", text, string(runes[i:j]), tok)
						}
					}
				}
			}
		}
	}
}
