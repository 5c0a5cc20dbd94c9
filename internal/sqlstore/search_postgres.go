package sqlstore

import (
	"context"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// postgresFTS keeps the index in the table search_fts: one tsvector per
// document under a GIN index. The tsvector is written as a literal of the
// tokens (no parser, no dictionary, no positions), so PostgreSQL indexes
// exactly chat.IndexTokens whatever its locale and text search
// configuration, and finds what SQLite finds.
type postgresFTS struct{}

var _ fullText = postgresFTS{}

// lexemeEscaper escapes the two characters special inside a quoted lexeme.
var lexemeEscaper = strings.NewReplacer(`\`, `\\`, `'`, `''`)

// lexeme quotes a token for tsvector and tsquery input.
func lexeme(tok string) string { return `'` + lexemeEscaper.Replace(tok) + `'` }

// insert sends each batch as four arrays: one statement of four parameters,
// which PostgreSQL parses and plans far faster than a VALUES list.
func (postgresFTS) insert(ctx context.Context, t *tx, docs []ftsDoc) error {
	const batch = 1000
	for len(docs) > 0 {
		n := min(len(docs), batch)
		ids, threads, weights, tsvs := make([]int64, n), make([]int64, n), make([]int32, n), make([]string, n)
		for i, d := range docs[:n] {
			lex := make([]string, len(d.tokens))
			for j, tok := range d.tokens {
				lex[j] = lexeme(tok)
			}
			ids[i], threads[i], weights[i], tsvs[i] = d.id, int64(d.thread), int32(d.weight), strings.Join(lex, " ")
		}
		if _, err := t.exec(ctx, `INSERT INTO search_fts (id, thread_id, weight, tsv)
			SELECT d.id, d.thread_id, d.weight, CAST(d.tsv AS tsvector)
			FROM unnest(CAST(? AS bigint[]), CAST(? AS bigint[]), CAST(? AS integer[]), CAST(? AS text[])) AS d(id, thread_id, weight, tsv)`,
			ids, threads, weights, tsvs); err != nil {
			return err
		}
		docs = docs[n:]
	}
	return nil
}

func (postgresFTS) remove(ctx context.Context, t *tx, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), ftsBatch)
		in, args := inList(ids[:n])
		if _, err := t.exec(ctx, `DELETE FROM search_fts WHERE id IN (`+in+`)`, args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func (postgresFTS) removeThread(ctx context.Context, t *tx, thread chat.ThreadID) error {
	_, err := t.exec(ctx, `DELETE FROM search_fts WHERE thread_id = ?`, int64(thread))
	return err
}

// rebuild loads the rows without the GIN index and builds it after them,
// many times faster than updating it row by row. The index is the one
// 0002_search.sql creates; the table is locked until the commit.
func (postgresFTS) rebuild(ctx context.Context, t *tx, fill func() error) error {
	for _, q := range []string{`TRUNCATE search_fts`, `DROP INDEX search_fts_tsv`, `SET LOCAL maintenance_work_mem = '256MB'`} {
		if _, err := t.exec(ctx, q); err != nil {
			return err
		}
	}
	if err := fill(); err != nil {
		return err
	}
	_, err := t.exec(ctx, `CREATE INDEX search_fts_tsv ON search_fts USING GIN (tsv)`)
	return err
}

// match ANDs the tokens into a tsquery, the last one as a prefix (:*) when
// asked.
func (postgresFTS) match(tokens []string, prefix bool) (string, any) {
	parts := make([]string, len(tokens))
	for i, tok := range tokens {
		parts[i] = lexeme(tok)
	}
	if prefix && len(parts) > 0 {
		parts[len(parts)-1] += ":*"
	}
	return `SELECT id AS doc_id, thread_id, weight FROM search_fts WHERE tsv @@ CAST(? AS tsquery)`, strings.Join(parts, " & ")
}

// size is the table's heap, TOAST and indexes (the GIN index included).
func (postgresFTS) size(ctx context.Context, t *tx) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `SELECT pg_total_relation_size('search_fts')`).Scan(&n)
	return n, mapError(err)
}
