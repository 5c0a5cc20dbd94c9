package wallet

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"
)

// AddressLen is the length of an Ethereum address in bytes.
const AddressLen = 20

// SignatureLen is the length of an Ethereum r||s||v signature in bytes.
const SignatureLen = 65

// IsHexAddress reports whether s is an Ethereum address that ParseAddress
// accepts: "0x" followed by 40 hex digits, where a mix of upper and lower case
// letters must spell the EIP-55 checksum. All-lowercase and all-uppercase
// digits carry no checksum and are accepted, as ethers' isAddress does.
//
// Unlike ethers, the "0x" prefix is required (lowercase x) and ICAP ("XE…")
// addresses are refused.
func IsHexAddress(s string) bool {
	_, err := ParseAddress(s)
	return err == nil
}

// ParseAddress decodes an Ethereum address under the rules of IsHexAddress.
// The error wraps ErrMalformedAddress and says what is wrong: the prefix, the
// length, a non-hex digit or the checksum.
func ParseAddress(s string) ([AddressLen]byte, error) {
	var addr [AddressLen]byte
	if len(s) < 2 || s[:2] != "0x" {
		return addr, fmt.Errorf("%w: want 0x prefix", ErrMalformedAddress)
	}
	digits := s[2:]
	if len(digits) != 2*AddressLen {
		return addr, fmt.Errorf("%w: want 40 hex digits after 0x, got %d characters", ErrMalformedAddress, len(digits))
	}
	if i := indexNonHex(digits); i >= 0 {
		return addr, fmt.Errorf("%w: invalid hex digit %s at position %d", ErrMalformedAddress, quoteByte(digits[i]), i+2)
	}
	hex.Decode(addr[:], []byte(digits)) // cannot fail: checked above
	if hasUpper(digits) && hasLower(digits) {
		if want := ChecksumAddress(addr); want != s {
			return addr, fmt.Errorf("%w: bad EIP-55 checksum (want %s)", ErrMalformedAddress, want)
		}
	}
	return addr, nil
}

// ChecksumAddress renders addr in EIP-55 mixed-case checksum form, with the
// 0x prefix.
func ChecksumAddress(addr [AddressLen]byte) string {
	var lower [2 * AddressLen]byte
	hex.Encode(lower[:], addr[:])
	h := keccak256(lower[:])
	out := make([]byte, 2, 2+2*AddressLen)
	copy(out, "0x")
	for i, c := range lower {
		// Nibble i of the hash decides the case of hex character i.
		nibble := h[i/2]
		if i%2 == 0 {
			nibble >>= 4
		}
		if c >= 'a' && nibble&0xf >= 8 {
			c -= 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

// ParseHexSignature decodes a 65-byte signature written as "0x" followed by
// 130 hex digits (either case), the form wallets return from personal_sign.
// It does not look at the bytes; RecoverPersonalSign checks r, s and v. The
// error wraps ErrMalformedSignature and says what is wrong.
//
// ethers also accepts 64-byte EIP-2098 compact signatures; this function
// does not.
func ParseHexSignature(s string) ([]byte, error) {
	if len(s) < 2 || s[:2] != "0x" {
		return nil, fmt.Errorf("%w: want 0x prefix", ErrMalformedSignature)
	}
	digits := s[2:]
	if i := indexNonHex(digits); i >= 0 {
		return nil, fmt.Errorf("%w: invalid hex digit %s at position %d", ErrMalformedSignature, quoteByte(digits[i]), i+2)
	}
	if len(digits) != 2*SignatureLen {
		if len(digits)%2 == 1 {
			return nil, fmt.Errorf("%w: odd number of hex digits (%d)", ErrMalformedSignature, len(digits))
		}
		return nil, fmt.Errorf("%w: want %d bytes, got %d", ErrMalformedSignature, SignatureLen, len(digits)/2)
	}
	sig := make([]byte, SignatureLen)
	hex.Decode(sig, []byte(digits)) // cannot fail: checked above
	return sig, nil
}

// halfOrderBit is the top bit of a 256-bit big-endian scalar.
const halfOrderBit = 0x80

// RecoverPersonalSign returns the address whose key made sig over message
// under EIP-191 personal_sign, that is over
// keccak256("\x19Ethereum Signed Message:\n" + decimal len(message) + message).
//
// sig is r||s||v (65 bytes). Acceptance follows ethers v6 verifyMessage:
//
//   - v is 27 or 28, or 0 or 1 (which some hardware wallets return);
//   - r and s are in [1, n-1], where n is the secp256k1 group order;
//   - s must also be below 2^255 (ethers' "non-canonical s" check);
//   - EIP-2 low s (s ≤ n/2) is not required, as ethers does not require it.
//
// The last two together mean that the malleated twin of a normal low-s
// signature (n-s with the other v) is refused in practice: n-s is at or
// above 2^255 unless s is within about 2^127 of n/2. A high s below 2^255 is
// accepted, as by ethers.
//
// Narrower than ethers: EIP-155 style v values (35 and above) are refused.
//
// A signature that breaks these rules gives an error wrapping
// ErrMalformedSignature. A well-formed signature from which no public key can
// be recovered gives ErrSignatureMismatch. Any other signature yields some
// address: the caller must compare it with the one it expects (or use
// VerifyPersonalSign).
func RecoverPersonalSign(message []byte, sig []byte) ([AddressLen]byte, error) {
	var addr [AddressLen]byte
	if len(sig) != SignatureLen {
		return addr, fmt.Errorf("%w: want %d bytes, got %d", ErrMalformedSignature, SignatureLen, len(sig))
	}
	var recID byte
	switch v := sig[64]; v {
	case 0, 1:
		recID = v
	case 27, 28:
		recID = v - 27
	default:
		return addr, fmt.Errorf("%w: v is %d, want 27, 28, 0 or 1", ErrMalformedSignature, v)
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) {
		return addr, fmt.Errorf("%w: r is not below the group order", ErrMalformedSignature)
	}
	if r.IsZero() {
		return addr, fmt.Errorf("%w: r is zero", ErrMalformedSignature)
	}
	if sig[32]&halfOrderBit != 0 {
		return addr, fmt.Errorf("%w: s is not below 2^255 (non-canonical)", ErrMalformedSignature)
	}
	s.SetByteSlice(sig[32:64]) // below 2^255 < n: no overflow
	if s.IsZero() {
		return addr, fmt.Errorf("%w: s is zero", ErrMalformedSignature)
	}

	// dcrd's compact form puts the recovery code first: 27 + recid for an
	// uncompressed key. The key form does not change the address.
	var compact [SignatureLen]byte
	compact[0] = 27 + recID
	copy(compact[1:], sig[:64])
	hash := personalMessageHash(message)
	pub, _, err := ecdsa.RecoverCompact(compact[:], hash[:])
	if err != nil {
		return addr, fmt.Errorf("%w: no public key recovers from this signature: %v", ErrSignatureMismatch, err)
	}
	return publicKeyAddress(pub), nil
}

// VerifyPersonalSign checks that sig is an EIP-191 personal_sign signature of
// message by the key behind addr. It returns nil on success, an error wrapping
// ErrMalformedSignature when sig is malformed (see RecoverPersonalSign), or
// one wrapping ErrSignatureMismatch naming the address that did sign.
func VerifyPersonalSign(addr [AddressLen]byte, message []byte, sig []byte) error {
	got, err := RecoverPersonalSign(message, sig)
	if err != nil {
		return err
	}
	if got != addr {
		return fmt.Errorf("%w: signed by %s, not %s", ErrSignatureMismatch, ChecksumAddress(got), ChecksumAddress(addr))
	}
	return nil
}

// personalMessageHash is the EIP-191 version 0x45 digest of message.
func personalMessageHash(message []byte) [32]byte {
	prefix := "\x19Ethereum Signed Message:\n" + strconv.Itoa(len(message))
	return keccak256([]byte(prefix), message)
}

// publicKeyAddress is the last 20 bytes of keccak256 of the 64-byte
// uncompressed public key (without its 0x04 prefix).
func publicKeyAddress(pub *secp256k1.PublicKey) [AddressLen]byte {
	h := keccak256(pub.SerializeUncompressed()[1:])
	var addr [AddressLen]byte
	copy(addr[:], h[12:])
	return addr
}

func keccak256(parts ...[]byte) [32]byte {
	d := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		d.Write(p)
	}
	var out [32]byte
	d.Sum(out[:0])
	return out
}

// indexNonHex returns the index of the first byte of s that is not a hex
// digit, or -1.
func indexNonHex(s string) int {
	for i := 0; i < len(s); i++ {
		if !isHexDigit(s[i]) {
			return i
		}
	}
	return -1
}

// quoteByte quotes one byte for an error message, escaping non-ASCII.
func quoteByte(c byte) string { return strconv.QuoteToASCII(string([]byte{c})) }

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'F' {
			return true
		}
	}
	return false
}

func hasLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'f' {
			return true
		}
	}
	return false
}
