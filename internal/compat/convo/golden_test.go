package convo_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the response sections of testdata/*.txtar")

// TestGolden replays testdata/*.txtar: each file is a scenario of numbered
// "NN request" sections (method and path, headers, blank line, body) and
// the "NN response" each must get (status, then the body, JSON indented).
// A "setup" section signs wallets in ("signin alice"). Unstable values are
// written as placeholders: ${KEY}, ${ORG}, ${ALICE}, ${ALICE_TOKEN},
// ${C1}… (comment ids in order of appearance), <ms>, <token>, <apikey>.
// go test -run TestGolden -update rewrites the responses.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			runGolden(t, file)
		})
	}
}

var wallets = map[string]byte{"alice": 101, "bob": 102, "carol": 103}

func runGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	vars := map[string]string{"KEY": e.key, "ORG": e.org.Slug}
	ids := 0
	for i := range ar.Files {
		f := &ar.Files[i]
		switch {
		case f.Name == "setup":
			for _, line := range strings.Split(strings.TrimSpace(string(f.Data)), "\n") {
				name, ok := strings.CutPrefix(strings.TrimSpace(line), "signin ")
				if !ok {
					t.Fatalf("setup: unknown step %q", line)
				}
				w := newEthWallet(wallets[name])
				up := strings.ToUpper(name)
				vars[up], vars[up+"_TOKEN"] = w.addr, e.signIn(t, w)
				vars[up+"_SIG"] = w.sign(signInText(w.addr, 1700000000000))
			}
		case strings.HasSuffix(f.Name, " request"):
			step := strings.TrimSuffix(f.Name, " request")
			if i+1 >= len(ar.Files) || ar.Files[i+1].Name != step+" response" {
				t.Fatalf("%s has no response section", f.Name)
			}
			method, path, headers, body := parseRequest(t, expand(string(f.Data), vars))
			var b any
			if body != "" {
				b = body
			}
			res := e.do(t, method, path, b, headers...)
			got := normalize(res, vars, &ids)
			want := &ar.Files[i+1]
			if *update {
				want.Data = []byte(got)
				continue
			}
			if got != string(want.Data) {
				t.Errorf("%s %s: response differs\n--- got\n%s--- want\n%s", step, path, got, want.Data)
			}
		}
	}
	if *update {
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var placeholder = regexp.MustCompile(`\$\{[A-Z0-9_]+\}`)

func expand(s string, vars map[string]string) string {
	s = strings.ReplaceAll(s, "${NOW}", strconv.FormatInt(time.Now().UnixMilli(), 10))
	return placeholder.ReplaceAllStringFunc(s, func(p string) string {
		if v, ok := vars[p[2:len(p)-1]]; ok {
			return v
		}
		return p
	})
}

func parseRequest(t *testing.T, s string) (method, path string, headers []string, body string) {
	head, body, _ := strings.Cut(s, "\n\n")
	lines := strings.Split(strings.TrimSpace(head), "\n")
	method, path, ok := strings.Cut(lines[0], " ")
	if !ok {
		t.Fatalf("request line %q", lines[0])
	}
	for _, h := range lines[1:] {
		k, v, _ := strings.Cut(h, ":")
		headers = append(headers, strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return method, path, headers, strings.TrimSpace(body)
}

var (
	jwtRE    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)
	msRE     = regexp.MustCompile(`"(createdOn|changedOn)": "?\d{13}"?`)
	keyRE    = regexp.MustCompile(`CS[A-Za-z0-9]{38}`)
	commentR = regexp.MustCompile(`"0{12,}[0-9A-Za-z]{1,12}"`)
)

// normalize renders a response with unstable values as placeholders.
func normalize(res response, vars map[string]string, ids *int) string {
	body := res.body
	var v any
	if json.Unmarshal(body, &v) == nil {
		body, _ = json.MarshalIndent(v, "", "  ")
	}
	s := string(body)
	// Longest values first, so that a token is replaced before a name
	// inside it.
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return len(vars[names[i]]) > len(vars[names[j]]) })
	for _, k := range names {
		if vars[k] != "" {
			s = strings.ReplaceAll(s, vars[k], "${"+k+"}")
		}
	}
	s = jwtRE.ReplaceAllString(s, "<token>")
	s = keyRE.ReplaceAllString(s, "<apikey>")
	s = msRE.ReplaceAllStringFunc(s, func(m string) string {
		name := m[1 : strings.Index(m[1:], `"`)+1]
		return `"` + name + `": "<ms>"`
	})
	s = commentR.ReplaceAllStringFunc(s, func(m string) string {
		id := strings.Trim(m, `"`)
		if len(id) != 24 {
			return m
		}
		*ids++
		name := fmt.Sprintf("C%d", *ids)
		vars[name] = id
		return `"${` + name + `}"`
	})
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d\n", res.status)
	if ct := res.header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		fmt.Fprintf(&b, "Content-Type: %s\n", ct)
	}
	b.WriteString(strings.TrimSpace(s))
	b.WriteString("\n")
	return b.String()
}
