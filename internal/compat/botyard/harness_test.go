package botyard_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/botyard"
	"github.com/parley-chat/parley/internal/httpx"
)

// testServer is the Botyard surface over a real service (chattest: SQLite
// or PostgreSQL, a running hub), served by a real HTTP server.
type testServer struct {
	env        *chattest.Env
	org        *chat.Org
	srv        *httptest.Server
	handler    http.Handler
	configPath string
}

// newTestServer mounts the surface; configJSON, when set, is the config
// file's contents (reloadable with PUT /v1/admin-api/config).
func newTestServer(t testing.TB, configJSON string) *testServer {
	t.Helper()
	return newTestServerOn(t, chattest.New(t), configJSON)
}

func newTestServerOn(t testing.TB, env *chattest.Env, configJSON string) *testServer {
	t.Helper()
	ts := &testServer{env: env}
	var err error
	if ts.org, err = env.EnsureDefaultOrg(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := botyard.DefaultConfig()
	if configJSON != "" {
		ts.configPath = filepath.Join(t.TempDir(), "parley.json")
		if err := os.WriteFile(ts.configPath, []byte(configJSON), 0o600); err != nil {
			t.Fatal(err)
		}
		if cfg, err = botyard.LoadConfig(ts.configPath); err != nil {
			t.Fatal(err)
		}
		op, err := env.OperatorActor(chattest.ClientSecret, ts.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := env.ReloadBotLimits(context.Background(), op, func() (chat.BotLimits, error) { return cfg.ChatLimits(), nil }); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	mux := http.NewServeMux()
	botyard.Mount(mux, botyard.Deps{Chat: env.Service, Logger: log, DefaultOrg: ts.org.ID, Config: &cfg, ConfigPath: ts.configPath})
	ts.handler = httpx.Middleware(mux, log, nil)
	ts.srv = httptest.NewServer(ts.handler)
	t.Cleanup(ts.srv.Close)
	return ts
}

func TestPatternsAreMounted(t *testing.T) {
	mux := http.NewServeMux()
	env := chattest.New(t)
	org, err := env.EnsureDefaultOrg(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	botyard.Mount(mux, botyard.Deps{Chat: env.Service, DefaultOrg: org.ID})
	for _, p := range botyard.Patterns() {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if method, path, ok := strings.Cut(p, " "); ok {
			req.Method, req.URL.Path = method, path
		} else {
			req.URL.Path = p
		}
		if _, pattern := mux.Handler(req); pattern != p {
			t.Errorf("%s is served by %q", p, pattern)
		}
	}
}
