package auth

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-chat/parley/internal/chat"
)

// Tokens issues and verifies HS256 JWTs. It implements chat.Tokens.
type Tokens struct {
	secret []byte
	issuer string
}

var _ chat.Tokens = (*Tokens)(nil)

// NewTokens returns Tokens signing with secret. Secrets shorter than 32 bytes
// are refused: they can be brute-forced offline from any issued token.
func NewTokens(secret string) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, errors.New("jwt secret must be at least 32 bytes")
	}
	return &Tokens{secret: []byte(secret), issuer: "parley"}, nil
}

type claims struct {
	Org      string `json:"org"`
	Username string `json:"username,omitempty"`
	jwt.RegisteredClaims
}

// Issue implements chat.Tokens.
func (t *Tokens) Issue(c chat.Claims) (string, error) {
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Org:      strconv.FormatInt(int64(c.OrgID), 10),
		Username: c.Username,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    t.issuer,
			Subject:   strconv.FormatInt(int64(c.UserID), 10),
			IssuedAt:  jwt.NewNumericDate(c.IssuedAt),
			ExpiresAt: jwt.NewNumericDate(c.ExpiresAt),
		},
	})
	s, err := tok.SignedString(t.secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// Parse implements chat.Tokens: only HS256 with this secret, unexpired, from
// this issuer.
func (t *Tokens) Parse(token string) (chat.Claims, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(t.issuer),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(30*time.Second),
	)
	if err != nil {
		msg := "Invalid token."
		if errors.Is(err, jwt.ErrTokenExpired) {
			msg = "The token has expired."
		}
		return chat.Claims{}, &chat.Error{Code: chat.Unauthenticated, Message: msg, Reason: "invalid_token"}
	}
	org, err1 := strconv.ParseInt(c.Org, 10, 64)
	user, err2 := strconv.ParseInt(c.Subject, 10, 64)
	if err1 != nil || err2 != nil || org <= 0 || user <= 0 {
		return chat.Claims{}, &chat.Error{Code: chat.Unauthenticated, Message: "Invalid token.", Reason: "invalid_token"}
	}
	out := chat.Claims{OrgID: chat.OrgID(org), UserID: chat.UserID(user), Username: c.Username}
	if c.IssuedAt != nil {
		out.IssuedAt = c.IssuedAt.Time
	}
	out.ExpiresAt = c.ExpiresAt.Time
	return out, nil
}
