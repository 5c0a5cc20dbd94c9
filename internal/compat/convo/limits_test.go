package convo_test

import (
	"strings"
	"testing"
)

// TestCommentLimits: a comment over the message length limit and a body
// over the size limit are refused in Convo's format, and nothing is stored.
func TestCommentLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	w := newEthWallet(3)
	token := e.signIn(t, w)
	for _, c := range []struct {
		name   string
		text   string
		status int
	}{
		{"overlong", strings.Repeat("x", 40001), 400},
		{"oversized body", strings.Repeat("x", 3<<20), 413},
	} {
		res := e.do(t, "POST", "/api/comments", map[string]any{"token": token, "signerAddress": w.addr, "comment": c.text,
			"threadId": "limits", "url": "https%3A%2F%2Fexample.com%2Fpost"})
		m := res.json(t)
		if res.status != c.status || m["success"] != false || m["error"] == nil {
			t.Errorf("%s comment: %d %.200s, want %d in Convo's format", c.name, res.status, res.body, c.status)
		}
	}
	res := e.do(t, "GET", "/api/comments?threadId=limits", nil)
	if strings.Contains(string(res.body), "xxxx") {
		t.Errorf("a refused comment was stored: %.200s", res.body)
	}
}
