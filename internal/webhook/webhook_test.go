package webhook_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/webhook"
)

func TestSend(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex // guards got and body
	var got *http.Request
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, body = r, string(b)
		mu.Unlock()
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(http.StatusNoContent)
		case "/redirect":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		default:
			http.Error(w, "no", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	s := webhook.New(webhook.Options{Timeout: 100 * time.Millisecond})
	ctx := context.Background()
	req := &chat.WebhookRequest{URL: srv.URL + "/ok", Body: []byte(`{"a":1}`), Header: map[string]string{"Authorization": "s3", "Content-Type": "application/json"}}
	if err := s.Send(ctx, req); err != nil {
		t.Fatalf("Send(204) = %v", err)
	}
	mu.Lock()
	if got.Method != http.MethodPost || got.Header.Get("Authorization") != "s3" || body != `{"a":1}` {
		t.Errorf("received %s %v %q", got.Method, got.Header, body)
	}
	mu.Unlock()
	for path, want := range map[string]string{"/down": "503", "/redirect": "302", "/slow": "timed out"} {
		req.URL = srv.URL + path
		if err := s.Send(ctx, req); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Send(%s) = %v, want an error with %q", path, err, want)
		}
	}
	req.URL = "http://127.0.0.1:1/unreachable"
	if err := s.Send(ctx, req); err == nil {
		t.Error("Send to a closed port succeeded")
	}
}
