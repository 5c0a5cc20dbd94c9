package sqlstore_test

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// TestMigrationParity checks that both engines have the same migrations and,
// once migrated, the same tables and columns. The full-text index is the one
// table that differs by design (an FTS5 virtual table with its shadow tables
// on SQLite, a tsvector table on PostgreSQL; see search_*.go), so tables
// named search_fts* are left out on both sides.
func TestMigrationParity(t *testing.T) {
	names := func(engine string) []string {
		var out []string
		fs.WalkDir(os.DirFS("migrations/"+engine), ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				out = append(out, p)
			}
			return err
		})
		return out
	}
	if diff := cmp.Diff(names("sqlite"), names("postgres")); diff != "" {
		t.Fatalf("migration files differ between engines (-sqlite +postgres):\n%s", diff)
	}

	ctx := context.Background()
	lite, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	liteCols := columns(t, lite.DB(), `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'goose_%' AND m.name NOT LIKE 'search_fts%'
		ORDER BY 1, 2`)
	if len(liteCols) == 0 {
		t.Fatal("no tables after migrating SQLite")
	}
	pg, err := sqlstore.Open(ctx, sqlstoretest.PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	pgCols := columns(t, pg.DB(), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name NOT LIKE 'goose_%' AND table_name NOT LIKE 'search_fts%' ORDER BY 1, 2`)
	if diff := cmp.Diff(liteCols, pgCols); diff != "" {
		t.Fatalf("schemas differ (-sqlite +postgres):\n%s", diff)
	}
}

func columns(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tbl, col string
		if err := rows.Scan(&tbl, &col); err != nil {
			t.Fatal(err)
		}
		out = append(out, tbl+"."+col)
	}
	slices.Sort(out)
	return out
}
