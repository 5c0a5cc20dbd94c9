package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/nodetest"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// historyChats is how many chats the history thread has: more than two of
// the client's pages, so scrolling up loads twice.
const historyChats = 120

// TestWebClient follows the README in a real browser: start Parley, make an
// org, then two people join by its link in two headless Chromium contexts
// and chat (e2e/node/web-chat.mjs drives them with playwright-core). One of
// them reaches the server through a proxy that the script cuts and restores,
// to prove the socket resumes with its last update_id and loses nothing.
//
// It needs Chromium (Debian's chromium package, or PARLEY_TEST_CHROMIUM) and
// e2e/node's packages; without them it skips, unless
// PARLEY_TEST_REQUIRE_CHROMIUM is set (see nodetest.Chromium).
// Screenshots are kept (the log says where; go test -artifacts puts them in
// the -outputdir).
func TestWebClient(t *testing.T) {
	browser := nodetest.Chromium(t)
	nodetest.Require(t)

	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": t.TempDir()}
	if sqlstoretest.Engine() == "postgres" {
		env["DATABASE_URL"] = sqlstoretest.DSN(t)
	}
	s := mustRun(t, env)

	// The README's steps: an org and its owner with the client secret, the
	// first channel (everyone joins it), and the join link.
	cs := map[string]string{"Client-Secret": s.Secret}
	_, org := call(t, "POST", s.URL+"/auth/organization", cs, "")
	_, owner := call(t, "POST", s.URL+"/auth/secret", cs, fmt.Sprintf(`{"username":"admin","display_name":"Administrator","slug":%q}`, org["id"]))
	token, _ := owner["token"].(string)
	bearer := map[string]string{"Authorization": "Bearer " + token}
	st, ch := call(t, "POST", s.URL+"/v1/channels", bearer, `{"name":"general","description":"Everything and anything","bits":{"chan_member":true,"chan_auto_join":true}}`)
	if st != 200 {
		t.Fatalf("create channel: %d %v", st, ch)
	}
	chID := ch["data"].(map[string]any)["id"].(string)
	_, th := call(t, "POST", s.URL+"/v1/threads", bearer, fmt.Sprintf(`{"text":"history 1","subject":"A long history","xsr_ids":[%q]}`, chID))
	thID := th["thread_id"].(string)
	for i := 2; i <= historyChats; i++ {
		if st, body := call(t, "POST", s.URL+"/v1/chats", bearer, fmt.Sprintf(`{"thread_id":%q,"text":"history %d"}`, thID, i)); st != 200 {
			t.Fatalf("history chat %d: %d %v", i, st, body)
		}
	}
	_, o := call(t, "GET", s.URL+"/v1/org", bearer, "")
	secret, _ := o["data"].(map[string]any)["join_secret"].(string)
	if secret == "" {
		t.Fatalf("the owner does not see the join secret: %v", o)
	}

	// The page, its assets and a client route are served; unknown paths
	// are still 404s.
	for path, want := range map[string]int{"/": 200, "/join/" + secret: 200, "/t/a-long-history/" + thID: 200, "/assets/app.js": 200, "/nope": 404} {
		res, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, res.StatusCode, want)
		}
	}

	proxy := newDropProxy(t, s.URL)
	out := screenshotDir(t)
	stdout := nodetest.Run(t, 3*time.Minute, []string{
		"PARLEY_WEB_URL=" + s.URL,
		"PARLEY_WEB_PROXY_URL=" + proxy.URL,
		"PARLEY_WEB_CONTROL_URL=" + proxy.controlURL,
		"PARLEY_WEB_SECRET=" + secret,
		"PARLEY_WEB_ADMIN_TOKEN=" + token,
		"PARLEY_WEB_HISTORY=/t/a-long-history/" + thID,
		"PARLEY_WEB_HISTORY_CHATS=" + strconv.Itoa(historyChats),
		"PARLEY_WEB_OUT=" + out,
		"PARLEY_CHROMIUM=" + browser,
	}, "web-chat.mjs")
	var res struct {
		Steps       []string `json:"steps"`
		Screenshots []string `json:"screenshots"`
		Search      string   `json:"search"`
	}
	if err := json.Unmarshal(stdout, &res); err != nil {
		t.Fatalf("web-chat.mjs printed %q: %v", stdout, err)
	}
	for _, st := range res.Steps {
		t.Logf("ok: %s", st)
	}
	t.Logf("search box: %s", res.Search)
	t.Logf("screenshots: %s", strings.Join(res.Screenshots, ", "))

	// After the drop, Grace's socket came back with the last update_id it
	// had seen, not from scratch.
	resumed := false
	for _, since := range proxy.sinceAfterDrop() {
		if n, err := strconv.ParseInt(since, 10, 64); err == nil && n > 0 {
			resumed = true
		}
	}
	if !resumed {
		t.Errorf("after the drop no /v1/ws request resumed with since > 0 (got %q)", proxy.sinceAfterDrop())
	}
}

// screenshotDir is where the browser test keeps its screenshots: the test's
// artifact directory under -outputdir with go test -artifacts, otherwise a
// fixed directory in the system's temporary directory (t.TempDir would be
// deleted).
func screenshotDir(t *testing.T) string {
	t.Helper()
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		return t.ArtifactDir()
	}
	dir := filepath.Join(os.TempDir(), "parley-web-e2e", string(sqlstoretest.Engine()))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// dropProxy forwards HTTP and WebSocket traffic to the server and can cut it
// like a network failure: POST <controlURL>/drop closes every connection and
// aborts new ones until POST <controlURL>/restore. It records the since
// parameter of each /v1/ws request made after a drop.
type dropProxy struct {
	URL        string
	controlURL string

	mu      sync.Mutex // guards the fields below
	down    bool
	dropped bool
	conns   map[net.Conn]bool
	since   []string
}

func newDropProxy(t *testing.T, target string) *dropProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{conns: map[net.Conn]bool{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // a dropped connection is the point, not news
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		down, dropped := p.down, p.dropped
		if !down && dropped && r.URL.Path == "/v1/ws" {
			p.since = append(p.since, r.URL.Query().Get("since"))
		}
		p.mu.Unlock()
		if down {
			panic(http.ErrAbortHandler) // the connection closes with no answer
		}
		rp.ServeHTTP(w, r)
	}))
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		p.mu.Lock()
		defer p.mu.Unlock()
		switch s {
		case http.StateNew:
			p.conns[c] = true
		case http.StateClosed:
			delete(p.conns, c)
		}
	}
	srv.Start()
	t.Cleanup(func() {
		p.closeAll()
		srv.Close()
	})
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /drop":
			p.mu.Lock()
			p.down, p.dropped = true, true
			p.mu.Unlock()
			p.closeAll()
		case "POST /restore":
			p.mu.Lock()
			p.down = false
			p.mu.Unlock()
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(control.Close)
	p.URL, p.controlURL = srv.URL, control.URL
	return p
}

// closeAll closes every client connection, hijacked WebSockets included.
func (p *dropProxy) closeAll() {
	p.mu.Lock()
	conns := make([]net.Conn, 0, len(p.conns))
	for c := range p.conns {
		conns = append(conns, c)
	}
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

func (p *dropProxy) sinceAfterDrop() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.since...)
}
