package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// proc is the parley binary running as a child process.
type proc struct {
	cmd *exec.Cmd
	url string
}

// buildBinary compiles cmd/parley once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "parley")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// start runs the binary with env and waits until it serves; it returns the
// client secret if the server printed one.
func start(t *testing.T, bin string, env []string) (*proc, string) {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	sc := bufio.NewScanner(out)
	secret := ""
	for sc.Scan() {
		if m := regexp.MustCompile(`CLIENT_SECRET=(\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			secret = m[1]
		}
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			p.url = m[1]
			break
		}
	}
	if p.url == "" {
		t.Fatal("server did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	waitForReady(t, p.url)
	return p, secret
}

// TestKillDurability sends chats from concurrent senders while the server is
// killed with SIGKILL at random moments and restarted on the same data.
// Every acknowledged chat must be there exactly once, and a send retried
// with the same client_msg_id after a crash must not be duplicated.
// PARLEY_TEST_LONG=1 runs the long form (more senders, more kills).
func TestKillDurability(t *testing.T) {
	kills, senders := 3, 8
	if os.Getenv("PARLEY_TEST_LONG") != "" {
		kills, senders = 20, 32
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	env := []string{"PARLEY_DATA_DIR=" + dir, "PARLEY_ADDR=127.0.0.1:0", "PARLEY_LOG_LEVEL=error", "PARLEY_RATE_LIMIT=0"}
	if sqlstoretest.Engine() == "postgres" {
		env = append(env, "DATABASE_URL="+sqlstoretest.DSN(t))
	}
	srv, secret := start(t, bin, env)
	cs := map[string]string{"Client-Secret": secret}
	_, org := call(t, "POST", srv.url+"/auth/organization", cs, "")
	_, tok := call(t, "POST", srv.url+"/auth/secret", cs, `{"username":"ada","display_name":"Ada","slug":"`+org["id"].(string)+`"}`)
	auth := map[string]string{"Authorization": "Bearer " + tok["token"].(string)}
	_, ch := call(t, "POST", srv.url+"/v1/channels", auth, `{"name":"durable","bits":{"chan_anyone":true}}`)
	_, th := call(t, "POST", srv.url+"/v1/threads", auth, `{"text":"start","xsr_ids":["`+ch["data"].(map[string]any)["id"].(string)+`"]}`)
	thread := th["thread_id"].(string)

	var mu sync.Mutex
	url := srv.url               // guarded by mu: changes on restart
	acked := map[string]string{} // client_msg_id -> chat id, guarded by mu
	retried := 0
	client := &http.Client{Timeout: 5 * time.Second}
	sendOnce := func(cmid string) (string, error) {
		mu.Lock()
		u := url
		mu.Unlock()
		body := fmt.Sprintf(`{"thread_id":%q,"text":"durable %s","client_msg_id":%q}`, thread, cmid, cmid)
		req, _ := http.NewRequest("POST", u+"/v1/chats", strings.NewReader(body))
		req.Header.Set("Authorization", auth["Authorization"])
		res, err := client.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		if res.StatusCode != 200 {
			return "", fmt.Errorf("status %d", res.StatusCode)
		}
		return m["chat_id"].(string), nil
	}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				cmid := fmt.Sprintf("s%d-%d", s, i)
				for attempt := 0; ; attempt++ {
					id, err := sendOnce(cmid)
					if err == nil {
						mu.Lock()
						acked[cmid] = id
						if attempt > 0 {
							retried++
						}
						mu.Unlock()
						break
					}
					if ctx.Err() != nil {
						return // never acknowledged: it may or may not be stored
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	for k := range kills {
		time.Sleep(time.Duration(200+rand.IntN(600)) * time.Millisecond)
		srv.cmd.Process.Signal(syscall.SIGKILL)
		srv.cmd.Wait()
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		t.Logf("kill %d after %d acknowledged chats", k+1, n)
		srv, _ = start(t, bin, env)
		mu.Lock()
		url = srv.url
		mu.Unlock()
	}
	time.Sleep(300 * time.Millisecond)
	stop()
	wg.Wait()

	// Read the whole thread back.
	seen := map[string]int{}
	before := ""
	for {
		q := srv.url + "/v1/chats/" + thread + "?num=500"
		if before != "" {
			q += "&before=" + before
		}
		st, page := call(t, "GET", q, auth, "")
		if st != 200 {
			t.Fatalf("read back: %d %v", st, page)
		}
		chats, _ := page["data"].([]any)
		if len(chats) == 0 {
			break
		}
		for _, c := range chats {
			m := c.(map[string]any)
			if cm, ok := m["client_msg_id"].(string); ok {
				seen[cm]++
			}
			before = m["id"].(string)
		}
	}
	lost, dup := 0, 0
	for cmid := range acked {
		if seen[cmid] == 0 {
			lost++
		}
	}
	for cmid, n := range seen {
		if n > 1 {
			dup++
			t.Errorf("%s stored %d times", cmid, n)
		}
	}
	t.Logf("%d kills, %d senders: %d acknowledged (%d after a retry), %d stored, %d lost, %d duplicated",
		kills, senders, len(acked), retried, len(seen), lost, dup)
	if lost > 0 {
		t.Fatalf("%d acknowledged chats were lost", lost)
	}
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged")
	}
}
