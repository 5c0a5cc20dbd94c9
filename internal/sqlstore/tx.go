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
}

var _ chat.Tx = (*tx)(nil)

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, t.s.q(query), args...)
	return res, mapError(err)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := t.tx.QueryContext(ctx, t.s.q(query), args...)
	return rows, mapError(err)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.s.q(query), args...)
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
