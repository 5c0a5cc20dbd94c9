package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// listUsers is GET /user/?page=&per_page=: the org's users.
func (s *server) listUsers(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	offset, limit := page(r.URL.Query())
	users, err := s.chat.Users(r.Context(), a, offset, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUsers(users))
}

// channelUsers is GET /user/channel/{channel_id}: the users who read the
// channel through membership or a role's grant.
func (s *server) channelUsers(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, _ := parseID(kindChannel, r.PathValue("channel_id"))
	offset, limit := page(r.URL.Query())
	users, err := s.chat.ChannelUsers(r.Context(), a, chat.ChannelID(id), offset, limit)
	if err != nil {
		forbidden := fail(http.StatusForbidden, "You do not have permission to view users in this channel.")
		return texts{chat.ReasonChannelNotFound: forbidden, chat.ReasonNoChannelAccess: forbidden}.of(err)
	}
	return writeJSON(w, http.StatusOK, toUsers(users))
}

// currentUser is GET /user/current.
func (s *server) currentUser(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	u, err := s.chat.User(r.Context(), a, a.UserID)
	if err != nil {
		return texts{string(chat.NotFound): fail(http.StatusNotFound, "User not found")}.of(err)
	}
	return writeJSON(w, http.StatusOK, toUser(u))
}

// purgeUser is DELETE /user/purge?user_id=: an administrator deletes a user
// and everything they wrote.
func (s *server) purgeUser(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, _ := queryID(r.URL.Query(), "user_id", kindUser)
	err := s.chat.PurgeUser(r.Context(), a, chat.UserID(id))
	if err != nil {
		return texts{
			string(chat.Forbidden):  fail(http.StatusForbidden, "You do not have permission to manage roles."),
			chat.ReasonUserNotFound: fail(http.StatusNotFound, "User not found"),
		}.of(err)
	}
	return okText(w, "User purged")
}

// renamedDTO is the answer of PATCH /user/name.
type renamedDTO struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// renameUser is PATCH /user/name: oneself, or a user manager, sets a display
// name no one else in the org has.
func (s *server) renameUser(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindUser}, field{name: "display_name", typ: tString})
	if err != nil {
		return err
	}
	u, err := s.chat.RenameUser(r.Context(), a, chat.UserID(in.id("id")), in.str("display_name"))
	if err != nil {
		return texts{
			string(chat.Forbidden):  fail(http.StatusForbidden, "You do not have permission to update this user's display name"),
			chat.ReasonUserNotFound: fail(http.StatusNotFound, "User not found"),
			chat.ReasonNameTaken:    fail(http.StatusConflict, "Display name already in use"),
		}.of(emptyName(err, in.str("display_name"), "Display name must be greater than 0 characters"))
	}
	return writeJSON(w, http.StatusOK, renamedDTO{ID: formatID(kindUser, int64(u.ID)), Username: u.Username, DisplayName: u.Name})
}

// setProfileImage is PATCH /user/profile-image: an image (at most 1 MiB)
// replaces the caller's profile image. It is not behind the s3 flag.
func (s *server) setProfileImage(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	up, err := readFile(w, r)
	if err != nil {
		return err
	}
	defer up.Close()
	base := s.base(r)
	_, err = s.chat.SetProfileImage(r.Context(), a, chat.NewUpload{Name: up.Name, ContentType: up.ContentType, Size: up.Size, Body: up.File},
		func(f *chat.File) string { return fileURL(base, f) })
	if err != nil {
		return texts{chat.ReasonNotImage: fail(http.StatusBadRequest, "File must be an image"), string(chat.TooLarge): errTooLarge}.of(err)
	}
	return okText(w, "User profile image updated")
}
