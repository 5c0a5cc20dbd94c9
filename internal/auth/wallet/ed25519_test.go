package wallet

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/mr-tron/base58"
)

// ed25519Key returns a fixed key pair derived from seed byte b.
func ed25519Key(b byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey), priv
}

func TestVerifyNEAR(t *testing.T) {
	t.Parallel()
	pub, priv := ed25519Key(1)
	otherPub, otherPriv := ed25519Key(2)
	const msg = "I allow this site to access my data on The Convo Space using the account alice.testnet. Timestamp:1700000000000"
	digest := sha256.Sum256([]byte(msg))
	sig := hex.EncodeToString(ed25519.Sign(priv, digest[:]))
	pubHex := hex.EncodeToString(pub)
	pubNEAR := "ed25519:" + base58.Encode(pub)

	tests := []struct {
		name    string
		key     string
		sig     string
		msg     string
		wantErr error
		errText string
	}{
		{"hex key", pubHex, sig, msg, nil, ""},
		{"uppercase hex", strings.ToUpper(pubHex), strings.ToUpper(sig), msg, nil, ""},
		{"0x-prefixed hex", "0x" + pubHex, "0x" + sig, msg, nil, ""},
		{"ed25519: key", pubNEAR, sig, msg, nil, ""},
		{"other key", hex.EncodeToString(otherPub), sig, msg, ErrSignatureMismatch, "sha256"},
		{"signed by other key", pubHex, hex.EncodeToString(ed25519.Sign(otherPriv, digest[:])), msg, ErrSignatureMismatch, ""},
		{"raw message signed, not digest", pubHex, hex.EncodeToString(ed25519.Sign(priv, []byte(msg))), msg, ErrSignatureMismatch, ""},
		{"message changed", pubHex, sig, msg + ".", ErrSignatureMismatch, ""},
		{"empty message", pubHex, sig, "", ErrSignatureMismatch, ""},
		{"key short", pubHex[:62], sig, msg, ErrMalformedPublicKey, "want 32 bytes, got 31"},
		{"key long", pubHex + "00", sig, msg, ErrMalformedPublicKey, "want 32 bytes, got 33"},
		{"key odd", pubHex[:63], sig, msg, ErrMalformedPublicKey, "odd number of hex digits"},
		{"key not hex", "zz" + pubHex[2:], sig, msg, ErrMalformedPublicKey, `invalid hex digit "z" at position 0`},
		{"key empty", "", sig, msg, ErrMalformedPublicKey, "got 0"},
		{"ed25519: with hex", "ed25519:" + pubHex, sig, msg, ErrMalformedPublicKey, "base58"},
		{"ed25519: empty", "ed25519:", sig, msg, ErrMalformedPublicKey, "empty"},
		{"ed25519: short", "ed25519:" + base58.Encode(pub[:31]), sig, msg, ErrMalformedPublicKey, "want 32 bytes, got 31"},
		{"secp256k1: key", "secp256k1:" + base58.Encode(pub), sig, msg, ErrMalformedPublicKey, "invalid hex digit"},
		{"sig short", pubHex, sig[:126], msg, ErrMalformedSignature, "want 64 bytes, got 63"},
		{"sig not hex", pubHex, sig[:127] + "g", msg, ErrMalformedSignature, `"g"`},
		{"sig base58", pubHex, base58.Encode(mustHex(t, sig)), msg, ErrMalformedSignature, ""},
		{"sig empty", pubHex, "", msg, ErrMalformedSignature, "got 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyNEAR(tt.key, tt.sig, tt.msg)
			checkVerifyErr(t, "VerifyNEAR", err, tt.wantErr, tt.errText)
		})
	}
}

func TestVerifySolana(t *testing.T) {
	t.Parallel()
	pub, priv := ed25519Key(3)
	_, otherPriv := ed25519Key(4)
	const msg = "héllo 🚀 Timestamp:1700000000000"
	sig := hex.EncodeToString(ed25519.Sign(priv, []byte(msg)))
	addr := base58.Encode(pub)
	digest := sha256.Sum256([]byte(msg))

	// A public key with a leading zero byte has a leading "1" in base58.
	zeroPub := append([]byte{0}, pub[1:]...)

	tests := []struct {
		name    string
		key     string
		sig     string
		msg     string
		wantErr error
		errText string
	}{
		{"genuine", addr, sig, msg, nil, ""},
		{"0x-prefixed signature", addr, "0x" + sig, msg, nil, ""},
		{"signed by other key", addr, hex.EncodeToString(ed25519.Sign(otherPriv, []byte(msg))), msg, ErrSignatureMismatch, "over the message"},
		{"digest signed, not message", addr, hex.EncodeToString(ed25519.Sign(priv, digest[:])), msg, ErrSignatureMismatch, ""},
		{"message changed", addr, sig, msg + " ", ErrSignatureMismatch, ""},
		{"leading zero key", base58.Encode(zeroPub), sig, msg, ErrSignatureMismatch, ""},
		{"hex key", hex.EncodeToString(pub), sig, msg, ErrMalformedPublicKey, ""},
		{"base58 with 0", "0" + addr[1:], sig, msg, ErrMalformedPublicKey, "invalid base58"},
		{"base58 with l", "l" + addr[1:], sig, msg, ErrMalformedPublicKey, "invalid base58"},
		{"base58 short", base58.Encode(pub[:31]), sig, msg, ErrMalformedPublicKey, "want 32 bytes, got 31"},
		{"base58 long", base58.Encode(append(append([]byte(nil), pub...), 1)), sig, msg, ErrMalformedPublicKey, "want 32 bytes, got 33"},
		{"key empty", "", sig, msg, ErrMalformedPublicKey, "empty"},
		{"ed25519: prefix", "ed25519:" + addr, sig, msg, ErrMalformedPublicKey, ""},
		{"sig long", addr, sig + "00", msg, ErrMalformedSignature, "want 64 bytes, got 65"},
		{"sig odd", addr, sig + "0", msg, ErrMalformedSignature, "odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySolana(tt.key, tt.sig, tt.msg)
			checkVerifyErr(t, "VerifySolana", err, tt.wantErr, tt.errText)
		})
	}
}

func checkVerifyErr(t *testing.T, fn string, err, wantErr error, errText string) {
	t.Helper()
	if wantErr == nil {
		if err != nil {
			t.Fatalf("%s = %v, want nil", fn, err)
		}
		return
	}
	if !errors.Is(err, wantErr) {
		t.Fatalf("%s = %v, want %v", fn, err, wantErr)
	}
	if !strings.Contains(err.Error(), errText) {
		t.Errorf("%s = %q, want it to mention %q", fn, err, errText)
	}
}
