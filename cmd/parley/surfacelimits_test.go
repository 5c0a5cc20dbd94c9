package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// answer is one HTTP answer of the real program.
type answer struct {
	status int
	header http.Header
	body   string
}

func (a answer) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("%d %q is not a JSON object", a.status, a.body)
	}
	return m
}

func send(t *testing.T, method, url string, header map[string]string, body io.Reader) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

// multipartBody is one file in the field field.
func multipartBody(field, name, ctype string, content []byte) (io.Reader, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+name+`"`)
	h.Set("Content-Type", ctype)
	pw, _ := mw.CreatePart(h)
	pw.Write(content)
	mw.Close()
	return &b, mw.FormDataContentType()
}

// surfaces is a running program with a signed-in user on every surface.
type surfaces struct {
	*server
	root, data string            // the temporary directory and the data directory in it
	bearer     map[string]string // a native/ConvoForge/Allo user (an org owner)
	bearer2    map[string]string // a second user of the org
	botyard    map[string]string // a Botyard client's session cookie
	admin      map[string]string // Botyard's operator
	convoKey   map[string]string
	thread     string // a native thread
	forgeUser  string // the owner's ConvoForge id
	conv       string // an Allo conversation
	botChat    string // a Botyard chat with a bot
}

func startSurfaces(t *testing.T, extra map[string]string) *surfaces {
	t.Helper()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": data}
	if sqlstoretest.Engine() == "postgres" {
		env["DATABASE_URL"] = sqlstoretest.DSN(t)
	}
	for k, v := range extra {
		env[k] = v
	}
	s := &surfaces{server: mustRun(t, env), root: root, data: data}
	cs := map[string]string{"Client-Secret": s.Secret, "Content-Type": "application/json"}
	slug := send(t, "POST", s.URL+"/auth/organization", cs, nil).obj(t)["id"].(string)
	tok := func(name string) map[string]string {
		a := send(t, "POST", s.URL+"/auth/secret", cs, strings.NewReader(`{"username":"`+name+`","display_name":"`+name+`","slug":"`+slug+`"}`))
		return map[string]string{"Authorization": "Bearer " + a.obj(t)["token"].(string), "Content-Type": "application/json"}
	}
	s.bearer, s.bearer2 = tok("ada"), tok("bob")
	// Media on ConvoForge is behind the org's s3 flag.
	flag := map[string]string{"Client-Secret": s.Secret}
	for k, v := range s.bearer {
		flag[k] = v
	}
	if a := send(t, "PUT", s.URL+"/flag/", flag, strings.NewReader(`{"name":"s3","enabled":true}`)); a.status >= 300 {
		t.Fatalf("flag: %d %s", a.status, a.body)
	}
	s.forgeUser = send(t, "GET", s.URL+"/user/current", s.bearer, nil).obj(t)["id"].(string)
	ch := send(t, "POST", s.URL+"/v1/channels", s.bearer, strings.NewReader(`{"name":"general","bits":{"chan_anyone":true}}`)).obj(t)
	chID := ch["data"].(map[string]any)["id"].(string)
	s.thread = send(t, "POST", s.URL+"/v1/threads", s.bearer, strings.NewReader(`{"text":"t","xsr_ids":["`+chID+`"]}`)).obj(t)["thread_id"].(string)
	// Allo's ObjectId and ConvoForge's UUID carry the same 56-bit id.
	bobUUID := strings.ReplaceAll(send(t, "GET", s.URL+"/user/current", s.bearer2, nil).obj(t)["id"].(string), "-", "")
	bobOID := "5061726c04" + bobUUID[18:]
	conv := send(t, "POST", s.URL+"/api/chat/createConversation", s.bearer, strings.NewReader(`{"type":"group","participants":["`+bobOID+`"]}`))
	s.conv, _ = conv.obj(t)["_id"].(string)
	if s.conv == "" {
		t.Fatalf("allo conversation: %d %s", conv.status, conv.body)
	}

	s.admin = map[string]string{"Authorization": s.Secret, "Content-Type": "application/json"}
	bot := send(t, "POST", s.URL+"/v1/admin-api/bot", s.admin, strings.NewReader(`{"name":"Echo"}`)).obj(t)
	login := send(t, "POST", s.URL+"/v1/client-api/user", map[string]string{"Content-Type": "application/json"}, strings.NewReader(`{"nickname":"Ada"}`))
	s.botyard = map[string]string{"Cookie": strings.Split(login.header.Get("Set-Cookie"), ";")[0], "Content-Type": "application/json"}
	s.botChat = send(t, "POST", s.URL+"/v1/client-api/chat", s.botyard, strings.NewReader(`{"botId":"`+bot["bot"].(map[string]any)["id"].(string)+`"}`)).obj(t)["id"].(string)

	key := send(t, "POST", s.URL+"/api/apikey", cs, strings.NewReader(`{"org":"`+slug+`"}`)).obj(t)
	s.convoKey = map[string]string{"X-Api-Key": key["activeKey"].(string), "Content-Type": "application/json"}
	return s
}

// checkFormat fails unless a is an error in the named surface's format.
func checkFormat(t *testing.T, surface string, a answer) {
	t.Helper()
	switch surface {
	case "native":
		m := a.obj(t)
		if er, _ := m["error"].(map[string]any); m["ok"] != false || er["code"] == nil || er["message"] == "" {
			t.Errorf("native error format: %d %s", a.status, a.body)
		}
	case "forge":
		if !strings.HasPrefix(a.header.Get("Content-Type"), "text/plain") || a.body == "" {
			t.Errorf("ConvoForge error format: %d %q %s", a.status, a.header.Get("Content-Type"), a.body)
		}
	case "botyard":
		if m := a.obj(t); len(m) != 1 || m["message"] == "" || m["message"] == nil {
			t.Errorf("Botyard error format: %d %s", a.status, a.body)
		}
	case "convo":
		if m := a.obj(t); m["success"] != false || m["error"] == nil && m["message"] == nil {
			t.Errorf("Convo error format: %d %s", a.status, a.body)
		}
	case "allo":
		if m := a.obj(t); m["message"] == nil || m["code"] == nil {
			t.Errorf("Allo error format: %d %s", a.status, a.body)
		}
	}
}

// TestLimitsEverySurface: on every surface of the real program an
// oversized body is a 413 and an overlong message a 4xx, each in the
// surface's own error format; an upload over the limit is a 413; a file
// name with path tricks never lands outside the data directory; and an
// uploaded HTML or SVG file is never served as something a browser runs.
func TestLimitsEverySurface(t *testing.T) {
	s := startSurfaces(t, map[string]string{"PARLEY_MAX_UPLOAD_BYTES": "65536"})
	u := s.URL
	huge := `{"text":"` + strings.Repeat("x", 3<<20) + `"}`
	long := strings.Repeat("y", 40001)

	t.Run("body", func(t *testing.T) {
		for _, c := range []struct {
			surface, method, path string
			header                map[string]string
		}{
			{"native", "POST", "/v1/chats", s.bearer},
			{"forge", "POST", "/message/", s.bearer},
			{"botyard", "POST", "/v1/client-api/chat/message", s.botyard},
			{"convo", "POST", "/api/comments", s.convoKey},
			{"allo", "POST", "/api/chat/sendMessage", s.bearer},
		} {
			a := send(t, c.method, u+c.path, c.header, strings.NewReader(huge))
			if a.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s %s with a 3 MiB body: %d %.200s, want 413", c.surface, c.path, a.status, a.body)
				continue
			}
			checkFormat(t, c.surface, a)
		}
	})

	t.Run("message", func(t *testing.T) {
		for _, c := range []struct {
			surface, path string
			header        map[string]string
			body          string
		}{
			{"native", "/v1/chats", s.bearer, `{"thread_id":"` + s.thread + `","text":"` + long + `"}`},
			{"forge", "/message/", s.bearer, `{"content":"` + long + `","message_type":"MESSAGE","recipient_type":"USER","reference_id":"` + s.forgeUser + `","media_ids":[]}`},
			{"botyard", "/v1/client-api/chat/message", s.botyard, `{"chatId":"` + s.botChat + `","body":"` + strings.Repeat("z", 4097) + `"}`},
			// Convo's comment length: TestCommentLimits in its package (it
			// needs a signed-in wallet).
			{"allo", "/api/chat/sendMessage", s.bearer, `{"conversationID":"` + s.conv + `","message":"` + long + `"}`},
		} {
			a := send(t, "POST", u+c.path, c.header, strings.NewReader(c.body))
			if a.status != http.StatusBadRequest && a.status != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: overlong message: %d %.300s, want 400 or 413", c.surface, a.status, a.body)
				continue
			}
			checkFormat(t, c.surface, a)
		}
	})

	type upload struct {
		surface, path, field string
		header               map[string]string
	}
	uploads := []upload{
		{"native", "/v1/upload", "file", s.bearer},
		{"forge", "/media/", "file", s.bearer},
		{"botyard", "/v1/client-api/files", "file", s.botyard},
	}
	post := func(up upload, name, ctype string, content []byte) answer {
		body, ct := multipartBody(up.field, name, ctype, content)
		h := map[string]string{"Content-Type": ct}
		for k, v := range up.header {
			if k != "Content-Type" {
				h[k] = v
			}
		}
		return send(t, "POST", u+up.path, h, body)
	}

	t.Run("upload size", func(t *testing.T) {
		// The native API answers 413. ConvoForge and Botyard keep their
		// products' 400 (reference/botyard.md: "Max allowed size for images
		// are N bytes, but got M."; ConvoForge's "A payload reached size
		// limit.").
		big := bytes.Repeat([]byte("b"), 100<<10)
		for _, c := range []struct {
			up     upload
			status int
		}{{uploads[0], http.StatusRequestEntityTooLarge}, {uploads[1], http.StatusBadRequest}} {
			a := post(c.up, "big.bin", "application/octet-stream", big)
			if a.status != c.status {
				t.Errorf("%s: 100 KiB upload over a 64 KiB limit: %d %.200s, want %d", c.up.surface, a.status, a.body, c.status)
				continue
			}
			checkFormat(t, c.up.surface, a)
		}
		// Botyard's limits are per type: an image of 2 MiB + 1 is refused,
		// a plain file of the same size is not.
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0}, 2<<20-7)...)
		a := post(uploads[2], "big.png", "image/png", png)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, "Max allowed size for images") {
			t.Errorf("botyard: image over its limit: %d %.200s", a.status, a.body)
		} else {
			checkFormat(t, "botyard", a)
		}
		if a := post(uploads[2], "big.txt", "text/plain", png); a.status != http.StatusOK && a.status != http.StatusCreated {
			t.Errorf("botyard: a file as large as the refused image: %d %.200s", a.status, a.body)
		}
	})

	t.Run("path tricks and active content", func(t *testing.T) {
		names := []string{"../../../escape.html", `..\..\escape.svg`, "/etc/escape.html", "a/../../escape.svg"}
		contents := map[string]string{
			".html": "<html><script>alert(1)</script></html>",
			".svg":  `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`,
		}
		for _, up := range uploads {
			for _, name := range names {
				ext := filepath.Ext(name)
				ctype := map[string]string{".html": "text/html", ".svg": "image/svg+xml"}[ext]
				a := post(up, name, ctype, []byte(contents[ext]))
				if a.status >= 500 {
					t.Fatalf("%s: upload %q: %d %s", up.surface, name, a.status, a.body)
				}
				if a.status >= 300 {
					checkFormat(t, up.surface, a)
					continue
				}
				url := servedURL(t, up.surface, u, a)
				got := send(t, "GET", url, up.header, nil)
				if got.status != 200 || got.body != contents[ext] {
					t.Errorf("%s: %s: %d %q", up.surface, url, got.status, got.body)
				}
				ct, cd := strings.ToLower(got.header.Get("Content-Type")), got.header.Get("Content-Disposition")
				active := strings.Contains(ct, "html") || strings.Contains(ct, "svg") || strings.Contains(ct, "xml")
				if got.header.Get("X-Content-Type-Options") != "nosniff" || active && !strings.HasPrefix(cd, "attachment") {
					t.Errorf("%s: %q served as %q, %q, nosniff %q", up.surface, name, ct, cd, got.header.Get("X-Content-Type-Options"))
				}
				if strings.Contains(cd, "/") || strings.Contains(cd, `\`) || strings.Contains(cd, "..") {
					t.Errorf("%s: %q served with the path in its name: %q", up.surface, name, cd)
				}
			}
		}
		// Nothing was written beside the data directory, and nothing in it
		// is named after the upload.
		entries, _ := os.ReadDir(s.root)
		for _, e := range entries {
			if e.Name() != "data" {
				t.Errorf("written beside the data directory: %s", e.Name())
			}
		}
		filepath.WalkDir(filepath.Dir(s.root), func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasPrefix(d.Name(), "escape") {
				t.Errorf("an upload landed at %s", p)
			}
			return nil
		})
	})
}

// servedURL is where an upload's answer says its bytes are served.
func servedURL(t *testing.T, surface, base string, a answer) string {
	t.Helper()
	switch surface {
	case "native":
		return a.obj(t)["data"].(map[string]any)["url"].(string)
	case "forge":
		return a.obj(t)["url"].(string)
	case "botyard":
		var files []map[string]any
		if err := json.Unmarshal([]byte(a.body), &files); err != nil || len(files) == 0 {
			t.Fatalf("botyard upload answer %s", a.body)
		}
		return base + "/" + files[0]["path"].(string)
	}
	return ""
}

// TestRateLimitEverySurface: once a client address is over its rate, every
// surface answers 429 with Retry-After, in its own error format.
func TestRateLimitEverySurface(t *testing.T) {
	// 0.1 per credential is 0.4 per address: one request in 2.5 s, so the
	// address stays limited while the test goes round the surfaces.
	s := mustRun(t, map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": t.TempDir(), "PARLEY_RATE_LIMIT": "0.1"})
	limited := false
	for range 100 {
		if send(t, "GET", s.URL+"/healthz", nil, nil).status == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("the address was never limited")
	}
	for _, c := range []struct{ surface, method, path string }{
		{"native", "GET", "/v1/org"},
		{"forge", "GET", "/channel/"},
		{"botyard", "GET", "/v1/client-api/bots"},
		{"botyard", "GET", "/v1/bot-api/bot"},
		{"convo", "GET", "/api/comments"},
		{"allo", "POST", "/api/chat/sendMessage"},
	} {
		a := send(t, c.method, s.URL+c.path, nil, nil)
		if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
			t.Errorf("%s %s: %d, Retry-After %q; want 429 with Retry-After", c.surface, c.path, a.status, a.header.Get("Retry-After"))
			continue
		}
		checkFormat(t, c.surface, a)
	}
}

// TestSocketLimitsEverySurface: the per-user connection cap
// (PARLEY_MAX_CONNS_PER_USER) holds across the sockets of every surface, and
// a frame over a socket's size limit closes that socket only.
func TestSocketLimitsEverySurface(t *testing.T) {
	s := startSurfaces(t, map[string]string{"PARLEY_MAX_CONNS_PER_USER": "3"})
	ws := "ws" + strings.TrimPrefix(s.URL, "http")
	token := strings.TrimPrefix(s.bearer["Authorization"], "Bearer ")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dial := func(url string) (*websocket.Conn, *http.Response, error) {
		c, res, err := websocket.Dial(ctx, url, nil)
		if err == nil {
			t.Cleanup(func() { c.CloseNow() })
		}
		return c, res, err
	}
	// One socket on each surface.
	native, _, err := dial(ws + "/v1/ws?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	forge, _, err := dial(ws + "/chat/ws?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	allo := dialAllo(t, ctx, ws, token)
	if allo == nil {
		t.Fatal("allo socket refused under the cap")
	}
	// The fourth, on any surface, is refused.
	if _, res, err := dial(ws + "/v1/ws?token=" + token); err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("native socket over the cap: %v %v", res, err)
	}
	if _, res, err := dial(ws + "/chat/ws?token=" + token); err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("ConvoForge socket over the cap: %v %v", res, err)
	}
	if c := dialAllo(t, ctx, ws, token); c != nil {
		t.Error("Allo socket over the cap was kept")
	}
	// Another user is not affected.
	other, _, err := dial(ws + "/v1/ws?token=" + strings.TrimPrefix(s.bearer2["Authorization"], "Bearer "))
	if err != nil {
		t.Fatalf("another user's socket: %v", err)
	}
	other.CloseNow()

	// Oversized frames close the socket that sent them.
	big := bytes.Repeat([]byte("x"), 64<<10)
	for name, c := range map[string]*websocket.Conn{"native": native, "forge": forge} {
		c.Write(ctx, websocket.MessageText, []byte(`{"path":"/presence","args":{"x":"`+string(big)+`"}}`))
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		for {
			if _, _, err := c.Read(rctx); err != nil {
				if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
					t.Errorf("%s: oversized frame ended with %v, want 1009", name, err)
				}
				break
			}
		}
		rcancel()
	}
	huge := `42["sendMessage",{"conversationID":"x","message":"` + strings.Repeat("x", 600<<10) + `"}]`
	allo.Write(ctx, websocket.MessageText, []byte(huge))
	rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
	defer rcancel()
	for {
		if _, _, err := allo.Read(rctx); err != nil {
			if rctx.Err() != nil {
				t.Errorf("allo: an oversized frame left the socket open")
			}
			break
		}
	}
	// The oversized frames closed all three: places are free again.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _, err := websocket.Dial(ctx, ws+"/v1/ws?token="+token, nil)
		if err == nil {
			c.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no place after the sockets closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dialAllo connects a Socket.IO client over WebSocket and returns it, or
// nil when the server refused or dropped the socket.
func dialAllo(t *testing.T, ctx context.Context, ws, token string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.Dial(ctx, ws+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	read := func() string {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, b, err := c.Read(rctx)
		if err != nil {
			return ""
		}
		return string(b)
	}
	if p := read(); !strings.HasPrefix(p, "0{") {
		t.Fatalf("engine.io open: %q", p)
	}
	c.Write(ctx, websocket.MessageText, []byte(`40{"token":"`+token+`"}`))
	if p := read(); !strings.HasPrefix(p, "40{") {
		return nil
	}
	for {
		p := read()
		switch {
		case strings.HasPrefix(p, `42["connected"`):
			return c
		case p == "" || p == "41" || strings.HasPrefix(p, `42["error"`):
			c.CloseNow()
			return nil
		}
	}
}
