package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// FindMessages implements chat.ReadTx.
func (t *tx) FindMessages(ctx context.Context, f chat.MessageQuery) ([]*chat.Message, error) {
	if f.Limit <= 0 {
		return nil, errors.New("find messages: a limit is required")
	}
	q := `SELECT ` + messageColumns + ` FROM messages WHERE org_id = ? AND NOT deleted`
	args := []any{int64(f.OrgID)}
	if f.ThreadID != 0 {
		q += ` AND thread_id = ?`
		args = append(args, int64(f.ThreadID))
	}
	if f.AuthorID != 0 {
		q += ` AND author_id = ?`
		args = append(args, int64(f.AuthorID))
	}
	if f.Contains != "" {
		// A case-sensitive substring test that both engines evaluate the
		// same way (LIKE folds case on SQLite and not on PostgreSQL).
		q += ` AND NOT encrypted AND REPLACE(text, ?, '') <> text`
		args = append(args, f.Contains)
	}
	q += ` ORDER BY id DESC LIMIT ? OFFSET ?`
	args = append(args, f.Limit, max(f.Offset, 0))
	out := []*chat.Message{}
	err := t.scanAll(ctx, q, args, func(r *sql.Rows) error {
		m, err := scanMessage(r)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find messages: %w", err)
	}
	return out, t.loadExtras(ctx, out)
}

// ThreadReaders implements chat.ReadTx.
func (t *tx) ThreadReaders(ctx context.Context, thread chat.ThreadID, seq int64) ([]chat.UserID, error) {
	out := []chat.UserID{}
	err := t.scanAll(ctx, `SELECT rs.user_id FROM read_states rs JOIN users u ON u.id = rs.user_id
		WHERE rs.thread_id = ? AND rs.last_read_seq >= ? AND NOT u.deleted ORDER BY rs.user_id`,
		[]any{int64(thread), seq}, func(r *sql.Rows) error {
			var id chat.UserID
			err := r.Scan(&id)
			out = append(out, id)
			return err
		})
	return out, err
}

// ThreadReads implements chat.ReadTx.
func (t *tx) ThreadReads(ctx context.Context, f chat.ThreadReadFilter) ([]chat.ThreadRead, error) {
	out := []chat.ThreadRead{}
	var ors []string
	args := []any{int64(f.UserID), int64(f.OrgID)}
	if len(f.Keys) > 0 {
		ors = append(ors, `th.key IN (`+strings.TrimSuffix(strings.Repeat("?,", len(f.Keys)), ",")+`)`)
		for _, k := range f.Keys {
			args = append(args, k)
		}
	}
	if f.Direct {
		ors = append(ors, `(th.kind = ? AND EXISTS (SELECT 1 FROM thread_members tm WHERE tm.thread_id = th.id AND tm.user_id = ?))`)
		args = append(args, int(chat.KindDirect), int64(f.UserID))
	}
	if len(ors) == 0 {
		return out, nil
	}
	err := t.scanAll(ctx, `SELECT th.id, th.kind, COALESCE(th.key, ''), th.last_seq, COALESCE(rs.last_read_seq, 0)
		FROM threads th LEFT JOIN read_states rs ON rs.thread_id = th.id AND rs.user_id = ?
		WHERE th.org_id = ? AND NOT th.deleted AND (`+strings.Join(ors, " OR ")+`) ORDER BY th.id`, args, func(r *sql.Rows) error {
		var tr chat.ThreadRead
		err := r.Scan(&tr.ThreadID, &tr.Kind, &tr.Key, &tr.LastSeq, &tr.ReadSeq)
		out = append(out, tr)
		return err
	})
	return out, err
}

// UsersByID implements chat.ReadTx.
func (t *tx) UsersByID(ctx context.Context, org chat.OrgID, ids []chat.UserID) ([]*chat.User, error) {
	out := []*chat.User{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids)
	err := t.scanAll(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = ? AND id IN (`+in+`) ORDER BY id`, append([]any{int64(org)}, args...),
		func(r *sql.Rows) error {
			u, err := scanUser(r)
			out = append(out, u)
			return err
		})
	return out, err
}

// UserIDsByName implements chat.ReadTx.
func (t *tx) UserIDsByName(ctx context.Context, org chat.OrgID, name string) ([]chat.UserID, error) {
	out := []chat.UserID{}
	err := t.scanAll(ctx, `SELECT id FROM users WHERE org_id = ? AND name = ? AND NOT deleted ORDER BY id`, []any{int64(org), name},
		func(r *sql.Rows) error {
			var id chat.UserID
			err := r.Scan(&id)
			out = append(out, id)
			return err
		})
	return out, err
}
