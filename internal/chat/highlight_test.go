package chat_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
)

func TestHighlightText(t *testing.T) {
	long := "We have been evaluating many different engines for a while now and we are planning to use Typesense for our multi-tenant SaaS platform " +
		"because it is fast and simple to run and the team likes it a lot more than the others we tried before this year"
	tests := []struct {
		name    string
		text    string
		q       string
		snippet string
		matched []string
	}{
		{"whole short field", "Discussions on Typesense, Collections, and Dynamic Fields", "typesense",
			"Discussions on <mark>Typesense</mark>, Collections, and Dynamic Fields", []string{"Typesense"}},
		{"window in a long field", long, "typesense",
			"are planning to use <mark>Typesense</mark> for our multi-tenant SaaS", []string{"Typesense"}},
		{"HTML escaped around marks", `<b>Typesense</b> & "co"`, "typesense",
			"&lt;b&gt;<mark>Typesense</mark>&lt;/b&gt; &amp; &#34;co&#34;", []string{"Typesense"}},
		{"markup in the word itself is escaped", "x<y", "y", "x&lt;<mark>y</mark>", []string{"y"}},
		{"prefix of the last word", "Typed in Typesense", "types", "Typed in <mark>Typesense</mark>", []string{"Typesense"}},
		{"whole words only", "Typesense typeset", "typeset ", "Typesense <mark>typeset</mark>", []string{"typeset"}},
		{"every term, every occurrence", "alpha beta alpha", "beta alpha ", "<mark>alpha</mark> <mark>beta</mark> <mark>alpha</mark>",
			[]string{"alpha", "beta"}},
		{"case kept as written", "GO go Go", "go", "<mark>GO</mark> <mark>go</mark> <mark>Go</mark>", []string{"GO", "go", "Go"}},
		{"Chinese substring", "我们在东京塔见面吧", "东京", "我们在<mark>东京</mark>塔见面吧", []string{"东京"}},
		{"Japanese substring", "東京タワーに行きました", "タワー", "東京<mark>タワー</mark>に行きました", []string{"タワー"}},
		{"one CJK character", "東京タワー", "京", "東<mark>京</mark>タワー", []string{"京"}},
		{"bigrams when the run is not there", "東京と京都", "東京都", "<mark>東京</mark>と<mark>京都</mark>", []string{"東京", "京都"}},
		{"mixed scripts", "iPhone用の充電器", "iphone 充電", "<mark>iPhone</mark>用の<mark>充電</mark>器", []string{"iPhone", "充電"}},
		{"fullwidth", "ＡＢＣ fits", "abc", "<mark>ＡＢＣ</mark> fits", []string{"ＡＢＣ"}},
		{"long CJK run is cut by characters", strings.Repeat("あ", 100) + "東京" + strings.Repeat("い", 100), "東京",
			strings.Repeat("あ", 40) + "<mark>東京</mark>" + strings.Repeat("い", 40), []string{"東京"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			terms, err := chat.ParseSearchText(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			h, ok := chat.HighlightText(chat.HighlightChats, tt.text, terms)
			if !ok {
				t.Fatalf("HighlightText(%q, %q) found nothing", tt.text, tt.q)
			}
			if h.Snippet != tt.snippet {
				t.Errorf("snippet = %q\n          want %q", h.Snippet, tt.snippet)
			}
			if diff := cmp.Diff(tt.matched, h.MatchedTokens); diff != "" {
				t.Errorf("matched tokens (-want +got):\n%s", diff)
			}
			if h.Field != chat.HighlightChats {
				t.Errorf("field = %q", h.Field)
			}
		})
	}
	for _, miss := range []struct{ text, q string }{{"nothing here", "typesense"}, {"Typesense", "type "}, {"", "x"}, {"東京", "京都"}} {
		terms, _ := chat.ParseSearchText(miss.q)
		if h, ok := chat.HighlightText(chat.HighlightSubject, miss.text, terms); ok {
			t.Errorf("HighlightText(%q, %q) = %+v, want no match", miss.text, miss.q, h)
		}
	}
}
