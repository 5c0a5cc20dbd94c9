package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// PurgeMessage implements chat.RichTx. It touches the message row first:
// on PostgreSQL that takes its row lock, so of two units of work purging
// the same message the second waits, then finds it gone.
func (t *tx) PurgeMessage(ctx context.Context, org chat.OrgID, id chat.MessageID) ([]string, bool, error) {
	found, err := changed(t.exec(ctx, `UPDATE messages SET deleted = deleted WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil || !found {
		return nil, false, err
	}
	var keys []string
	err = t.scanAll(ctx, `SELECT key FROM files WHERE message_id = ? AND org_id = ? ORDER BY id`, []any{int64(id), int64(org)},
		func(r *sql.Rows) error {
			var k string
			err := r.Scan(&k)
			keys = append(keys, k)
			return err
		})
	if err != nil {
		return nil, false, err
	}
	if err := t.s.fts.remove(ctx, t, []int64{int64(id)}); err != nil {
		return nil, false, fmt.Errorf("unindex message %d: %w", id, err)
	}
	for _, q := range []string{
		`DELETE FROM files WHERE message_id = ? AND org_id = ?`,
		`DELETE FROM events WHERE message_id = ? AND org_id = ?`,
	} {
		if _, err := t.exec(ctx, q, int64(id), int64(org)); err != nil {
			return nil, false, fmt.Errorf("purge message %d: %w", id, err)
		}
	}
	for _, q := range []string{
		`DELETE FROM reactions WHERE message_id = ?`,
		`DELETE FROM poll_votes WHERE message_id = ?`,
		`DELETE FROM message_tags WHERE message_id = ?`,
		`DELETE FROM message_edits WHERE message_id = ?`,
		`DELETE FROM messages WHERE id = ?`,
	} {
		if _, err := t.exec(ctx, q, int64(id)); err != nil {
			return nil, false, fmt.Errorf("purge message %d: %w", id, err)
		}
	}
	return keys, true, nil
}

// DueExpiries implements chat.RichReadTx.
func (t *tx) DueExpiries(ctx context.Context, now time.Time, limit int) ([]*chat.Message, error) {
	var out []*chat.Message
	err := t.scanAll(ctx, `SELECT `+messageColumns+` FROM messages WHERE expires_at <> 0 AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`,
		[]any{ms(now), limit}, func(r *sql.Rows) error {
			m, err := scanMessage(r)
			out = append(out, m)
			return err
		})
	return out, err
}

// NextExpiry implements chat.RichReadTx.
func (t *tx) NextExpiry(ctx context.Context) (time.Time, error) {
	return t.minTime(ctx, `SELECT MIN(expires_at) FROM messages WHERE expires_at <> 0`)
}

// minTime runs a query for one nullable millisecond time.
func (t *tx) minTime(ctx context.Context, query string, args ...any) (time.Time, error) {
	var v sql.NullInt64
	if err := t.queryRow(ctx, query, args...).Scan(&v); err != nil {
		return time.Time{}, mapError(err)
	}
	if !v.Valid {
		return time.Time{}, nil
	}
	return fromMS(v.Int64), nil
}

// PollVote implements chat.RichReadTx.
func (t *tx) PollVote(ctx context.Context, msg chat.MessageID, user chat.UserID) (int, error) {
	var option int
	err := t.queryRow(ctx, `SELECT option FROM poll_votes WHERE message_id = ? AND user_id = ?`, int64(msg), int64(user)).Scan(&option)
	if err != nil {
		return 0, mapError(fmt.Errorf("poll vote: %w", err))
	}
	return option, nil
}
