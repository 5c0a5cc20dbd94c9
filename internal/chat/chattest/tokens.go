package chattest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/auth"
	"github.com/parley-chat/parley/internal/chat"
)

// BadToken is a bearer credential every authenticated route must refuse.
type BadToken struct {
	Name  string
	Token string
}

// BadTokens returns forged, tampered, expired and malformed tokens built
// around a's valid one: the same claims with the algorithm "none", a broken
// signature, the user or org changed after signing (to other's), expired,
// signed with another server's secret, from another issuer, without an
// expiry, a correctly signed one naming a's user in other's org, and
// garbage. a and other must be users of different orgs.
func (e *Env) BadTokens(tb testing.TB, a, other chat.Actor) []BadToken {
	tb.Helper()
	u, err := e.User(context.Background(), a, a.UserID)
	if err != nil {
		tb.Fatal(err)
	}
	valid, err := e.IssueToken(u)
	if err != nil {
		tb.Fatal(err)
	}
	parts := strings.Split(valid, ".")
	if len(parts) != 3 {
		tb.Fatalf("token %q is not a JWS", valid)
	}
	payload := func(change func(map[string]any)) string {
		b, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			tb.Fatal(err)
		}
		var c map[string]any
		if err := json.Unmarshal(b, &c); err != nil {
			tb.Fatal(err)
		}
		change(c)
		b, _ = json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	same := func(map[string]any) {}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		tb.Fatal(err)
	}
	sig[0] ^= 0x01
	now := time.Now()
	// signed signs claims with HS256 by hand, so that any claim set can be
	// made.
	signed := func(secret string, claims map[string]any) string {
		b, err := json.Marshal(claims)
		if err != nil {
			tb.Fatal(err)
		}
		msg := parts[0] + "." + base64.RawURLEncoding.EncodeToString(b)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(msg))
		return msg + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	}
	claims := func(org chat.OrgID, iss string, exp time.Time) map[string]any {
		c := map[string]any{"org": strconv.FormatInt(int64(org), 10), "sub": strconv.FormatInt(int64(a.UserID), 10),
			"iss": iss, "iat": now.Add(-2 * time.Hour).Unix()}
		if !exp.IsZero() {
			c["exp"] = exp.Unix()
		}
		return c
	}
	day := now.Add(24 * time.Hour)
	other32 := "another-servers-secret-0123456789abcdef"
	otherTok, err := auth.NewTokens(other32)
	if err != nil {
		tb.Fatal(err)
	}
	fromOther, err := otherTok.Issue(chat.Claims{OrgID: a.OrgID, UserID: a.UserID, IssuedAt: now, ExpiresAt: day})
	if err != nil {
		tb.Fatal(err)
	}
	// The control: hand-signed, well-formed claims are accepted, so the
	// tokens below are refused for what they change and nothing else.
	if _, err := e.Authenticate(context.Background(), signed(JWTSecret, claims(a.OrgID, "parley", day))); err != nil {
		tb.Fatalf("a hand-signed valid token is refused: %v", err)
	}
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	return []BadToken{
		{"alg none", none + "." + payload(same) + "."},
		{"alg none with the signature kept", none + "." + payload(same) + "." + parts[2]},
		{"wrong signature", parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)},
		{"user changed after signing", parts[0] + "." + payload(func(c map[string]any) {
			c["sub"] = strconv.FormatInt(int64(other.UserID), 10)
		}) + "." + parts[2]},
		{"org changed after signing", parts[0] + "." + payload(func(c map[string]any) {
			c["org"] = strconv.FormatInt(int64(other.OrgID), 10)
		}) + "." + parts[2]},
		{"expiry extended after signing", parts[0] + "." + payload(func(c map[string]any) {
			c["exp"] = now.Add(10 * 365 * 24 * time.Hour).Unix()
		}) + "." + parts[2]},
		{"expired", signed(JWTSecret, claims(a.OrgID, "parley", now.Add(-time.Hour)))},
		{"no expiry", signed(JWTSecret, claims(a.OrgID, "parley", time.Time{}))},
		{"another issuer", signed(JWTSecret, claims(a.OrgID, "someone-else", day))},
		{"another server's secret", fromOther},
		{"signed, but the user is of another org", signed(JWTSecret, claims(other.OrgID, "parley", day))},
		{"garbage", "garbage"},
		{"garbage with dots", "a.b.c"},
		{"opaque session token", "h4UHlUktfK1Cp8iDpd27ur6Lcubz3ZPGbUvvNzuus5w31NoaEYL3nRguTpr8fsPp"},
	}
}
