package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// Full-text search. The index holds one document per thread field (subject,
// summary, tags) and one per chat, each the set of tokens chat.IndexTokens
// gives for its text. It is written here, in the same transaction as the
// rows it describes (InsertThread, UpdateThread, InsertMessage,
// UpdateMessage call these helpers), so no use case can forget it and no
// reader sees one without the other.
//
// A query term matches a document holding all of the term's tokens; a thread
// matches a term when any of its documents does, and a query when it matches
// MinTerms of its terms. Relevance is computed in SQL the same way on both
// engines (see chat.ThreadHit.Score), so both answer the same. How documents
// are stored and one term is matched differs per engine: search_sqlite.go
// (FTS5) and search_postgres.go (tsvector and GIN) implement fullText.

// fullText is the engine-specific half of search.
type fullText interface {
	// insert adds documents (their ids are not in the index).
	insert(ctx context.Context, t *tx, docs []ftsDoc) error
	// remove deletes documents by id; missing ones are ignored.
	remove(ctx context.Context, t *tx, ids []int64) error
	// removeThread deletes every document of a thread.
	removeThread(ctx context.Context, t *tx, thread chat.ThreadID) error
	// rebuild empties the index and runs fill, which inserts every
	// document; an engine may prepare for the bulk load and finish after it.
	rebuild(ctx context.Context, t *tx, fill func() error) error
	// match returns a query, and its one argument, that yields the columns
	// doc_id, thread_id and weight of the documents holding all of tokens
	// (the last one as a prefix when prefix is set).
	match(tokens []string, prefix bool) (string, any)
	// size reports the bytes the index takes on disk.
	size(ctx context.Context, t *tx) (int64, error)
}

// ftsDoc is one document of the index.
type ftsDoc struct {
	id     int64
	thread chat.ThreadID
	weight int
	tokens []string
}

// Document weights: how much a match in each field counts.
const (
	weightChat    = 1
	weightSummary = 2
	weightTags    = 3
	weightSubject = 4
)

// searchLayout versions how documents are cut, numbered and weighed; a
// change rebuilds the index at Open, as a new chat.TokenizerVersion does.
const searchLayout = 1

// topicToken is added to the documents of a thread's own fields, so that a
// query can keep to them (chat.ThreadQuery.Topics) inside the index. Words
// never contain "⁂", so no text has this token.
const topicToken = "⁂topic"

// ftsBatch is how many documents one SQLite INSERT, or one DELETE, carries.
const ftsBatch = 200

// threadFieldDocs returns the documents of a thread's own fields.
func threadFieldDocs(th *chat.Thread) []ftsDoc {
	fields := []struct {
		n      int64
		weight int
		text   string
	}{{1, weightSubject, th.Subject}, {2, weightSummary, th.Summary}, {3, weightTags, strings.Join(th.Tags, " ")}}
	var out []ftsDoc
	for _, f := range fields {
		if toks := chat.IndexTokens(f.text); len(toks) > 0 {
			out = append(out, ftsDoc{id: threadDocID(th.ID, f.n), thread: th.ID, weight: f.weight, tokens: append(toks, topicToken)})
		}
	}
	return out
}

// threadDocID numbers field n (1 to 3) of a thread; chats use their own ids,
// which are positive, so the two never collide.
func threadDocID(th chat.ThreadID, n int64) int64 { return -(int64(th)<<2 | n) }

func threadDocIDs(th chat.ThreadID) []int64 {
	return []int64{threadDocID(th, 1), threadDocID(th, 2), threadDocID(th, 3)}
}

func messageDoc(m *chat.Message) (ftsDoc, bool) {
	// PlainText is empty for ciphertext: encrypted chats are never indexed.
	toks := chat.IndexTokens(m.PlainText())
	return ftsDoc{id: int64(m.ID), thread: m.ThreadID, weight: weightChat, tokens: toks}, len(toks) > 0 && !m.Deleted
}

// indexThreadFields replaces the documents of a thread's own fields.
func (t *tx) indexThreadFields(ctx context.Context, th *chat.Thread) error {
	if err := t.s.fts.remove(ctx, t, threadDocIDs(th.ID)); err != nil {
		return fmt.Errorf("unindex thread %d: %w", th.ID, err)
	}
	if err := t.s.fts.insert(ctx, t, threadFieldDocs(th)); err != nil {
		return fmt.Errorf("index thread %d: %w", th.ID, err)
	}
	return nil
}

// indexMessage replaces a chat's document (none when it is deleted).
func (t *tx) indexMessage(ctx context.Context, m *chat.Message, replace bool) error {
	if replace {
		if err := t.s.fts.remove(ctx, t, []int64{int64(m.ID)}); err != nil {
			return fmt.Errorf("unindex chat %d: %w", m.ID, err)
		}
	}
	if d, ok := messageDoc(m); ok {
		if err := t.s.fts.insert(ctx, t, []ftsDoc{d}); err != nil {
			return fmt.Errorf("index chat %d: %w", m.ID, err)
		}
	}
	return nil
}

// indexThreadChats adds the documents of every chat of a thread that is not
// deleted (a thread coming back from deletion).
func (t *tx) indexThreadChats(ctx context.Context, thread chat.ThreadID) error {
	return t.eachMessageBatch(ctx, `thread_id = ? AND `, []any{int64(thread)}, nil, func(docs []ftsDoc) error {
		return t.s.fts.insert(ctx, t, docs)
	})
}

// eachMessageBatch reads the documents of the chats, not deleted, that cond
// (a prefix of a condition over messages, with args) selects and skip does
// not, in id order and in batches, and passes each batch to fn. Rows are
// closed before fn runs, so fn may write.
func (t *tx) eachMessageBatch(ctx context.Context, cond string, args []any, skip func(chat.ThreadID) bool,
	fn func([]ftsDoc) error) error {
	const batch = 1000
	var after int64
	for {
		docs := make([]ftsDoc, 0, batch)
		var n int
		err := t.scanAll(ctx, `SELECT id, thread_id, text, encrypted FROM messages WHERE `+cond+`id > ? AND NOT deleted ORDER BY id LIMIT ?`,
			append(args, after, batch), func(r *sql.Rows) error {
				var m chat.Message
				if err := r.Scan(&m.ID, &m.ThreadID, &m.Text, &m.Encrypted); err != nil {
					return err
				}
				n++
				after = int64(m.ID)
				if d, ok := messageDoc(&m); ok && (skip == nil || !skip(m.ThreadID)) {
					docs = append(docs, d)
				}
				return nil
			})
		if err != nil {
			return err
		}
		if len(docs) > 0 {
			if err := fn(docs); err != nil {
				return err
			}
		}
		if n < batch {
			return nil
		}
	}
}

// RebuildSearchIndex rebuilds the full-text index from the threads and chats
// that are not deleted, in one transaction. Open runs it when the index was
// built by another version of the tokenizer or of the document layout (and
// so, once, for data written before search existed).
func (s *Store) RebuildSearchIndex(ctx context.Context) error {
	return s.rebuildSearchIndex(ctx, true)
}

// ensureSearchIndex rebuilds the index if it is stale. Several nodes may
// start at once: the first to lock search_meta rebuilds, the others then
// find it current.
func (s *Store) ensureSearchIndex(ctx context.Context) error {
	return s.rebuildSearchIndex(ctx, false)
}

func (s *Store) rebuildSearchIndex(ctx context.Context, force bool) error {
	return s.updateAlone(ctx, func(ct chat.Tx) error {
		t := ct.(*tx)
		if _, err := t.exec(ctx, `UPDATE search_meta SET layout = layout WHERE id = 1`); err != nil {
			return fmt.Errorf("lock search_meta: %w", err)
		}
		var tok, layout int
		if err := t.queryRow(ctx, `SELECT tokenizer, layout FROM search_meta WHERE id = 1`).Scan(&tok, &layout); err != nil {
			return mapError(fmt.Errorf("read search_meta: %w", err))
		}
		if !force && tok == chat.TokenizerVersion && layout == searchLayout {
			return nil
		}
		err := s.fts.rebuild(ctx, t, func() error {
			if err := t.indexAllThreadFields(ctx); err != nil {
				return err
			}
			// Iterating the chats alone, by id, keeps every batch an index
			// range scan; the few deleted threads are left out here.
			deleted := map[chat.ThreadID]bool{}
			if err := t.scanAll(ctx, `SELECT id FROM threads WHERE deleted`, nil, func(r *sql.Rows) error {
				var id chat.ThreadID
				err := r.Scan(&id)
				deleted[id] = true
				return err
			}); err != nil {
				return err
			}
			skip := func(id chat.ThreadID) bool { return deleted[id] }
			if err := t.eachMessageBatch(ctx, ``, nil, skip, func(docs []ftsDoc) error {
				return s.fts.insert(ctx, t, docs)
			}); err != nil {
				return fmt.Errorf("index chats: %w", err)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("rebuild search index: %w", err)
		}
		_, err = t.exec(ctx, `UPDATE search_meta SET tokenizer = ?, layout = ? WHERE id = 1`, chat.TokenizerVersion, searchLayout)
		return err
	})
}

// indexAllThreadFields adds the field documents of every thread that is not
// deleted, in batches.
func (t *tx) indexAllThreadFields(ctx context.Context) error {
	const batch = 500
	var after int64
	for {
		var threads []*chat.Thread
		byID := map[chat.ThreadID]*chat.Thread{}
		err := t.scanAll(ctx, `SELECT id, subject, summary FROM threads WHERE id > ? AND NOT deleted ORDER BY id LIMIT ?`,
			[]any{after, batch}, func(r *sql.Rows) error {
				th := &chat.Thread{}
				if err := r.Scan(&th.ID, &th.Subject, &th.Summary); err != nil {
					return err
				}
				threads = append(threads, th)
				byID[th.ID] = th
				after = int64(th.ID)
				return nil
			})
		if err != nil || len(threads) == 0 {
			return err
		}
		ids := make([]chat.ThreadID, len(threads))
		for i, th := range threads {
			ids[i] = th.ID
		}
		in, args := inList(ids)
		if err := t.scanAll(ctx, `SELECT thread_id, tag FROM thread_tags WHERE thread_id IN (`+in+`) ORDER BY thread_id, tag`, args,
			func(r *sql.Rows) error {
				var id chat.ThreadID
				var tag string
				if err := r.Scan(&id, &tag); err != nil {
					return err
				}
				byID[id].Tags = append(byID[id].Tags, tag)
				return nil
			}); err != nil {
			return err
		}
		var docs []ftsDoc
		for _, th := range threads {
			docs = append(docs, threadFieldDocs(th)...)
		}
		if err := t.s.fts.insert(ctx, t, docs); err != nil {
			return fmt.Errorf("index threads: %w", err)
		}
		if len(threads) < batch {
			return nil
		}
	}
}

// searchThreadColumns are threadColumns over the alias th.
const searchThreadColumns = `th.id, th.org_id, th.kind, COALESCE(th.key, ''), th.subject, th.summary, th.author_id, th.xid, th.resolved,
	th.hidden, th.deleted, th.read_public, th.write_public, th.last_seq, th.num_chats, th.created_at, th.updated_at`

// SearchThreads implements chat.ReadTx.
func (t *tx) SearchThreads(ctx context.Context, scope chat.ThreadScope, q chat.ThreadQuery) ([]chat.ThreadHit, error) {
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT ` + searchThreadColumns + `, `)
	if len(q.Terms) > 0 {
		// The matches drive the query: CROSS JOIN makes SQLite's planner
		// keep them as the outer loop and look threads up by id, instead
		// of re-running the full-text query for every thread of the org.
		// PostgreSQL plans it as any inner join.
		b.WriteString(`m.score, COALESCE(m.chat_id, 0) FROM (`)
		args = t.s.termMatches(&b, q.Terms, max(q.MinTerms, 1), q.Topics)
		b.WriteString(`) m CROSS JOIN threads th WHERE th.id = m.thread_id AND `)
	} else {
		b.WriteString(`0, 0 FROM threads th WHERE `)
	}
	cond, condArgs := scopeCond(scope)
	b.WriteString(cond)
	args = append(args, condArgs...)
	if q.Filter != nil {
		f, err := filterSQL(q.Filter, &args)
		if err != nil {
			return nil, err
		}
		b.WriteString(` AND (` + f + `)`)
	}
	if q.Exclude != 0 {
		b.WriteString(` AND th.id <> ?`)
		args = append(args, int64(q.Exclude))
	}
	b.WriteString(` ORDER BY `)
	for _, k := range q.Sort {
		switch k.Field {
		case chat.SortTextMatch:
			if len(q.Terms) == 0 {
				continue
			}
			b.WriteString(`m.score`)
		case chat.SortCreatedAt:
			b.WriteString(`th.created_at`)
		case chat.SortUpdatedAt:
			b.WriteString(`th.updated_at`)
		default:
			return nil, fmt.Errorf("search: unknown sort field %d", k.Field)
		}
		if k.Desc {
			b.WriteString(` DESC`)
		}
		b.WriteString(`, `)
	}
	b.WriteString(`th.id DESC LIMIT ? OFFSET ?`)
	args = append(args, q.Limit, q.Offset)

	var hits []chat.ThreadHit
	err := t.scanAll(ctx, b.String(), args, func(r *sql.Rows) error {
		var th chat.Thread
		var created, updated int64
		var h chat.ThreadHit
		if err := r.Scan(&th.ID, &th.OrgID, &th.Kind, &th.Key, &th.Subject, &th.Summary, &th.AuthorID, &th.XID, &th.Resolved, &th.Hidden,
			&th.Deleted, &th.ReadPublic, &th.WritePublic, &th.LastSeq, &th.NumChats, &created, &updated, &h.Score, &h.ChatID); err != nil {
			return err
		}
		th.CreatedAt, th.UpdatedAt = fromMS(created), fromMS(updated)
		h.Thread = &th
		hits = append(hits, h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search threads: %w", err)
	}
	threads := make([]*chat.Thread, len(hits))
	for i, h := range hits {
		threads[i] = h.Thread
	}
	return hits, t.loadThreadSetsOf(ctx, threads)
}

// termMatches writes the query that yields, per thread matching at least
// minTerms of terms (in its own fields only, with topics), its score and the oldest matching chat, and returns its
// arguments. Per term and thread, the score is ten times the best weight
// plus the number of matching documents (at most 9).
func (s *Store) termMatches(b *strings.Builder, terms []chat.SearchTerm, minTerms int, topics bool) []any {
	var args []any
	b.WriteString(`SELECT thread_id, CAST(SUM(score) AS BIGINT) AS score, MIN(chat_id) AS chat_id FROM (`)
	for i, term := range terms {
		if i > 0 {
			b.WriteString(` UNION ALL `)
		}
		tokens := term.Tokens
		if topics {
			tokens = append([]string{topicToken}, tokens...)
		}
		q, arg := s.fts.match(tokens, term.Prefix)
		b.WriteString(`SELECT d.thread_id, MAX(d.weight) * 10 + CASE WHEN COUNT(*) > 9 THEN 9 ELSE COUNT(*) END AS score,
			MIN(CASE WHEN d.weight = ` + fmt.Sprint(weightChat) + ` THEN d.doc_id END) AS chat_id FROM (` + q + `) d GROUP BY d.thread_id`)
		args = append(args, arg)
	}
	b.WriteString(`) u GROUP BY thread_id HAVING COUNT(*) >= ?`)
	return append(args, minTerms)
}

// filterSQL turns a filter into a condition over threads th, appending its
// arguments; values are always placeholders.
func filterSQL(e chat.Expr, args *[]any) (string, error) {
	switch x := e.(type) {
	case chat.And:
		return joinSQL(x, " AND ", "1 = 1", args)
	case chat.Or:
		return joinSQL(x, " OR ", "1 = 0", args)
	case chat.Not:
		inner, err := filterSQL(x.X, args)
		return "NOT (" + inner + ")", err
	case chat.HasAny:
		var in string
		var vals []any
		if x.Field == chat.FieldTags {
			in = strings.TrimSuffix(strings.Repeat("?,", len(x.Tags)), ",")
			for _, tag := range x.Tags {
				vals = append(vals, tag)
			}
		} else {
			in, vals = inList(x.IDs)
		}
		*args = append(*args, vals...)
		switch x.Field {
		case chat.FieldUserIDs:
			return `EXISTS (SELECT 1 FROM thread_members tm WHERE tm.thread_id = th.id AND tm.user_id IN (` + in + `))`, nil
		case chat.FieldChannelIDs:
			return `EXISTS (SELECT 1 FROM thread_channels tc WHERE tc.thread_id = th.id AND tc.channel_id IN (` + in + `))`, nil
		case chat.FieldAuthorID:
			return `th.author_id IN (` + in + `)`, nil
		case chat.FieldTags:
			return `EXISTS (SELECT 1 FROM thread_tags tt WHERE tt.thread_id = th.id AND tt.tag IN (` + in + `))`, nil
		}
	case chat.InTime:
		col := map[chat.FilterField]string{chat.FieldCreatedAt: "th.created_at", chat.FieldUpdatedAt: "th.updated_at"}[x.Field]
		if col == "" {
			break
		}
		parts := []string{"1 = 1"}
		if !x.From.IsZero() {
			parts = append(parts, col+" >= ?")
			*args = append(*args, ms(x.From))
		}
		if !x.Until.IsZero() {
			parts = append(parts, col+" < ?")
			*args = append(*args, ms(x.Until))
		}
		return strings.Join(parts, " AND "), nil
	case chat.Is:
		not := map[bool]string{true: "", false: "NOT "}[x.Value]
		switch x.Field {
		case chat.FieldResolved:
			return not + "th.resolved", nil
		case chat.FieldHidden:
			return not + "th.hidden", nil
		case chat.FieldDirect, chat.FieldGroup:
			kind := chat.KindDirect
			if x.Field == chat.FieldGroup {
				kind = chat.KindGroup
			}
			*args = append(*args, int(kind))
			return not + "(th.kind = ?)", nil
		}
	}
	return "", fmt.Errorf("search: filter node %#v is not supported", e)
}

func joinSQL(xs []chat.Expr, sep, empty string, args *[]any) (string, error) {
	if len(xs) == 0 {
		return empty, nil
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		p, err := filterSQL(x, args)
		if err != nil {
			return "", err
		}
		parts[i] = "(" + p + ")"
	}
	return strings.Join(parts, sep), nil
}
