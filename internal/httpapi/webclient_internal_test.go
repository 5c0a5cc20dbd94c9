package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// TestWebClientCSPHost checks that only a well-formed Host is repeated in
// the page's CSP.
func TestWebClientCSPHost(t *testing.T) {
	wc, err := newWebClient(fstest.MapFS{"index.html": {Data: []byte(importMapMarker)}})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]string{
		"chat.example.com":    "connect-src 'self' ws://chat.example.com wss://chat.example.com;",
		"127.0.0.1:8080":      "connect-src 'self' ws://127.0.0.1:8080 wss://127.0.0.1:8080;",
		"[::1]:8080":          "connect-src 'self' ws://[::1]:8080 wss://[::1]:8080;",
		"x; script-src *":     "connect-src 'self';",
		"evil.com:1 'unsafe'": "connect-src 'self';",
		"host:port/../":       "connect-src 'self';",
		"":                    "connect-src 'self';",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		w := httptest.NewRecorder()
		wc.servePage(w, r)
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, want) {
			t.Errorf("Host %q: CSP %q, want %q in it", host, csp, want)
		}
	}
}
