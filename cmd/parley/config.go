package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Config is everything the server can be told. Defaults give a working
// single-node server: SQLite and files under ./data, listening on :8080.
type Config struct {
	Addr        string // PARLEY_ADDR
	DataDir     string // PARLEY_DATA_DIR
	DatabaseURL string // DATABASE_URL; empty means SQLite in DataDir
	NATSURL     string // NATS_URL
	ConfigFile  string // PARLEY_CONFIG
	BaseURL     string // PARLEY_BASE_URL

	// Secrets come from the environment only (never flags, which show in
	// process lists); missing ones are generated and kept in DataDir.
	ClientSecret string // CLIENT_SECRET
	JWTSecret    string // JWT_SECRET

	S3 S3Config

	// BrokerChannel names the NOTIFY channel or NATS subject prefix that a
	// deployment's nodes share (PARLEY_BROKER_CHANNEL, default "parley").
	BrokerChannel string
	// EventRetention is how long the event log keeps events for resume
	// (PARLEY_EVENT_RETENTION).
	EventRetention time.Duration
	// RateLimit is requests per second per credential (PARLEY_RATE_LIMIT;
	// 0 turns request rate limits off, for benchmarks); each client address
	// may make four times as many.
	RateLimit float64
	// TrustProxy takes client addresses from X-Forwarded-For
	// (PARLEY_TRUST_PROXY=1, only behind a proxy that sets it).
	TrustProxy bool
	// MaxConnsPerUser caps a user's live connections per node
	// (PARLEY_MAX_CONNS_PER_USER).
	MaxConnsPerUser int
	TokenTTL        time.Duration // PARLEY_TOKEN_TTL
	MaxUploadBytes  int64         // PARLEY_MAX_UPLOAD_BYTES
	ShutdownTimeout time.Duration // PARLEY_SHUTDOWN_TIMEOUT
	LogLevel        slog.Level    // PARLEY_LOG_LEVEL
	LogFormat       string        // PARLEY_LOG_FORMAT: text or json
}

// S3Config selects S3-compatible storage for attachments when Bucket is set
// (the seed's variable names, plus AWS_ENDPOINT_URL).
type S3Config struct {
	Bucket          string // AWS_S3_BUCKET_NAME
	Region          string // AWS_REGION
	AccessKeyID     string // AWS_ACCESS_KEY_ID
	SecretAccessKey string // AWS_SECRET_ACCESS_KEY
	Endpoint        string // AWS_ENDPOINT_URL
}

// parseConfig reads defaults, then the environment, then flags (flags win).
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := &Config{
		Addr: ":8080", DataDir: "data", TokenTTL: 30 * 24 * time.Hour, MaxUploadBytes: 25 << 20,
		ShutdownTimeout: 15 * time.Second, RateLimit: 50, MaxConnsPerUser: 100, EventRetention: 7 * 24 * time.Hour, BrokerChannel: "parley", LogLevel: slog.LevelInfo, LogFormat: "text",
	}
	fs := flag.NewFlagSet("parley", flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(p *string, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			*p = v
		}
		fs.StringVar(p, flagName, *p, usage+" ($"+env+")")
	}
	str(&c.Addr, "addr", "PARLEY_ADDR", "listen address")
	str(&c.DataDir, "data-dir", "PARLEY_DATA_DIR", "directory for the SQLite database, files and generated secrets")
	str(&c.DatabaseURL, "database-url", "DATABASE_URL", "postgres://… to use PostgreSQL (default: SQLite in the data directory)")
	str(&c.NATSURL, "nats-url", "NATS_URL", "NATS server for live events between nodes")
	str(&c.ConfigFile, "config", "PARLEY_CONFIG", "optional JSON config file (Botyard's service info and limits)")
	str(&c.BaseURL, "base-url", "PARLEY_BASE_URL", "public URL of the server, for links (default: from each request)")
	str(&c.BrokerChannel, "broker-channel", "PARLEY_BROKER_CHANNEL", "NOTIFY channel / NATS subject prefix shared by a deployment's nodes")
	str(&c.LogFormat, "log-format", "PARLEY_LOG_FORMAT", "log format: text or json")
	c.ClientSecret = getenv("CLIENT_SECRET")
	c.JWTSecret = getenv("JWT_SECRET")
	c.S3 = S3Config{Bucket: getenv("AWS_S3_BUCKET_NAME"), Region: getenv("AWS_REGION"), AccessKeyID: getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"), Endpoint: getenv("AWS_ENDPOINT_URL")}

	var errs []error
	dur := func(p *time.Duration, flagName, env, usage string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
			*p = d
		}
		fs.DurationVar(p, flagName, *p, usage+" ($"+env+")")
	}
	dur(&c.TokenTTL, "token-ttl", "PARLEY_TOKEN_TTL", "how long issued tokens are valid")
	dur(&c.EventRetention, "event-retention", "PARLEY_EVENT_RETENTION", "how long events are kept for resuming clients")
	dur(&c.ShutdownTimeout, "shutdown-timeout", "PARLEY_SHUTDOWN_TIMEOUT", "how long a graceful shutdown may take")
	if v := getenv("PARLEY_MAX_UPLOAD_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("PARLEY_MAX_UPLOAD_BYTES: %w", err))
		}
		c.MaxUploadBytes = n
	}
	if v := getenv("PARLEY_RATE_LIMIT"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			errs = append(errs, fmt.Errorf("PARLEY_RATE_LIMIT: want a number of requests per second, 0 for none"))
		}
		c.RateLimit = f
	}
	fs.Float64Var(&c.RateLimit, "rate-limit", c.RateLimit, "requests per second per credential; 0 turns rate limits off ($PARLEY_RATE_LIMIT)")
	if v := getenv("PARLEY_MAX_CONNS_PER_USER"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("PARLEY_MAX_CONNS_PER_USER: want a positive number"))
		}
		c.MaxConnsPerUser = n
	}
	fs.IntVar(&c.MaxConnsPerUser, "max-conns-per-user", c.MaxConnsPerUser, "live connections per user and node ($PARLEY_MAX_CONNS_PER_USER)")
	c.TrustProxy = getenv("PARLEY_TRUST_PROXY") == "1"
	fs.Int64Var(&c.MaxUploadBytes, "max-upload-bytes", c.MaxUploadBytes, "largest accepted upload ($PARLEY_MAX_UPLOAD_BYTES)")
	level := getenv("PARLEY_LOG_LEVEL")
	fs.StringVar(&level, "log-level", level, "debug, info, warn or error ($PARLEY_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if level != "" {
		if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
			errs = append(errs, fmt.Errorf("log level: %w", err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

// Validate checks the config for mistakes that would only show later.
func (c *Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("listen address is empty"))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data directory is empty"))
	}
	if c.TokenTTL < time.Minute {
		errs = append(errs, errors.New("token TTL must be at least a minute"))
	}
	if c.EventRetention < chat.MinEventRetention {
		errs = append(errs, fmt.Errorf("event retention must be at least %v: bot update queues live in the event log", chat.MinEventRetention))
	}
	if c.MaxUploadBytes < 1024 {
		errs = append(errs, errors.New("max upload bytes must be at least 1024"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log format %q: want text or json", c.LogFormat))
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("JWT_SECRET must be at least 32 characters"))
	}
	return errors.Join(errs...)
}

// DSN returns the database to open.
func (c *Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return filepath.Join(c.DataDir, "parley.db")
}
