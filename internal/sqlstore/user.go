package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parley-chat/parley/internal/chat"
)

const userColumns = `id, org_id, COALESCE(username, ''), name, COALESCE(email, ''), level, bot, deleted, profile_image, description, xid, created_at, updated_at`

func scanUser(r interface{ Scan(...any) error }) (*chat.User, error) {
	var u chat.User
	var created, updated int64
	if err := r.Scan(&u.ID, &u.OrgID, &u.Username, &u.Name, &u.Email, &u.Level, &u.Bot, &u.Deleted, &u.ProfileImage, &u.Description, &u.XID, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

func (t *tx) UserByID(ctx context.Context, org chat.OrgID, id chat.UserID) (*chat.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

func (t *tx) UserByUsername(ctx context.Context, org chat.OrgID, username string) (*chat.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = ? AND username = ?`, int64(org), username))
	if err != nil {
		return nil, fmt.Errorf("user %q: %w", username, err)
	}
	return u, nil
}

func (t *tx) Users(ctx context.Context, org chat.OrgID, offset, limit int) ([]*chat.User, error) {
	out := []*chat.User{}
	err := t.scanAll(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = ? AND NOT deleted ORDER BY id LIMIT ? OFFSET ?`,
		[]any{int64(org), limit, offset}, func(r *sql.Rows) error {
			u, err := scanUser(r)
			out = append(out, u)
			return err
		})
	return out, err
}

func (t *tx) CountUsers(ctx context.Context, org chat.OrgID) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE org_id = ?`, int64(org)).Scan(&n)
	return n, mapError(err)
}

func (t *tx) CountOwners(ctx context.Context, org chat.OrgID) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE org_id = ? AND level = ? AND NOT deleted`, int64(org), int(chat.LevelOwner)).Scan(&n)
	return n, mapError(err)
}

func (t *tx) InsertUser(ctx context.Context, u *chat.User) error {
	id, err := t.insert(ctx, `INSERT INTO users (org_id, username, name, email, level, bot, deleted, profile_image, description, xid, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, int64(u.OrgID), nullString(u.Username), u.Name, nullString(u.Email), int(u.Level), u.Bot, u.Deleted,
		u.ProfileImage, u.Description, u.XID, ms(u.CreatedAt), ms(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	u.ID = chat.UserID(id)
	return nil
}

func (t *tx) UpdateUser(ctx context.Context, u *chat.User) error {
	_, err := t.exec(ctx, `UPDATE users SET username = ?, name = ?, email = ?, level = ?, bot = ?, deleted = ?, profile_image = ?, description = ?,
		updated_at = ? WHERE id = ? AND org_id = ?`, nullString(u.Username), u.Name, nullString(u.Email), int(u.Level), u.Bot, u.Deleted,
		u.ProfileImage, u.Description, ms(u.UpdatedAt), int64(u.ID), int64(u.OrgID))
	if err != nil {
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return nil
}

func (t *tx) UserPerms(ctx context.Context, org chat.OrgID, user chat.UserID) (chat.Perm, error) {
	var p chat.Perm
	err := t.scanAll(ctx, `SELECT r.administrator, r.manage_users, r.manage_channels, r.manage_roles
		FROM user_roles ur JOIN roles r ON r.id = ur.role_id
		WHERE ur.user_id = ? AND ur.org_id = ? AND r.org_id = ? AND NOT ur.deleted AND NOT r.deleted`,
		[]any{int64(user), int64(org), int64(org)}, func(r *sql.Rows) error {
			var role chat.Role
			if err := r.Scan(&role.Administrator, &role.ManageUsers, &role.ManageChannels, &role.ManageRoles); err != nil {
				return err
			}
			p |= role.Perms()
			return nil
		})
	return p, err
}

func (t *tx) ChannelGrants(ctx context.Context, org chat.OrgID, user chat.UserID) (map[chat.ChannelID]chat.Access, error) {
	out := map[chat.ChannelID]chat.Access{}
	err := t.scanAll(ctx, `SELECT cr.channel_id, cr.can_read, cr.can_write
		FROM user_roles ur
		JOIN roles r ON r.id = ur.role_id
		JOIN channel_roles cr ON cr.role_id = r.id
		WHERE ur.user_id = ? AND ur.org_id = ? AND r.org_id = ? AND cr.org_id = ?
		  AND NOT ur.deleted AND NOT r.deleted AND NOT cr.deleted`,
		[]any{int64(user), int64(org), int64(org), int64(org)}, func(r *sql.Rows) error {
			var id chat.ChannelID
			var read, write bool
			if err := r.Scan(&id, &read, &write); err != nil {
				return err
			}
			if read {
				out[id] |= chat.AccessRead
			}
			if write {
				out[id] |= chat.AccessWrite
			}
			return nil
		})
	return out, err
}
