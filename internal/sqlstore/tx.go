package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// tx is one unit of work: chat.ReadTx in View, chat.Tx in Update.
type tx struct {
	s      *Store
	tx     *sql.Tx
	events []*chat.Event // appended by AppendEvent, written at commit

	stmts   *stmtCache // SQLite: the pool's prepared statements; nil on PostgreSQL
	unknown []string   // queries that ran unprepared, to prepare after the unit of work
}

var _ chat.Tx = (*tx)(nil)

// stmt returns the cached prepared statement for query bound to this
// transaction, or nil when there is none yet.
func (t *tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	if st := t.stmts.get(query); st != nil {
		return t.tx.StmtContext(ctx, st)
	}
	t.unknown = append(t.unknown, query)
	return nil
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, mapError(err)
	}
	res, err := t.tx.ExecContext(ctx, t.s.q(query), args...)
	return res, mapError(err)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, mapError(err)
	}
	rows, err := t.tx.QueryContext(ctx, t.s.q(query), args...)
	return rows, mapError(err)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.s.q(query), args...)
}

// done prepares, once the unit of work has ended, the queries it ran
// unprepared.
func (t *tx) done(ctx context.Context) {
	if len(t.unknown) > 0 {
		t.stmts.prepare(context.WithoutCancel(ctx), t.unknown)
		t.unknown = nil
	}
}

// insert runs an INSERT … RETURNING id and returns the id.
func (t *tx) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := t.queryRow(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, mapError(err)
}

// changed reports whether res affected a row.
func changed(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, mapError(err)
}

// scanAll runs query and calls scan for each row.
func (t *tx) scanAll(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return mapError(err)
		}
	}
	return mapError(rows.Err())
}

// ids returns "?,?,?" for n values and the values as []any.
func inList[T ~int64](ids []T) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = int64(id)
	}
	return strings.TrimSuffix(strings.Repeat("?,", len(ids)), ","), args
}

// Times are stored as milliseconds since the epoch; zero is the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// nullString stores "" as NULL (for columns under a partial unique index).
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
