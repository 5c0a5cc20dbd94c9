package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

const roleColumns = `id, org_id, name, administrator, manage_users, manage_channels, manage_roles, deleted, created_at`

func scanRole(r interface{ Scan(...any) error }) (*chat.Role, error) {
	var role chat.Role
	var created int64
	if err := r.Scan(&role.ID, &role.OrgID, &role.Name, &role.Administrator, &role.ManageUsers, &role.ManageChannels, &role.ManageRoles,
		&role.Deleted, &created); err != nil {
		return nil, mapError(err)
	}
	role.CreatedAt = fromMS(created)
	return &role, nil
}

// RoleByID implements chat.ReadTx.
func (t *tx) RoleByID(ctx context.Context, org chat.OrgID, id chat.RoleID) (*chat.Role, error) {
	r, err := scanRole(t.queryRow(ctx, `SELECT `+roleColumns+` FROM roles WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("role %d: %w", id, err)
	}
	return r, nil
}

// Roles implements chat.ReadTx.
func (t *tx) Roles(ctx context.Context, org chat.OrgID, user chat.UserID) ([]*chat.Role, error) {
	q := `SELECT ` + roleColumns + ` FROM roles WHERE org_id = ? AND NOT deleted`
	args := []any{int64(org)}
	if user != 0 {
		q += ` AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.role_id = roles.id AND ur.user_id = ? AND ur.org_id = ? AND NOT ur.deleted)`
		args = append(args, int64(user), int64(org))
	}
	out := []*chat.Role{}
	err := t.scanAll(ctx, q+` ORDER BY id`, args, func(r *sql.Rows) error {
		role, err := scanRole(r)
		out = append(out, role)
		return err
	})
	return out, err
}

// InsertRole implements chat.Tx.
func (t *tx) InsertRole(ctx context.Context, r *chat.Role) error {
	id, err := t.insert(ctx, `INSERT INTO roles (org_id, name, administrator, manage_users, manage_channels, manage_roles, deleted, created_at)
		VALUES (?,?,?,?,?,?,?,?)`, int64(r.OrgID), r.Name, r.Administrator, r.ManageUsers, r.ManageChannels, r.ManageRoles, r.Deleted, ms(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert role: %w", err)
	}
	r.ID = chat.RoleID(id)
	return nil
}

// UpdateRole implements chat.Tx.
func (t *tx) UpdateRole(ctx context.Context, r *chat.Role) error {
	_, err := t.exec(ctx, `UPDATE roles SET name = ?, administrator = ?, manage_users = ?, manage_channels = ?, manage_roles = ?, deleted = ?
		WHERE id = ? AND org_id = ?`, r.Name, r.Administrator, r.ManageUsers, r.ManageChannels, r.ManageRoles, r.Deleted, int64(r.ID), int64(r.OrgID))
	if err != nil {
		return fmt.Errorf("update role %d: %w", r.ID, err)
	}
	return nil
}

const userRoleColumns = `id, org_id, user_id, role_id, deleted`

func scanUserRole(r interface{ Scan(...any) error }) (*chat.UserRole, error) {
	var ur chat.UserRole
	if err := r.Scan(&ur.ID, &ur.OrgID, &ur.UserID, &ur.RoleID, &ur.Deleted); err != nil {
		return nil, mapError(err)
	}
	return &ur, nil
}

// UserRoleByID implements chat.ReadTx.
func (t *tx) UserRoleByID(ctx context.Context, org chat.OrgID, id chat.GrantID) (*chat.UserRole, error) {
	ur, err := scanUserRole(t.queryRow(ctx, `SELECT `+userRoleColumns+` FROM user_roles WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("user role %d: %w", id, err)
	}
	return ur, nil
}

// UserRoles implements chat.ReadTx.
func (t *tx) UserRoles(ctx context.Context, org chat.OrgID, user chat.UserID, role chat.RoleID) ([]*chat.UserRole, error) {
	q := `SELECT ` + userRoleColumns + ` FROM user_roles WHERE org_id = ? AND NOT deleted`
	args := []any{int64(org)}
	if user != 0 {
		q += ` AND user_id = ?`
		args = append(args, int64(user))
	}
	if role != 0 {
		q += ` AND role_id = ?`
		args = append(args, int64(role))
	}
	out := []*chat.UserRole{}
	err := t.scanAll(ctx, q+` ORDER BY id`, args, func(r *sql.Rows) error {
		ur, err := scanUserRole(r)
		out = append(out, ur)
		return err
	})
	return out, err
}

// InsertUserRole implements chat.Tx.
func (t *tx) InsertUserRole(ctx context.Context, ur *chat.UserRole, at time.Time) error {
	id, err := t.insert(ctx, `INSERT INTO user_roles (org_id, user_id, role_id, deleted, created_at) VALUES (?,?,?,?,?)`,
		int64(ur.OrgID), int64(ur.UserID), int64(ur.RoleID), ur.Deleted, ms(at))
	if err != nil {
		return fmt.Errorf("insert user role: %w", err)
	}
	ur.ID = chat.GrantID(id)
	return nil
}

// UpdateUserRole implements chat.Tx.
func (t *tx) UpdateUserRole(ctx context.Context, ur *chat.UserRole) error {
	_, err := t.exec(ctx, `UPDATE user_roles SET deleted = ? WHERE id = ? AND org_id = ?`, ur.Deleted, int64(ur.ID), int64(ur.OrgID))
	if err != nil {
		return fmt.Errorf("update user role %d: %w", ur.ID, err)
	}
	return nil
}

// DeleteUserRoles implements chat.Tx.
func (t *tx) DeleteUserRoles(ctx context.Context, org chat.OrgID, user chat.UserID, role chat.RoleID) error {
	if user == 0 && role == 0 {
		return fmt.Errorf("delete user roles: name a user or a role")
	}
	q := `UPDATE user_roles SET deleted = ? WHERE org_id = ? AND NOT deleted`
	args := []any{true, int64(org)}
	if user != 0 {
		q += ` AND user_id = ?`
		args = append(args, int64(user))
	}
	if role != 0 {
		q += ` AND role_id = ?`
		args = append(args, int64(role))
	}
	if _, err := t.exec(ctx, q, args...); err != nil {
		return fmt.Errorf("delete user roles: %w", err)
	}
	return nil
}

const channelRoleColumns = `id, org_id, channel_id, role_id, can_read, can_write, deleted`

func scanChannelRole(r interface{ Scan(...any) error }) (*chat.ChannelRole, error) {
	var cr chat.ChannelRole
	if err := r.Scan(&cr.ID, &cr.OrgID, &cr.ChannelID, &cr.RoleID, &cr.CanRead, &cr.CanWrite, &cr.Deleted); err != nil {
		return nil, mapError(err)
	}
	return &cr, nil
}

// ChannelRoleByID implements chat.ReadTx.
func (t *tx) ChannelRoleByID(ctx context.Context, org chat.OrgID, id chat.GrantID) (*chat.ChannelRole, error) {
	cr, err := scanChannelRole(t.queryRow(ctx, `SELECT `+channelRoleColumns+` FROM channel_roles WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("channel role %d: %w", id, err)
	}
	return cr, nil
}

// ChannelRoles implements chat.ReadTx.
func (t *tx) ChannelRoles(ctx context.Context, org chat.OrgID, ch chat.ChannelID) ([]*chat.ChannelRole, error) {
	q := `SELECT ` + channelRoleColumns + ` FROM channel_roles WHERE org_id = ? AND NOT deleted`
	args := []any{int64(org)}
	if ch != 0 {
		q += ` AND channel_id = ?`
		args = append(args, int64(ch))
	}
	out := []*chat.ChannelRole{}
	err := t.scanAll(ctx, q+` ORDER BY id`, args, func(r *sql.Rows) error {
		cr, err := scanChannelRole(r)
		out = append(out, cr)
		return err
	})
	return out, err
}

// InsertChannelRole implements chat.Tx.
func (t *tx) InsertChannelRole(ctx context.Context, cr *chat.ChannelRole, at time.Time) error {
	id, err := t.insert(ctx, `INSERT INTO channel_roles (org_id, channel_id, role_id, can_read, can_write, deleted, created_at) VALUES (?,?,?,?,?,?,?)`,
		int64(cr.OrgID), int64(cr.ChannelID), int64(cr.RoleID), cr.CanRead, cr.CanWrite, cr.Deleted, ms(at))
	if err != nil {
		return fmt.Errorf("insert channel role: %w", err)
	}
	cr.ID = chat.GrantID(id)
	return nil
}

// UpdateChannelRole implements chat.Tx.
func (t *tx) UpdateChannelRole(ctx context.Context, cr *chat.ChannelRole) error {
	_, err := t.exec(ctx, `UPDATE channel_roles SET can_read = ?, can_write = ?, deleted = ? WHERE id = ? AND org_id = ?`,
		cr.CanRead, cr.CanWrite, cr.Deleted, int64(cr.ID), int64(cr.OrgID))
	if err != nil {
		return fmt.Errorf("update channel role %d: %w", cr.ID, err)
	}
	return nil
}

// DeleteChannelRoles implements chat.Tx.
func (t *tx) DeleteChannelRoles(ctx context.Context, org chat.OrgID, ch chat.ChannelID) error {
	_, err := t.exec(ctx, `UPDATE channel_roles SET deleted = ? WHERE org_id = ? AND channel_id = ? AND NOT deleted`, true, int64(org), int64(ch))
	if err != nil {
		return fmt.Errorf("delete channel roles of %d: %w", ch, err)
	}
	return nil
}

// ChannelGrantees implements chat.ReadTx.
func (t *tx) ChannelGrantees(ctx context.Context, org chat.OrgID, ch chat.ChannelID) (map[chat.UserID]chat.Access, error) {
	out := map[chat.UserID]chat.Access{}
	err := t.scanAll(ctx, `SELECT ur.user_id, cr.can_read, cr.can_write
		FROM channel_roles cr
		JOIN roles r ON r.id = cr.role_id
		JOIN user_roles ur ON ur.role_id = r.id
		JOIN users u ON u.id = ur.user_id
		WHERE cr.channel_id = ? AND cr.org_id = ? AND r.org_id = ? AND ur.org_id = ? AND u.org_id = ?
		  AND NOT cr.deleted AND NOT r.deleted AND NOT ur.deleted AND NOT u.deleted`,
		[]any{int64(ch), int64(org), int64(org), int64(org), int64(org)}, func(r *sql.Rows) error {
			var id chat.UserID
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
