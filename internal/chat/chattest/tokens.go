package chattest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
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
	parts := splitJWS(tb, valid)
	payload := func(change func(map[string]any)) string {
		c := decodeClaims(tb, parts[1])
		change(c)
		return encodeClaims(tb, c)
	}
	same := func(map[string]any) {}
	now := time.Now()
	// signed signs claims with HS256 by hand, so that any claim set can be
	// made.
	signed := func(secret string, claims map[string]any) string {
		return signHS256(tb, parts[0], secret, claims)
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
	otherTok, err := auth.NewTokens(otherSecret)
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
	bad := []BadToken{
		{"alg none", algNone + "." + payload(same) + "."},
		{"alg none with the signature kept", algNone + "." + payload(same) + "." + parts[2]},
		{"wrong signature", parts[0] + "." + parts[1] + "." + flipSignature(tb, parts[2])},
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
	}
	return append(bad, garbageTokens...)
}

// BadTokensFrom returns forged, tampered, expired and malformed tokens made
// from valid, a token e issued, for a surface whose harness holds tokens
// rather than actors. Each, if it were accepted, would carry as: claims set
// over valid's (the user to impersonate, say: "sub", and for a wallet
// "username"). control is valid's claims with as, correctly signed by
// hand; BadTokensFrom checks that the service accepts it, and the caller
// must check that its surface does too, so that the others are refused for
// what they change and nothing else: the algorithm "none" (with and
// without a signature), a broken signature, the claims changed after
// signing, the expiry extended after signing, expired, without an expiry,
// from another issuer, signed with another server's secret, and garbage.
func (e *Env) BadTokensFrom(tb testing.TB, valid string, as map[string]any) (bad []BadToken, control string) {
	tb.Helper()
	parts := splitJWS(tb, valid)
	now := time.Now()
	claims := func(change func(map[string]any)) map[string]any {
		c := decodeClaims(tb, parts[1])
		maps.Copy(c, as)
		change(c)
		return c
	}
	same := func(map[string]any) {}
	control = signHS256(tb, parts[0], JWTSecret, claims(same))
	if _, err := e.Authenticate(context.Background(), control); err != nil {
		tb.Fatalf("a hand-signed valid token is refused: %v", err)
	}
	ctl := splitJWS(tb, control)
	forged := encodeClaims(tb, claims(same))
	bad = []BadToken{
		{"alg none", algNone + "." + forged + "."},
		{"alg none with the signature kept", algNone + "." + forged + "." + ctl[2]},
		{"wrong signature", ctl[0] + "." + ctl[1] + "." + flipSignature(tb, ctl[2])},
		{"claims changed after signing", parts[0] + "." + forged + "." + parts[2]},
		{"expiry extended after signing", ctl[0] + "." + encodeClaims(tb, claims(func(c map[string]any) {
			c["exp"] = now.Add(10 * 365 * 24 * time.Hour).Unix()
		})) + "." + ctl[2]},
		{"expired", signHS256(tb, parts[0], JWTSecret, claims(func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}))},
		{"no expiry", signHS256(tb, parts[0], JWTSecret, claims(func(c map[string]any) { delete(c, "exp") }))},
		{"another issuer", signHS256(tb, parts[0], JWTSecret, claims(func(c map[string]any) { c["iss"] = "someone-else" }))},
		{"another server's secret", signHS256(tb, parts[0], otherSecret, claims(same))},
	}
	return append(bad, garbageTokens...), control
}

// otherSecret is another server's token secret.
const otherSecret = "another-servers-secret-0123456789abcdef"

// algNone is a JWS header with the algorithm "none".
var algNone = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))

// garbageTokens are not tokens at all.
var garbageTokens = []BadToken{
	{"garbage", "garbage"},
	{"garbage with dots", "a.b.c"},
	{"opaque session token", "h4UHlUktfK1Cp8iDpd27ur6Lcubz3ZPGbUvvNzuus5w31NoaEYL3nRguTpr8fsPp"},
}

// TokenClaims returns the claims of tok, a JWS, unverified.
func TokenClaims(tb testing.TB, tok string) map[string]any {
	tb.Helper()
	return decodeClaims(tb, splitJWS(tb, tok)[1])
}

// splitJWS returns a compact JWS's header, payload and signature.
func splitJWS(tb testing.TB, tok string) []string {
	tb.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		tb.Fatalf("token %q is not a JWS", tok)
	}
	return parts
}

func decodeClaims(tb testing.TB, payload string) map[string]any {
	tb.Helper()
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		tb.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		tb.Fatal(err)
	}
	return c
}

func encodeClaims(tb testing.TB, c map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// signHS256 signs claims with HS256 by hand under header, so that any
// claim set can be made.
func signHS256(tb testing.TB, header, secret string, claims map[string]any) string {
	tb.Helper()
	msg := header + "." + encodeClaims(tb, claims)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// flipSignature returns sig with one bit of its first byte changed.
func flipSignature(tb testing.TB, sig string) string {
	tb.Helper()
	b, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		tb.Fatal(err)
	}
	b[0] ^= 0x01
	return base64.RawURLEncoding.EncodeToString(b)
}
