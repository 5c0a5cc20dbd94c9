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

// lexeme quotes a token for tsvector and tsquery input.
func lexeme(tok string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(tok) + `'`
}

func (postgresFTS) insert(ctx context.Context, t *tx, docs []ftsDoc) error {
	for len(docs) > 0 {
		n := min(len(docs), ftsBatch)
		args := make([]any, 0, 4*n)
		for _, d := range docs[:n] {
			lex := make([]string, len(d.tokens))
			for i, tok := range d.tokens {
				lex[i] = lexeme(tok)
			}
			args = append(args, d.id, int64(d.thread), d.weight, strings.Join(lex, " "))
		}
		q := `INSERT INTO search_fts (id, thread_id, weight, tsv) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,CAST(? AS tsvector)),", n), ",")
		if _, err := t.exec(ctx, q, args...); err != nil {
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

func (postgresFTS) clear(ctx context.Context, t *tx) error {
	_, err := t.exec(ctx, `TRUNCATE search_fts`)
	return err
}

// match ANDs the term's tokens into a tsquery, the last one as a prefix
// (:*) when the term is.
func (postgresFTS) match(term chat.SearchTerm) (string, any) {
	parts := make([]string, len(term.Tokens))
	for i, tok := range term.Tokens {
		parts[i] = lexeme(tok)
	}
	if term.Prefix && len(parts) > 0 {
		parts[len(parts)-1] += ":*"
	}
	return `SELECT id AS doc_id, thread_id, weight FROM search_fts WHERE tsv @@ CAST(? AS tsquery)`, strings.Join(parts, " & ")
}
