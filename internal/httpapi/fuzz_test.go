package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/files/disk"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpx"
)

// fuzzEnv is the native API over a real service, served in process (no
// network), with an owner's token and a channel, thread and chat to aim at.
type fuzzEnv struct {
	*chattest.Env
	h       http.Handler
	token   string
	dataDir string
	channel string
	thread  string
	chat    string
}

func newFuzzEnv(tb testing.TB) *fuzzEnv {
	tb.Helper()
	dir := tb.TempDir()
	files, err := disk.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	// Uploads go to dir, so that the fuzzers can check nothing lands
	// outside it.
	e := &fuzzEnv{Env: chattest.NewWithFiles(tb, files), dataDir: dir}
	mux := http.NewServeMux()
	httpapi.Mount(mux, httpapi.Deps{Chat: e.Service, Logger: discardLogger(), MaxUploadBytes: 8 << 10})
	e.h = httpx.Middleware(mux, discardLogger(), nil)
	_, owner := e.MustOrg(tb)
	u, err := e.User(context.Background(), owner, owner.UserID)
	if err != nil {
		tb.Fatal(err)
	}
	if e.token, err = e.IssueToken(u); err != nil {
		tb.Fatal(err)
	}
	e.channel = str(e.mustJSON(tb, "POST", "/v1/channels", `{"name":"general","bits":{"chan_anyone":true}}`)["data"].(map[string]any)["id"])
	th := e.mustJSON(tb, "POST", "/v1/threads", `{"text":"a topic","xsr_ids":["`+e.channel+`"]}`)
	e.thread = str(th["thread_id"])
	e.chat = str(e.mustJSON(tb, "POST", "/v1/chats", `{"thread_id":"`+e.thread+`","text":"a chat"}`)["data"].(map[string]any)["id"])
	return e
}

func (e *fuzzEnv) serve(method, path, ctype string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *fuzzEnv) mustJSON(tb testing.TB, method, path, body string) map[string]any {
	tb.Helper()
	rec := e.serve(method, path, "application/json", []byte(body))
	var m map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
		tb.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return m
}

// checkNative fails unless rec is a well-formed native answer: never a 5xx,
// JSON always, and an error envelope with a code and a message on a 4xx.
func checkNative(t *testing.T, what string, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s: %d %s", what, rec.Code, rec.Body)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("%s: %d answer is not a JSON object: %q", what, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		er, _ := m["error"].(map[string]any)
		if m["ok"] != false || str(er["code"]) == "" || str(er["message"]) == "" {
			t.Fatalf("%s: %d error not in the native envelope: %s", what, rec.Code, rec.Body)
		}
	}
	return m
}

// v1BodyRoutes are the native routes that read a JSON body; {thread},
// {chat} and {channel} stand for the env's ids.
var v1BodyRoutes = []string{
	"POST /v1/threads", "PUT /v1/threads", "PUT /v1/threads/{thread}/tags", "PUT /v1/read",
	"POST /v1/chats", "PUT /v1/chats", "POST /v1/reactions", "POST /v1/chats/{chat}/forward",
	"POST /v1/chats/{chat}/vote", "POST /v1/chats/{chat}/report", "POST /v1/scheduled",
	"POST /v1/users", "PUT /v1/users", "POST /v1/channels", "PUT /v1/channels", "PUT /v1/channel-bits",
	"PUT /v1/org", "PUT /v1/join-secret", "POST /create-org", "POST /v1/join",
	"POST /v1/search", "POST /v1/feed", "PUT /v1/feed", "POST /v1/feed/search",
}

// FuzzV1Bodies sends arbitrary JSON bodies to every native route that
// reads one, as an org owner: never a 5xx or a panic, errors in the native
// envelope, and a chat the API accepted reads back with the text it
// answered.
func FuzzV1Bodies(f *testing.F) {
	seeds := []string{
		`{"text":"hello","xsr_ids":["{channel}"]}`,
		`{"thread_id":"{thread}","text":"hi","reply_to":"{chat}","client_msg_id":"c1"}`,
		`{"id":"{chat}","text":"edited"}`,
		`{"chat_id":"{chat}","reaction":"👍"}`,
		`{"thread_ids":["{thread}"],"subject":"s","tags":["a","b"]}`,
		`{"q":"hello","filter_by":"tags:=[a] && created_at:>0","per_page":5}`,
		`{"name":"feed","channel_ids":["{channel}"],"user_ids":[],"dm":true}`,
		`{"name":"c2","bits":{"chan_member":true,"chan_anyone":true}}`,
		`{"thread_id":"{thread}","text":"later","at":4102444800000}`,
		`{"ids":["{thread}"],"chat_id":"{chat}"}`,
		`{"username":"x","display_name":"\u0000\ud800"}`,
		`{"text":1e999}`, `[]`, `null`, `"str"`, `{"a":`, `{}{}`, ``,
		`{"thread_id":"{thread}","text":"` + strings.Repeat("x", 5000) + `"}`,
		`{"xsr_ids":["..","/","%00",""],"text":"t"}`,
		`{"option":-1}`, `{"reason":"spam","detail":"` + strings.Repeat("é", 3000) + `"}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i%len(v1BodyRoutes)), []byte(s))
	}
	e := newFuzzEnv(f)
	fill := strings.NewReplacer("{thread}", e.thread, "{chat}", e.chat, "{channel}", e.channel)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := v1BodyRoutes[int(route)%len(v1BodyRoutes)]
		method, path, _ := strings.Cut(fill.Replace(rt), " ")
		body = []byte(fill.Replace(string(body)))
		rec := e.serve(method, path, "application/json", body)
		m := checkNative(t, rt, rec)
		if rt != "POST /v1/chats" || rec.Code != 200 {
			return
		}
		d, _ := m["data"].(map[string]any)
		id := str(d["id"])
		// By id, not from the thread's newest page: a retry with a known
		// client_msg_id answers with the original chat, which may be old.
		got := checkNative(t, "GET chat", e.serve("GET", "/v1/chats/"+id, "", nil))
		c, _ := got["chat"].(map[string]any)
		if c == nil {
			t.Fatalf("accepted chat %s (%s) cannot be read back", id, rec.Body)
		}
		if c["text"] != d["text"] {
			t.Fatalf("chat %s reads back as %q, accepted as %q", id, c["text"], d["text"])
		}
		if c["thread_id"] != d["thread_id"] {
			t.Fatalf("accepted chat %s (%s) is not in its thread", id, rec.Body)
		}
	})
}

// FuzzV1WSFrames sends arbitrary client frames over a real /v1/ws
// connection: each is answered (an error frame for a bad one) or ignored,
// and the socket stays open and serving.
func FuzzV1WSFrames(f *testing.F) {
	for _, s := range []string{
		`{"path":"/presence","args":{"users":true}}`,
		`{"path":"/typing","args":{"thread_id":"{thread}"}}`,
		`{"path":"/feed","args":{"feed_id":"","thread_ids":["{thread}"]}}`,
		`{"path":"/feed","args":{"feed_id":"1J1ae93"}}`,
		`{"path":"/typing","args":{"thread_id":"zz"}}`,
		`{"path":"","args":null}`, `{"path":"/nope"}`, `{"path":"/presence","args":[1]}`,
		`{"path":"/presence","args":{"users":true},"extra":1}`, `[]`, `{`, ``, "\x00\xff",
	} {
		f.Add(s)
	}
	e := newFuzzEnv(f)
	srv := httptest.NewServer(e.h)
	f.Cleanup(srv.Close)
	ctx := context.Background()
	var conn *websocket.Conn
	f.Cleanup(func() {
		if conn != nil {
			conn.CloseNow()
		}
	})
	// Frames arrive from events too; a marker frame answered with an
	// error tells where the answers to one fuzz input end.
	marker := []byte(`{"path":"/marker"}`)
	fill := strings.NewReplacer("{thread}", e.thread)
	n := 0
	f.Fuzz(func(t *testing.T, frame string) {
		// A socket takes a burst of 40 frames: a fresh one every 15 inputs
		// keeps the fuzzer under its rate limit.
		if n++; conn == nil || n%15 == 0 {
			if conn != nil {
				conn.Close(websocket.StatusNormalClosure, "")
			}
			var err error
			conn, _, err = websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/ws?token="+e.token, nil)
			if err != nil {
				t.Fatal(err)
			}
			conn.SetReadLimit(1 << 20)
		}
		frame = fill.Replace(frame)
		for _, b := range [][]byte{[]byte(frame), marker} {
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			err := conn.Write(wctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				t.Fatalf("write %q: %v", b, err)
			}
		}
		for {
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, b, err := conn.Read(rctx)
			cancel()
			if err != nil {
				t.Fatalf("after %q: %v", frame, err)
			}
			var fr struct {
				Path string          `json:"path"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(b, &fr); err != nil {
				t.Fatalf("server frame %q: %v", b, err)
			}
			if fr.Path != "/error" {
				continue
			}
			var d map[string]string
			if err := json.Unmarshal(fr.Data, &d); err != nil || d["code"] == "" || d["message"] == "" || d["code"] == string(chat.Internal) {
				t.Fatalf("after %q: bad error frame %s", frame, b)
			}
			if d["code"] == string(chat.RateLimited) {
				t.Fatalf("the fuzzer outran the frame rate limit")
			}
			if d["path"] == "/marker" {
				return
			}
		}
	})
}

// FuzzV1Upload sends arbitrary file names, types and contents to
// /v1/upload: never a 5xx, a stored name without a path, bytes only
// under the data directory, and the stored file served back with a
// content type that cannot run script.
func FuzzV1Upload(f *testing.F) {
	for _, s := range []struct{ name, ctype, body string }{
		{"a.txt", "text/plain", "hello"},
		{"../../etc/passwd", "text/plain", "root"},
		{"..\\..\\win.ini", "", "x"},
		{"/abs/path.png", "image/png", "\x89PNG\r\n\x1a\n"},
		{"x.html", "text/html", "<script>alert(1)</script>"},
		{"x.svg", "image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`},
		{"nul\x00.txt", "text/plain", "x"},
		{"..", "", "x"}, {".", "", "x"}, {"", "", "x"}, {"a/", "", "x"},
		{"big.bin", "application/octet-stream", strings.Repeat("z", 9<<10)},
		{"e.txt", "text/plain", ""},
		{"q\"uote.txt", "text/plain; charset=\"", "x"},
		{"\u202egnp.exe", "image/png", "x"},
	} {
		f.Add(s.name, s.ctype, []byte(s.body))
	}
	e := newFuzzEnv(f)
	f.Fuzz(func(t *testing.T, name, ctype string, content []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		pw, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err) // writes to a bytes.Buffer: never
		}
		pw.Write(content)
		mw.Close()
		rec := e.serve("POST", "/v1/upload", mw.FormDataContentType(), b.Bytes())
		m := checkNative(t, fmt.Sprintf("upload %q %q", name, ctype), rec)
		if rec.Code != 200 {
			return
		}
		d := m["data"].(map[string]any)
		if fn := str(d["fname"]); fn == "" || fn == "." || fn == ".." || strings.ContainsAny(fn, "/\\") {
			t.Fatalf("upload %q stored as %q", name, fn)
		}
		checkUnder(t, e.dataDir)
		get := e.serve("GET", "/v1/files/"+str(d["handle"]), "", nil)
		if get.Code != 200 || !bytes.Equal(get.Body.Bytes(), content) {
			t.Fatalf("read back %q: %d, %d bytes of %d", name, get.Code, get.Body.Len(), len(content))
		}
		checkServedSafely(t, get.Result().Header)
	})
}

// checkServedSafely fails unless a served upload is never sniffed and
// never a type a browser runs script in.
func checkServedSafely(t *testing.T, h http.Header) {
	t.Helper()
	ct := strings.ToLower(h.Get("Content-Type"))
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("served without nosniff: %v", h)
	}
	for _, active := range []string{"html", "svg", "xml", "javascript", "ecmascript"} {
		if strings.Contains(ct, active) && !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
			t.Fatalf("served inline as %q", ct)
		}
	}
}

// checkUnder fails if a file under dir is a symlink or dir holds anything
// but regular files and directories (an escaped path would show as a file
// elsewhere; the walk at least proves nothing odd was made inside).
func checkUnder(t *testing.T, dir string) {
	t.Helper()
	parent := filepath.Dir(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	for _, en := range entries {
		if p := filepath.Join(parent, en.Name()); p != dir && !strings.HasPrefix(en.Name(), "0") {
			// t.TempDir makes numbered siblings only.
			t.Fatalf("something was written beside the data directory: %s", p)
		}
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeSymlink != 0 {
			t.Fatalf("symlink in the data directory: %s", p)
		}
		return nil
	})
}
