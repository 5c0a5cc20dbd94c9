package botyard_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/botyard"
)

var update = flag.Bool("update", false, "rewrite the response sections of testdata/*.txtar")

// TestGolden replays each testdata/*.txtar scenario against a fresh server
// and compares every answer with its "NAME.response" section.
//
// A scenario is a list of "NAME.request" sections, each followed by its
// "NAME.response" (an optional "config.json" section is the config file).
// A request is "METHOD PATH", header lines, a blank line and the body. It
// may use ${CLIENT_SECRET}, ${field} (the last value of that JSON string
// or number field in an earlier answer, such as ${key}; ${step.field} for
// the answer of that step), ${nextOffset} (the offset
// that acknowledges the last update seen) and the names answers give ids
// (<user1>, <chat2>, ...). The session cookie is kept between requests
// like a browser does, unless a request says "Cookie: -".
//
// Answers are normalized so that they are the same on every run and engine:
// ids become names in order of appearance, and timestamps, tokens, secrets
// and file tokens become placeholders.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			config := ""
			for _, f := range ar.Files {
				if f.Name == "config.json" {
					config = string(f.Data)
				}
			}
			g := &golden{ts: newTestServer(t, config), vars: map[string]string{"CLIENT_SECRET": chattest.ClientSecret},
				names: map[string]string{}, ids: map[string]string{}, counts: map[string]int{}}
			for i := 0; i < len(ar.Files); i++ {
				f := ar.Files[i]
				name, ok := strings.CutSuffix(f.Name, ".request")
				if !ok {
					continue
				}
				got := g.do(t, name, string(f.Data))
				if i+1 < len(ar.Files) && ar.Files[i+1].Name == name+".response" {
					i++
					if *update {
						ar.Files[i].Data = []byte(got)
					} else if want := string(ar.Files[i].Data); got != want {
						t.Errorf("%s (-want +got):\n%s", name, cmp.Diff(want, got))
					}
				} else if *update {
					ar.Files = append(ar.Files[:i+1], append([]txtar.File{{Name: name + ".response", Data: []byte(got)}}, ar.Files[i+1:]...)...)
					i++
				} else {
					t.Errorf("%s has no response section", name)
				}
			}
			if *update {
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

type golden struct {
	ts     *testServer
	cookie string
	vars   map[string]string // ${name}
	names  map[string]string // real id -> <kindN>
	ids    map[string]string // <kindN> -> real id
	counts map[string]int
}

var (
	nameRE     = regexp.MustCompile(`<(user|chat|message|file|command)\d+>`)
	varRE      = regexp.MustCompile(`\$\{([\w.-]+)\}`)
	ulidRE     = regexp.MustCompile(`\b0[0-7][0-9a-hjkmnp-tv-z]{24}\b`)
	keyRE      = regexp.MustCompile(`(<user\d+>):[A-Za-z0-9]{26}`)
	stampRE    = regexp.MustCompile(`"timestamp": \d+`)
	signRE     = regexp.MustCompile(`"signingSecret": "[A-Z2-7]{26}"`)
	fileRE     = regexp.MustCompile(`static/(\w+)/[a-z2-7]{26}`)
	cookieRE   = regexp.MustCompile(`^token=[\w.-]+; Path=/; Expires=[^;]+; HttpOnly; SameSite=Lax$`)
	updateIDRE = regexp.MustCompile(`"updateId": \d+`)
)

// do sends one request and returns its normalized answer.
func (g *golden) do(t *testing.T, name, text string) string {
	t.Helper()
	text = varRE.ReplaceAllStringFunc(text, func(m string) string {
		v, ok := g.vars[m[2:len(m)-1]]
		if !ok {
			t.Fatalf("%s: no value for %s yet", name, m)
		}
		return v
	})
	text = nameRE.ReplaceAllStringFunc(text, func(m string) string {
		id, ok := g.ids[m]
		if !ok {
			t.Fatalf("%s: no id is named %s yet", name, m)
		}
		return id
	})
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(strings.TrimSpace(head), "\n")
	method, path, _ := strings.Cut(lines[0], " ")
	req, err := http.NewRequest(method, g.ts.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	sendCookie := true
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		if k == "Cookie" && v == "-" {
			sendCookie = false
			continue
		}
		req.Header.Set(k, v)
	}
	if sendCookie && g.cookie != "" && req.Header.Get("Cookie") == "" {
		req.Header.Set("Cookie", "token="+g.cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out strings.Builder
	fmt.Fprintf(&out, "%d\n", resp.StatusCode)
	for _, c := range resp.Header.Values("Set-Cookie") {
		if !cookieRE.MatchString(c) {
			t.Errorf("%s: Set-Cookie %q", name, c)
		}
		g.cookie = strings.TrimPrefix(strings.Split(c, ";")[0], "token=")
		out.WriteString("Set-Cookie: token=<jwt>; Path=/; Expires=<time>; HttpOnly; SameSite=Lax\n")
	}
	out.WriteString("\n")
	var v any
	if json.Unmarshal(raw, &v) == nil {
		g.capture(name, v)
		canon, _ := json.MarshalIndent(v, "", "  ")
		out.WriteString(g.normalize(string(canon)))
	} else {
		out.WriteString("Content-Type: " + resp.Header.Get("Content-Type") + "\n")
		out.Write(raw)
	}
	out.WriteString("\n")
	return out.String()
}

// capture remembers every string or number field of an answer by its name,
// and by the step's name and its name ("${send.timestamp}").
func (g *golden) capture(step string, v any) {
	switch v := v.(type) {
	case map[string]any:
		if id, ok := v["updateId"].(float64); ok {
			// The offset that acknowledges this update.
			g.vars["nextOffset"] = fmt.Sprint(int64(id) + 1)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch val := v[k].(type) {
			case string:
				g.vars[k], g.vars[step+"."+k] = val, val
			case float64:
				g.vars[k], g.vars[step+"."+k] = fmt.Sprint(int64(val)), fmt.Sprint(int64(val))
			}
			g.capture(step, v[k])
		}
	case []any:
		for _, e := range v {
			g.capture(step, e)
		}
	}
}

func (g *golden) normalize(s string) string {
	s = ulidRE.ReplaceAllStringFunc(s, g.nameOf)
	s = keyRE.ReplaceAllString(s, "$1:<token>")
	s = stampRE.ReplaceAllString(s, `"timestamp": "<ms>"`)
	s = signRE.ReplaceAllString(s, `"signingSecret": "<secret>"`)
	s = fileRE.ReplaceAllString(s, "static/$1/<token>")
	return updateIDRE.ReplaceAllString(s, `"updateId": "<n>"`)
}

// nameOf names an id this server issued by its kind, in order of
// appearance; other strings stay.
func (g *golden) nameOf(id string) string {
	if n, ok := g.names[id]; ok {
		return n
	}
	kind := botyard.KindOfULID(id)
	if kind == "" {
		return id
	}
	g.counts[kind]++
	n := fmt.Sprintf("<%s%d>", kind, g.counts[kind])
	g.names[id], g.ids[n] = n, id
	return n
}
