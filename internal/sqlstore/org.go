package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/parley-chat/parley/internal/chat"
)

const orgColumns = `id, slug, name, title, description, COALESCE(hostname, ''), join_secret, open_join, flags, created_at, updated_at`

func scanOrg(r interface{ Scan(...any) error }) (*chat.Org, error) {
	var o chat.Org
	var flags string
	var created, updated int64
	if err := r.Scan(&o.ID, &o.Slug, &o.Name, &o.Title, &o.Description, &o.Hostname, &o.JoinSecret, &o.OpenJoin, &flags, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	o.CreatedAt, o.UpdatedAt = fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(flags), &o.Flags); err != nil {
		return nil, fmt.Errorf("org %d flags: %w", o.ID, err)
	}
	if o.Flags == nil {
		o.Flags = map[string]bool{}
	}
	return &o, nil
}

func (t *tx) orgWhere(ctx context.Context, cond string, arg any) (*chat.Org, error) {
	o, err := scanOrg(t.queryRow(ctx, `SELECT `+orgColumns+` FROM orgs WHERE `+cond, arg))
	if err != nil {
		return nil, fmt.Errorf("org: %w", err)
	}
	return o, nil
}

func (t *tx) OrgByID(ctx context.Context, id chat.OrgID) (*chat.Org, error) {
	return t.orgWhere(ctx, `id = ?`, int64(id))
}

func (t *tx) OrgBySlug(ctx context.Context, slug string) (*chat.Org, error) {
	return t.orgWhere(ctx, `slug = ?`, slug)
}

func (t *tx) OrgByHostname(ctx context.Context, hostname string) (*chat.Org, error) {
	return t.orgWhere(ctx, `hostname = ?`, hostname)
}

func (t *tx) OrgByJoinSecret(ctx context.Context, secret string) (*chat.Org, error) {
	return t.orgWhere(ctx, `join_secret = ?`, secret)
}

func (t *tx) Orgs(ctx context.Context) ([]*chat.Org, error) {
	var out []*chat.Org
	err := t.scanAll(ctx, `SELECT `+orgColumns+` FROM orgs ORDER BY id`, nil, func(r *sql.Rows) error {
		o, err := scanOrg(r)
		out = append(out, o)
		return err
	})
	return out, err
}

func (t *tx) OrgStats(ctx context.Context, org chat.OrgID) (chat.OrgStats, error) {
	var s chat.OrgStats
	err := t.queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN NOT hidden THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN NOT hidden AND NOT deleted THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN resolved AND NOT deleted THEN 1 ELSE 0 END), 0)
		FROM threads WHERE org_id = ?`, int64(org)).Scan(&s.Threads, &s.Valid, &s.Resolved)
	return s, mapError(err)
}

func (t *tx) InsertOrg(ctx context.Context, o *chat.Org) error {
	flags, err := json.Marshal(o.Flags)
	if err != nil {
		return err
	}
	id, err := t.insert(ctx, `INSERT INTO orgs (slug, name, title, description, hostname, join_secret, open_join, flags, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, o.Slug, o.Name, o.Title, o.Description, nullString(o.Hostname), o.JoinSecret, o.OpenJoin, string(flags), ms(o.CreatedAt), ms(o.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert org: %w", err)
	}
	o.ID = chat.OrgID(id)
	return nil
}

func (t *tx) UpdateOrg(ctx context.Context, o *chat.Org) error {
	flags, err := json.Marshal(o.Flags)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE orgs SET name = ?, title = ?, description = ?, hostname = ?, join_secret = ?, open_join = ?, flags = ?, updated_at = ? WHERE id = ?`,
		o.Name, o.Title, o.Description, nullString(o.Hostname), o.JoinSecret, o.OpenJoin, string(flags), ms(o.UpdatedAt), int64(o.ID))
	if err != nil {
		return fmt.Errorf("update org %d: %w", o.ID, err)
	}
	return nil
}
