package httpapi_test

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpx"
)

const testIndex = `<!doctype html><html><head><link rel="stylesheet" href="/assets/style.css">
<!-- parley:importmap -->
<script type="module" src="/assets/app.js"></script></head><body></body></html>`

func webServer(t *testing.T, files fstest.MapFS) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	deps := httpapi.Deps{Chat: chattest.New(t).Service}
	if files != nil {
		deps.Web = files
	}
	httpapi.Mount(mux, deps)
	srv := httptest.NewServer(httpx.Middleware(mux, discardLogger(), nil))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestWebClient(t *testing.T) {
	t.Parallel()
	srv := webServer(t, fstest.MapFS{
		"index.html":        {Data: []byte(testIndex)},
		"assets/app.js":     {Data: []byte(`import "./api.js";`)},
		"assets/api.js":     {Data: []byte(`export const x = 1;`)},
		"assets/style.css":  {Data: []byte(`body{}`)},
		"assets/img/p.svg":  {Data: []byte(`<svg/>`)},
		"notes/not-served":  {Data: []byte(`x`)},
		"assets/.gitignore": {Data: []byte(``)},
	})

	res, page := get(t, srv.URL+"/", nil)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Every asset URL carries its version; the import map sends module
	// imports to theirs, and the CSP allows exactly that inline script.
	m := regexp.MustCompile(`<script type="importmap">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(m[1], `"/assets/api.js":"/assets/api.js?v=`) || strings.Contains(m[1], "style.css") {
		t.Fatalf("import map = %v in %s", m, page)
	}
	sum := sha256.Sum256([]byte(m[1]))
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") ||
		!strings.Contains(csp, "connect-src 'self' ws://"+strings.TrimPrefix(srv.URL, "http://")+" wss://") {
		t.Errorf("CSP %q does not allow the import map", csp)
	}
	appURL := regexp.MustCompile(`src="(/assets/app\.js\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	cssURL := regexp.MustCompile(`href="(/assets/style\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(page)
	if appURL == nil || cssURL == nil {
		t.Fatalf("asset URLs are not versioned: %s", page)
	}
	if res.Header.Get("Cache-Control") != "no-cache" || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("page headers: %v", res.Header)
	}
	if r, _ := get(t, srv.URL+"/", map[string]string{"If-None-Match": res.Header.Get("ETag")}); r.StatusCode != 304 {
		t.Errorf("revalidating the page = %d, want 304", r.StatusCode)
	}

	// The client's routes all answer the page.
	for _, p := range []string{"/join/SECRET", "/c/3N1", "/t/some-subject/2N1", "/t/2N1"} {
		if r, body := get(t, srv.URL+p, nil); r.StatusCode != 200 || body != page {
			t.Errorf("GET %s = %d", p, r.StatusCode)
		}
	}

	// A versioned asset is immutable; any other request revalidates.
	r, body := get(t, srv.URL+appURL[1], nil)
	if r.StatusCode != 200 || body != `import "./api.js";` || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		!strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("versioned asset: %d %v %q", r.StatusCode, r.Header, body)
	}
	for _, u := range []string{"/assets/app.js", "/assets/app.js?v=stale"} {
		if r, _ := get(t, srv.URL+u, nil); r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("ETag") == "" {
			t.Errorf("GET %s: %d %v", u, r.StatusCode, r.Header)
		}
	}
	if r, _ := get(t, srv.URL+"/assets/img/p.svg", nil); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
		t.Errorf("nested asset: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}

	// Nothing else is the page: API paths keep their answers, unknown paths
	// are 404s, and only GET and HEAD are served.
	for p, want := range map[string]int{"/assets/missing.js": 404, "/assets/": 404, "/notes/not-served": 404, "/index.html": 404,
		"/v1/nope": 404, "/nope": 404, "/join/": 404, "/c/3N1/extra": 404} {
		if r, body := get(t, srv.URL+p, nil); r.StatusCode != want || strings.Contains(body, "importmap") {
			t.Errorf("GET %s = %d, want %d", p, r.StatusCode, want)
		}
	}
	if r, _ := get(t, srv.URL+"/v1/channels", nil); !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET /v1/channels answers %s", r.Header.Get("Content-Type"))
	}
	res, err := http.Post(srv.URL+"/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST / = %d", res.StatusCode)
	}
	res, err = http.Head(srv.URL + "/c/3N1")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("HEAD /c/3N1 = %d", res.StatusCode)
	}
}

func TestWebClientMissing(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]fstest.MapFS{"nil": nil, "empty": {}} {
		srv := webServer(t, files)
		r, body := get(t, srv.URL+"/", nil)
		if r.StatusCode != 404 || !strings.Contains(body, "without the web client") {
			t.Errorf("%s: GET / = %d %q", name, r.StatusCode, body)
		}
		if r, _ := get(t, srv.URL+"/assets/app.js", nil); r.StatusCode != 404 {
			t.Errorf("%s: GET /assets/app.js = %d", name, r.StatusCode)
		}
	}
	// A page without assets is served; one without the import map marker is
	// a broken build, found at start-up.
	srv := webServer(t, fstest.MapFS{"index.html": {Data: []byte(`<html><!-- parley:importmap --></html>`)}})
	if r, body := get(t, srv.URL+"/", nil); r.StatusCode != 200 || !strings.Contains(body, `<script type="importmap">{"imports":{}}</script>`) {
		t.Errorf("page without assets: %d %q", r.StatusCode, body)
	}
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "parley:importmap") {
			t.Errorf("an index.html without the import map marker: %v", v)
		}
	}()
	httpapi.Mount(http.NewServeMux(), httpapi.Deps{Chat: chattest.New(t).Service, Web: fstest.MapFS{"index.html": {Data: []byte("<html>")}}})
}

// TestWebRoutesNotInSpec checks that the page routes stay out of the API's
// description and never cover an API path.
func TestWebRoutesNotInSpec(t *testing.T) {
	var doc struct {
		Paths map[string]any `yaml:"paths"`
	}
	res, body := get(t, webServer(t, nil).URL+"/v1/openapi.yaml", nil)
	if res.StatusCode != 200 {
		t.Fatal(res.Status)
	}
	if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range httpapi.WebPatterns() {
		path := strings.TrimPrefix(p, "GET ")
		if _, ok := doc.Paths[path]; ok {
			t.Errorf("web route %s is in openapi.yaml", p)
		}
		if strings.HasPrefix(path, "/v1/") || path == "/" {
			t.Errorf("web route %s could cover API paths", p)
		}
	}
}

func TestUserMe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	org, ownerA := e.MustOrg(t)
	bob := e.MustUser(t, org, "bob", chat.LevelMember)
	me := must(t, e.as(t, bob).do("GET", "/v1/users/me", nil), 200).data()
	if str(me["name"]) != "bob" && str(me["username"]) != "bob" {
		t.Errorf("me = %v", me)
	}
	if str(me["id"]) == str(must(t, e.as(t, ownerA).do("GET", "/v1/users/me", nil), 200).data()["id"]) {
		t.Error("two users got the same me")
	}
	if r := must(t, e.as(t, chat.Actor{}).do("GET", "/v1/users/me", nil), 401); r.code() != "unauthenticated" {
		t.Errorf("anonymous me: %s", r.Raw)
	}
	must(t, e.as(t, bob).do("GET", "/v1/users/you", nil), 400)
}
