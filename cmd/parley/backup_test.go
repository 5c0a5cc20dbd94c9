package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// TestBackupRestore backs up a live server's database, starts a server on
// the copy, and finds the same data there.
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

	// Online: the server is still running.
	copyDir := t.TempDir()
	target := filepath.Join(copyDir, "parley.db")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", target}, func(k string) string { return env[k] }, &out, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := run(context.Background(), []string{"backup", target}, func(k string) string { return env[k] }, &out, io.Discard); err == nil {
		t.Error("backup overwrote an existing file")
	}
	secrets, _ := os.ReadFile(filepath.Join(dir, "secrets.json"))
	os.WriteFile(filepath.Join(copyDir, "secrets.json"), secrets, 0o600)
	r := mustRun(t, map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": copyDir})
	st, got := call(t, "GET", r.URL+"/v1/threads/"+th["thread_id"].(string), auth, "")
	if st != 200 || got["data"].(map[string]any)["subject"] != "backed up" {
		t.Fatalf("restored server: %d %v", st, got)
	}
}
