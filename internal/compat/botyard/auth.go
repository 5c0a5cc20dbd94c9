package botyard

import (
	"net/http"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// cookieName is the client API's session cookie.
const cookieName = "token"

// setSession sets the session cookie. Botyard set only name, value and
// expiry; Parley adds Path=/ (so the cookie also reaches /static, whose
// files need no other credential in a browser) and HttpOnly (Botyard's web
// client never reads it).
func setSession(w http.ResponseWriter, token string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/", Expires: exp, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// clientActor authenticates the session cookie and renews it: every
// authenticated request gets a fresh token that lives the configured
// lifetime from now (Botyard's sliding expiry).
func (s *server) clientActor(w http.ResponseWriter, r *http.Request) (chat.Actor, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return chat.Actor{}, fail(http.StatusUnauthorized, textUnauthorized)
	}
	a, token, exp, err := s.chat.RenewSession(c.Value)
	if chat.ErrorCode(err) == chat.Unauthenticated {
		return chat.Actor{}, fail(http.StatusUnauthorized, textUnauthorized)
	}
	if err != nil {
		return chat.Actor{}, err
	}
	setSession(w, token, exp)
	return a, nil
}

// visitor is who calls an endpoint that needs no credential: the signed-in
// user when the request has a valid session (its token names its org), an
// anonymous visitor of the default org otherwise.
func (s *server) visitor(r *http.Request) chat.Actor {
	if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		if a, err := s.chat.Authenticate(r.Context(), c.Value); err == nil {
			return a
		}
	}
	return chat.AnonymousActor(s.org)
}

// botActor authenticates "Authorization: <bot id>:<token>". Every failure,
// including a bot with no key (which Botyard let through), is Botyard's 403.
func (s *server) botActor(r *http.Request) (chat.Actor, error) {
	key := r.Header.Get("Authorization")
	if key == "" {
		return chat.Actor{}, fail(http.StatusForbidden, textBotKeyMissing)
	}
	idText, token, ok := parseBotKey(key)
	if !ok {
		return chat.Actor{}, fail(http.StatusForbidden, textBotKeyInvalid)
	}
	id, err := parseUserID("bot", idText)
	if err != nil {
		return chat.Actor{}, fail(http.StatusForbidden, textBotKeyInvalid)
	}
	a, err := s.chat.AuthenticateBot(r.Context(), id, token)
	if chat.ErrorCode(err) == chat.Unauthenticated {
		return chat.Actor{}, fail(http.StatusForbidden, textBotKeyInvalid)
	}
	return a, err
}

// adminActor authenticates "Authorization: <client secret>": the operator,
// acting in the default org. A Parley token there instead names its user's
// org (an org admin managing its own bots; the use cases check the rights).
func (s *server) adminActor(r *http.Request) (chat.Actor, error) {
	key := r.Header.Get("Authorization")
	if key == "" {
		return chat.Actor{}, fail(http.StatusForbidden, textAdminMissing)
	}
	if a, err := s.chat.OperatorActor(key, s.org); err == nil {
		return a, nil
	}
	if a, err := s.chat.Authenticate(r.Context(), strings.TrimPrefix(key, "Bearer ")); err == nil {
		return a, nil
	}
	return chat.Actor{}, fail(http.StatusForbidden, textAccessDenied)
}

// fileActor is who fetches a file: the session's user, a bot by its key,
// or an anonymous visitor of the default org.
func (s *server) fileActor(r *http.Request) chat.Actor {
	if r.Header.Get("Authorization") != "" {
		if a, err := s.botActor(r); err == nil {
			return a
		}
	}
	return s.visitor(r)
}
