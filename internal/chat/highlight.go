package chat

import (
	"html"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Highlight is where a query's terms occur in one field of a thread, in the
// shape Typesense gives: the matched words and a snippet around the first.
type Highlight struct {
	// Field is HighlightSubject, HighlightSummary or HighlightChats.
	Field string
	// MatchedTokens are the matched words as written in the snippet,
	// distinct, in order.
	MatchedTokens []string
	// Snippet is HTML: the text (all of it when short, else a window around
	// the first match), escaped, with each match inside <mark></mark>.
	Snippet string
}

// Highlighted fields.
const (
	HighlightSubject = "subject"
	HighlightSummary = "summary"
	HighlightChats   = "chats"
)

// A text of at most snippetWholeWords words and snippetWholeRunes characters
// is shown whole; a longer one as the first match with snippetAffixWords
// words (at most snippetAffixRunes characters) on each side.
const (
	snippetWholeWords = 30
	snippetWholeRunes = 200
	snippetAffixWords = 4
	snippetAffixRunes = 40
)

type span struct{ start, end int }

// HighlightText marks the occurrences of terms in text the way the index
// matches them: whole words (or words they begin, for a prefix term), and
// substrings for scripts without spaces (each bigram on its own when the
// whole run does not occur). It reports false when nothing matches.
func HighlightText(field, text string, terms []SearchTerm) (Highlight, bool) {
	spans := matchSpans(text, terms)
	if len(spans) == 0 {
		return Highlight{}, false
	}
	lo, hi := snippetWindow(text, spans[0])
	h := Highlight{Field: field, MatchedTokens: []string{}}
	var b strings.Builder
	pos := lo
	for _, sp := range spans {
		if sp.start < lo || sp.end > hi {
			continue
		}
		word := text[sp.start:sp.end]
		b.WriteString(html.EscapeString(text[pos:sp.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(word))
		b.WriteString("</mark>")
		pos = sp.end
		if !slices.Contains(h.MatchedTokens, word) {
			h.MatchedTokens = append(h.MatchedTokens, word)
		}
	}
	b.WriteString(html.EscapeString(text[pos:hi]))
	h.Snippet = b.String()
	return h, true
}

// matchSpans returns the byte spans of text that terms match, sorted, with
// overlapping or touching spans merged.
func matchSpans(text string, terms []SearchTerm) []span {
	var segs []*segment
	scanText(text, func(s *segment) { segs = append(segs, s) })
	var spans []span
	for _, t := range terms {
		if !t.Segmented {
			for _, s := range segs {
				if s.segmented {
					continue
				}
				if tok := wordToken(s.norm); tok == t.Text || t.Prefix && strings.HasPrefix(tok, t.Text) {
					spans = append(spans, span{s.start, s.end})
				}
			}
			continue
		}
		found := occurrences(segs, []rune(t.Text))
		if len(found) == 0 {
			for _, tok := range t.Tokens {
				found = append(found, occurrences(segs, []rune(tok))...)
			}
		}
		spans = append(spans, found...)
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var out []span
	for _, sp := range spans {
		if n := len(out); n > 0 && sp.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// occurrences finds pat in the runs of scripts without spaces.
func occurrences(segs []*segment, pat []rune) []span {
	var out []span
	if len(pat) == 0 {
		return nil
	}
	for _, s := range segs {
		if !s.segmented {
			continue
		}
		for i := 0; i+len(pat) <= len(s.norm); i++ {
			if slices.Equal(s.norm[i:i+len(pat)], pat) {
				out = append(out, span{s.offs[i], s.offs[i+len(pat)]})
			}
		}
	}
	return out
}

// snippetWindow returns the part of text to show around the first match.
func snippetWindow(text string, first span) (lo, hi int) {
	fields := fieldSpans(text)
	if len(fields) <= snippetWholeWords && utf8.RuneCountInString(text) <= snippetWholeRunes {
		return fields[0].start, fields[len(fields)-1].end
	}
	k1 := slices.IndexFunc(fields, func(f span) bool { return first.start < f.end })
	k2 := slices.IndexFunc(fields, func(f span) bool { return first.end <= f.end })
	lo = fields[max(0, k1-snippetAffixWords)].start
	hi = fields[min(len(fields)-1, k2+snippetAffixWords)].end
	if utf8.RuneCountInString(text[lo:first.start]) > snippetAffixRunes {
		lo = first.start
		for range snippetAffixRunes {
			_, n := utf8.DecodeLastRuneInString(text[:lo])
			lo -= n
		}
	}
	if utf8.RuneCountInString(text[first.end:hi]) > snippetAffixRunes {
		hi = first.end
		for range snippetAffixRunes {
			_, n := utf8.DecodeRuneInString(text[hi:])
			hi += n
		}
	}
	return lo, hi
}

// fieldSpans returns the spans of the space-separated fields of text. The
// caller has a match in text, so there is at least one.
func fieldSpans(text string) []span {
	var out []span
	start := -1
	for i, r := range text {
		switch {
		case unicode.IsSpace(r) && start >= 0:
			out = append(out, span{start, i})
			start = -1
		case !unicode.IsSpace(r) && start < 0:
			start = i
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(text)})
	}
	return out
}
