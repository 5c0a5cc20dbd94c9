package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// TestBackupRestore backs up a live server's database while a writer sends,
// starts a server on the copy, and compares the data: the copy holds the
// original as it was at one moment of the backup.
func TestBackupRestore(t *testing.T) {
	if sqlstoretest.Engine() == "postgres" {
		var out bytes.Buffer
		err := run(context.Background(), []string{"backup", filepath.Join(t.TempDir(), "x")}, func(k string) string {
			return map[string]string{"DATABASE_URL": sqlstoretest.DSN(t), "PARLEY_DATA_DIR": t.TempDir()}[k]
		}, &out, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("backup on PostgreSQL = %v, want pg_dump instructions", err)
		}
		return
	}
	dir := t.TempDir()
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir}
	s := mustRun(t, env)
	cs := map[string]string{"Client-Secret": s.Secret}
	_, org := call(t, "POST", s.URL+"/auth/organization", cs, "")
	_, tok := call(t, "POST", s.URL+"/auth/secret", cs, `{"username":"ada","display_name":"Ada","slug":"`+org["id"].(string)+`"}`)
	auth := map[string]string{"Authorization": "Bearer " + tok["token"].(string)}
	_, ch := call(t, "POST", s.URL+"/v1/channels", auth, `{"name":"kept","bits":{"chan_anyone":true}}`)
	_, th := call(t, "POST", s.URL+"/v1/threads", auth, `{"text":"backed up","xsr_ids":["`+ch["data"].(map[string]any)["id"].(string)+`"]}`)

	thread := th["thread_id"].(string)
	for i := range 40 {
		call(t, "POST", s.URL+"/v1/chats", auth, fmt.Sprintf(`{"thread_id":%q,"text":"before %d"}`, thread, i))
	}

	// Online: the server is still running, and a writer keeps sending.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			select {
			case <-stop:
				return
			default:
			}
			call(t, "POST", s.URL+"/v1/chats", auth, fmt.Sprintf(`{"thread_id":%q,"text":"during %d"}`, thread, i))
		}
	}()
	copyDir := t.TempDir()
	target := filepath.Join(copyDir, "parley.db")
	var out bytes.Buffer
	err := run(context.Background(), []string{"backup", target}, func(k string) string { return env[k] }, &out, io.Discard)
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := run(context.Background(), []string{"backup", target}, func(k string) string { return env[k] }, &out, io.Discard); err == nil {
		t.Error("backup overwrote an existing file")
	}
	secrets, _ := os.ReadFile(filepath.Join(dir, "secrets.json"))
	os.WriteFile(filepath.Join(copyDir, "secrets.json"), secrets, 0o600)
	r := mustRun(t, map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": copyDir})

	// The copy is consistent: the org, its channels and the thread are the
	// same, and its chats are the original's up to some moment during the
	// backup (every chat sent before it, each one identical).
	for _, path := range []string{"/v1/org", "/v1/channels"} {
		_, want := call(t, "GET", s.URL+path, auth, "")
		_, got := call(t, "GET", r.URL+path, auth, "")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("GET %s on the copy = %v, want %v", path, got, want)
		}
	}
	_, ot := call(t, "GET", s.URL+"/v1/threads/"+thread, auth, "")
	_, ct := call(t, "GET", r.URL+"/v1/threads/"+thread, auth, "")
	for _, k := range []string{"subject", "author_id", "created_at", "xsr_ids"} {
		if o, c := ot["data"].(map[string]any)[k], ct["data"].(map[string]any)[k]; !reflect.DeepEqual(o, c) {
			t.Errorf("the thread's %s on the copy = %v, want %v", k, c, o)
		}
	}
	_, want := call(t, "GET", s.URL+"/v1/chats/"+thread+"?num=100", auth, "")
	_, got := call(t, "GET", r.URL+"/v1/chats/"+thread+"?num=100", auth, "")
	orig, copied := want["data"].([]any), got["data"].([]any)
	if len(copied) < 41 || len(copied) > len(orig) {
		t.Fatalf("the copy has %d chats; the original %d, 41 of them before the backup", len(copied), len(orig))
	}
	// Newest first: the copy's page is the tail of the original's.
	if tail := orig[len(orig)-len(copied):]; !reflect.DeepEqual(copied, tail) {
		t.Errorf("the copy's chats differ from the original's:\n got %v\nwant %v", copied, tail)
	}
	t.Logf("backup taken with %d of %d chats", len(copied), len(orig))
}
