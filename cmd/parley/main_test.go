package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// server is one run() of the real program.
type server struct {
	URL    string
	Secret string // the client secret printed on first start
	cancel context.CancelFunc
	done   chan error
}

// mustRun starts run() with env and waits until it serves. Request rate
// limits are off unless env sets PARLEY_RATE_LIMIT: tests send quickly.
func mustRun(t *testing.T, env map[string]string) *server {
	t.Helper()
	if _, ok := env["PARLEY_RATE_LIMIT"]; !ok {
		env["PARLEY_RATE_LIMIT"] = "0"
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &server{cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := run(ctx, nil, func(k string) string { return env[k] }, pw, io.Discard)
		pw.CloseWithError(err)
		s.done <- err
	}()
	listening := regexp.MustCompile(`listening on (http://\S+)`)
	secret := regexp.MustCompile(`CLIENT_SECRET=(\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := secret.FindStringSubmatch(sc.Text()); m != nil {
			s.Secret = m[1]
		}
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			s.URL = m[1]
			break
		}
	}
	if s.URL == "" {
		cancel()
		t.Fatalf("server did not start: %v", <-s.done)
	}
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() { s.stop(t) })
	waitForReady(t, s.URL)
	return s
}

func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("server did not shut down")
	}
}

func waitForReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("server not ready")
}

func call(t *testing.T, method, url string, header map[string]string, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// TestEndToEnd follows the README: start with zero configuration, provision
// an org with the printed client secret, chat, restart, and find everything.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir}
	if sqlstoretest.Engine() == "postgres" {
		env["DATABASE_URL"] = sqlstoretest.DSN(t)
	}
	s := mustRun(t, env)
	if s.Secret == "" {
		t.Fatal("the client secret was not printed on first start")
	}
	if fi, err := os.Stat(filepath.Join(dir, "secrets.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v %v", fi, err)
	}
	cs := map[string]string{"Client-Secret": s.Secret}
	if st, _ := call(t, "POST", s.URL+"/auth/organization", map[string]string{"Client-Secret": "wrong"}, ""); st != 404 {
		t.Errorf("wrong client secret: %d", st)
	}
	if st, _ := call(t, "POST", s.URL+"/auth/organization", nil, ""); st != 400 {
		t.Errorf("missing client secret: %d", st)
	}
	_, org := call(t, "POST", s.URL+"/auth/organization", cs, "")
	slug, _ := org["id"].(string)
	_, tok := call(t, "POST", s.URL+"/auth/secret", cs, `{"username":"admin","display_name":"Administrator","slug":"`+slug+`"}`)
	bearer := map[string]string{"Authorization": "Bearer " + tok["token"].(string)}
	st, ch := call(t, "POST", s.URL+"/v1/channels", bearer, `{"name":"general","bits":{"chan_member":true}}`)
	if st != 200 {
		t.Fatalf("create channel: %d %v", st, ch)
	}
	chID := ch["data"].(map[string]any)["id"].(string)
	_, th := call(t, "POST", s.URL+"/v1/threads", bearer, `{"text":"survives restarts","xsr_ids":["`+chID+`"]}`)
	thID := th["thread_id"].(string)
	if st, _ := call(t, "GET", s.URL+"/metrics", nil, ""); st != 200 {
		t.Errorf("/metrics: %d", st)
	}

	s.stop(t)
	s2 := mustRun(t, env)
	if s2.Secret != "" {
		t.Error("the client secret was printed again on restart")
	}
	st, got := call(t, "GET", s2.URL+"/v1/threads/"+thID, bearer, "")
	if st != 200 || got["data"].(map[string]any)["subject"] != "survives restarts" {
		t.Fatalf("after restart: %d %v", st, got)
	}
}

func TestConfig(t *testing.T) {
	env := map[string]string{"PARLEY_ADDR": ":9999", "PARLEY_TOKEN_TTL": "2h", "JWT_SECRET": "short"}
	_, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "JWT_SECRET") {
		t.Errorf("short JWT secret accepted: %v", err)
	}
	delete(env, "JWT_SECRET")
	c, err := parseConfig([]string{"-addr", "127.0.0.1:1"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || c.Addr != "127.0.0.1:1" || c.TokenTTL != 2*time.Hour {
		t.Errorf("config = %+v, %v (flags must win over the environment)", c, err)
	}
	if _, err := parseConfig(nil, func(k string) string { return map[string]string{"PARLEY_TOKEN_TTL": "soon"}[k] }, io.Discard); err == nil {
		t.Error("bad duration accepted")
	}
}
