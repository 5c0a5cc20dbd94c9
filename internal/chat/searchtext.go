package chat

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the one definition of how text becomes searchable: the tokens a
// store indexes (IndexTokens) and the terms a query looks for (ParseSearchText).
// Both engines index exactly these tokens, so they find exactly the same
// threads, and the highlighter (highlight.go) marks exactly what was found.
//
// Words of space-separated scripts are lowercased, with fullwidth ASCII folded
// to ASCII; there is no stemming and no stop list. Scripts written without
// spaces (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar) are indexed as
// overlapping bigrams plus the run's last character, so any substring of two
// or more characters is found by ANDing its bigrams, and a single character
// by a prefix match.

// TokenizerVersion changes whenever IndexTokens would tokenize some text
// differently; a store rebuilds its index when the version it built with is
// not this one.
const TokenizerVersion = 1

// Limits on search text.
const (
	// MaxTokenRunes cuts long words; a query word is cut the same way, so a
	// long word still finds itself.
	MaxTokenRunes = 64
	// MaxSearchTerms is how many words a query may have.
	MaxSearchTerms = 16
	// MaxSearchTextLen caps the query text, in characters.
	MaxSearchTextLen = 500
	// minPrefixRunes is how long the last word of a query must be to match
	// as a prefix (search as you type).
	minPrefixRunes = 3
)

// SearchTerm is one word of a query. A thread matches a term when one of its
// documents (subject, summary, tags, or one chat) holds every token of it.
type SearchTerm struct {
	// Text is the normalized word, or the run of a script without spaces.
	Text string
	// Tokens are the index tokens that must all be in one document.
	Tokens []string
	// Prefix: the (single) token matches any index token it begins.
	Prefix bool
	// Segmented: Text is from a script without spaces (matched as a
	// substring by the highlighter).
	Segmented bool
}

// segment is a word or a run of a script without spaces, found in a text.
type segment struct {
	start, end int    // byte offsets in the original text
	norm       []rune // normalized runes
	offs       []int  // byte offset in the text of each rune of norm, and end
	segmented  bool
}

// segmentedScripts are written without spaces between words.
var segmentedScripts = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
	unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar}

// isSegmented reports whether r belongs to a script without spaces. The
// prolonged sound mark and the iteration marks are "Common" in Unicode but
// live inside Japanese words.
func isSegmented(r rune) bool {
	switch r {
	case 0x3005, 0x3006, 0x303B, 0x30FC, 0xFF70:
		return true
	}
	return r >= 0x0E00 && unicode.In(r, segmentedScripts...)
}

// isWordRune reports whether r is part of a word: a letter, a mark or a digit.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsNumber(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me)
}

// fold normalizes one rune: fullwidth ASCII to ASCII, then lower case.
func fold(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E {
		r -= 0xFF01 - 0x21
	}
	return unicode.ToLower(r)
}

// scanText calls fn for each word and each run of a segmented script in
// text, in order.
func scanText(text string, fn func(seg *segment)) {
	var cur *segment
	flush := func(end int) {
		if cur != nil {
			cur.end = end
			cur.offs = append(cur.offs, end)
			fn(cur)
			cur = nil
		}
	}
	for i, r := range text {
		if r == utf8.RuneError {
			flush(i)
			continue
		}
		f := fold(r)
		mark := unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me)
		switch {
		case mark && cur != nil:
			// A combining mark continues whatever it follows.
		case isSegmented(f):
			if cur != nil && !cur.segmented {
				flush(i)
			}
		case isWordRune(f):
			if cur != nil && cur.segmented {
				flush(i)
			}
		default:
			flush(i)
			continue
		}
		if cur == nil {
			cur = &segment{start: i, segmented: isSegmented(f)}
		}
		cur.norm = append(cur.norm, f)
		cur.offs = append(cur.offs, i)
	}
	flush(len(text))
}

// wordToken is the index token of a word: its normalized runes, cut at
// MaxTokenRunes.
func wordToken(norm []rune) string {
	if len(norm) > MaxTokenRunes {
		norm = norm[:MaxTokenRunes]
	}
	return string(norm)
}

// bigrams returns the overlapping pairs of a run (nothing for one rune).
func bigrams(run []rune) []string {
	var out []string
	for i := 0; i+1 < len(run); i++ {
		out = append(out, string(run[i:i+2]))
	}
	return out
}

// IndexTokens returns the distinct tokens a store indexes text under, in
// first-seen order: each word, and for each run of a script without spaces
// its bigrams and its last character.
func IndexTokens(text string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(tok string) {
		if !seen[tok] {
			seen[tok] = true
			out = append(out, tok)
		}
	}
	scanText(text, func(seg *segment) {
		if !seg.segmented {
			add(wordToken(seg.norm))
			return
		}
		for _, b := range bigrams(seg.norm) {
			add(b)
		}
		add(string(seg.norm[len(seg.norm)-1:]))
	})
	return out
}

// ParseSearchText turns a query into terms, without duplicates. A blank
// query and "*" have none (they match every thread). The last word matches
// as a prefix when it has at least three characters and the query does not
// end with a space; a single character of a script without spaces always
// does. Invalid when the query is too long or has too many words.
func ParseSearchText(q string) ([]SearchTerm, error) {
	if !utf8.ValidString(q) {
		return nil, Invalidf("q", "The query is not valid UTF-8.")
	}
	if utf8.RuneCountInString(q) > MaxSearchTextLen {
		return nil, Invalidf("q", "The query must be at most %d characters.", MaxSearchTextLen)
	}
	if t := strings.TrimSpace(q); t == "" || t == "*" {
		return nil, nil
	}
	var terms []SearchTerm
	scanText(q, func(seg *segment) {
		t := SearchTerm{Segmented: seg.segmented}
		switch {
		case !seg.segmented:
			t.Text = wordToken(seg.norm)
			t.Tokens = []string{t.Text}
		case len(seg.norm) == 1:
			t.Text = string(seg.norm)
			t.Tokens, t.Prefix = []string{t.Text}, true
		default:
			t.Text = string(seg.norm)
			t.Tokens = slices.Compact(sortedCopy(bigrams(seg.norm)))
		}
		if !slices.ContainsFunc(terms, func(o SearchTerm) bool { return o.Text == t.Text }) {
			terms = append(terms, t)
		}
	})
	if n := len(terms); n > 0 {
		last := &terms[n-1]
		r, _ := utf8.DecodeLastRuneInString(q)
		if !last.Segmented && utf8.RuneCountInString(last.Text) >= minPrefixRunes && isWordRune(fold(r)) {
			last.Prefix = true
		}
	}
	if len(terms) > MaxSearchTerms {
		return nil, Invalidf("q", "Search for at most %d words.", MaxSearchTerms)
	}
	return terms, nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
