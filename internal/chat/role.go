package chat

import (
	"strings"
	"time"
)

// MaxRoleNameLen limits role names.
const MaxRoleNameLen = 100

// Perm is a permission flag a role can carry.
type Perm uint8

// Permission flags.
const (
	PermAdministrator Perm = 1 << iota // everything in the org
	PermManageUsers
	PermManageChannels
	PermManageRoles
)

// Role is a named set of permission flags in an org.
type Role struct {
	ID             RoleID
	OrgID          OrgID
	Name           string
	Administrator  bool
	ManageUsers    bool
	ManageChannels bool
	ManageRoles    bool
	Deleted        bool
	CreatedAt      time.Time
}

// Perms returns the role's flags.
func (r *Role) Perms() Perm {
	var p Perm
	if r.Administrator {
		p |= PermAdministrator
	}
	if r.ManageUsers {
		p |= PermManageUsers
	}
	if r.ManageChannels {
		p |= PermManageChannels
	}
	if r.ManageRoles {
		p |= PermManageRoles
	}
	return p
}

// RoleInput is the input for creating or replacing a role.
type RoleInput struct {
	Name           string
	Administrator  bool
	ManageUsers    bool
	ManageChannels bool
	ManageRoles    bool
}

func (in *RoleInput) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	return checkLen("name", in.Name, 1, MaxRoleNameLen)
}

// UserRole assigns a role to a user (ConvoForge's user-role access).
type UserRole struct {
	ID      GrantID
	OrgID   OrgID
	UserID  UserID
	RoleID  RoleID
	Deleted bool
}

// ChannelRole grants a role access to a channel (ConvoForge's channel-role
// access). Read is implied by write.
type ChannelRole struct {
	ID        GrantID
	OrgID     OrgID
	ChannelID ChannelID
	RoleID    RoleID
	CanRead   bool
	CanWrite  bool
	Deleted   bool
}
