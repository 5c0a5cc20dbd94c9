package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// ActiveUsers implements chat.ReadTx.
func (t *tx) ActiveUsers(ctx context.Context, org chat.OrgID, since time.Time) ([]chat.UserID, error) {
	out := []chat.UserID{}
	err := t.scanAll(ctx, `SELECT user_id FROM presence WHERE org_id = ? AND last_active >= ? ORDER BY user_id`,
		[]any{int64(org), ms(since)}, func(r *sql.Rows) error {
			var id chat.UserID
			err := r.Scan(&id)
			out = append(out, id)
			return err
		})
	return out, err
}

// TouchPresence implements chat.Tx.
func (t *tx) TouchPresence(ctx context.Context, org chat.OrgID, user chat.UserID, at time.Time) (bool, error) {
	var away sql.NullBool
	err := t.queryRow(ctx, `SELECT away FROM presence WHERE user_id = ?`, int64(user)).Scan(&away)
	if err != nil && err != sql.ErrNoRows {
		return false, mapError(fmt.Errorf("presence: %w", err))
	}
	_, err = t.exec(ctx, `INSERT INTO presence (user_id, org_id, last_active, away) VALUES (?,?,?,?)
		ON CONFLICT (user_id) DO UPDATE SET last_active = excluded.last_active, away = excluded.away`,
		int64(user), int64(org), ms(at), false)
	if err != nil {
		return false, fmt.Errorf("touch presence: %w", err)
	}
	return !away.Valid || away.Bool, nil
}

// ExpirePresence implements chat.Tx.
func (t *tx) ExpirePresence(ctx context.Context, cutoff time.Time) (map[chat.OrgID][]chat.UserID, error) {
	out := map[chat.OrgID][]chat.UserID{}
	err := t.scanAll(ctx, `UPDATE presence SET away = ? WHERE NOT away AND last_active < ? RETURNING org_id, user_id`,
		[]any{true, ms(cutoff)}, func(r *sql.Rows) error {
			var org chat.OrgID
			var user chat.UserID
			if err := r.Scan(&org, &user); err != nil {
				return err
			}
			out[org] = append(out[org], user)
			return nil
		})
	return out, err
}
