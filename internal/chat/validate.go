package chat

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkLen checks that s has between min and max characters (runes).
func checkLen(field, s string, min, max int) error {
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) {
		return Invalidf(field, "The %s is not valid UTF-8.", field)
	}
	if n < min {
		if min == 1 {
			return Invalidf(field, "The %s must not be empty.", field)
		}
		return Invalidf(field, "The %s must be at least %d characters.", field, min)
	}
	if n > max {
		return Invalidf(field, "The %s must be at most %d characters.", field, max)
	}
	return nil
}

// checkText checks a message body: not blank, at most max characters.
func checkText(field, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return Invalidf(field, "The %s must not be empty.", field)
	}
	return checkLen(field, s, 1, max)
}

// dedupe returns ids without duplicates or zeros, in first-seen order.
func dedupe[T ~int64](ids []T) []T {
	seen := make(map[T]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
