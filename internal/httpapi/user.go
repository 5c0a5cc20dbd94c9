package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/internal/chat"
)

func (s *server) getUsers(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	offset, limit, err := paging(r, chat.MaxPage)
	if err != nil {
		return err
	}
	users, err := s.chat.Users(r.Context(), a, offset, limit)
	if err != nil {
		return err
	}
	out := make([]userJSON, len(users))
	for i, u := range users {
		out[i] = toUser(u)
	}
	return ok(w, http.StatusOK, out)
}

// paging reads page (1-based) and per_page.
func paging(r *http.Request, def int) (offset, limit int, err error) {
	q := r.URL.Query()
	page, limit := 1, def
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return 0, 0, chat.Invalidf("page", "page must be a number from 1.")
		}
	}
	if v := q.Get("per_page"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > chat.MaxPage {
			return 0, 0, chat.Invalidf("per_page", "per_page must be a number from 1 to %d.", chat.MaxPage)
		}
	}
	return (page - 1) * limit, limit, nil
}

// getUser answers one user; the id "me" names the caller (a client holding
// only its token learns who it is).
func (s *server) getUser(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	var id chat.UserID
	if raw := r.PathValue("id"); raw == "me" {
		if !a.IsMember() {
			return chat.ErrUnauthenticated
		}
		id = a.UserID
	} else {
		var err error
		if id, err = parseUserID("id", raw); err != nil {
			return err
		}
	}
	u, err := s.chat.User(r.Context(), a, id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toUser(u))
}

type postUserRequest struct {
	Email    string          `json:"email"`
	Name     string          `json:"name"`
	Username string          `json:"username"`
	XID      string          `json:"xid"`
	Bits     json.RawMessage `json:"bits"`
}

func (s *server) postUser(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[postUserRequest](w, r)
	if err != nil {
		return err
	}
	if in.Email == "" {
		return chat.Invalidf("email", "The email is required.")
	}
	level, err := userLevel(in.Bits)
	if err != nil {
		return err
	}
	nu := chat.NewUser{Email: in.Email, Name: in.Name, Username: in.Username, XID: in.XID}
	if level != nil {
		nu.Level = *level
	}
	u, err := s.chat.AddUser(r.Context(), a, nu)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toUser(u))
}

type putUserRequest struct {
	ID           string          `json:"id"`
	Email        *string         `json:"email"`
	Name         *string         `json:"name"`
	ProfileImage *string         `json:"profile_image"`
	Bits         json.RawMessage `json:"bits"`
}

func (s *server) putUser(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[putUserRequest](w, r)
	if err != nil {
		return err
	}
	id := a.UserID
	if in.ID != "" {
		if id, err = parseUserID("id", in.ID); err != nil {
			return err
		}
	}
	level, err := userLevel(in.Bits)
	if err != nil {
		return err
	}
	u, err := s.chat.UpdateUser(r.Context(), a, id, chat.UserUpdate{Name: in.Name, Email: in.Email, ProfileImage: in.ProfileImage, Level: level})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toUser(u))
}

// userLevel reads Struct's user bits: {"owner"|"admin"|"mod": true} raises a
// user to that level and the string "no_op" makes a plain member. Absent or
// {} changes nothing.
func userLevel(raw json.RawMessage) (*chat.Level, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s != "no_op" {
			return nil, chat.Invalidf("bits", `User bits must be an object or "no_op".`)
		}
		l := chat.LevelMember
		return &l, nil
	}
	var b map[string]bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, chat.Invalidf("bits", `User bits must be an object or "no_op".`)
	}
	var level *chat.Level
	for name, on := range b {
		var l chat.Level
		switch name {
		case "owner":
			l = chat.LevelOwner
		case "admin":
			l = chat.LevelAdmin
		case "mod":
			l = chat.LevelMod
		default:
			return nil, chat.Invalidf("bits", "Unknown user bit %q (use owner, admin, mod or \"no_op\").", name)
		}
		if on && (level == nil || l > *level) {
			level = &l
		}
	}
	return level, nil
}
