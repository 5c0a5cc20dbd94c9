package convo_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/nodetest"
)

// TestWidgetInChromium embeds the widget in a page served from another
// origin and drives it in headless Chromium (e2e/node/convo-widget.mjs): the
// page shows its comments and follows them live.
func TestWidgetInChromium(t *testing.T) {
	nodetest.Require(t)
	chromium := nodetest.Chromium(t)
	e := newEnv(t)
	alice := newEthWallet(81)
	tok := e.signIn(t, alice)
	const thread = "widget-page"
	e.postComment(t, alice, tok, thread, "Posted before the page loaded")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>A blog post</title></head><body><article>Hello.</article>
<script src="%s/api/widget.js" data-apikey="%s" data-thread-id="%s" async></script></body></html>`,
			html.EscapeString(e.srv.URL), html.EscapeString(e.key), thread)
	}))
	defer page.Close()
	out := nodetest.Run(t, 90*time.Second, []string{"PAGE_URL=" + page.URL + "/post", "PARLEY_URL=" + e.srv.URL, "PARLEY_APIKEY=" + e.key,
		"PARLEY_TOKEN=" + tok, "PARLEY_SIGNER=" + alice.addr, "THREAD_ID=" + thread, "CHROMIUM=" + chromium}, "convo-widget.mjs")
	var res struct{ OK bool }
	if err := json.Unmarshal(out, &res); err != nil || !res.OK {
		t.Fatalf("widget run: %s (%v)", out, err)
	}
}
