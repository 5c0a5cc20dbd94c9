// Package sqlstoretest opens real stores for tests: SQLite in a temporary
// directory always, and PostgreSQL in a fresh schema when
// PARLEY_TEST_DATABASE_URL holds a DSN.
//
// PARLEY_TEST_ENGINE=postgres makes Open use PostgreSQL, so that a whole suite
// runs there; PARLEY_TEST_REQUIRE_POSTGRES=1 turns a missing DSN into a
// failure instead of a skip (CI sets it).
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/parley-chat/parley/internal/sqlstore"
)

// Engine returns the engine PARLEY_TEST_ENGINE selects (SQLite by default).
func Engine() sqlstore.Engine {
	if strings.EqualFold(os.Getenv("PARLEY_TEST_ENGINE"), "postgres") {
		return sqlstore.Postgres
	}
	return sqlstore.SQLite
}

// DSN returns a DSN for a fresh database of the selected engine: a file in a
// temporary directory, or a new PostgreSQL schema dropped when tb ends.
func DSN(tb testing.TB) string {
	tb.Helper()
	if Engine() == sqlstore.Postgres {
		return PostgresDSN(tb)
	}
	return filepath.Join(tb.TempDir(), "parley.db")
}

// Open returns a migrated store of the selected engine, closed when tb ends.
func Open(tb testing.TB) *sqlstore.Store {
	tb.Helper()
	return open(tb, DSN(tb))
}

// ForEachEngine runs fn once per engine available: SQLite always, PostgreSQL
// when configured.
func ForEachEngine(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	ForEachDSN(t, func(t *testing.T, dsn string) { fn(t, open(t, dsn)) })
}

// ForEachDSN is ForEachEngine for tests that open (and reopen) the store
// themselves: fn gets the DSN of a fresh database of each engine.
func ForEachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, filepath.Join(t.TempDir(), "parley.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, PostgresDSN(t))
	})
}

func open(tb testing.TB, dsn string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN creates a schema named t_<random> in the database of
// PARLEY_TEST_DATABASE_URL, returns a DSN whose search_path is that schema,
// and drops the schema when tb ends. It skips tb when no DSN is set, or
// fails it when PARLEY_TEST_REQUIRE_POSTGRES is set.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("PARLEY_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("PARLEY_TEST_REQUIRE_POSTGRES") != "" {
			tb.Fatal("PARLEY_TEST_REQUIRE_POSTGRES is set but PARLEY_TEST_DATABASE_URL is empty")
		}
		tb.Skip("PARLEY_TEST_DATABASE_URL not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	schema := "t_" + strings.ToLower(rand.Text())
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			tb.Error(err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse PARLEY_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return fmt.Sprint(u)
}
