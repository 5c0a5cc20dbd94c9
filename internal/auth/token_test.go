package auth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	tk, err := NewTokens(strings.Repeat("s", 40))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewTokens(strings.Repeat("o", 40))
	now := time.Now()
	good, err := tk.Issue(chat.Claims{OrgID: 5, UserID: 7, Username: "ada", IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tk.Parse(good)
	if err != nil || c.OrgID != 5 || c.UserID != 7 || c.Username != "ada" {
		t.Fatalf("Parse(good) = %+v, %v", c, err)
	}

	parts := strings.Split(good, ".")
	b64 := base64.RawURLEncoding.EncodeToString
	expired, _ := tk.Issue(chat.Claims{OrgID: 5, UserID: 7, IssuedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)})
	foreign, _ := other.Issue(chat.Claims{OrgID: 5, UserID: 7, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	tests := []struct {
		name, token string
	}{
		{"empty", ""},
		{"garbage", "not.a.token"},
		{"alg none", b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."},
		{"HS512 header", b64([]byte(`{"alg":"HS512","typ":"JWT"}`)) + "." + parts[1] + "." + parts[2]},
		{"changed claims", parts[0] + "." + b64([]byte(`{"org":"5","sub":"1","iss":"parley","exp":9999999999}`)) + "." + parts[2]},
		{"wrong signature", parts[0] + "." + parts[1] + "." + b64([]byte("nope"))},
		{"expired", expired},
		{"another server's secret", foreign},
		{"no subject", mustIssueRaw(t, tk, `{"org":"5","iss":"parley","exp":9999999999}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tk.Parse(tt.token); chat.ErrorCode(err) != chat.Unauthenticated {
				t.Errorf("Parse(%s) = %v, want unauthenticated", tt.name, err)
			}
		})
	}
	if _, err := NewTokens("short"); err == nil {
		t.Error("NewTokens accepted a short secret")
	}
}

// mustIssueRaw signs an arbitrary claims object with tk's secret.
func mustIssueRaw(t *testing.T, tk *Tokens, claims string) string {
	t.Helper()
	good, _ := tk.Issue(chat.Claims{OrgID: 1, UserID: 1, IssuedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)})
	head := strings.Split(good, ".")[0]
	body := base64.RawURLEncoding.EncodeToString([]byte(claims))
	return head + "." + body + "." + sign(tk.secret, head+"."+body)
}
