package allo

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// errAuthentication is the original's refusal of a Socket.IO connection.
var errAuthentication = errors.New("Authentication error")

// restActor authenticates a REST call by its Bearer token.
func (s *surface) restActor(r *http.Request) (chat.Actor, error) {
	tok := httpx.BearerToken(r)
	if tok == "" {
		return chat.Actor{}, chat.ErrUnauthenticated
	}
	return s.chat.Authenticate(r.Context(), tok)
}

// authenticateSocket accepts a Socket.IO connection whose auth payload
// carries the Bearer token ({"token": "..."}, with or without "Bearer "),
// or, for clients that cannot set it, an Authorization header or a token
// query parameter on the handshake. The actor becomes the socket's data.
func (s *surface) authenticateSocket(r *http.Request, auth json.RawMessage) (any, error) {
	var p struct {
		Token string `json:"token"`
	}
	_ = json.Unmarshal(auth, &p)
	tok := strings.TrimSpace(p.Token)
	if len(tok) > 7 && strings.EqualFold(tok[:7], "bearer ") {
		tok = strings.TrimSpace(tok[7:])
	}
	if tok == "" {
		tok = httpx.BearerToken(r)
	}
	if tok == "" {
		tok = r.URL.Query().Get("token")
	}
	if tok == "" {
		return nil, errAuthentication
	}
	a, err := s.chat.Authenticate(r.Context(), tok)
	if err != nil {
		return nil, errAuthentication
	}
	return a, nil
}
