package forge_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/parley-chat/parley/internal/chat/chattest"
)

var update = flag.Bool("update", false, "rewrite the response sections of testdata/*.txtar")

// TestGolden replays every testdata/*.txtar against a fresh server and
// compares each response with the file. A file is a sequence of steps, each
// a section "NN request" and a section "NN response":
//
//	-- 01 request --
//	# what the step shows
//	POST /role/
//	Authorization: Bearer $ADMIN
//	@capture ROLE .id
//
//	{"name":"Administrator", ...}
//	-- 01 response --
//	200
//	{"id":"$ROLE", ...}
//
// A request is a method and path, headers, directives and, after a blank
// line, the body. $NAME is replaced by a captured value ($SECRET is the
// client secret). Directives: "@capture NAME path" keeps a value of the JSON
// response (paths like .id, .[0].id); "@multipart FIELD FILENAME TYPE" sends
// the body as that one file of a multipart form. A response is the status
// and the body, normalized: captured values become $NAME again, the server's
// URL $BASE, and timestamps, tokens and random storage keys placeholders.
// go test -update rewrites the responses.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, file)
		})
	}
}

var (
	timeRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?`)
	jwtRE  = regexp.MustCompile(`eyJ[\w-]+\.[\w-]+\.[\w-]+`)
	keyRE  = regexp.MustCompile(`(o/\d+/)[a-z2-7]{26}`)
	varRE  = regexp.MustCompile(`\$[A-Z][A-Z0-9_]*`)
)

func runGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, chattest.New(t))
	vars := map[string]string{"SECRET": chattest.ClientSecret}
	changed := false
	for i := 0; i < len(ar.Files); i++ {
		req := &ar.Files[i]
		step, ok := strings.CutSuffix(req.Name, " request")
		if !ok {
			t.Fatalf("section %q: want %q", req.Name, "NN request")
		}
		if i+1 >= len(ar.Files) || ar.Files[i+1].Name != step+" response" {
			t.Fatalf("step %s has no response section", step)
		}
		resp := &ar.Files[i+1]
		i++
		got := replay(t, srv, step, string(req.Data), vars)
		if *update {
			if string(resp.Data) != got {
				resp.Data, changed = []byte(got), true
			}
			continue
		}
		if want := string(resp.Data); want != got {
			t.Errorf("step %s of %s:\n--- want\n%s--- got\n%s", step, file, want, got)
		}
	}
	if changed {
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// replay sends one step's request and returns its normalized response.
func replay(t *testing.T, srv *server, step, spec string, vars map[string]string) string {
	t.Helper()
	head, body, _ := strings.Cut(spec, "\n\n")
	var lines []string
	for _, l := range strings.Split(head, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		t.Fatalf("step %s: no request line", step)
	}
	subst := func(s string) string {
		return varRE.ReplaceAllStringFunc(s, func(v string) string {
			val, ok := vars[v[1:]]
			if !ok {
				t.Fatalf("step %s: %s is not captured yet", step, v)
			}
			return val
		})
	}
	method, path, _ := strings.Cut(subst(lines[0]), " ")
	header := http.Header{}
	var captures [][2]string
	var payload io.Reader = strings.NewReader(subst(body))
	for _, l := range lines[1:] {
		switch {
		case strings.HasPrefix(l, "@capture "):
			f := strings.Fields(l)
			captures = append(captures, [2]string{f[1], f[2]})
		case strings.HasPrefix(l, "@multipart "):
			f := strings.Fields(l)
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f[1], f[2]))
			h.Set("Content-Type", f[3])
			part, _ := mw.CreatePart(h)
			part.Write([]byte(body))
			mw.Close()
			payload = &buf
			header.Set("Content-Type", mw.FormDataContentType())
		default:
			k, v, ok := strings.Cut(l, ": ")
			if !ok {
				t.Fatalf("step %s: bad header line %q", step, l)
			}
			header.Add(k, subst(v))
		}
	}
	status, got := srv.send(t, method, path, header, payload)
	for _, c := range captures {
		v, err := jsonPath([]byte(got), c[1])
		if err != nil {
			t.Fatalf("step %s: capture %s %s from %s: %v", step, c[0], c[1], got, err)
		}
		vars[c[0]] = v
	}
	// Tokens first (two issued in the same second are equal), then the
	// captured values, longest first so that none is replaced inside
	// another.
	got = jwtRE.ReplaceAllString(got, "<jwt>")
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		if d := len(vars[b]) - len(vars[a]); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, k := range names {
		if k != "SECRET" && vars[k] != "" {
			got = strings.ReplaceAll(got, vars[k], "$"+k)
		}
	}
	got = strings.ReplaceAll(got, srv.URL, "$BASE")
	got = timeRE.ReplaceAllString(got, "<time>")
	got = keyRE.ReplaceAllString(got, "${1}<random>")
	return strconv.Itoa(status) + "\n" + got + "\n"
}

// jsonPath returns the string at a path such as .id or .[0].id.
func jsonPath(b []byte, path string) (string, error) {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	for _, step := range strings.Split(strings.TrimPrefix(path, "."), ".") {
		if idx, ok := strings.CutPrefix(step, "["); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			list, isList := v.([]any)
			if err != nil || !isList || n >= len(list) {
				return "", fmt.Errorf("no element %s", step)
			}
			v = list[n]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("no field %s", step)
		}
		v = m[step]
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%v is not a string", v)
	}
	return s, nil
}
