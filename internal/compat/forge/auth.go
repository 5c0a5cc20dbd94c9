package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// clientSecret returns the Client-Secret header, or ConvoForge's 400 when it
// is missing.
func clientSecret(r *http.Request) (string, error) {
	cs := r.Header.Get("Client-Secret")
	if cs == "" {
		return "", fail(http.StatusBadRequest, "Invalid or missing Client-Secret header")
	}
	return cs, nil
}

// createOrganization is POST /auth/organization: {"id": "<org uuid>"}.
func (s *server) createOrganization(w http.ResponseWriter, r *http.Request) error {
	cs, err := clientSecret(r)
	if err != nil {
		return err
	}
	org, err := s.chat.ProvisionOrg(r.Context(), cs)
	if chat.ErrorCode(err) == chat.Unauthenticated {
		return fail(http.StatusNotFound, "Not found")
	}
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]string{"id": org.Slug})
}

type secretRequest struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Slug        string `json:"slug"`
}

// secretSignIn is POST /auth/secret: get or create the user, answer a token.
func (s *server) secretSignIn(w http.ResponseWriter, r *http.Request) error {
	cs, err := clientSecret(r)
	if err != nil {
		return err
	}
	in, err := decodeJSON[secretRequest](w, r, "username", "display_name", "slug")
	if err != nil {
		return err
	}
	_, tok, err := s.chat.ProvisionUser(r.Context(), cs, in.Slug, in.Username, in.DisplayName)
	switch chat.ErrorCode(err) {
	case "":
		return httpx.WriteJSON(w, http.StatusOK, map[string]string{"token": tok})
	case chat.Unauthenticated:
		return fail(http.StatusNotFound, "Not found")
	case chat.NotFound:
		return fail(http.StatusNotFound, "Organization not found")
	}
	return err
}
