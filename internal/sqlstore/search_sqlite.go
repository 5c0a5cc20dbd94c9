package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// sqliteFTS keeps the index in the FTS5 table search_fts: contentless (the
// text is not stored twice), with deletes, no positions (detail=none), and
// thread_id and weight as unindexed columns. Documents arrive as their
// tokens separated by spaces and the 'ascii' tokenizer splits them there,
// so FTS5 indexes exactly chat.IndexTokens.
type sqliteFTS struct{}

var _ fullText = sqliteFTS{}

func (sqliteFTS) insert(ctx context.Context, t *tx, docs []ftsDoc) error {
	for len(docs) > 0 {
		n := min(len(docs), ftsBatch)
		args := make([]any, 0, 4*n)
		for _, d := range docs[:n] {
			args = append(args, d.id, int64(d.thread), d.weight, strings.Join(d.tokens, " "))
		}
		q := `INSERT INTO search_fts (rowid, thread_id, weight, body) VALUES ` + strings.TrimSuffix(strings.Repeat("(?,?,?,?),", n), ",")
		if _, err := t.exec(ctx, q, args...); err != nil {
			return err
		}
		docs = docs[n:]
	}
	return nil
}

func (sqliteFTS) remove(ctx context.Context, t *tx, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), ftsBatch)
		in, args := inList(ids[:n])
		if _, err := t.exec(ctx, `DELETE FROM search_fts WHERE rowid IN (`+in+`)`, args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// removeThread deletes the thread's field documents and, by id, those of its
// chats: FTS5 finds rows by rowid only.
func (f sqliteFTS) removeThread(ctx context.Context, t *tx, thread chat.ThreadID) error {
	ids := threadDocIDs(thread)
	err := t.scanAll(ctx, `SELECT id FROM messages WHERE thread_id = ? AND NOT deleted`, []any{int64(thread)}, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return err
	}
	return f.remove(ctx, t, ids)
}

func (sqliteFTS) rebuild(ctx context.Context, t *tx, fill func() error) error {
	if _, err := t.exec(ctx, `DELETE FROM search_fts`); err != nil {
		return err
	}
	return fill()
}

// match ANDs the tokens, each a quoted FTS5 string ("" escapes a quote),
// the last one as a prefix when asked.
func (sqliteFTS) match(tokens []string, prefix bool) (string, any) {
	parts := make([]string, len(tokens))
	for i, tok := range tokens {
		parts[i] = `"` + strings.ReplaceAll(tok, `"`, `""`) + `"`
	}
	if prefix && len(parts) > 0 {
		parts[len(parts)-1] += "*"
	}
	return `SELECT rowid AS doc_id, thread_id, weight FROM search_fts WHERE search_fts MATCH ?`, strings.Join(parts, " AND ")
}

// size sums the pages of the FTS5 table's shadow tables.
func (sqliteFTS) size(ctx context.Context, t *tx) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'search_fts%'`).Scan(&n)
	return n, mapError(err)
}
