// Command echobot is an example Botyard bot for Parley: it answers every
// message in its chats with the message, through the bot API.
//
// It takes its updates either from a webhook (-listen: it registers its own
// URL with the server and checks the signature of every delivery) or by
// polling the update queue (the default: GET /v1/bot-api/updates, a long
// poll). It registers two commands, /start and /help, which the web client
// shows.
//
//	BOT_KEY=<bot id>:<token> echobot -server http://localhost:8080
//	BOT_KEY=<bot id>:<token> echobot -server http://localhost:8080 -listen 127.0.0.1:9000
//
// Deliveries are at least once, so the bot remembers the update ids it has
// answered and answers each once. It needs only the standard library.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	server := flag.String("server", envOr("BOTYARD_URL", "http://localhost:8080"), "Parley's base URL ($BOTYARD_URL)")
	listen := flag.String("listen", "", "take updates on a webhook served at this address (default: poll the update queue)")
	public := flag.String("public-url", "", "the webhook's URL as the server reaches it (default: http://<listen address>/hook)")
	flag.Parse()
	key := os.Getenv("BOT_KEY")
	if key == "" {
		log.Fatal("echobot: set BOT_KEY to the bot's key (<bot id>:<token>)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &bot{server: strings.TrimSuffix(*server, "/"), key: key, client: &http.Client{Timeout: 70 * time.Second}, seen: map[int64]bool{}}
	if err := b.run(ctx, *listen, *public); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatalf("echobot: %v", err)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

type bot struct {
	server string
	key    string
	client *http.Client

	mu   sync.Mutex
	seen map[int64]bool // update ids answered (deliveries are at least once)
}

// message is Botyard's PreparedMessage.
type message struct {
	ID       string `json:"id"`
	ChatID   string `json:"chatId"`
	SenderID string `json:"senderId"`
	Body     string `json:"body"`
	Files    []struct {
		Name string `json:"name"`
	} `json:"attachments"`
}

func (b *bot) run(ctx context.Context, listen, public string) error {
	err := b.call(ctx, "POST", "/v1/bot-api/bot/commands", []map[string]string{
		{"alias": "start", "description": "Start a new conversation."},
		{"alias": "help", "description": "Show what this bot does."},
	}, nil)
	if err != nil {
		return fmt.Errorf("register commands: %w", err)
	}
	if listen == "" {
		// The queue answers 409 while a webhook is set: drop any.
		if err := b.call(ctx, "DELETE", "/v1/bot-api/bot/webhook", nil, nil); err != nil {
			return err
		}
		log.Print("echobot: ready, polling for updates")
		return b.poll(ctx)
	}
	return b.serveWebhook(ctx, listen, public)
}

// poll takes updates from the queue; offset acknowledges what was answered.
func (b *bot) poll(ctx context.Context) error {
	var offset int64
	for ctx.Err() == nil {
		var ups []struct {
			UpdateID int64   `json:"updateId"`
			Message  message `json:"message"`
		}
		err := b.call(ctx, "GET", "/v1/bot-api/updates?timeout=30&offset="+strconv.FormatInt(offset, 10), nil, &ups)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			log.Printf("echobot: updates: %v", err)
			sleep(ctx, time.Second)
			continue
		}
		for _, u := range ups {
			if err := b.answer(ctx, u.UpdateID, u.Message); err != nil {
				log.Printf("echobot: answer: %v", err)
				sleep(ctx, time.Second)
				break // not acknowledged: the update comes again
			}
			offset = u.UpdateID + 1
		}
	}
	return ctx.Err()
}

// serveWebhook registers the webhook and answers deliveries until ctx ends.
func (b *bot) serveWebhook(ctx context.Context, listen, public string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	if public == "" {
		public = "http://" + ln.Addr().String() + "/hook"
	}
	secret := randomSecret()
	var hook struct {
		SigningSecret string `json:"signingSecret"`
	}
	if err := b.call(ctx, "POST", "/v1/bot-api/bot/webhook", map[string]string{"url": public, "secret": secret}, &hook); err != nil {
		ln.Close()
		return fmt.Errorf("set webhook: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || r.Method != http.MethodPost || r.Header.Get("Authorization") != secret ||
			!verify(hook.SigningSecret, r.Header.Get("X-Parley-Timestamp"), r.Header.Get("X-Parley-Signature"), body) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		var m message
		id, _ := strconv.ParseInt(r.Header.Get("X-Parley-Update-Id"), 10, 64)
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if err := b.answer(r.Context(), id, m); err != nil {
			// Not answered: fail, and the server delivers it again.
			log.Printf("echobot: answer: %v", err)
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	log.Printf("echobot: ready, webhook at %s", public)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// verify checks a delivery's signature: the HMAC-SHA256 of the timestamp, a
// dot and the body, keyed with the signing secret, signed within 5 minutes.
func verify(signingSecret, timestamp, signature string, body []byte) bool {
	t, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || time.Since(time.Unix(t, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(signingSecret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(signature), []byte(want))
}

// answer replies to one update, once.
func (b *bot) answer(ctx context.Context, updateID int64, m message) error {
	b.mu.Lock()
	done := b.seen[updateID]
	b.mu.Unlock()
	if done {
		return nil
	}
	if err := b.call(ctx, "POST", "/v1/bot-api/chat/message", map[string]string{"chatId": m.ChatID, "body": reply(m)}, nil); err != nil {
		return err
	}
	b.mu.Lock()
	b.seen[updateID] = true
	b.mu.Unlock()
	return nil
}

// reply is what the bot says to a message.
func reply(m message) string {
	switch strings.TrimSpace(m.Body) {
	case "/start":
		return "Hello! I repeat what you say. Try /help."
	case "/help":
		return "Send me anything and I send it back."
	}
	s := "You said: " + m.Body
	if n := len(m.Files); n > 0 {
		s += fmt.Sprintf(" (and %d file(s))", n)
	}
	return s
}

// call sends a request to the bot API and decodes its answer into out.
func (b *bot) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.server+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", b.key)
	req.Header.Set("Content-Type", "application/json")
	res, err := b.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	if res.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		json.Unmarshal(data, &e)
		return fmt.Errorf("%s %s: %s %s", method, path, res.Status, e.Message)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func randomSecret() string { return rand.Text() }

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
