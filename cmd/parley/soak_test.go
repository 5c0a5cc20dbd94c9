package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// rss reads the server's resident memory from /metrics.
func rss(t *testing.T, base string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "process_resident_memory_bytes "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	t.Fatal("no process_resident_memory_bytes in /metrics")
	return 0
}

// TestSoak runs steady load (senders, readers, sockets that come and go)
// against the real binary and checks: no error responses, memory flat, and
// every acknowledged chat stored once. The short form runs 15 s; with
// PARLEY_TEST_LONG=1 it runs 10 minutes.
func TestSoak(t *testing.T) {
	d := 15 * time.Second
	if os.Getenv("PARLEY_TEST_LONG") != "" {
		d = 10 * time.Minute
	}
	bin := buildBinary(t)
	env := []string{"PARLEY_DATA_DIR=" + t.TempDir(), "PARLEY_ADDR=127.0.0.1:0", "PARLEY_LOG_LEVEL=error", "PARLEY_RATE_LIMIT=0"}
	if sqlstoretest.Engine() == "postgres" {
		env = append(env, "DATABASE_URL="+sqlstoretest.DSN(t))
	}
	srv, secret := start(t, bin, env)
	cs := map[string]string{"Client-Secret": secret}
	_, org := call(t, "POST", srv.url+"/auth/organization", cs, "")
	_, tok := call(t, "POST", srv.url+"/auth/secret", cs, `{"username":"ada","display_name":"Ada","slug":"`+org["id"].(string)+`"}`)
	token := tok["token"].(string)
	auth := map[string]string{"Authorization": "Bearer " + token}
	_, ch := call(t, "POST", srv.url+"/v1/channels", auth, `{"name":"soak","bits":{"chan_anyone":true}}`)
	_, th := call(t, "POST", srv.url+"/v1/threads", auth, `{"text":"soak","xsr_ids":["`+ch["data"].(map[string]any)["id"].(string)+`"]}`)
	thread := th["thread_id"].(string)

	warm := rss(t, srv.url)
	ctx, stop := context.WithTimeout(context.Background(), d)
	defer stop()
	var sent, acked, reads, sockets, bad atomic.Int64
	var wg sync.WaitGroup
	worker := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := f(); err != nil && ctx.Err() == nil {
					if bad.Add(1) < 5 {
						t.Errorf("soak: %v", err)
					}
				}
			}
		}()
	}
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path, body string) error {
		req, _ := http.NewRequestWithContext(ctx, method, srv.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("%s %s: %d", method, path, res.StatusCode)
		}
		return nil
	}
	for i := range 4 {
		worker(func() error {
			n := sent.Add(1)
			err := do("POST", "/v1/chats", fmt.Sprintf(`{"thread_id":%q,"text":"soak %d","client_msg_id":"soak-%d-%d"}`, thread, n, i, n))
			if err == nil && ctx.Err() == nil {
				acked.Add(1)
			}
			return err
		})
	}
	for range 2 {
		worker(func() error { reads.Add(1); return do("GET", "/v1/chats/"+thread+"?num=50", "") })
	}
	worker(func() error { // sockets that come and go
		sockets.Add(1)
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.url, "http")+"/v1/ws?token="+token, nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		for {
			if _, _, err := c.Read(rctx); err != nil {
				break
			}
		}
		cancel()
		c.CloseNow()
		return nil
	})
	wg.Wait()
	time.Sleep(time.Second)
	end := rss(t, srv.url)
	// Count what was stored.
	stored := 0
	for before := ""; ; {
		q := srv.url + "/v1/chats/" + thread + "?num=500"
		if before != "" {
			q += "&before=" + before
		}
		st, page := call(t, "GET", q, auth, "")
		if st != 200 {
			t.Fatalf("read back: %d", st)
		}
		chats, _ := page["data"].([]any)
		if len(chats) == 0 {
			break
		}
		stored += len(chats)
		before = chats[len(chats)-1].(map[string]any)["id"].(string)
	}
	t.Logf("soak %v: %d sends (%d acknowledged), %d history reads, %d sockets, %d errors; %d chats stored; RSS %.1f MB -> %.1f MB",
		d, sent.Load(), acked.Load(), reads.Load(), sockets.Load(), bad.Load(), stored, warm/(1<<20), end/(1<<20))
	if int64(stored) < acked.Load()+1 || int64(stored) > sent.Load()+1 {
		t.Errorf("%d chats stored for %d acknowledged of %d sent", stored, acked.Load(), sent.Load())
	}
	if bad.Load() > 0 {
		t.Fatalf("%d error responses", bad.Load())
	}
	if end > 2*warm+64<<20 {
		t.Errorf("memory grew from %.1f MB to %.1f MB", warm/(1<<20), end/(1<<20))
	}
}
