package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/parley-chat/parley/internal/chat"
)

const feedColumns = `id, org_id, user_id, name, channel_ids, user_ids, dm, created_at, updated_at`

func scanFeed(r interface{ Scan(...any) error }) (*chat.Feed, error) {
	var f chat.Feed
	var chans, users string
	var created, updated int64
	if err := r.Scan(&f.ID, &f.OrgID, &f.UserID, &f.Name, &chans, &users, &f.DM, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	f.CreatedAt, f.UpdatedAt = fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(chans), &f.ChannelIDs); err != nil {
		return nil, fmt.Errorf("feed %d channel_ids: %w", f.ID, err)
	}
	if err := json.Unmarshal([]byte(users), &f.UserIDs); err != nil {
		return nil, fmt.Errorf("feed %d user_ids: %w", f.ID, err)
	}
	return &f, nil
}

// feedLists encodes a feed's lists as JSON arrays ([] when empty).
func feedLists(f *chat.Feed) (string, string, error) {
	chans, err := json.Marshal(append([]chat.ChannelID{}, f.ChannelIDs...))
	if err != nil {
		return "", "", err
	}
	users, err := json.Marshal(append([]chat.UserID{}, f.UserIDs...))
	return string(chans), string(users), err
}

func (t *tx) Feeds(ctx context.Context, org chat.OrgID, user chat.UserID) ([]*chat.Feed, error) {
	var out []*chat.Feed
	err := t.scanAll(ctx, `SELECT `+feedColumns+` FROM feeds WHERE user_id = ? AND org_id = ? ORDER BY id`, []any{int64(user), int64(org)},
		func(r *sql.Rows) error {
			f, err := scanFeed(r)
			out = append(out, f)
			return err
		})
	return out, err
}

func (t *tx) FeedByID(ctx context.Context, org chat.OrgID, id chat.FeedID) (*chat.Feed, error) {
	f, err := scanFeed(t.queryRow(ctx, `SELECT `+feedColumns+` FROM feeds WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("feed %d: %w", id, err)
	}
	return f, nil
}

func (t *tx) InsertFeed(ctx context.Context, f *chat.Feed) error {
	chans, users, err := feedLists(f)
	if err != nil {
		return err
	}
	id, err := t.insert(ctx, `INSERT INTO feeds (org_id, user_id, name, channel_ids, user_ids, dm, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)`,
		int64(f.OrgID), int64(f.UserID), f.Name, chans, users, f.DM, ms(f.CreatedAt), ms(f.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert feed: %w", err)
	}
	f.ID = chat.FeedID(id)
	return nil
}

func (t *tx) UpdateFeed(ctx context.Context, f *chat.Feed) error {
	chans, users, err := feedLists(f)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE feeds SET name = ?, channel_ids = ?, user_ids = ?, dm = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
		f.Name, chans, users, f.DM, ms(f.UpdatedAt), int64(f.ID), int64(f.OrgID)); err != nil {
		return fmt.Errorf("update feed %d: %w", f.ID, err)
	}
	return nil
}

func (t *tx) DeleteFeed(ctx context.Context, org chat.OrgID, id chat.FeedID) error {
	if _, err := t.exec(ctx, `DELETE FROM feeds WHERE id = ? AND org_id = ?`, int64(id), int64(org)); err != nil {
		return fmt.Errorf("delete feed %d: %w", id, err)
	}
	return nil
}
