package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// AppendEvent queues e; flushEvents writes the queue just before commit.
func (t *tx) AppendEvent(ctx context.Context, e *chat.Event) error {
	if !e.Type.Durable() {
		return fmt.Errorf("append event: %s events are not durable", e.Type)
	}
	t.events = append(t.events, e)
	return nil
}

// flushEvents takes ids for the queued events from event_counter and inserts
// them. Taking the ids locks the counter row until commit, which is what
// makes ids grow in commit order.
func (t *tx) flushEvents(ctx context.Context) error {
	if len(t.events) == 0 {
		return nil
	}
	var last int64
	err := t.queryRow(ctx, `UPDATE event_counter SET value = value + ? WHERE id = 1 RETURNING value`, len(t.events)).Scan(&last)
	if err != nil {
		return mapError(fmt.Errorf("take event ids: %w", err))
	}
	const cols = 7
	var b strings.Builder
	b.WriteString(`INSERT INTO events (id, org_id, type, topics, payload, created_at, message_id) VALUES `)
	args := make([]any, 0, cols*len(t.events))
	for i, e := range t.events {
		e.ID = last - int64(len(t.events)) + int64(i) + 1
		payload, err := chat.EncodePayload(e)
		if err != nil {
			return err
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("(?,?,?,?,?,?,?)")
		args = append(args, e.ID, int64(e.OrgID), string(e.Type), strings.Join(e.Topics, " "), string(payload), ms(e.At), int64(e.AboutMessage()))
	}
	if _, err := t.exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return nil
}

// EventsAfter implements chat.ReadTx.
func (t *tx) EventsAfter(ctx context.Context, after int64, limit int) ([]*chat.Event, error) {
	return t.scanEvents(ctx, `SELECT id, org_id, type, topics, payload, created_at FROM events WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

func (t *tx) scanEvents(ctx context.Context, query string, args ...any) ([]*chat.Event, error) {
	var out []*chat.Event
	err := t.scanAll(ctx, query, args, func(r *sql.Rows) error {
		var e chat.Event
		var typ, topics, payload string
		var at int64
		if err := r.Scan(&e.ID, &e.OrgID, &typ, &topics, &payload, &at); err != nil {
			return err
		}
		e.Type, e.Topics, e.At = chat.EventType(typ), strings.Fields(topics), fromMS(at)
		if err := chat.DecodePayload(&e, []byte(payload)); err != nil {
			return err
		}
		out = append(out, &e)
		return nil
	})
	return out, err
}

// EventBounds implements chat.ReadTx.
func (t *tx) EventBounds(ctx context.Context) (horizon, last int64, err error) {
	var oldest sql.NullInt64
	err = t.queryRow(ctx, `SELECT c.value, (SELECT MIN(id) FROM events) FROM event_counter c WHERE c.id = 1`).Scan(&last, &oldest)
	if err != nil {
		return 0, 0, mapError(err)
	}
	if !oldest.Valid {
		return last, last, nil
	}
	return oldest.Int64 - 1, last, nil
}

// OrgEvents implements chat.ReadTx.
func (t *tx) OrgEvents(ctx context.Context, org chat.OrgID, after, upTo int64, limit int) ([]*chat.Event, error) {
	return t.scanEvents(ctx, `SELECT id, org_id, type, topics, payload, created_at FROM events WHERE org_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?`,
		int64(org), after, upTo, limit)
}

// PruneEvents implements chat.Tx.
func (t *tx) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM events WHERE created_at < ?`, ms(before))
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), mapError(err)
}
