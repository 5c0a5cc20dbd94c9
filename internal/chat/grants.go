package chat

import "context"

// This file holds what roles grant: roles assigned to users (user roles) and
// channel access granted to roles (channel roles). policy.go reads both,
// through ReadTx.UserPerms and ReadTx.ChannelGrants, counting only what is
// not deleted.

// Reasons of the grant use cases' errors.
const (
	ReasonUserRoleNotFound    = "user_role_not_found"    // NotFound: no such assignment in the org
	ReasonChannelRoleNotFound = "channel_role_not_found" // NotFound: no such channel grant in the org
)

// UserRoles lists the org's role assignments that are not deleted, oldest
// first: all of them, or those of one user. Any signed-in member may list
// them.
func (s *Service) UserRoles(ctx context.Context, a Actor, user UserID) ([]*UserRole, error) {
	var out []*UserRole
	err := s.view(ctx, func(tx ReadTx) error {
		_, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		out, err = tx.UserRoles(ctx, a.OrgID, user, 0)
		return err
	})
	return out, err
}

// AssignRole gives a user of the org a role of the org; assigning a role the
// user holds already returns that assignment. Forbidden without the right to
// manage roles; NotFound (ReasonUserNotFound, ReasonRoleNotFound) for a user
// or role missing or deleted in the org.
func (s *Service) AssignRole(ctx context.Context, a Actor, user UserID, role RoleID) (*UserRole, error) {
	var ur *UserRole
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageRoles(au) {
			return errManageRoles()
		}
		if _, err := conversationPeer(ctx, w.tx, au, user); err != nil {
			return err
		}
		if _, err := liveRole(ctx, w.tx, a.OrgID, role); err != nil {
			return err
		}
		held, err := w.tx.UserRoles(ctx, a.OrgID, user, role)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			ur = held[0]
			return nil
		}
		ur = &UserRole{OrgID: a.OrgID, UserID: user, RoleID: role}
		if err := w.tx.InsertUserRole(ctx, ur, w.now); err != nil {
			return err
		}
		return w.emit(ctx, rolesChanged(a.OrgID, au.userID(), user))
	})
	return ur, err
}

// UnassignRole ends a role assignment. Forbidden without the right to manage
// roles; NotFound (ReasonUserRoleNotFound) for an assignment missing or
// ended in the org.
func (s *Service) UnassignRole(ctx context.Context, a Actor, id GrantID) (*UserRole, error) {
	var ur *UserRole
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageRoles(au) {
			return errManageRoles()
		}
		ur, err = w.tx.UserRoleByID(ctx, a.OrgID, id)
		if isNotFound(err) || err == nil && ur.Deleted {
			return &Error{Code: NotFound, Reason: ReasonUserRoleNotFound, Message: "User role access not found."}
		}
		if err != nil {
			return err
		}
		ur.Deleted = true
		if err := w.tx.UpdateUserRole(ctx, ur); err != nil {
			return err
		}
		return w.emit(ctx, rolesChanged(a.OrgID, au.userID(), ur.UserID))
	})
	return ur, err
}

func errManageChannels() *Error {
	return Errorf(Forbidden, "You do not have permission to manage channels.")
}

// ChannelRoles lists the org's channel grants that are not deleted, oldest
// first: all of them, or those on one channel. Forbidden without the right
// to manage channels.
func (s *Service) ChannelRoles(ctx context.Context, a Actor, ch ChannelID) ([]*ChannelRole, error) {
	var out []*ChannelRole
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if !canManageChannels(au) {
			return errManageChannels()
		}
		out, err = tx.ChannelRoles(ctx, a.OrgID, ch)
		return err
	})
	return out, err
}

// GrantChannel lets holders of a role read and write in a channel. Forbidden
// without the right to manage channels; NotFound (ReasonChannelNotFound,
// ReasonRoleNotFound) for a channel or role missing or deleted in the org.
func (s *Service) GrantChannel(ctx context.Context, a Actor, ch ChannelID, role RoleID) (*ChannelRole, error) {
	var cr *ChannelRole
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageChannels(au) {
			return errManageChannels()
		}
		c, err := w.tx.ChannelByID(ctx, a.OrgID, ch)
		if isNotFound(err) || err == nil && c.Deleted {
			return &Error{Code: NotFound, Reason: ReasonChannelNotFound, Message: "Channel not found."}
		}
		if err != nil {
			return err
		}
		if _, err := liveRole(ctx, w.tx, a.OrgID, role); err != nil {
			return err
		}
		cr = &ChannelRole{OrgID: a.OrgID, ChannelID: ch, RoleID: role, CanRead: true, CanWrite: true}
		if err := w.tx.InsertChannelRole(ctx, cr, w.now); err != nil {
			return err
		}
		return w.emit(ctx, rolesChanged(a.OrgID, au.userID(), 0))
	})
	return cr, err
}

// RevokeChannelGrant ends a channel grant and returns it as it was before.
// Forbidden without the right to manage channels; NotFound
// (ReasonChannelRoleNotFound) for a grant missing or ended in the org.
func (s *Service) RevokeChannelGrant(ctx context.Context, a Actor, id GrantID) (*ChannelRole, error) {
	var before ChannelRole
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageChannels(au) {
			return errManageChannels()
		}
		cr, err := w.tx.ChannelRoleByID(ctx, a.OrgID, id)
		if isNotFound(err) || err == nil && cr.Deleted {
			return &Error{Code: NotFound, Reason: ReasonChannelRoleNotFound, Message: "Channel role access not found."}
		}
		if err != nil {
			return err
		}
		before = *cr
		cr.Deleted = true
		if err := w.tx.UpdateChannelRole(ctx, cr); err != nil {
			return err
		}
		return w.emit(ctx, rolesChanged(a.OrgID, au.userID(), 0))
	})
	if err != nil {
		return nil, err
	}
	return &before, nil
}

// ReadableChannels lists the channels the actor can read (by membership, a
// role's grant, its level or the channel's visibility), in channel order.
func (s *Service) ReadableChannels(ctx context.Context, a Actor) ([]*Channel, error) {
	out := []*Channel{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := au.loadChannelAccess(ctx, tx); err != nil {
			return err
		}
		all, err := tx.Channels(ctx, a.OrgID)
		if err != nil {
			return err
		}
		for _, ch := range all {
			if channelAccess(au, ch).CanRead() {
				out = append(out, ch)
			}
		}
		return nil
	})
	return out, err
}

// ChannelUsers pages the users who can read a channel through membership or
// a role's grant (not through their level alone), in id order. Errors:
// NotFound (ReasonChannelNotFound) for a channel not in the org, Forbidden
// (ReasonNoChannelAccess) when the actor cannot read it.
func (s *Service) ChannelUsers(ctx context.Context, a Actor, ch ChannelID, offset, limit int) ([]*User, error) {
	out := []*User{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		if _, _, err := conversationChannel(ctx, tx, au, ch); err != nil {
			return err
		}
		ids, err := tx.ChannelMembers(ctx, ch)
		if err != nil {
			return err
		}
		grantees, err := tx.ChannelGrantees(ctx, a.OrgID, ch)
		if err != nil {
			return err
		}
		for id, acc := range grantees {
			if acc.CanRead() {
				ids = append(ids, id)
			}
		}
		ids = sortedUsers(ids)
		offset = min(max(offset, 0), len(ids))
		ids = ids[offset:min(offset+clampLimit(limit, DefaultConversationPage), len(ids))]
		users, err := tx.UsersByID(ctx, a.OrgID, ids)
		if err != nil {
			return err
		}
		for _, u := range users {
			if !u.Deleted {
				out = append(out, redactFor(au, u))
			}
		}
		return nil
	})
	return out, err
}
