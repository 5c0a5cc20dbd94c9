package convo_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// dial opens /api/subscribe for a thread.
func (e *env) dial(t *testing.T, query string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/api/subscribe?" + query
	c, res, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", u, err, status)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

type frame struct {
	Name string         `json:"name"`
	Data map[string]any `json:"data"`
}

func next(t *testing.T, c *websocket.Conn) frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	var f frame
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("frame %s: %v", b, err)
	}
	return f
}

func TestSubscribe(t *testing.T) {
	e := newEnv(t)
	alice, bob := newEthWallet(61), newEthWallet(62)
	at, bt := e.signIn(t, alice), e.signIn(t, bob)

	// The page has no comment yet: the stream starts with its first one.
	c := e.dial(t, "threadId=live-page&apikey="+e.key)
	// A comment elsewhere is not shown.
	e.postComment(t, alice, at, "other-page", "elsewhere")
	id := e.postComment(t, alice, at, "live-page", "hello")
	if f := next(t, c); f.Name != "commentCreate" || f.Data["_id"] != id || f.Data["text"] != "hello" || f.Data["tid"] != "live-page" {
		t.Fatalf("first frame = %+v", f)
	}
	// A second subscriber of the now existing page.
	c2 := e.dial(t, "threadId=live-page&apikey="+e.key)
	e.do(t, "POST", "/api/vote", map[string]any{"token": bt, "signerAddress": bob.addr, "commentId": id, "type": "toggleUpvote"})
	e.do(t, "POST", "/api/vote", map[string]any{"token": bt, "signerAddress": bob.addr, "commentId": id, "type": "toggleDownvote"})
	e.do(t, "PATCH", "/api/comments", map[string]any{"token": at, "signerAddress": alice.addr, "commentId": id, "comment": "hello, edited"})
	e.do(t, "DELETE", "/api/comments", map[string]any{"token": at, "signerAddress": alice.addr, "commentId": id})
	for _, conn := range []*websocket.Conn{c, c2} {
		want := []string{"toggleUpvote", "toggleDownvote", "commentUpdate", "commentDelete"}
		for _, name := range want {
			f := next(t, conn)
			if f.Name != name || f.Data["_id"] != id {
				t.Fatalf("frame = %+v, want %s", f, name)
			}
			if name == "toggleUpvote" && len(f.Data["upvotes"].([]any)) != 1 {
				t.Errorf("toggleUpvote data = %v", f.Data)
			}
		}
	}

	// Refusals happen before the upgrade, in the product's format.
	for _, tt := range []struct {
		query  string
		status int
	}{
		{"threadId=live-page", http.StatusUnauthorized},
		{"apikey=" + e.key, http.StatusBadRequest},
		{"threadId=live-page&apikey=" + e.key + "&token=bad&signerAddress=" + alice.addr, http.StatusUnauthorized},
	} {
		res := e.do(t, "GET", "/api/subscribe?"+tt.query, nil, "X-No-Key", "1")
		if res.status != tt.status || !strings.Contains(string(res.body), `"success":false`) {
			t.Errorf("GET /api/subscribe?%s = %d %s", tt.query, res.status, res.body)
		}
	}
}

func TestSubscribePrivateThread(t *testing.T) {
	e := newEnv(t)
	owner, member := newEthWallet(71), newEthWallet(72)
	ot, mt := e.signIn(t, owner), e.signIn(t, member)
	res := e.do(t, "POST", "/api/threads", map[string]any{"token": ot, "signerAddress": owner.addr, "action": "create", "threadId": "private",
		"title": "p", "description": "d", "isReadPublic": false, "isWritePublic": false, "members": []string{member.addr}, "moderators": []string{}, "keywords": []string{}})
	if res.status != 200 {
		t.Fatal(res.status, string(res.body))
	}
	if res := e.do(t, "GET", "/api/subscribe?threadId=private", nil); res.status != 404 {
		t.Errorf("anonymous subscribe to a private thread = %d %s", res.status, res.body)
	}
	c := e.dial(t, "threadId=private&apikey="+e.key+"&token="+mt+"&signerAddress="+member.addr)
	id := e.postComment(t, owner, ot, "private", "secret")
	if f := next(t, c); f.Name != "commentCreate" || f.Data["_id"] != id {
		t.Errorf("member frame = %+v", f)
	}
}

func TestWidgetContract(t *testing.T) {
	e := newEnv(t)
	res := e.do(t, "GET", "/api/widget.js", nil, "X-No-Key", "1")
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/javascript") || res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("GET /api/widget.js = %d %v", res.status, res.header)
	}
	js := string(res.body)
	// It reaches only the server it came from: no absolute URL of its own.
	for _, bad := range []string{"http://", "https://", "//cdn", "innerHTML", "eval("} {
		if strings.Contains(stripComments(js), bad) {
			t.Errorf("widget.js contains %q", bad)
		}
	}
	for _, want := range []string{"/api/comments", "/api/subscribe", "data-apikey", "data-thread-id", "commentDelete"} {
		if !strings.Contains(js, want) {
			t.Errorf("widget.js lacks %q", want)
		}
	}
}

// stripComments drops /* */ and // comments (the usage example mentions
// URLs).
func stripComments(js string) string {
	var b strings.Builder
	for i := 0; i < len(js); i++ {
		switch {
		case strings.HasPrefix(js[i:], "/*"):
			end := strings.Index(js[i+2:], "*/")
			if end < 0 {
				return b.String()
			}
			i += end + 3
		case strings.HasPrefix(js[i:], "// "):
			end := strings.IndexByte(js[i:], '\n')
			if end < 0 {
				return b.String()
			}
			i += end
		default:
			b.WriteByte(js[i])
		}
	}
	return b.String()
}
