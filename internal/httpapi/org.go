package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

func (s *server) getOrg(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	v, err := s.chat.Org(r.Context(), a)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toOrg(v.Org, &v.Stats))
}

type putOrgRequest struct {
	Name        *string `json:"name"`
	Title       *string `json:"title"`
	Description *string `json:"description"`
	Hostname    *string `json:"hostname"`
	Bits        *struct {
		OpenJoin *bool `json:"org_open_join"`
	} `json:"bits"`
}

func (s *server) putOrg(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[putOrgRequest](w, r)
	if err != nil {
		return err
	}
	upd := chat.OrgUpdate{Name: in.Name, Title: in.Title, Description: in.Description, Hostname: in.Hostname}
	if in.Bits != nil {
		upd.OpenJoin = in.Bits.OpenJoin
	}
	o, err := s.chat.UpdateOrg(r.Context(), a, upd)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toOrg(o, nil))
}

func (s *server) putJoinSecret(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	if _, err := httpx.Decode[struct{}](w, r, httpx.DecodeOptions{AllowEmpty: true, AnyContentType: true}); err != nil {
		return err
	}
	o, err := s.chat.RotateJoinSecret(r.Context(), a)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toOrg(o, nil))
}

type createOrgRequest struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Hostname    string `json:"hostname"`
}

// createOrg creates an org whose owner is the caller (as a new membership);
// the answer adds the token that acts as that owner.
func (s *server) createOrg(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[createOrgRequest](w, r)
	if err != nil {
		return err
	}
	o, u, tok, err := s.chat.CreateOrg(r.Context(), a, chat.NewOrg{Name: in.Name, Title: in.Title, Description: in.Description, Hostname: in.Hostname})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "data": toOrg(o, nil), "token": tok, "user": toUser(u)})
}

type joinRequest struct {
	JoinSecret string `json:"join_secret"`
	Name       string `json:"name"`
	Email      string `json:"email"`
}

// join adds a member through the org's join link and signs it in.
func (s *server) join(w http.ResponseWriter, r *http.Request, _ chat.Actor) error {
	in, err := decode[joinRequest](w, r)
	if err != nil {
		return err
	}
	if in.Name == "" {
		return chat.Invalidf("name", "The name is required.")
	}
	u, tok, err := s.chat.JoinOrg(r.Context(), in.JoinSecret, chat.NewUser{Name: in.Name, Email: in.Email})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, map[string]any{"token": tok, "user": toUser(u)})
}
