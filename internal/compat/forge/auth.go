package forge

import (
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// authedFunc is a handler that runs for a signed-in user.
type authedFunc func(w http.ResponseWriter, r *http.Request, a chat.Actor) error

// authed runs fn for the user of ConvoForge's bearer JWT ("Authorization:
// Bearer <token>"; the original also took the bare token): 401
// "Unauthorized" without the header, 401 "Invalid token" for a bad one.
// With operator set, a request that also carries the right Client-Secret
// acts with every permission in the user's org: the original's bypass in its
// permission checks, which lets the seed's bootstrap create the first role.
func (s *server) authed(operator bool, fn authedFunc) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		h := r.Header.Get("Authorization")
		if h == "" {
			return fail(http.StatusUnauthorized, "Unauthorized")
		}
		a, err := s.chat.Authenticate(r.Context(), strings.ReplaceAll(h, "Bearer ", ""))
		if err != nil {
			return fail(http.StatusUnauthorized, "Invalid token")
		}
		if operator && s.chat.CheckClientSecret(r.Header.Get("Client-Secret")) == nil {
			a.Operator = true
		}
		return fn(w, r, a)
	})
}

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
	if err != nil {
		return texts{string(chat.Unauthenticated): fail(http.StatusNotFound, "Not found")}.of(err)
	}
	return writeJSON(w, http.StatusOK, map[string]string{"id": org.Slug})
}

// secretSignIn is POST /auth/secret: get or create the user named username in
// the org slug names, and answer a token for it.
func (s *server) secretSignIn(w http.ResponseWriter, r *http.Request) error {
	in, err := decodeBody(w, r, field{name: "username", typ: tString}, field{name: "display_name", typ: tString},
		field{name: "slug", typ: tUUID})
	if err != nil {
		return err
	}
	cs, err := clientSecret(r)
	if err != nil {
		return err
	}
	_, tok, err := s.chat.ProvisionUser(r.Context(), cs, formatUUID(in.uuid("slug")), in.str("username"), in.str("display_name"))
	if err != nil {
		return texts{
			string(chat.Unauthenticated): fail(http.StatusNotFound, "Not found"),
			string(chat.NotFound):        fail(http.StatusNotFound, "Organization not found"),
			string(chat.Invalid):         fail(http.StatusBadRequest, "Username must be between 1 and 64 characters."),
		}.of(err)
	}
	return writeJSON(w, http.StatusOK, map[string]string{"token": tok})
}

// orgExists is GET /organization/?slug=<uuid>: text "Organization exists",
// or 404 "Not found".
func (s *server) orgExists(w http.ResponseWriter, r *http.Request) error {
	u, err := parseUUID(r.URL.Query().Get("slug"))
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if _, err := s.chat.ResolveOrg(r.Context(), chat.OrgRef{Slug: formatUUID(u)}); err != nil {
		return texts{string(chat.NotFound): fail(http.StatusNotFound, "Not found")}.of(err)
	}
	return okText(w, "Organization exists")
}

// allOrgs is GET /organization/all: every org, to the operator.
func (s *server) allOrgs(w http.ResponseWriter, r *http.Request) error {
	cs, err := clientSecret(r)
	if err != nil {
		return err
	}
	orgs, err := s.chat.Orgs(r.Context(), cs)
	if err != nil {
		return texts{string(chat.Unauthenticated): fail(http.StatusNotFound, "Not found")}.of(err)
	}
	out := make([]map[string]string, len(orgs))
	for i, o := range orgs {
		out[i] = map[string]string{"id": o.Slug}
	}
	return writeJSON(w, http.StatusOK, out)
}

// putFlag is PUT /flag/: turn a feature flag of the caller's org on or off
// (200 when it existed, 201 when created). It needs both the bearer token
// and the Client-Secret.
func (s *server) putFlag(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "name", typ: tString}, field{name: "enabled", typ: tBool})
	if err != nil {
		return err
	}
	cs, err := clientSecret(r)
	if err != nil {
		return err
	}
	created, err := s.chat.SetOrgFlag(r.Context(), a, cs, in.str("name"), in.boolean("enabled"))
	if err != nil {
		return texts{"client_secret": fail(http.StatusUnauthorized, "You are not authorized to perform this function")}.of(err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, flagDTO{Name: in.str("name"), Enabled: in.boolean("enabled")})
}
