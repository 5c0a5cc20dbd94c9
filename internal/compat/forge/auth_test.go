package forge_test

import (
	"net/http"
	"testing"

	"github.com/parley-chat/parley/internal/chat/chattest"
)

// TestClientSecretBypass checks that the Client-Secret stands in for a
// permission exactly where the original's permission checks accepted it, and
// not where its only check was the channel access query.
func TestClientSecretBypass(t *testing.T) {
	t.Parallel()
	srv := newServer(t, chattest.New(t))
	o := srv.bootstrap(t)
	general := o.admin.do(t, "POST", "/channel/", map[string]any{"name": "general"}).want(t, 200).obj(t)["id"].(string)
	bob := o.member(t, srv, "bob", "")
	role := map[string]any{"name": "By bob", "administrator": false, "manage_users": false, "manage_channels": false, "manage_roles": false}
	post := map[string]any{"content": "hi", "message_type": "MESSAGE", "recipient_type": "CHANNEL", "reference_id": general, "media_ids": []string{}}

	// Without the secret bob may do none of this.
	bob.do(t, "POST", "/role/", role).want(t, 403)
	bob.do(t, "GET", "/channel-role-access/", nil).want(t, 403)
	bob.do(t, "GET", "/channel/", nil).want(t, 200, "[]")
	bob.do(t, "PATCH", "/user-channel-view/", map[string]any{"recipient_type": "CHANNEL", "reference_id": general}).want(t, 403)

	bob.secret = true
	bob.do(t, "POST", "/role/", role).want(t, 200)
	bob.do(t, "GET", "/channel-role-access/", nil).want(t, 200)
	if got := bob.do(t, "GET", "/channel/", nil).want(t, 200).list(t); len(got) != 1 {
		t.Errorf("channels with the secret = %v", got)
	}
	bob.do(t, "GET", "/user/channel/"+general, nil).want(t, 200)
	bob.do(t, "PATCH", "/user-channel-view/", map[string]any{"recipient_type": "CHANNEL", "reference_id": general}).want(t, 200)
	// Messages were gated by the channel access query alone: no bypass.
	bob.do(t, "POST", "/message/", post).want(t, 400, "User does not have access to channel")
	bob.do(t, "GET", "/message/?reference_id="+general, nil).want(t, 400, "User does not have access to channel")
	bob.do(t, "POST", "/presence/typing", map[string]any{"reference_id": general, "recipient_type": "CHANNEL"}).want(t, 400)

	// A wrong secret grants nothing.
	bob.secret = false
	h := map[string]any{"name": "Wrong", "administrator": false, "manage_users": false, "manage_channels": false, "manage_roles": false}
	status, body := srv.send(t, "POST", "/role/", map[string][]string{"Authorization": {"Bearer " + bob.token}, "Client-Secret": {"wrong"}},
		jsonBody(t, h))
	if status != 403 || body != "You do not have permission to manage roles." {
		t.Errorf("wrong secret: %d %q", status, body)
	}
}

// TestCORS checks the original's permissive CORS: a web app on any origin can
// call the API, preflights included.
func TestCORS(t *testing.T) {
	t.Parallel()
	srv := newServer(t, chattest.New(t))
	o := srv.bootstrap(t)
	status, _ := srv.send(t, "OPTIONS", "/role/", map[string][]string{"Origin": {"https://app.example"},
		"Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"authorization,client-secret,content-type"}}, nil)
	if status != 200 {
		t.Fatalf("preflight = %d", status)
	}
	req, _ := http.NewRequest("OPTIONS", srv.URL+"/message/search", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" || resp.Header.Get("Access-Control-Allow-Methods") != "GET" ||
		resp.Header.Get("Access-Control-Allow-Headers") != "authorization" {
		t.Errorf("preflight headers = %v", resp.Header)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/user/current", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Authorization", "Bearer "+o.admin.token)
	resp, err = srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("GET with an Origin = %d %v", resp.StatusCode, resp.Header)
	}
}
