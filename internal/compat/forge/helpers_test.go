package forge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/forge"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpx"
)

// server is ConvoForge (and, beside it, the native API) over a real service.
type server struct {
	*httptest.Server
	env *chattest.Env
}

func newServer(t testing.TB, env *chattest.Env) *server {
	t.Helper()
	mux := http.NewServeMux()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	forge.Mount(mux, forge.Deps{Chat: env.Service, Logger: log})
	httpapi.Mount(mux, httpapi.Deps{Chat: env.Service, Logger: log})
	srv := httptest.NewServer(httpx.Middleware(mux, log, nil))
	t.Cleanup(srv.Close)
	return &server{Server: srv, env: env}
}

// send makes a request and returns the status and body.
func (s *server) send(t testing.TB, method, path string, header http.Header, body io.Reader) (int, string) {
	t.Helper()
	url := path
	if !strings.HasPrefix(path, "http") {
		url = s.URL + path
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// user is a ConvoForge client signed in as one user.
type user struct {
	srv    *server
	token  string
	id     string // UUID
	secret bool   // send the Client-Secret too
}

// reply is a response: its status and body.
type reply struct {
	status int
	body   string
}

func (r reply) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
}

func (r reply) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

func (r reply) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	r.json(t, &l)
	return l
}

// want fails t unless the reply has the status (and, when given, the body).
func (r reply) want(t testing.TB, status int, body ...string) reply {
	t.Helper()
	if r.status != status || len(body) > 0 && r.body != body[0] {
		t.Fatalf("got %d %q, want %d %q", r.status, r.body, status, body)
	}
	return r
}

// jsonBody encodes v as a request body.
func jsonBody(t testing.TB, v any) io.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(b)
}

func (u *user) do(t testing.TB, method, path string, body any) reply {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + u.token}}
	if u.secret {
		h.Set("Client-Secret", chattest.ClientSecret)
	}
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
		h.Set("Content-Type", "application/json")
	}
	status, b := u.srv.send(t, method, path, h, r)
	return reply{status, b}
}

// upload sends one file as the multipart field "file".
func (u *user) upload(t testing.TB, method, path, name, contentType string, data []byte) reply {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	part, err := mw.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	status, b := u.srv.send(t, method, path, http.Header{"Authorization": {"Bearer " + u.token}, "Content-Type": {mw.FormDataContentType()}}, &buf)
	return reply{status, b}
}

// org is a ConvoForge org made through the seed's bootstrap: an admin holding
// an Administrator role, and the org's slug.
type org struct {
	slug  string
	admin *user
}

// bootstrap runs the seed's getting-started flow and returns the org.
func (s *server) bootstrap(t testing.TB) *org {
	t.Helper()
	cs := http.Header{"Client-Secret": {chattest.ClientSecret}, "Content-Type": {"application/json"}}
	status, b := s.send(t, "POST", "/auth/organization", cs, nil)
	reply{status, b}.want(t, 200)
	o := &org{slug: reply{status, b}.obj(t)["id"].(string)}
	o.admin = s.signIn(t, o.slug, "admin", "Administrator")
	o.admin.secret = true
	role := o.admin.do(t, "POST", "/role/", map[string]any{"name": "Administrator", "administrator": true, "manage_users": true,
		"manage_channels": true, "manage_roles": true}).want(t, 200).obj(t)
	o.admin.do(t, "POST", "/user-role-access/", map[string]any{"user_id": o.admin.id, "role_id": role["id"]}).want(t, 200)
	o.admin.do(t, "PUT", "/flag/", map[string]any{"name": "s3", "enabled": true}).want(t, 201)
	o.admin.secret = false
	return o
}

// signIn gets a token for a user of the org (creating it) and its id.
func (s *server) signIn(t testing.TB, slug, username, display string) *user {
	t.Helper()
	cs := http.Header{"Client-Secret": {chattest.ClientSecret}, "Content-Type": {"application/json"}}
	b, _ := json.Marshal(map[string]string{"username": username, "display_name": display, "slug": slug})
	status, body := s.send(t, "POST", "/auth/secret", cs, bytes.NewReader(b))
	u := &user{srv: s, token: reply{status, body}.want(t, 200).obj(t)["token"].(string)}
	u.id = u.do(t, "GET", "/user/current", nil).want(t, 200).obj(t)["id"].(string)
	return u
}

// member signs a new user in and gives them a role granted the channel.
func (o *org) member(t *testing.T, s *server, username, channelID string) *user {
	t.Helper()
	u := s.signIn(t, o.slug, username, strings.ToUpper(username[:1])+username[1:])
	if channelID != "" {
		role := o.admin.do(t, "POST", "/role/", map[string]any{"name": username + " role", "administrator": false, "manage_users": false,
			"manage_channels": false, "manage_roles": false}).want(t, 200).obj(t)
		o.admin.do(t, "POST", "/user-role-access/", map[string]any{"user_id": u.id, "role_id": role["id"]}).want(t, 200)
		o.admin.do(t, "POST", "/channel-role-access/", map[string]any{"channel_id": channelID, "role_id": role["id"]}).want(t, 200)
	}
	return u
}

// actor returns the core's actor for a ConvoForge user.
func (u *user) actor(t *testing.T) chat.Actor {
	t.Helper()
	a, err := u.srv.env.Authenticate(context.Background(), u.token)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
