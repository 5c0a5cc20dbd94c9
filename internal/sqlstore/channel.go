package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

const channelColumns = `id, org_id, name, description, visibility, auto_join, deleted, xid, created_at, updated_at`

func scanChannel(r interface{ Scan(...any) error }) (*chat.Channel, error) {
	var c chat.Channel
	var created, updated int64
	if err := r.Scan(&c.ID, &c.OrgID, &c.Name, &c.Description, &c.Visibility, &c.AutoJoin, &c.Deleted, &c.XID, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	c.CreatedAt, c.UpdatedAt = fromMS(created), fromMS(updated)
	return &c, nil
}

func (t *tx) ChannelByID(ctx context.Context, org chat.OrgID, id chat.ChannelID) (*chat.Channel, error) {
	c, err := scanChannel(t.queryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("channel %d: %w", id, err)
	}
	return c, nil
}

func (t *tx) Channels(ctx context.Context, org chat.OrgID) ([]*chat.Channel, error) {
	var out []*chat.Channel
	byID := map[chat.ChannelID]*chat.Channel{}
	err := t.scanAll(ctx, `SELECT `+channelColumns+`,
		(SELECT COUNT(*) FROM thread_channels tc JOIN threads th ON th.id = tc.thread_id WHERE tc.channel_id = channels.id AND NOT th.deleted)
		FROM channels WHERE org_id = ? AND NOT deleted ORDER BY id`, []any{int64(org)}, func(r *sql.Rows) error {
		var c chat.Channel
		var created, updated int64
		if err := r.Scan(&c.ID, &c.OrgID, &c.Name, &c.Description, &c.Visibility, &c.AutoJoin, &c.Deleted, &c.XID, &created, &updated, &c.NumThreads); err != nil {
			return err
		}
		c.CreatedAt, c.UpdatedAt, c.Members = fromMS(created), fromMS(updated), []chat.UserID{}
		out = append(out, &c)
		byID[c.ID] = &c
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = t.scanAll(ctx, `SELECT m.channel_id, m.user_id FROM channel_members m JOIN channels c ON c.id = m.channel_id
		WHERE c.org_id = ? AND NOT c.deleted ORDER BY m.channel_id, m.user_id`, []any{int64(org)}, func(r *sql.Rows) error {
		var ch chat.ChannelID
		var u chat.UserID
		if err := r.Scan(&ch, &u); err != nil {
			return err
		}
		if c := byID[ch]; c != nil {
			c.Members = append(c.Members, u)
		}
		return nil
	})
	return out, err
}

func (t *tx) ChannelList(ctx context.Context, org chat.OrgID) ([]*chat.Channel, error) {
	var out []*chat.Channel
	err := t.scanAll(ctx, `SELECT `+channelColumns+` FROM channels WHERE org_id = ? AND NOT deleted ORDER BY id`, []any{int64(org)},
		func(r *sql.Rows) error {
			c, err := scanChannel(r)
			out = append(out, c)
			return err
		})
	return out, err
}

func (t *tx) MemberChannels(ctx context.Context, org chat.OrgID, user chat.UserID) ([]chat.ChannelID, error) {
	var out []chat.ChannelID
	err := t.scanAll(ctx, `SELECT m.channel_id FROM channel_members m JOIN channels c ON c.id = m.channel_id
		WHERE m.user_id = ? AND c.org_id = ? AND NOT c.deleted`, []any{int64(user), int64(org)}, func(r *sql.Rows) error {
		var id chat.ChannelID
		err := r.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

func (t *tx) ChannelMembers(ctx context.Context, ch chat.ChannelID) ([]chat.UserID, error) {
	out := []chat.UserID{}
	err := t.scanAll(ctx, `SELECT user_id FROM channel_members WHERE channel_id = ? ORDER BY user_id`, []any{int64(ch)}, func(r *sql.Rows) error {
		var id chat.UserID
		err := r.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}

func (t *tx) CountChannelThreads(ctx context.Context, ch chat.ChannelID) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM thread_channels tc JOIN threads th ON th.id = tc.thread_id
		WHERE tc.channel_id = ? AND NOT th.deleted`, int64(ch)).Scan(&n)
	return n, mapError(err)
}

func (t *tx) InsertChannel(ctx context.Context, c *chat.Channel) error {
	id, err := t.insert(ctx, `INSERT INTO channels (org_id, name, description, visibility, auto_join, deleted, xid, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, int64(c.OrgID), c.Name, c.Description, int(c.Visibility), c.AutoJoin, c.Deleted, c.XID, ms(c.CreatedAt), ms(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert channel: %w", err)
	}
	c.ID = chat.ChannelID(id)
	return nil
}

func (t *tx) UpdateChannel(ctx context.Context, c *chat.Channel) error {
	_, err := t.exec(ctx, `UPDATE channels SET name = ?, description = ?, visibility = ?, auto_join = ?, deleted = ?, updated_at = ?
		WHERE id = ? AND org_id = ?`, c.Name, c.Description, int(c.Visibility), c.AutoJoin, c.Deleted, ms(c.UpdatedAt), int64(c.ID), int64(c.OrgID))
	if err != nil {
		return fmt.Errorf("update channel %d: %w", c.ID, err)
	}
	return nil
}

func (t *tx) AddChannelMember(ctx context.Context, ch chat.ChannelID, user chat.UserID, at time.Time) (bool, error) {
	return changed(t.exec(ctx, `INSERT INTO channel_members (channel_id, user_id, joined_at) VALUES (?,?,?) ON CONFLICT DO NOTHING`,
		int64(ch), int64(user), ms(at)))
}

func (t *tx) RemoveChannelMember(ctx context.Context, ch chat.ChannelID, user chat.UserID) (bool, error) {
	return changed(t.exec(ctx, `DELETE FROM channel_members WHERE channel_id = ? AND user_id = ?`, int64(ch), int64(user)))
}

func (t *tx) AutoJoinChannels(ctx context.Context, org chat.OrgID) ([]chat.ChannelID, error) {
	var out []chat.ChannelID
	err := t.scanAll(ctx, `SELECT id FROM channels WHERE org_id = ? AND auto_join AND NOT deleted ORDER BY id`, []any{int64(org)}, func(r *sql.Rows) error {
		var id chat.ChannelID
		err := r.Scan(&id)
		out = append(out, id)
		return err
	})
	return out, err
}
