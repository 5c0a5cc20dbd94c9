package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/conntest"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpx"
)

// env is a native API server over a real service.
type env struct {
	*chattest.Env
	srv *httptest.Server
	ln  *conntest.Listener // the server's listener
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{Env: chattest.New(t)}
	mux := http.NewServeMux()
	httpapi.Mount(mux, httpapi.Deps{Chat: e.Service})
	e.srv = httptest.NewUnstartedServer(httpx.Middleware(mux, discardLogger(), nil))
	e.ln = conntest.NewListener(e.srv.Listener)
	e.srv.Listener = e.ln
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// as returns a client acting as actor (zero actor: anonymous).
func (e *env) as(t *testing.T, a chat.Actor) *client {
	t.Helper()
	c := &client{t: t, base: e.srv.URL, header: http.Header{}}
	if a.IsMember() {
		u, err := e.User(context.Background(), a, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := e.IssueToken(u)
		if err != nil {
			t.Fatal(err)
		}
		c.header.Set("Authorization", "Bearer "+tok)
	}
	return c
}

type client struct {
	t      *testing.T
	base   string
	header http.Header
}

// response is a decoded answer.
type response struct {
	Status int
	Body   map[string]any
	Raw    []byte
}

func (r response) data() map[string]any { d, _ := r.Body["data"].(map[string]any); return d }
func (r response) list() []any          { l, _ := r.Body["data"].([]any); return l }
func (r response) code() string {
	e, _ := r.Body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (c *client) do(method, path string, body any) response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req)
}

func (c *client) send(req *http.Request) response {
	c.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := response{Status: res.StatusCode, Raw: raw}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			c.t.Fatalf("%s %s: bad JSON %q: %v", req.Method, req.URL.Path, raw, err)
		}
	}
	return out
}

// must fails the test unless the answer has the wanted status.
func must(t *testing.T, r response, status int) response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Raw)
	}
	return r
}

func (c *client) upload(name, ctype string, content []byte) response {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + name + `"`}
	h["Content-Type"] = []string{ctype}
	pw, _ := mw.CreatePart(h)
	pw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", c.base+"/v1/upload", &b)
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.send(req)
}

func str(v any) string { s, _ := v.(string); return s }
