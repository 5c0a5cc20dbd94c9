package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/parley-chat/parley/internal/chat"
)

//go:embed migrations
var migrations embed.FS

// Engine names a SQL engine.
type Engine string

// Supported engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Store is chat.Store on one SQL database.
type Store struct {
	engine Engine
	write  *sql.DB  // SQLite: one connection; PostgreSQL: the only pool
	read   *sql.DB  // SQLite: a pool of readers; PostgreSQL: == write
	fts    fullText // the engine's full-text index

	// SQLite: prepared statements of the writer and of the readers.
	writeStmts, readStmts *stmtCache
	walPath               string // SQLite: the WAL file, kept bounded by the committer (commit.go)

	mu     sync.Mutex
	rebind map[string]string // guarded by mu: ?-query -> $n-query (PostgreSQL)

	// Group commit (commit.go): Update hands its unit of work to a
	// committer over commits.
	commits    chan *commitRequest
	quit       chan struct{}
	committers sync.WaitGroup
}

// Committers per engine: SQLite has one writer; on PostgreSQL several
// batches run at once and serialize only where they touch the same rows
// (the event counter last of all).
const (
	sqliteCommitters   = 1
	postgresCommitters = 4
)

var _ chat.Store = (*Store)(nil)

// Open connects to the database named by dsn and applies pending migrations.
// A dsn starting with postgres:// or postgresql:// selects PostgreSQL;
// anything else is a SQLite file path (optionally prefixed with sqlite: or
// file:), whose directory is created if needed.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{rebind: map[string]string{}}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		s.engine, s.fts = Postgres, postgresFTS{}
		if s.write, err = sql.Open("pgx", dsn); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		s.write.SetMaxOpenConns(32)
		s.write.SetMaxIdleConns(32)
		s.write.SetConnMaxIdleTime(5 * time.Minute)
		s.read = s.write
	} else {
		s.engine, s.fts = SQLite, sqliteFTS{}
		if err := s.openSQLite(dsn); err != nil {
			return nil, err
		}
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.ensureSearchIndex(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("search index: %w", err)
	}
	n := sqliteCommitters
	if s.engine == Postgres {
		n = postgresCommitters
	}
	s.commits, s.quit = make(chan *commitRequest), make(chan struct{})
	for range n {
		s.committers.Add(1)
		go s.committer()
	}
	return s, nil
}

func (s *Store) openSQLite(dsn string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return errors.New("open sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	// busy_timeout comes first so that the other pragmas wait for locks too.
	pragmas := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		pragmas.Add("_pragma", p)
	}
	var err error
	// The writer checkpoints the WAL itself (the default, every 1000 pages);
	// the committer truncates it when it grows (commit.go). Checkpointing
	// from another connection only lets the WAL grow without bound under
	// steady writes.
	s.walPath = path + "-wal"
	w := pragmas
	w.Set("_txlock", "immediate")
	if s.write, err = sql.Open("sqlite", "file:"+path+"?"+w.Encode()); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetConnMaxIdleTime(0)
	r := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)", "query_only(1)"} {
		r.Add("_pragma", p)
	}
	if s.read, err = sql.Open("sqlite", "file:"+path+"?"+r.Encode()); err != nil {
		s.write.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	s.read.SetMaxOpenConns(8)
	s.read.SetMaxIdleConns(8)
	s.writeStmts, s.readStmts = newStmtCache(s.write), newStmtCache(s.read)
	return nil
}

// Engine reports which engine the store runs on.
func (s *Store) Engine() Engine { return s.engine }

// DB returns the write pool, for metrics and health checks.
func (s *Store) DB() *sql.DB { return s.write }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.engine, err)
	}
	return nil
}

// Close closes the pools.
func (s *Store) Close() error {
	if s.quit != nil {
		select {
		case <-s.quit:
		default:
			close(s.quit)
		}
		s.committers.Wait()
	}
	s.writeStmts.close()
	s.readStmts.close()
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

func (s *Store) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations/"+string(s.engine))
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.engine == Postgres {
		dialect = goose.DialectPostgres
		// Several nodes may start at once: one migrates, the others wait.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", s.engine, err)
	}
	return nil
}

// View runs fn in a read-only transaction.
func (s *Store) View(ctx context.Context, fn func(chat.ReadTx) error) error {
	sqlTx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.engine == Postgres})
	if err != nil {
		return mapError(fmt.Errorf("begin read: %w", err))
	}
	t := &tx{s: s, tx: sqlTx, stmts: s.readStmts}
	defer t.done(ctx)
	defer sqlTx.Rollback()
	if err := fn(t); err != nil {
		return err
	}
	return mapError(sqlTx.Commit())
}

// maxAttempts bounds how often Update runs a unit of work that the database
// asked to retry (busy, serialization failure, deadlock).
const maxAttempts = 4

// Update runs fn in a write transaction and commits it, appending the events
// fn added to the log last. It retries when the database is busy. Concurrent
// calls share a transaction (see commit.go); each returns after the commit.
func (s *Store) Update(ctx context.Context, fn func(chat.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = s.updateGrouped(ctx, fn)
		if chat.ErrorCode(err) != chat.Unavailable || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
	return err
}

// q returns query with placeholders in the engine's style.
func (s *Store) q(query string) string {
	if s.engine != Postgres {
		return query
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.rebind[query]; ok {
		return r
	}
	var b strings.Builder
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	r := b.String()
	if len(s.rebind) < 4096 { // queries with IN lists vary; keep the cache bounded
		s.rebind[query] = r
	}
	return r
}

// ErrBackupUnsupported is returned by Backup on PostgreSQL, whose own tools
// (pg_dump) make consistent online backups.
var ErrBackupUnsupported = errors.New("backup: use pg_dump for PostgreSQL (pg_dump --format=custom \"$DATABASE_URL\" > parley.dump)")

// Backup writes a consistent copy of a SQLite database to path while the
// server keeps running (VACUUM INTO reads one snapshot). path must not exist.
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.engine != SQLite {
		return ErrBackupUnsupported
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists", path)
	}
	if _, err := s.write.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
