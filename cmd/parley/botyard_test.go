package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// TestBotyardEndToEnd is Botyard's web client flow against the real server
// with the example echo bot (examples/echobot) running as its own process:
// one bot takes webhooks, the other polls the update queue. Then the
// webhook bot goes down, messages are sent, the server restarts, the bot
// comes back, and it answers every message once.
func TestBotyardEndToEnd(t *testing.T) {
	dir := t.TempDir()
	configPath := filepath.Join(dir, "parley.json")
	if err := os.WriteFile(configPath, []byte(`{"service":{"name":"Yard","description":"Bots.","socials":[]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir, "PARLEY_CONFIG": configPath}
	if sqlstoretest.Engine() == "postgres" {
		env["DATABASE_URL"] = sqlstoretest.DSN(t)
	}
	s := mustRun(t, env)
	admin := map[string]string{"Authorization": s.Secret}
	st, hookBot := call(t, "POST", s.URL+"/v1/admin-api/bot", admin, `{"name":"Echo","description":"Says it again."}`)
	if st != 201 {
		t.Fatalf("create bot: %d %v", st, hookBot)
	}
	_, pollBot := call(t, "POST", s.URL+"/v1/admin-api/bot", admin, `{"name":"Echo Poll"}`)
	hookKey, pollKey := hookBot["key"].(string), pollBot["key"].(string)
	hookID := hookBot["bot"].(map[string]any)["id"].(string)
	pollID := pollBot["bot"].(map[string]any)["id"].(string)

	bin := buildEchobot(t)
	listen := freeAddr(t)
	hookProc := startEchobot(t, bin, s.URL, hookKey, "-listen", listen)
	startEchobot(t, bin, s.URL, pollKey)

	jar, _ := cookiejar.New(nil)
	web := &webClient{t: t, base: s.URL, http: &http.Client{Jar: jar}}
	var info map[string]any
	web.do("GET", "/v1/client-api/service-info", "", 200, &info)
	if info["name"] != "Yard" {
		t.Errorf("service info = %v, want the config file's", info)
	}
	var me map[string]any
	web.do("POST", "/v1/client-api/user", `{"nickname":"Ada Lovelace"}`, 201, &me)
	web.do("GET", "/v1/client-api/user", "", 200, &me)
	var bots []map[string]any
	web.do("GET", "/v1/client-api/bots", "", 200, &bots)
	if len(bots) != 2 {
		t.Fatalf("bots = %v", bots)
	}
	for _, bot := range []string{hookID, pollID} {
		var cmds []map[string]any
		web.do("GET", "/v1/client-api/bot/"+bot+"/commands", "", 200, &cmds)
		if len(cmds) != 2 || cmds[0]["alias"] != "start" || cmds[1]["alias"] != "help" {
			t.Fatalf("commands of %s = %v", bot, cmds)
		}
		var c map[string]any
		web.do("POST", "/v1/client-api/chat", `{"botId":"`+bot+`"}`, 201, &c)
		chatID := c["id"].(string)
		// The web client sends "/" + alias for a command, then polls.
		sent := web.send(chatID, "/start")
		if got := web.pollAnswer(chatID, bot, sent); got != "Hello! I repeat what you say. Try /help." {
			t.Fatalf("answer of %s = %q", bot, got)
		}
		sent = web.send(chatID, "ping")
		if got := web.pollAnswer(chatID, bot, sent); got != "You said: ping" {
			t.Fatalf("answer of %s = %q", bot, got)
		}
	}

	// The webhook bot goes down; the user writes; the server restarts.
	hookProc.stop(t)
	var chats []map[string]any
	web.do("GET", "/v1/client-api/chats?bot_id="+hookID, "", 200, &chats)
	chatID := chats[0]["id"].(string)
	first := web.send(chatID, "one")
	web.send(chatID, "two")
	web.send(chatID, "three")
	s.stop(t)
	s = mustRun(t, env)
	web.base = s.URL
	startEchobot(t, bin, s.URL, hookKey, "-listen", listen)
	want := []string{"You said: one", "You said: two", "You said: three"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var page struct {
			Messages []struct {
				Body string `json:"body"`
			} `json:"messages"`
		}
		web.do("GET", fmt.Sprintf("/v1/client-api/chat/%s/messages?sender_id=%s&since=%d", chatID, hookID, first), "", 200, &page)
		var got []string
		for _, m := range page.Messages {
			got = append(got, m.Body)
		}
		if len(got) >= len(want) {
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Fatalf("after the restart the bot answered %q, want %q", got, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart the bot answered only %q", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// webClient does what Botyard's web client does: a browser with cookies.
type webClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func (c *webClient) do(method, path, body string, want int, out any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, res.StatusCode, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// send posts a message and returns its timestamp.
func (c *webClient) send(chatID, body string) int64 {
	c.t.Helper()
	var m struct {
		Timestamp int64 `json:"timestamp"`
	}
	data, _ := json.Marshal(map[string]any{"chatId": chatID, "body": body, "attachmentIds": []string{}})
	c.do("POST", "/v1/client-api/chat/message", string(data), 201, &m)
	return m.Timestamp
}

// pollAnswer polls for the bot's first message after since, as the web
// client does (page 1, limit 1, sender_id, since), and returns its body.
func (c *webClient) pollAnswer(chatID, bot string, since int64) string {
	c.t.Helper()
	start := time.Now()
	for polls := 1; ; polls++ {
		var page struct {
			Messages []struct {
				Body string `json:"body"`
			} `json:"messages"`
		}
		c.do("GET", fmt.Sprintf("/v1/client-api/chat/%s/messages?sender_id=%s&page=1&limit=1&since=%d", chatID, bot, since), "", 200, &page)
		if len(page.Messages) > 0 {
			c.t.Logf("bot %s answered within %v (%d polls)", bot, time.Since(start).Round(time.Millisecond), polls)
			return page.Messages[0].Body
		}
		if time.Since(start) > 20*time.Second {
			c.t.Fatalf("bot %s did not answer", bot)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// buildEchobot builds examples/echobot.
func buildEchobot(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "echobot")
	cmd := exec.Command(goBin, "build", "-o", bin, "../../examples/echobot")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build echobot: %v\n%s", err, out)
	}
	return bin
}

type process struct {
	cmd  *exec.Cmd
	done chan error
}

// startEchobot runs the echo bot and waits until it is ready.
func startEchobot(t *testing.T, bin, server, key string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"-server", server}, args...)...)
	cmd.Env = append(os.Environ(), "BOT_KEY="+key)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		signalled := false
		for sc.Scan() {
			t.Logf("echobot: %s", sc.Text())
			if !signalled && strings.Contains(sc.Text(), "ready") {
				close(ready)
				signalled = true
			}
		}
		p.done <- cmd.Wait()
	}()
	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("echobot exited: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("echobot did not get ready")
	}
	t.Cleanup(func() { p.stop(t) })
	return p
}

func (p *process) stop(t *testing.T) {
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		t.Error("echobot did not stop on SIGTERM")
	}
	p.cmd = nil
}

// freeAddr returns a local address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
