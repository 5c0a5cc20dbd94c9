package wallet

import (
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// secp256k1N is the group order n.
var secp256k1N, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)

func TestChecksumAddress(t *testing.T) {
	t.Parallel()
	// The EIP-55 specification's examples.
	tests := []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
		"0x52908400098527886E0F7030069857D2E4169EE7",
		"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
		"0xde709f2102306220921060314715629080e2fb77",
		"0x27b1fdb04752bbc536007a920d24acb045561c26",
		"0x0000000000000000000000000000000000000000",
	}
	for _, want := range tests {
		var addr [AddressLen]byte
		if _, err := hex.Decode(addr[:], []byte(strings.ToLower(want[2:]))); err != nil {
			t.Fatal(err)
		}
		if got := ChecksumAddress(addr); got != want {
			t.Errorf("ChecksumAddress(%x) = %s, want %s", addr, got, want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	t.Parallel()
	const valid = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
	wantBytes := mustHex(t, "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")
	tests := []struct {
		name    string
		in      string
		ok      bool
		errText string // substring of the error
	}{
		{"checksummed", valid, true, ""},
		{"all lowercase", strings.ToLower(valid), true, ""},
		{"all uppercase digits", "0x" + strings.ToUpper(valid[2:]), true, ""},
		{"digits only", "0x0000000000000000000000000000000000000000", true, ""},
		{"bad checksum", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", false, "checksum"},
		{"one letter wrong case", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", false, "checksum"},
		{"no prefix", valid[2:], false, "0x prefix"},
		{"uppercase X", "0X" + valid[2:], false, "0x prefix"},
		{"empty", "", false, "0x prefix"},
		{"prefix only", "0x", false, "40 hex digits"},
		{"39 digits", valid[:41], false, "got 39"},
		{"41 digits", valid + "0", false, "got 41"},
		{"32-byte value", "0x" + strings.Repeat("ab", 32), false, "got 64"},
		{"non-hex", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", false, `invalid hex digit "g" at position 41`},
		{"space", " " + valid, false, "0x prefix"},
		{"trailing newline", valid + "\n", false, "got 41"},
		{"icap", "XE7338O073KYGTWWZN0F2WZ0R8PX5ZPPZS", false, "0x prefix"},
		{"unicode digit", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA٣", false, `invalid hex digit "\xd9" at position 40`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddress(tt.in)
			if ok := err == nil; ok != tt.ok {
				t.Fatalf("ParseAddress(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if IsHexAddress(tt.in) != tt.ok {
				t.Errorf("IsHexAddress(%q) = %v, want %v", tt.in, !tt.ok, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrMalformedAddress) {
					t.Errorf("ParseAddress(%q) error %v does not wrap ErrMalformedAddress", tt.in, err)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("ParseAddress(%q) error %q, want it to mention %q", tt.in, err, tt.errText)
				}
				return
			}
			if tt.in[2:] != strings.Repeat("0", 40) && string(got[:]) != string(wantBytes) {
				t.Errorf("ParseAddress(%q) = %x, want %x", tt.in, got, wantBytes)
			}
		})
	}
}

func TestParseHexSignature(t *testing.T) {
	t.Parallel()
	sig65 := strings.Repeat("ab", 64) + "1b"
	tests := []struct {
		name    string
		in      string
		ok      bool
		errText string
	}{
		{"lowercase", "0x" + sig65, true, ""},
		{"uppercase", "0x" + strings.ToUpper(sig65), true, ""},
		{"no prefix", sig65, false, "0x prefix"},
		{"uppercase X", "0X" + sig65, false, "0x prefix"},
		{"empty", "", false, "0x prefix"},
		{"prefix only", "0x", false, "want 65 bytes, got 0"},
		{"64 bytes", "0x" + sig65[:128], false, "want 65 bytes, got 64"},
		{"66 bytes", "0x" + sig65 + "00", false, "want 65 bytes, got 66"},
		{"odd digits", "0x" + sig65 + "0", false, "odd number of hex digits (131)"},
		{"non-hex", "0x" + sig65[:129] + "z", false, `invalid hex digit "z" at position 131`},
		{"whitespace", "0x" + sig65 + " ", false, `invalid hex digit " "`},
		{"double prefix", "0x0x" + sig65[4:], false, `invalid hex digit "x" at position 3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHexSignature(tt.in)
			if ok := err == nil; ok != tt.ok {
				t.Fatalf("ParseHexSignature(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrMalformedSignature) {
					t.Errorf("ParseHexSignature(%q) error %v does not wrap ErrMalformedSignature", tt.in, err)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("ParseHexSignature(%q) error %q, want it to mention %q", tt.in, err, tt.errText)
				}
				return
			}
			if hex.EncodeToString(got) != strings.ToLower(sig65) {
				t.Errorf("ParseHexSignature(%q) = %x", tt.in, got)
			}
		})
	}
}

func TestPersonalMessageHash(t *testing.T) {
	t.Parallel()
	// Values from ethers' hashMessage.
	tests := []struct {
		msg  string
		want string
	}{
		{"Hello World", "a1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2"},
		{"", "5f35dce98ba4fba25530a026ed80b2cecdaa31091ba4958b99b52ea1d068adad"},
		{"\x00\x01\x02", "cda63bf890b8707fe3e9937d85e50e6d155c31d18fa982cee37a1f142ea24b6f"},
	}
	for _, tt := range tests {
		got := personalMessageHash([]byte(tt.msg))
		if hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("personalMessageHash(%q) = %x, want %s", tt.msg, got, tt.want)
		}
	}
}

// signPersonal signs message with key the way wallets do and returns
// r||s||v with v in {27, 28}.
func signPersonal(t testing.TB, key *secp256k1.PrivateKey, message string) []byte {
	t.Helper()
	h := personalMessageHash([]byte(message))
	compact := ecdsa.SignCompact(key, h[:], false) // recovery code first
	sig := make([]byte, SignatureLen)
	copy(sig, compact[1:])
	sig[64] = compact[0]
	return sig
}

// withS returns a copy of sig with s replaced and v set.
func withS(sig []byte, s *big.Int, v byte) []byte {
	out := append([]byte(nil), sig...)
	s.FillBytes(out[32:64])
	out[64] = v
	return out
}

func TestRecoverPersonalSign(t *testing.T) {
	t.Parallel()
	// Private key 1: its address is well known.
	key := secp256k1.PrivKeyFromBytes(mustHex(t, strings.Repeat("00", 31)+"01"))
	const keyAddr = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
	msg := "I allow this site to access my data on The Convo Space using the account " + keyAddr + ". Timestamp:1700000000000"
	sig := signPersonal(t, key, msg)
	v := sig[64]
	otherV := byte(55) - v // 27 <-> 28
	s := new(big.Int).SetBytes(sig[32:64])
	highS := new(big.Int).Sub(secp256k1N, s)
	twoTo255 := new(big.Int).Lsh(big.NewInt(1), 255)
	// The malleated twin (n-s, other v) recovers the same key, but for a
	// low s it is almost always >= 2^255, which ethers refuses ("non-canonical
	// s"). The signature is deterministic (RFC 6979), so this is fixed.
	twinWant, twinErr := "", error(ErrMalformedSignature)
	if highS.Cmp(twoTo255) < 0 {
		twinWant, twinErr = keyAddr, nil
	}

	tests := []struct {
		name    string
		message string
		sig     []byte
		want    string // recovered address; "" when an error is expected
		wantErr error
	}{
		// ethers' own output for "Hello World" by key 1.
		{"ethers vector", "Hello World", mustHex(t, "9020b81ff870c0fcdd0c0b1945770f2358c51ec57a0f4e6d9d82ce50d4988f483b767a68a5f051a9d6c25daf303583ea6e3e03875f735a9e2900d6e4099a03cb1b"), keyAddr, nil},
		// web3.js documentation's example (key 0x4c08…2318).
		{"web3 docs vector", "Some data", mustHex(t, "b91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c"), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23", nil},
		{"v 27/28", msg, sig, keyAddr, nil},
		{"v 0/1", msg, withS(sig, s, v-27), keyAddr, nil},
		{"wrong v recovers another key", msg, withS(sig, s, otherV), "other", nil},
		{"message changed", msg + " ", sig, "other", nil},
		{"malleated n-s twin", msg, withS(sig, highS, otherV), twinWant, twinErr},
		{"v 29", msg, withS(sig, s, 29), "", ErrMalformedSignature},
		{"v 2", msg, withS(sig, s, 2), "", ErrMalformedSignature},
		{"v 35 (eip-155, ethers accepts)", msg, withS(sig, s, 35), "", ErrMalformedSignature},
		{"s zero", msg, withS(sig, big.NewInt(0), v), "", ErrMalformedSignature},
		{"s = 2^255", msg, withS(sig, twoTo255, v), "", ErrMalformedSignature},
		{"s = n", msg, withS(sig, secp256k1N, v), "", ErrMalformedSignature},
		{"r zero", msg, append(make([]byte, 32), sig[32:]...), "", ErrMalformedSignature},
		{"r = n", msg, append(secp256k1N.FillBytes(make([]byte, 32)), sig[32:]...), "", ErrMalformedSignature},
		{"r = 5 is not an x coordinate", msg, append(big.NewInt(5).FillBytes(make([]byte, 32)), sig[32:]...), "", ErrSignatureMismatch},
		{"64 bytes", msg, sig[:64], "", ErrMalformedSignature},
		{"66 bytes", msg, append(append([]byte(nil), sig...), 0), "", ErrMalformedSignature},
		{"empty", msg, nil, "", ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RecoverPersonalSign([]byte(tt.message), tt.sig)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("RecoverPersonalSign(%q, %x) error = %v, want %v", tt.message, tt.sig, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("RecoverPersonalSign(%q, %x) error = %v", tt.message, tt.sig, err)
			}
			switch gotAddr := ChecksumAddress(got); {
			case tt.want == "other" && gotAddr == keyAddr:
				t.Errorf("RecoverPersonalSign(%q, %x) = %s, want another address", tt.message, tt.sig, gotAddr)
			case tt.want != "other" && gotAddr != tt.want:
				t.Errorf("RecoverPersonalSign(%q, %x) = %s, want %s", tt.message, tt.sig, gotAddr, tt.want)
			}
		})
	}
}

func TestRecoverPersonalSignSynthetic(t *testing.T) {
	t.Parallel()
	// Any valid (r, s) recovers some key. With r = Gx (a valid x coordinate)
	// and s just above n/2, the signature is "high s" yet below 2^255, the
	// window in which ethers accepts a high s. The address is ethers'.
	gx := mustHex(t, "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	halfN := new(big.Int).Rsh(secp256k1N, 1)
	sig := append(gx, withS(make([]byte, SignatureLen), halfN.Add(halfN, big.NewInt(1)), 27)[32:]...)
	got, err := RecoverPersonalSign([]byte("I allow this site to access my data on The Convo Space using the account 0x0. Timestamp:0"), sig)
	if err != nil {
		t.Fatalf("RecoverPersonalSign(high s) error = %v", err)
	}
	if got == ([AddressLen]byte{}) {
		t.Fatalf("RecoverPersonalSign(high s) = zero address")
	}
}

func TestVerifyPersonalSign(t *testing.T) {
	t.Parallel()
	key := secp256k1.PrivKeyFromBytes(mustHex(t, strings.Repeat("11", 32)))
	other := secp256k1.PrivKeyFromBytes(mustHex(t, strings.Repeat("22", 32)))
	addr := publicKeyAddress(key.PubKey())
	const msg = "héllo 🚀"
	tests := []struct {
		name    string
		message string
		sig     []byte
		wantErr error
	}{
		{"genuine", msg, signPersonal(t, key, msg), nil},
		{"other key", msg, signPersonal(t, other, msg), ErrSignatureMismatch},
		{"other message", msg + "!", signPersonal(t, key, msg), ErrSignatureMismatch},
		{"malformed", msg, []byte{1, 2, 3}, ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyPersonalSign(addr, []byte(tt.message), tt.sig)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("VerifyPersonalSign(%s, %q) = %v, want %v", ChecksumAddress(addr), tt.message, err, tt.wantErr)
			}
		})
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
