package wallet

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of
// them, so callers can tell a malformed request from a failed verification.
var (
	// ErrMalformedAddress means an Ethereum address is not 0x followed by 40
	// hex digits, or is mixed case with a wrong EIP-55 checksum.
	ErrMalformedAddress = errors.New("malformed address")

	// ErrMalformedSignature means a signature could not be decoded: bad hex,
	// wrong length, an unsupported recovery value v, or r or s out of range.
	ErrMalformedSignature = errors.New("malformed signature")

	// ErrMalformedPublicKey means an ed25519 public key could not be decoded
	// or is not 32 bytes long.
	ErrMalformedPublicKey = errors.New("malformed public key")

	// ErrSignatureMismatch means the signature is well formed but was not
	// made over this message by this key (or, for Ethereum, no public key
	// can be recovered from it).
	ErrSignatureMismatch = errors.New("signature mismatch")

	// ErrMalformedSIWE means a text is not an EIP-4361 message. The error
	// is a *SIWEError naming the line and field.
	ErrMalformedSIWE = errors.New("malformed siwe message")

	// ErrSIWEExpired means a SIWE message's Expiration Time has passed.
	ErrSIWEExpired = errors.New("siwe message expired")

	// ErrSIWENotYetValid means a SIWE message's Not Before time is still in
	// the future.
	ErrSIWENotYetValid = errors.New("siwe message not yet valid")
)
