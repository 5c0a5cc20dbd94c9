package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/compat/allo"
	"github.com/parley-chat/parley/internal/compat/botyard"
	"github.com/parley-chat/parley/internal/compat/convo"
	"github.com/parley-chat/parley/internal/compat/forge"
	"github.com/parley-chat/parley/internal/files/disk"
	"github.com/parley-chat/parley/internal/files/s3"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpx"
	"github.com/parley-chat/parley/internal/jobs"
	"github.com/parley-chat/parley/internal/realtime"
	"github.com/parley-chat/parley/internal/realtime/natsbus"
	"github.com/parley-chat/parley/internal/realtime/pgbus"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/webhook"
	"github.com/parley-chat/parley/web"
)

func newLogger(cfg *Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func migrate(ctx context.Context, cfg *Config, out io.Writer) error {
	store, err := sqlstore.Open(ctx, cfg.DSN())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "parley: %s database is up to date\n", store.Engine())
	return store.Close()
}

// backup copies the database to target while other processes may serve it.
func backup(ctx context.Context, cfg *Config, target string, out io.Writer) error {
	store, err := sqlstore.Open(ctx, cfg.DSN())
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, target); err != nil {
		return err
	}
	fmt.Fprintf(out, "parley: backed up %s to %s; restore by stopping the server and copying it back (or PARLEY_DATA_DIR with it as parley.db)\n", cfg.DSN(), target)
	return nil
}

// openFiles returns attachment storage: S3 when a bucket is configured, the
// data directory otherwise.
func openFiles(ctx context.Context, cfg *Config) (chat.Files, func() error, error) {
	if cfg.S3.Bucket != "" {
		st, err := s3.Open(ctx, s3.Options{Endpoint: cfg.S3.Endpoint, Region: cfg.S3.Region, Bucket: cfg.S3.Bucket,
			AccessKeyID: cfg.S3.AccessKeyID, SecretAccessKey: cfg.S3.SecretAccessKey, PathStyle: cfg.S3.Endpoint != ""})
		if err != nil {
			return nil, nil, err
		}
		return st, st.Close, nil
	}
	st, err := disk.Open(filepath.Join(cfg.DataDir, "files"))
	if err != nil {
		return nil, nil, err
	}
	return st, st.Close, nil
}

// serve builds every component, top to bottom, serves until ctx ends, and
// shuts down in reverse order.
func serve(ctx context.Context, cfg *Config, stdout, stderr io.Writer) (err error) {
	log := newLogger(cfg, stderr)
	if err := loadSecrets(cfg, stdout); err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, cfg.DSN())
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	files, closeFiles, err := openFiles(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeFiles()) }()
	tokens, err := auth.NewTokens(cfg.JWTSecret)
	if err != nil {
		return err
	}
	broker, err := openBroker(ctx, cfg, store)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, broker.Close()) }()
	metrics := newMetrics(store)
	hub := realtime.New(store, broker, realtime.Options{Logger: log, Metrics: metrics})
	if err := hub.Start(ctx); err != nil {
		return err
	}
	// Botyard's service info and limits (PARLEY_CONFIG); the limits are chat's rules.
	botCfg, err := botyard.LoadConfig(cfg.ConfigFile)
	if err != nil {
		return err
	}
	svc := chat.New(chat.Deps{Store: store, Hub: hub, Files: files, Tokens: tokens, Wallets: auth.Wallets{}},
		chat.Config{ClientSecret: cfg.ClientSecret, TokenTTL: cfg.TokenTTL, MaxUploadSize: cfg.MaxUploadBytes, MaxConnsPerUser: cfg.MaxConnsPerUser,
			Bots: botCfg.ChatLimits()})
	defaultOrg, err := svc.EnsureDefaultOrg(ctx)
	if err != nil {
		return err
	}
	runner := jobs.New(svc, jobs.Options{EventRetention: cfg.EventRetention, Logger: log})
	webhooks := jobs.NewWebhooks(svc, jobs.WebhookOptions{Logger: log, Delivery: chat.DeliveryOptions{
		Sender: webhook.New(webhook.Options{}), Format: botyard.WebhookBody}})

	mux := http.NewServeMux()
	httpapi.Mount(mux, httpapi.Deps{Chat: svc, Logger: log, BaseURL: cfg.BaseURL, MaxUploadBytes: cfg.MaxUploadBytes + 1<<20, Web: web.FS})
	forge.Mount(mux, forge.Deps{Chat: svc, Logger: log, BaseURL: cfg.BaseURL})
	convo.Mount(mux, convo.Deps{Chat: svc, Logger: log})
	botyard.Mount(mux, botyard.Deps{Chat: svc, Logger: log, DefaultOrg: defaultOrg.ID, Config: &botCfg, ConfigPath: cfg.ConfigFile})
	alloSurface := allo.Mount(mux, allo.Deps{Chat: svc, Logger: log})
	mux.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) }))
	mux.Handle("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	mux.Handle("GET /metrics", metrics.handler())

	limiter := httpx.NewLimiter(httpx.LimitOptions{PerUser: cfg.RateLimit, PerIP: 4 * cfg.RateLimit, TrustForwarded: cfg.TrustProxy}, surfaceError)
	srv := &http.Server{
		Handler:           httpx.Middleware(limiter.Wrap(mux), log, metrics),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "parley: listening on http://%s (%s database)\n", ln.Addr(), store.Engine())
	log.Info("serving", "addr", ln.Addr().String(), "database", store.Engine(), "data_dir", cfg.DataDir)

	// Shutdown does not wait for hijacked connections (WebSockets): the hub
	// drain closes them with "restarting, resume".
	srv.RegisterOnShutdown(hub.Drain)
	// Shutdown waits for active requests, Socket.IO long-polls among them:
	// the drain starts with it, flushing and closing every session.
	sioDrained := make(chan error, 1)
	srv.RegisterOnShutdown(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		sioDrained <- alloSurface.Close(ctx)
	})

	// The long-running parts, each stopped by cancelling bg and waited for.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	parts := []func(context.Context) error{hub.Run, runner.Run, webhooks.Run}
	bgErr := make(chan error, len(parts))
	for _, part := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := part(bg); err != nil {
				bgErr <- err
			}
		}()
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err = <-serveErr:
	case err = <-bgErr:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		err = errors.Join(err, fmt.Errorf("shutdown: %w", serr))
	}
	select {
	case serr := <-sioDrained:
		if serr != nil {
			err = errors.Join(err, fmt.Errorf("drain socket.io: %w", serr))
		}
	case <-sctx.Done():
		err = errors.Join(err, fmt.Errorf("drain socket.io: %w", sctx.Err()))
	}
	stopBG()
	wg.Wait()
	if serr := <-serveErr; err == nil && !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	return err
}

// surfaceError renders an error from middleware in the format of the
// surface the request was for.
func surfaceError(w http.ResponseWriter, r *http.Request, err error) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/v1/client-api/"), strings.HasPrefix(p, "/v1/bot-api/"), strings.HasPrefix(p, "/v1/admin-api/"), strings.HasPrefix(p, "/static/"):
		botyard.WriteError(w, r, err)
	case strings.HasPrefix(p, "/v1/") || p == "/create-org":
		httpapi.WriteError(w, r, err)
	case strings.HasPrefix(p, "/api/chat/"), p == "/api", strings.HasPrefix(p, "/socket.io/"):
		allo.WriteError(w, r, err)
	case strings.HasPrefix(p, "/api/"):
		convo.WriteError(w, r, err)
	default:
		forge.WriteError(w, r, err)
	}
}

// openBroker picks how live events travel between nodes: NATS when
// configured, PostgreSQL LISTEN/NOTIFY when the database is PostgreSQL, and
// nowhere (a single node) on SQLite.
func openBroker(ctx context.Context, cfg *Config, store *sqlstore.Store) (realtime.Broker, error) {
	switch {
	case cfg.NATSURL != "":
		return natsbus.Open(cfg.NATSURL, cfg.BrokerChannel)
	case store.Engine() == sqlstore.Postgres:
		return pgbus.Open(ctx, cfg.DSN(), cfg.BrokerChannel)
	}
	return realtime.Local{}, nil
}
