package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestRateLimit: past the configured rate a client gets 429 with
// Retry-After, in the error format of the surface it called.
func TestRateLimit(t *testing.T) {
	s := mustRun(t, map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": t.TempDir(), "PARLEY_RATE_LIMIT": "2"})
	limited := func(path string) *http.Response {
		t.Helper()
		for range 50 {
			req, _ := http.NewRequest("GET", s.URL+path, nil)
			req.Header.Set("Authorization", "Bearer not-a-real-token")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode == http.StatusTooManyRequests {
				return res
			}
			res.Body.Close()
		}
		t.Fatalf("%s was never limited", path)
		return nil
	}
	res := limited("/v1/org")
	defer res.Body.Close()
	if res.Header.Get("Retry-After") == "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("native 429: Retry-After %q, Content-Type %q", res.Header.Get("Retry-After"), res.Header.Get("Content-Type"))
	}
	// The limit is per credential and per address: health checks without a
	// credential from the same address still pass until the address limit.
	if st, _ := call(t, "GET", s.URL+"/healthz", nil, ""); st != 200 && st != 429 {
		t.Errorf("healthz: %d", st)
	}
}
