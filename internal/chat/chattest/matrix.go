package chattest

import (
	"fmt"
	"regexp"
	"strings"
)

// LineDiff lists the lines of a and b that differ, each cut to 400
// characters: the change between two snapshots of an org.
func LineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			fmt.Fprintf(&out, "- %.400s\n+ %.400s\n", x, y)
		}
	}
	return out.String()
}

// Leak returns the first of secrets (an org's ids and texts) that body
// holds as a whole word, not inside a longer run of letters and digits, or
// "" for none. Empty secrets are skipped.
func Leak(body string, secrets []string) string {
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if regexp.MustCompile(`(^|[^0-9A-Za-z])` + regexp.QuoteMeta(s) + `([^0-9A-Za-z]|$)`).MatchString(body) {
			return s
		}
	}
	return ""
}
