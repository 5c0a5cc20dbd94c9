package wallet

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mr-tron/base58"
)

// nearKeyPrefix marks a NEAR public key written in NEAR's own text form,
// "ed25519:<base58>".
const nearKeyPrefix = "ed25519:"

// VerifyNEAR checks an ed25519 signature made the way near-api-js
// signer.signMessage makes it: over SHA-256 of the UTF-8 message, not over
// the message itself.
//
// publicKey is the 32-byte key as 64 hex digits (optionally 0x-prefixed), or
// in NEAR's "ed25519:<base58>" form. signatureHex is the 64-byte signature as
// 128 hex digits (optionally 0x-prefixed). The key is not checked against any
// account's on-chain access keys; that needs I/O and is the caller's choice.
//
// It returns nil on success, an error wrapping ErrMalformedPublicKey or
// ErrMalformedSignature when an input cannot be decoded, or one wrapping
// ErrSignatureMismatch. Verification is crypto/ed25519's (RFC 8032 with a
// canonical S). The known difference from tweetnacl, which The Convo Space
// uses, is that tweetnacl also accepts a malleated signature with S ≥ L
// (S + L for a genuine S); no signer produces one, and it is refused here.
func VerifyNEAR(publicKey, signatureHex, message string) error {
	pub, err := parseNEARPublicKey(publicKey)
	if err != nil {
		return err
	}
	sig, err := parseEd25519Signature(signatureHex)
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(message))
	if !ed25519.Verify(pub, digest[:], sig) {
		return fmt.Errorf("%w: ed25519 signature does not verify over sha256 of the message", ErrSignatureMismatch)
	}
	return nil
}

// VerifySolana checks an ed25519 signature over the raw UTF-8 message, as
// Solana wallets' signMessage makes it. publicKeyBase58 is the 32-byte key in
// base58 (a Solana address); signatureHex is the 64-byte signature as 128 hex
// digits (optionally 0x-prefixed). Errors are as for VerifyNEAR.
func VerifySolana(publicKeyBase58, signatureHex, message string) error {
	pub, err := parseBase58PublicKey(publicKeyBase58)
	if err != nil {
		return err
	}
	sig, err := parseEd25519Signature(signatureHex)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, []byte(message), sig) {
		return fmt.Errorf("%w: ed25519 signature does not verify over the message", ErrSignatureMismatch)
	}
	return nil
}

func parseNEARPublicKey(s string) (ed25519.PublicKey, error) {
	if rest, ok := strings.CutPrefix(s, nearKeyPrefix); ok {
		return parseBase58PublicKey(rest)
	}
	b, err := decodeHex(s, ed25519.PublicKeySize)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedPublicKey, err)
	}
	return ed25519.PublicKey(b), nil
}

func parseBase58PublicKey(s string) (ed25519.PublicKey, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrMalformedPublicKey)
	}
	b, err := base58.Decode(s)
	if err != nil {
		return nil, fmt.Errorf("%w: invalid base58: %v", ErrMalformedPublicKey, err)
	}
	if len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: want %d bytes, got %d", ErrMalformedPublicKey, ed25519.PublicKeySize, len(b))
	}
	return ed25519.PublicKey(b), nil
}

func parseEd25519Signature(s string) ([]byte, error) {
	b, err := decodeHex(s, ed25519.SignatureSize)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedSignature, err)
	}
	return b, nil
}

// decodeHex decodes n bytes written as 2n hex digits with an optional "0x"
// prefix. Its errors say what is wrong, without a sentinel.
func decodeHex(s string, n int) ([]byte, error) {
	digits := strings.TrimPrefix(s, "0x")
	if i := indexNonHex(digits); i >= 0 {
		return nil, fmt.Errorf("invalid hex digit %s at position %d", quoteByte(digits[i]), i+len(s)-len(digits))
	}
	if len(digits) != 2*n {
		if len(digits)%2 == 1 {
			return nil, fmt.Errorf("odd number of hex digits (%d)", len(digits))
		}
		return nil, fmt.Errorf("want %d bytes, got %d", n, len(digits)/2)
	}
	b := make([]byte, n)
	hex.Decode(b, []byte(digits)) // cannot fail: checked above
	return b, nil
}
