package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

func sign(secret []byte, s string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
