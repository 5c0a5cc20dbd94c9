package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

const scheduledColumns = `id, org_id, thread_id, author_id, draft, send_at, state, message_id, failure, COALESCE(claimed_by, ''), created_at, updated_at`

func scanScheduled(r interface{ Scan(...any) error }) (*chat.ScheduledMessage, error) {
	var sm chat.ScheduledMessage
	var draft string
	var sendAt, created, updated int64
	if err := r.Scan(&sm.ID, &sm.OrgID, &sm.ThreadID, &sm.AuthorID, &draft, &sendAt, &sm.State, &sm.MessageID, &sm.Failure, &sm.ClaimedBy,
		&created, &updated); err != nil {
		return nil, mapError(err)
	}
	if err := json.Unmarshal([]byte(draft), &sm.Message); err != nil {
		return nil, fmt.Errorf("scheduled message %d: %w", sm.ID, err)
	}
	sm.SendAt, sm.CreatedAt, sm.UpdatedAt = fromMS(sendAt), fromMS(created), fromMS(updated)
	return &sm, nil
}

func (t *tx) scheduledList(ctx context.Context, query string, args ...any) ([]*chat.ScheduledMessage, error) {
	out := []*chat.ScheduledMessage{}
	err := t.scanAll(ctx, query, args, func(r *sql.Rows) error {
		sm, err := scanScheduled(r)
		out = append(out, sm)
		return err
	})
	return out, err
}

// ScheduledByID implements chat.RichReadTx.
func (t *tx) ScheduledByID(ctx context.Context, org chat.OrgID, id chat.ScheduledID) (*chat.ScheduledMessage, error) {
	sm, err := scanScheduled(t.queryRow(ctx, `SELECT `+scheduledColumns+` FROM scheduled_messages WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("scheduled message: %w", err)
	}
	return sm, nil
}

// ScheduledMessages implements chat.RichReadTx.
func (t *tx) ScheduledMessages(ctx context.Context, org chat.OrgID, author chat.UserID, f chat.ScheduledFilter) ([]*chat.ScheduledMessage, error) {
	q := `SELECT ` + scheduledColumns + ` FROM scheduled_messages WHERE org_id = ? AND author_id = ?`
	args := []any{int64(org), int64(author)}
	if !f.All {
		q += ` AND state = ?`
		args = append(args, int(chat.ScheduledPending))
	}
	return t.scheduledList(ctx, q+` ORDER BY send_at, id LIMIT ?`, append(args, f.Limit)...)
}

// CountScheduled implements chat.RichReadTx.
func (t *tx) CountScheduled(ctx context.Context, org chat.OrgID, author chat.UserID) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM scheduled_messages WHERE org_id = ? AND author_id = ? AND state = ?`,
		int64(org), int64(author), int(chat.ScheduledPending)).Scan(&n)
	return n, mapError(err)
}

// DueScheduled implements chat.RichReadTx.
func (t *tx) DueScheduled(ctx context.Context, now time.Time, limit int) ([]*chat.ScheduledMessage, error) {
	return t.scheduledList(ctx, `SELECT `+scheduledColumns+` FROM scheduled_messages
		WHERE state = ? AND claimed_by IS NULL AND send_at <= ? ORDER BY send_at, id LIMIT ?`, int(chat.ScheduledPending), ms(now), limit)
}

// NextScheduled implements chat.RichReadTx.
func (t *tx) NextScheduled(ctx context.Context) (time.Time, error) {
	return t.minTime(ctx, `SELECT MIN(send_at) FROM scheduled_messages WHERE state = ?`, int(chat.ScheduledPending))
}

// InsertScheduled implements chat.RichTx.
func (t *tx) InsertScheduled(ctx context.Context, sm *chat.ScheduledMessage) error {
	draft, err := json.Marshal(sm.Message)
	if err != nil {
		return fmt.Errorf("encode scheduled message: %w", err)
	}
	id, err := t.insert(ctx, `INSERT INTO scheduled_messages (org_id, thread_id, author_id, draft, send_at, state, message_id, failure,
		claimed_by, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		int64(sm.OrgID), int64(sm.ThreadID), int64(sm.AuthorID), string(draft), ms(sm.SendAt), int(sm.State), int64(sm.MessageID), sm.Failure,
		nullString(sm.ClaimedBy), ms(sm.CreatedAt), ms(sm.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert scheduled message: %w", err)
	}
	sm.ID = chat.ScheduledID(id)
	return nil
}

// ClaimScheduled implements chat.RichTx.
func (t *tx) ClaimScheduled(ctx context.Context, id chat.ScheduledID, node string, at time.Time) (bool, error) {
	return changed(t.exec(ctx, `UPDATE scheduled_messages SET claimed_by = ?, claimed_at = ? WHERE id = ? AND state = ? AND claimed_by IS NULL`,
		node, ms(at), int64(id), int(chat.ScheduledPending)))
}

// UpdateScheduled implements chat.RichTx.
func (t *tx) UpdateScheduled(ctx context.Context, sm *chat.ScheduledMessage) error {
	_, err := t.exec(ctx, `UPDATE scheduled_messages SET state = ?, message_id = ?, failure = ?, claimed_by = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
		int(sm.State), int64(sm.MessageID), sm.Failure, nullString(sm.ClaimedBy), ms(sm.UpdatedAt), int64(sm.ID), int64(sm.OrgID))
	if err != nil {
		return fmt.Errorf("update scheduled message %d: %w", sm.ID, err)
	}
	return nil
}
