package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

var roleTexts = texts{
	string(chat.Forbidden):      fail(http.StatusForbidden, "You do not have permission to manage roles."),
	chat.ReasonRoleNotFound:     fail(http.StatusNotFound, "Role not found."),
	chat.ReasonUserNotFound:     fail(http.StatusNotFound, "User not found"),
	chat.ReasonUserRoleNotFound: fail(http.StatusNotFound, "User role access not found."),
}

// roleFields are the body of POST and PATCH /role/: every flag is required,
// as serde required them.
var roleFields = []field{
	{name: "name", typ: tString},
	{name: "administrator", typ: tBool},
	{name: "manage_users", typ: tBool},
	{name: "manage_channels", typ: tBool},
	{name: "manage_roles", typ: tBool},
}

func roleInput(in *fields) chat.RoleInput {
	return chat.RoleInput{Name: in.str("name"), Administrator: in.boolean("administrator"), ManageUsers: in.boolean("manage_users"),
		ManageChannels: in.boolean("manage_channels"), ManageRoles: in.boolean("manage_roles")}
}

// listRoles is GET /role/?user_id=: the org's roles, or one user's.
func (s *server) listRoles(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	user, _ := queryID(r.URL.Query(), "user_id", kindUser)
	roles, err := s.chat.Roles(r.Context(), a, chat.UserID(user))
	if err != nil {
		return err
	}
	out := []roleDTO{}
	for _, role := range roles {
		out = append(out, toRole(role))
	}
	return writeJSON(w, http.StatusOK, out)
}

// createRole is POST /role/.
func (s *server) createRole(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, roleFields...)
	if err != nil {
		return err
	}
	role, err := s.chat.CreateRole(r.Context(), a, roleInput(in))
	if err != nil {
		return roleTexts.of(emptyName(err, in.str("name"), "Role name must be at least 1 character."))
	}
	return writeJSON(w, http.StatusOK, toRole(role))
}

// updateRole is PATCH /role/.
func (s *server) updateRole(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, append([]field{{name: "id", typ: tUUID, kind: kindRole}}, roleFields...)...)
	if err != nil {
		return err
	}
	role, err := s.chat.UpdateRole(r.Context(), a, chat.RoleID(in.id("id")), roleInput(in))
	if err != nil {
		return roleTexts.of(emptyName(err, in.str("name"), "Role name must be at least 1 character."))
	}
	return writeJSON(w, http.StatusOK, toRole(role))
}

// deleteRole is DELETE /role/. The answer is the original's: the id, an
// empty name, no flags, "deleted": true.
func (s *server) deleteRole(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindRole})
	if err != nil {
		return err
	}
	role, err := s.chat.DeleteRole(r.Context(), a, chat.RoleID(in.id("id")))
	if err != nil {
		return roleTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, roleDTO{ID: formatID(kindRole, int64(role.ID)), Deleted: true})
}

// listUserRoles is GET /user-role-access/?user_id=: the org's assignments,
// or one user's.
func (s *server) listUserRoles(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	user, _ := queryID(r.URL.Query(), "user_id", kindUser)
	urs, err := s.chat.UserRoles(r.Context(), a, chat.UserID(user))
	if err != nil {
		return err
	}
	out := []userRoleDTO{}
	for _, ur := range urs {
		out = append(out, toUserRole(ur))
	}
	return writeJSON(w, http.StatusOK, out)
}

// assignRole is POST /user-role-access/.
func (s *server) assignRole(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "user_id", typ: tUUID, kind: kindUser}, field{name: "role_id", typ: tUUID, kind: kindRole})
	if err != nil {
		return err
	}
	ur, err := s.chat.AssignRole(r.Context(), a, chat.UserID(in.id("user_id")), chat.RoleID(in.id("role_id")))
	if err != nil {
		return roleTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toUserRole(ur))
}

// unassignRole is DELETE /user-role-access/.
func (s *server) unassignRole(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindUserRole})
	if err != nil {
		return err
	}
	ur, err := s.chat.UnassignRole(r.Context(), a, chat.GrantID(in.id("id")))
	if err != nil {
		return roleTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toUserRole(ur))
}

var channelRoleTexts = texts{
	string(chat.Forbidden):         fail(http.StatusForbidden, "You do not have permission to manage channels."),
	chat.ReasonChannelNotFound:     fail(http.StatusNotFound, "Channel not found."),
	chat.ReasonRoleNotFound:        fail(http.StatusNotFound, "Role not found."),
	chat.ReasonChannelRoleNotFound: fail(http.StatusNotFound, "Channel role access not found"),
}

// listChannelRoles is GET /channel-role-access/?channel_id=: the org's
// channel grants, or one channel's (the original listed every org's).
func (s *server) listChannelRoles(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	ch, _ := queryID(r.URL.Query(), "channel_id", kindChannel)
	crs, err := s.chat.ChannelRoles(r.Context(), a, chat.ChannelID(ch))
	if err != nil {
		return channelRoleTexts.of(err)
	}
	out := []channelRoleDTO{}
	for _, cr := range crs {
		out = append(out, toChannelRole(cr))
	}
	return writeJSON(w, http.StatusOK, out)
}

// grantChannel is POST /channel-role-access/: holders of the role may read
// and write in the channel.
func (s *server) grantChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "channel_id", typ: tUUID, kind: kindChannel}, field{name: "role_id", typ: tUUID, kind: kindRole})
	if err != nil {
		return err
	}
	cr, err := s.chat.GrantChannel(r.Context(), a, chat.ChannelID(in.id("channel_id")), chat.RoleID(in.id("role_id")))
	if err != nil {
		return channelRoleTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toChannelRole(cr))
}

// revokeChannelGrant is DELETE /channel-role-access/. The answer is the grant
// as it was ("deleted": false), as in the original.
func (s *server) revokeChannelGrant(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindChannelRole})
	if err != nil {
		return err
	}
	cr, err := s.chat.RevokeChannelGrant(r.Context(), a, chat.GrantID(in.id("id")))
	if err != nil {
		return channelRoleTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toChannelRole(cr))
}
