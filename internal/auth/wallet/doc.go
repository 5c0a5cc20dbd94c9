// Package wallet verifies that a crypto wallet signed a piece of text.
//
// It is pure computation: no I/O, no clock (callers pass the time), no
// knowledge of Parley's users or of any product's wire format. Callers map
// the errors to their own user-facing messages.
//
// Supported schemes:
//
//   - Ethereum EIP-191 personal_sign ([RecoverPersonalSign],
//     [VerifyPersonalSign]), with EIP-55 addresses ([ParseAddress],
//     [IsHexAddress], [ChecksumAddress]) and hex signatures
//     ([ParseHexSignature]). Acceptance matches ethers v6 verifyMessage and
//     getAddress, with the narrowings listed on each function.
//   - Sign-In with Ethereum, EIP-4361 ([ParseSIWE], [SIWEMessage]), parsed
//     to the specification's ABNF and tested against the reference parser
//     (@spruceid/siwe-parser 3.0.0, used by the siwe package); ParseSIWE
//     lists the few places where the two differ.
//   - NEAR ([VerifyNEAR]): ed25519 over the SHA-256 digest of the text, as
//     near-api-js signer.signMessage produces.
//   - Solana ([VerifySolana]): ed25519 over the raw text.
//
// Errors wrap one of the exported sentinels ([ErrMalformedAddress],
// [ErrMalformedSignature], [ErrMalformedPublicKey], [ErrSignatureMismatch],
// [ErrMalformedSIWE], [ErrSIWEExpired], [ErrSIWENotYetValid]); test for them
// with errors.Is. The wrapping text says what exactly was wrong and is meant
// for logs, not for end users.
package wallet
