package allo_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the expected responses in testdata/*.txtar")

// A golden file (testdata/*.txtar) is a conversation with the REST surface:
// sections "-- request N --" (a request line, headers, a blank line, a JSON
// body) each followed by "-- response N --" (the status, then the JSON
// answer). In requests, {{token:NAME}} and {{user:NAME}} stand for the
// fixtures' tokens and user ids, {{id:N}} for the N-th id the conversation
// produced, and {{time:+DURATION}} for a time that far from now. Responses
// are compared with ids and times replaced the same way, so they stay
// stable; go test -update rewrites them.

type section struct {
	name string
	body string
}

func parseTxtar(data string) (comment string, sections []section) {
	lines := strings.SplitAfter(data, "\n")
	var cur *section
	var pre strings.Builder
	for _, l := range lines {
		t := strings.TrimRight(l, "\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			sections = append(sections, section{name: strings.TrimSpace(t[3 : len(t)-3])})
			cur = &sections[len(sections)-1]
			continue
		}
		if cur == nil {
			pre.WriteString(l)
		} else {
			cur.body += l
		}
	}
	return pre.String(), sections
}

func formatTxtar(comment string, sections []section) string {
	var b strings.Builder
	b.WriteString(comment)
	for _, s := range sections {
		fmt.Fprintf(&b, "-- %s --\n%s", s.name, s.body)
		if !strings.HasSuffix(s.body, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var (
	objectIDRE = regexp.MustCompile(`\b5061726c[0-9a-f]{16}\b`)
	isoTimeRE  = regexp.MustCompile(`\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\b`)
	placeRE    = regexp.MustCompile(`\{\{(\w+)(?::([^}]*))?\}\}`)
)

// golden holds one file's fixtures and the ids seen so far.
type golden struct {
	s     *server
	names map[string]string // id -> placeholder
	ids   []string          // {{id:N}} is ids[N-1]
}

func (g *golden) expand(t *testing.T, text string) string {
	return placeRE.ReplaceAllStringFunc(text, func(m string) string {
		p := placeRE.FindStringSubmatch(m)
		switch p[1] {
		case "token":
			return g.s.tokens[p[2]]
		case "user":
			return g.s.oid(p[2])
		case "id":
			n, err := strconv.Atoi(p[2])
			if err != nil || n < 1 || n > len(g.ids) {
				t.Fatalf("%s: no such id yet", m)
			}
			return g.ids[n-1]
		case "time":
			d, err := time.ParseDuration(p[2])
			if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			return time.Now().Add(d).UTC().Format("2006-01-02T15:04:05.000Z")
		}
		t.Fatalf("unknown placeholder %s", m)
		return ""
	})
}

// normalize pretty-prints a JSON answer with its keys sorted and its ids
// and times replaced by placeholders.
func (g *golden) normalize(raw []byte) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	out := objectIDRE.ReplaceAllStringFunc(string(b), func(id string) string {
		if name, ok := g.names[id]; ok {
			return name
		}
		g.ids = append(g.ids, id)
		g.names[id] = fmt.Sprintf("{{id:%d}}", len(g.ids))
		return g.names[id]
	})
	return isoTimeRE.ReplaceAllString(out, "{{time}}")
}

func (g *golden) do(t *testing.T, req string) (int, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(g.expand(t, req), "\n\n")
	lines := strings.Split(strings.TrimSpace(head), "\n")
	method, path, _ := strings.Cut(lines[0], " ")
	r, err := http.NewRequest(method, g.s.URL+path, bytes.NewBufferString(strings.TrimSpace(body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range lines[1:] {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			comment, sections := parseTxtar(string(data))
			g := &golden{s: newServer(t), names: map[string]string{}}
			for name := range g.s.actors {
				g.names[g.s.oid(name)] = "{{user:" + name + "}}"
			}
			changed := false
			for i := 0; i < len(sections); i++ {
				req := sections[i]
				if !strings.HasPrefix(req.name, "request") {
					t.Fatalf("section %q: want a request", req.name)
				}
				if i+1 >= len(sections) || !strings.HasPrefix(sections[i+1].name, "response") {
					t.Fatalf("%s has no response", req.name)
				}
				status, raw := g.do(t, req.body)
				got := fmt.Sprintf("%d\n%s\n", status, g.normalize(raw))
				i++
				if want := sections[i].body; strings.TrimSpace(got) != strings.TrimSpace(want) {
					if *update {
						sections[i].body = got
						changed = true
						continue
					}
					t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s", req.name, strings.SplitN(strings.TrimSpace(req.body), "\n", 2)[0], got, want)
				}
			}
			if changed {
				if err := os.WriteFile(file, []byte(formatTxtar(comment, sections)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
