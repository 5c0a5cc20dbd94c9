package chat

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Publisher fans events out to live subscribers. The Service calls it only
// after the unit of work that wrote the events committed. Publish must not
// block on slow subscribers.
type Publisher interface {
	Publish(events ...*Event)
}

// Tokens issues and checks the signed bearer tokens every surface accepts.
type Tokens interface {
	Issue(c Claims) (string, error)
	// Parse returns an Unauthenticated error for a token that is malformed,
	// forged, signed with another secret, or expired.
	Parse(token string) (Claims, error)
}

// Claims is what a token says: which user of which org, and until when.
type Claims struct {
	OrgID     OrgID
	UserID    UserID
	Username  string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Config holds the Service's settings.
type Config struct {
	// ClientSecret is the operator's secret (ConvoForge's Client-Secret):
	// it provisions orgs and users and grants every permission.
	ClientSecret string
	// TokenTTL is how long issued tokens are valid.
	TokenTTL time.Duration
	// MaxUploadSize caps uploaded files, in bytes.
	MaxUploadSize int64
	// MaxConnsPerUser caps one user's live subscriptions on a node (many
	// tabs and devices are normal).
	MaxConnsPerUser int
	// Bots are the bot platform's limits (botlimits.go); zero fields take
	// Botyard's defaults.
	Bots BotLimits
}

// Defaults for Config fields left zero.
const (
	DefaultTokenTTL        = 30 * 24 * time.Hour
	DefaultMaxUploadSize   = 25 << 20
	DefaultMaxConnsPerUser = 100
)

// Deps are the Service's collaborators.
type Deps struct {
	Store Store
	// Publisher is told about events after commit. Hub, when set, is the
	// publisher too and also serves subscriptions.
	Publisher Publisher
	Hub       Hub
	Files     Files
	Tokens    Tokens
	// Wallets checks wallet signatures; without it wallet sign-in is
	// Unavailable.
	Wallets Wallets
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Service holds the use cases. It is safe for concurrent use.
type Service struct {
	store  Store
	pub    Publisher
	hub    Hub
	files  Files
	tokens Tokens
	// wallets may be nil (see Deps.Wallets).
	wallets Wallets
	now     func() time.Time
	cfg     Config

	subsMu sync.Mutex     // guards subs
	subs   map[UserID]int // live subscriptions per user on this node

	botLimits atomic.Pointer[BotLimits] // set by ReloadBotLimits; nil means cfg.Bots

	// node names this Service in the rows it claims (scheduled messages);
	// due is signalled when work with a due time is added (see DueChanged).
	node string
	due  chan struct{}
}

// New returns a Service. It panics if a required dependency is missing: that
// is a wiring mistake, found at start-up.
func New(d Deps, cfg Config) *Service {
	if d.Store == nil || d.Tokens == nil || d.Files == nil {
		panic("chat.New: Store, Tokens and Files are required")
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.MaxUploadSize <= 0 {
		cfg.MaxUploadSize = DefaultMaxUploadSize
	}
	if cfg.MaxConnsPerUser <= 0 {
		cfg.MaxConnsPerUser = DefaultMaxConnsPerUser
	}
	s := &Service{store: d.Store, pub: d.Publisher, hub: d.Hub, files: d.Files, tokens: d.Tokens, wallets: d.Wallets, now: d.Now, cfg: cfg,
		subs: map[UserID]int{}, node: randomText()[:12], due: make(chan struct{}, 1)}
	if s.pub == nil && s.hub != nil {
		s.pub = s.hub
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Now returns the service clock's time, in UTC and truncated to milliseconds
// so that it round-trips through either engine exactly.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// work is one write unit of work in progress: it collects the events to
// publish once the commit succeeds.
type work struct {
	tx     Tx
	now    time.Time
	events []*Event
	// wake: the unit of work added something with a due time (a scheduled
	// or expiring message), so the jobs must look again after the commit.
	wake bool
}

// emit appends e to the log within the unit of work.
func (w *work) emit(ctx context.Context, e *Event) error {
	if e.At.IsZero() {
		e.At = w.now
	}
	if err := w.tx.AppendEvent(ctx, e); err != nil {
		return fmt.Errorf("append %s event: %w", e.Type, err)
	}
	w.events = append(w.events, e)
	return nil
}

// update runs fn in one write unit of work, then publishes its events.
func (s *Service) update(ctx context.Context, fn func(w *work) error) error {
	var w work
	err := s.store.Update(ctx, func(tx Tx) error {
		w = work{tx: tx, now: s.Now()}
		return fn(&w)
	})
	if err != nil {
		return err
	}
	if len(w.events) > 0 && s.pub != nil {
		s.pub.Publish(w.events...)
	}
	if w.wake {
		s.signalDue()
	}
	return nil
}

// view runs fn in one read-only unit of work.
func (s *Service) view(ctx context.Context, fn func(tx ReadTx) error) error {
	return s.store.View(ctx, fn)
}

// CheckClientSecret reports whether secret is the operator's client secret.
// It returns Unauthenticated for an empty or wrong secret.
func (s *Service) CheckClientSecret(secret string) error {
	if secret == "" || s.cfg.ClientSecret == "" ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		return ErrUnauthenticated.WithReason("client_secret")
	}
	return nil
}

// randomText returns a random string of 26 base32 characters (130 bits).
func randomText() string { return rand.Text() }

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// isNotFound reports whether err is a NotFound error.
func isNotFound(err error) bool { return ErrorCode(err) == NotFound }

// notFound returns a NotFound error naming what was missing.
func notFound(what string) *Error {
	return &Error{Code: NotFound, Message: what + " not found.", Reason: "not_found"}
}
