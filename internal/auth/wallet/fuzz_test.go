package wallet

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// The seed corpora live in testdata/fuzz/<FuzzName>; `go test` runs them as
// ordinary cases. Explore further with, for example:
//
//	go test -run '^$' -fuzz FuzzParseSIWE -fuzztime 1m ./internal/auth/wallet/

func FuzzParseSIWE(f *testing.F) {
	f.Add(eipExample)
	f.Fuzz(func(t *testing.T, text string) {
		m, err := ParseSIWE(text)
		if err != nil {
			var se *SIWEError
			if !errors.As(err, &se) || !errors.Is(err, ErrMalformedSIWE) || se.Line < 1 || se.Field == "" {
				t.Fatalf("ParseSIWE error %#v is not a *SIWEError with a line and field", err)
			}
			// A missing line is reported as the one after the last.
			if lines := strings.Count(text, "\n") + 1; se.Line > lines+1 {
				t.Fatalf("ParseSIWE error on line %d of a %d-line text", se.Line, lines)
			}
			return
		}
		// Accepted texts are plain ASCII lines that render back exactly.
		if s := m.String(); s != text {
			t.Fatalf("String() = %q, want %q", s, text)
		}
		if strings.ContainsAny(text, "\r\t\x00") {
			t.Fatalf("accepted control characters in %q", text)
		}
		if _, err := ParseAddress(m.Address); err != nil {
			t.Fatalf("accepted address %q: ParseAddress = %v", m.Address, err)
		}
		if len(m.Nonce) < SIWEMinNonceLen || m.Version != "1" || m.Domain == "" {
			t.Fatalf("accepted invalid fields: %+v", m)
		}
	})
}

func FuzzParseAddress(f *testing.F) {
	f.Add("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
	f.Fuzz(func(t *testing.T, s string) {
		addr, err := ParseAddress(s)
		if IsHexAddress(s) != (err == nil) {
			t.Fatalf("IsHexAddress(%q) disagrees with ParseAddress error %v", s, err)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedAddress) {
				t.Fatalf("ParseAddress(%q) error %v does not wrap ErrMalformedAddress", s, err)
			}
			return
		}
		sum := ChecksumAddress(addr)
		if !strings.EqualFold(sum, s) {
			t.Fatalf("ParseAddress(%q) = %s", s, sum)
		}
		// Accepted: checksummed, or no checksum (single case).
		digits := s[2:]
		if sum != s && digits != strings.ToLower(digits) && digits != strings.ToUpper(digits) {
			t.Fatalf("ParseAddress(%q) accepted a mixed-case address with a bad checksum", s)
		}
		if !IsHexAddress(sum) || !IsHexAddress(strings.ToLower(sum)) {
			t.Fatalf("checksum form %s of an accepted address is refused", sum)
		}
	})
}

func FuzzParseHexSignature(f *testing.F) {
	f.Add("0x" + strings.Repeat("ab", 64) + "1b")
	f.Fuzz(func(t *testing.T, s string) {
		sig, err := ParseHexSignature(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedSignature) {
				t.Fatalf("ParseHexSignature(%q) error %v does not wrap ErrMalformedSignature", s, err)
			}
			return
		}
		if len(sig) != SignatureLen || "0x"+hex.EncodeToString(sig) != strings.ToLower(s) {
			t.Fatalf("ParseHexSignature(%q) = %x", s, sig)
		}
	})
}

func FuzzRecoverPersonalSign(f *testing.F) {
	f.Add([]byte("Hello World"), mustHex(f, "9020b81ff870c0fcdd0c0b1945770f2358c51ec57a0f4e6d9d82ce50d4988f483b767a68a5f051a9d6c25daf303583ea6e3e03875f735a9e2900d6e4099a03cb1b"))
	f.Fuzz(func(t *testing.T, message, sig []byte) {
		addr, err := RecoverPersonalSign(message, sig)
		if err != nil {
			if !errors.Is(err, ErrMalformedSignature) && !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("RecoverPersonalSign error %v wraps no sentinel", err)
			}
			return
		}
		if err := VerifyPersonalSign(addr, message, sig); err != nil {
			t.Fatalf("VerifyPersonalSign(recovered address) = %v", err)
		}
	})
}

func FuzzVerifyEd25519(f *testing.F) {
	f.Add("ed25519:8ZX3Lcn7sGfKYtJbM8WjPjR9G1S6KMsB1mn9jY4y1e8K", strings.Repeat("00", 64), "hello")
	f.Fuzz(func(t *testing.T, key, sig, message string) {
		for name, err := range map[string]error{
			"VerifyNEAR":   VerifyNEAR(key, sig, message),
			"VerifySolana": VerifySolana(key, sig, message),
		} {
			if err != nil && !errors.Is(err, ErrMalformedPublicKey) && !errors.Is(err, ErrMalformedSignature) && !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("%s error %v wraps no sentinel", name, err)
			}
		}
	})
}
