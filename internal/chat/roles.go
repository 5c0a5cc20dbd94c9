package chat

import "context"

// This file holds the administration of roles: named sets of permission flags
// that policy.go adds to a user's level (ConvoForge's roles). Assigning roles
// to users and granting roles channel access are in grants.go.

// Reasons of the role use cases' errors.
const (
	ReasonRoleNotFound = "role_not_found" // NotFound: no such role (not deleted) in the org
)

func errRoleNotFound() *Error {
	return &Error{Code: NotFound, Reason: ReasonRoleNotFound, Message: "Role not found."}
}

func errManageRoles() *Error {
	return Errorf(Forbidden, "You do not have permission to manage roles.")
}

// rolesChanged is the event of any change to roles or grants: everyone in the
// org may see different things after it, so subscriptions recompute what they
// see (EventRolesChanged is a membership event).
func rolesChanged(org OrgID, actor, user UserID) *Event {
	topics := []string{TopicOrg(org)}
	if user != 0 {
		topics = append(topics, TopicUser(user))
	}
	return &Event{OrgID: org, Type: EventRolesChanged, ActorID: actor, UserID: user, Topics: topics}
}

// Roles lists the org's roles, oldest first: all of them, or with user set
// only those assigned to that user. Any signed-in member may list them.
func (s *Service) Roles(ctx context.Context, a Actor, user UserID) ([]*Role, error) {
	var roles []*Role
	err := s.view(ctx, func(tx ReadTx) error {
		_, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		roles, err = tx.Roles(ctx, a.OrgID, user)
		return err
	})
	return roles, err
}

// CreateRole adds a role to the org. Forbidden without the right to manage
// roles; Invalid for an empty name.
func (s *Service) CreateRole(ctx context.Context, a Actor, in RoleInput) (*Role, error) {
	var role *Role
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageRoles(au) {
			return errManageRoles()
		}
		if err := in.normalize(); err != nil {
			return err
		}
		role = &Role{OrgID: a.OrgID, Name: in.Name, Administrator: in.Administrator, ManageUsers: in.ManageUsers,
			ManageChannels: in.ManageChannels, ManageRoles: in.ManageRoles, CreatedAt: w.now}
		if err := w.tx.InsertRole(ctx, role); err != nil {
			return err
		}
		return w.emit(ctx, rolesChanged(a.OrgID, au.userID(), 0))
	})
	return role, err
}

// UpdateRole replaces a role's name and flags. Forbidden without the right
// to manage roles; NotFound (ReasonRoleNotFound) for a role missing or
// deleted in the org; Invalid for an empty name.
func (s *Service) UpdateRole(ctx context.Context, a Actor, id RoleID, in RoleInput) (*Role, error) {
	var role *Role
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageRoles(au) {
			return errManageRoles()
		}
		if role, err = liveRole(ctx, w.tx, a.OrgID, id); err != nil {
			return err
		}
		if err := in.normalize(); err != nil {
			return err
		}
		role.Name, role.Administrator, role.ManageUsers = in.Name, in.Administrator, in.ManageUsers
		role.ManageChannels, role.ManageRoles = in.ManageChannels, in.ManageRoles
		if err := w.tx.UpdateRole(ctx, role); err != nil {
			return err
		}
		return w.emit(ctx, rolesChanged(a.OrgID, au.userID(), 0))
	})
	return role, err
}

// DeleteRole deletes a role and every assignment of it, so it grants nothing
// any more. Errors as UpdateRole's.
func (s *Service) DeleteRole(ctx context.Context, a Actor, id RoleID) (*Role, error) {
	var role *Role
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageRoles(au) {
			return errManageRoles()
		}
		if role, err = liveRole(ctx, w.tx, a.OrgID, id); err != nil {
			return err
		}
		role.Deleted = true
		if err := w.tx.UpdateRole(ctx, role); err != nil {
			return err
		}
		if err := w.tx.DeleteUserRoles(ctx, a.OrgID, 0, role.ID); err != nil {
			return err
		}
		return w.emit(ctx, rolesChanged(a.OrgID, au.userID(), 0))
	})
	return role, err
}

// liveRole loads a role of org that is not deleted.
func liveRole(ctx context.Context, tx ReadTx, org OrgID, id RoleID) (*Role, error) {
	r, err := tx.RoleByID(ctx, org, id)
	if isNotFound(err) || err == nil && r.Deleted {
		return nil, errRoleNotFound()
	}
	return r, err
}
