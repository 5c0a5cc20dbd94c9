package botyard_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/botyard"
)

type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func newClient(t *testing.T, ts *testServer) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: ts.srv.URL, http: &http.Client{Jar: jar}}
}

func (c *client) do(method, path string, header map[string]string, body string) (*http.Response, map[string]any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return res, m
}

// TestSlidingSession: every authenticated client request renews the cookie
// for the configured lifetime from now.
func TestSlidingSession(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, `{"limits":{"user":{"authTokenLifetime":30}}}`)
	c := newClient(t, ts)
	res, _ := c.do("POST", "/v1/client-api/user", nil, `{"nickname":"Ada"}`)
	first := res.Cookies()[0]
	if d := time.Until(first.Expires); d < 29*time.Minute || d > 31*time.Minute {
		t.Fatalf("cookie expires in %v, want the config's 30 minutes", d)
	}
	time.Sleep(1100 * time.Millisecond) // JWT times have one-second resolution
	res, _ = c.do("GET", "/v1/client-api/user", nil, "")
	if res.StatusCode != 200 || len(res.Cookies()) != 1 {
		t.Fatalf("GET user = %d, cookies %v", res.StatusCode, res.Cookies())
	}
	renewed := res.Cookies()[0]
	if renewed.Value == first.Value || !renewed.Expires.After(first.Expires) {
		t.Errorf("the session was not renewed: %v then %v", first.Expires, renewed.Expires)
	}
	// The renewed token is a Parley token: it works on the native API too.
	a, err := ts.env.Authenticate(context.Background(), renewed.Value)
	if err != nil || a.OrgID != ts.org.ID {
		t.Errorf("Authenticate(cookie) = %+v, %v", a, err)
	}
}

// TestReloadConfig: PUT /v1/admin-api/config applies a changed file, and a
// broken file changes nothing.
func TestReloadConfig(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, `{"service":{"name":"Before"},"limits":{"user":{"minNicknameLength":3}}}`)
	c := newClient(t, ts)
	admin := map[string]string{"Authorization": chattest.ClientSecret}
	if res, _ := c.do("POST", "/v1/client-api/user", nil, `{"nickname":"Ada"}`); res.StatusCode != 201 {
		t.Fatalf("3-letter nickname before the reload: %d", res.StatusCode)
	}
	os.WriteFile(ts.configPath, []byte(`{"service":{"name":"After"},"limits":{"user":{"minNicknameLength":5}}}`), 0o600)
	if res, m := c.do("PUT", "/v1/admin-api/config", admin, ""); res.StatusCode != 200 || m["message"] != "Config reloaded." {
		t.Fatalf("reload = %d %v", res.StatusCode, m)
	}
	if _, m := c.do("GET", "/v1/client-api/service-info", nil, ""); m["name"] != "After" {
		t.Errorf("service info after the reload = %v", m)
	}
	if res, m := c.do("POST", "/v1/client-api/user", nil, `{"nickname":"Ada"}`); res.StatusCode != 400 ||
		m["message"] != "Nickname must be at least 5 characters long." {
		t.Errorf("3-letter nickname after the reload = %d %v", res.StatusCode, m)
	}
	os.WriteFile(ts.configPath, []byte(`{"service":`), 0o600)
	if res, m := c.do("PUT", "/v1/admin-api/config", admin, ""); res.StatusCode != 400 || strings.Contains(m["message"].(string), ts.configPath) {
		t.Errorf("reload of a broken file = %d %v", res.StatusCode, m)
	}
	if _, m := c.do("GET", "/v1/client-api/service-info", nil, ""); m["name"] != "After" {
		t.Errorf("a broken file changed the service info: %v", m)
	}
	// An org admin's token passes the admin API in its own org, but only the
	// operator reloads the server's configuration.
	_, owner := ts.env.MustOrg(t)
	u, err := ts.env.Me(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.env.IssueToken(u)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := c.do("PUT", "/v1/admin-api/config", map[string]string{"Authorization": tok}, ""); res.StatusCode != 403 {
		t.Errorf("reload by an org admin = %d, want 403", res.StatusCode)
	}
	res, m := c.do("POST", "/v1/admin-api/bot", map[string]string{"Authorization": tok}, `{"name":"Theirs"}`)
	if res.StatusCode != 201 {
		t.Fatalf("an org admin creating a bot in its org = %d %v", res.StatusCode, m)
	}
	// The bot lives in that org, not in the default one.
	if _, m := c.do("GET", "/v1/client-api/bot/"+m["bot"].(map[string]any)["id"].(string), map[string]string{"Cookie": ""}, ""); m["message"] != "Bot not found." {
		t.Errorf("the other org's bot seen from the default org: %v", m)
	}
}

// TestWebhookBody: a delivery's body is Botyard's PreparedMessage with chatId
// and attachments.
func TestWebhookBody(t *testing.T) {
	at := time.UnixMilli(1696758105336)
	u := &chat.BotUpdate{ID: 9, BotMessage: chat.BotMessage{
		Message: &chat.Message{ID: 3, ThreadID: 2, AuthorID: 1, Text: "Hello World!", CreatedAt: at},
		Files:   []*chat.File{{ID: 4, Name: "a.png", ContentType: "image/png", Size: 5, Key: "o/1/abcdefghijklmnopqrstuvwxyz"}},
	}}
	b, err := botyard.WebhookBody(u)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"01hc69at000400000000006cee","chatId":"01hc69at000800000000005j26","senderId":"01hc69at000g000000000035s0",` +
		`"body":"Hello World!","attachments":[{"id":"01hc69at000w00000000008te5","path":"static/images/abcdefghijklmnopqrstuvwxyz.png",` +
		`"name":"a.png","size":5,"mimeType":"image/png"}],"timestamp":1696758105336}`
	if string(b) != want {
		t.Errorf("WebhookBody =\n%s\nwant\n%s", b, want)
	}
}

// TestWriteError: middleware errors (a rate limit) come out in Botyard's
// format, per API.
func TestWriteError(t *testing.T) {
	for path, want := range map[string]int{"/v1/client-api/bots": 429, "/v1/bot-api/bot": 429} {
		rec := httptest.NewRecorder()
		botyard.WriteError(rec, httptest.NewRequest("GET", path, nil), &chat.Error{Code: chat.RateLimited, Message: "Slow down."})
		if rec.Code != want || rec.Body.String() != "{\"message\":\"Slow down.\"}\n" || rec.Header().Get("Retry-After") != "1" {
			t.Errorf("%s: %d %q %v", path, rec.Code, rec.Body, rec.Header())
		}
	}
	rec := httptest.NewRecorder()
	botyard.WriteError(rec, httptest.NewRequest("GET", "/v1/bot-api/bot", nil), chat.ErrUnauthenticated)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "Invalid bot key.") {
		t.Errorf("bot API unauthenticated: %d %q", rec.Code, rec.Body)
	}
}
