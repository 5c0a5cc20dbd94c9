package convo_test

import (
	"strings"
	"testing"
	"time"
)

func TestSignInEthereum(t *testing.T) {
	e := newEnv(t)
	alice, mallory := newEthWallet(1), newEthWallet(2)
	now := time.Now().UnixMilli()
	sig := alice.sign(signInText(alice.addr, now))
	tests := []struct {
		name       string
		body       map[string]any
		headers    []string
		wantStatus int
		want       string // substring of the body
	}{
		{"ok", map[string]any{"signerAddress": alice.addr, "signature": sig, "timestamp": now, "chain": "ethereum"}, nil, 200, `"success":true`},
		{"lowercase address, no chain", map[string]any{"signerAddress": strings.ToLower(alice.addr), "signature": alice.sign(signInText(strings.ToLower(alice.addr), now)), "timestamp": now}, nil, 200, `"success":true`},
		{"timestamp as string", map[string]any{"signerAddress": alice.addr, "signature": sig, "timestamp": strings.TrimSpace(string(rune('0'))) + "", "chain": "ethereum"}, nil, 400, `missing/invalid`},
		{"forged: other key", map[string]any{"signerAddress": alice.addr, "signature": mallory.sign(signInText(alice.addr, now)), "timestamp": now, "chain": "ethereum"}, nil, 400, `doesn't match signerAddress`},
		{"forged: other timestamp", map[string]any{"signerAddress": alice.addr, "signature": sig, "timestamp": now + 1, "chain": "ethereum"}, nil, 400, `doesn't match signerAddress`},
		{"malformed address", map[string]any{"signerAddress": "0x1234", "signature": sig, "timestamp": now, "chain": "ethereum"}, nil, 400, `"message":"signerAddress or signature or timestamp is missing/invalid."`},
		{"bad checksum", map[string]any{"signerAddress": alice.addr[:2] + swapCase(alice.addr[2:]), "signature": sig, "timestamp": now}, nil, 400, `missing/invalid`},
		{"signature too short", map[string]any{"signerAddress": alice.addr, "signature": sig[:100], "timestamp": now}, nil, 400, `missing/invalid`},
		{"signature not hex", map[string]any{"signerAddress": alice.addr, "signature": "0x" + strings.Repeat("zz", 65), "timestamp": now}, nil, 400, `missing/invalid`},
		{"missing signature", map[string]any{"signerAddress": alice.addr, "timestamp": now}, nil, 400, `missing/invalid`},
		{"stale timestamp", staleBody(alice, now-25*time.Hour.Milliseconds()), nil, 400, `"message":"Request timestamp too old."`},
		{"future timestamp", staleBody(alice, now+time.Hour.Milliseconds()), nil, 400, `Request timestamp too old.`},
		{"unknown chain", map[string]any{"signerAddress": alice.addr, "signature": sig, "timestamp": now, "chain": "flow"}, nil, 400, `{"message":"Invalid Chain","success":true}`},
		{"not json", nil, nil, 400, `missing/invalid`},
		{"no api key", map[string]any{}, []string{"X-No-Key", "1"}, 401, `"error":"No API key`},
		{"wrong api key", map[string]any{}, []string{"X-No-Key", "1", "X-Api-Key", "CSnope"}, 401, `"error":"Invalid API key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any = tt.body
			if tt.body == nil {
				body = "not json"
			}
			res := e.do(t, "POST", "/api/auth", body, tt.headers...)
			if res.status != tt.wantStatus || !strings.Contains(string(res.body), tt.want) {
				t.Errorf("POST /api/auth = %d %s, want %d with %s", res.status, res.body, tt.wantStatus, tt.want)
			}
		})
	}
	// One address in any case is one user.
	tok := e.signIn(t, alice)
	res := e.do(t, "POST", "/api/validateAuth", map[string]any{"signerAddress": strings.ToLower(alice.addr), "token": tok})
	if res.status != 200 || !strings.Contains(string(res.body), "Valid Auth Token") {
		t.Errorf("validateAuth lowercase = %d %s", res.status, res.body)
	}
}

func staleBody(w *ethWallet, ts int64) map[string]any {
	return map[string]any{"signerAddress": w.addr, "signature": w.sign(signInText(w.addr, ts)), "timestamp": ts, "chain": "ethereum"}
}

func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'f':
			b[i] = c - 32
		case c >= 'A' && c <= 'F':
			b[i] = c + 32
		}
	}
	return string(b)
}

func TestSignInNEAR(t *testing.T) {
	e := newEnv(t)
	w, other := newNEARWallet(7, "convo.testnet"), newNEARWallet(8, "convo.testnet")
	now := time.Now().UnixMilli()
	body := func(w *nearWallet, account string, ts int64, text string) map[string]any {
		return map[string]any{"signerAddress": w.pub(), "signature": w.sign(text), "accountId": account, "timestamp": ts, "chain": "near"}
	}
	ok := body(w, "convo.testnet", now, signInText("convo.testnet", now))
	tests := []struct {
		name       string
		body       map[string]any
		wantStatus int
		want       string
	}{
		{"ok", ok, 200, `"success":true`},
		{"again", ok, 200, `"success":true`},
		{"raw text signed, not its digest", map[string]any{"signerAddress": w.pub(), "signature": hexSig(w, signInText("convo.testnet", now)),
			"accountId": "convo.testnet", "timestamp": now, "chain": "near"}, 400, `doesn't match`},
		{"other account's text", body(w, "convo.testnet", now, signInText("evil.testnet", now)), 400, `doesn't match`},
		{"another key for a bound account", body(other, "convo.testnet", now, signInText("convo.testnet", now)), 400, `another public key`},
		{"bad account id", body(w, "Not An Account", now, signInText("Not An Account", now)), 400, `missing/invalid`},
		{"short public key", map[string]any{"signerAddress": "abcd", "signature": w.sign("x"), "accountId": "a.testnet", "timestamp": now, "chain": "near"}, 400, `missing/invalid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do(t, "POST", "/api/auth", tt.body)
			if res.status != tt.wantStatus || !strings.Contains(string(res.body), tt.want) {
				t.Errorf("POST /api/auth = %d %s, want %d with %s", res.status, res.body, tt.wantStatus, tt.want)
			}
		})
	}
	tok := e.do(t, "POST", "/api/auth", ok).json(t)["message"].(string)
	res := e.do(t, "POST", "/api/comments", map[string]any{"token": tok, "signerAddress": "convo.testnet", "comment": "from NEAR",
		"threadId": "near-page", "url": "https://example.com/"})
	if res.status != 200 || res.json(t)["chain"] != "near" || res.json(t)["author"] != "convo.testnet" {
		t.Errorf("NEAR comment = %d %s", res.status, res.body)
	}
}

// hexSig signs the raw text (not its SHA-256): what a careless NEAR client
// would do, and what the server must refuse.
func hexSig(w *nearWallet, text string) string {
	return hexEncode(edSign(w, []byte(text)))
}

func TestSignInSIWE(t *testing.T) {
	e := newEnv(t)
	alice, mallory := newEthWallet(3), newEthWallet(4)
	now := time.Now()
	day := 24 * time.Hour
	// The SDK's bug: issued and expiring at the same instant, a day ahead.
	good := siweText(alice.addr, "nonce00000001", now.Add(day), now.Add(day), statement)
	body := func(text, sig, chain string) map[string]any {
		return map[string]any{"message": text, "signature": sig, "chain": chain}
	}
	tests := []struct {
		name       string
		body       any
		wantStatus int
		want       string
	}{
		{"ok", body(good, alice.sign(good), "ethereum"), 200, `"success":true`},
		{"replayed nonce", body(good, alice.sign(good), "ethereum"), 400, `already used`},
		{"expired", func() any {
			m := siweText(alice.addr, "nonce00000002", now.Add(-2*day), now.Add(-day), statement)
			return body(m, alice.sign(m), "ethereum")
		}(), 400, `Signature Expired.`},
		{"wrong statement", func() any {
			m := siweText(alice.addr, "nonce00000003", now, now.Add(day), "Sign in.")
			return body(m, alice.sign(m), "ethereum")
		}(), 400, `Incorrect statement.`},
		{"forged: other key", func() any {
			m := siweText(alice.addr, "nonce00000004", now, now.Add(day), statement)
			return body(m, mallory.sign(m), "ethereum")
		}(), 400, `doesn't match`},
		{"forged: expiry extended after signing", func() any {
			m := siweText(alice.addr, "nonce00000005", now, now.Add(day), statement)
			sig := alice.sign(m)
			return body(siweText(alice.addr, "nonce00000005", now, now.Add(300*day), statement), sig, "ethereum")
		}(), 400, `doesn't match`},
		{"wrong chain", func() any {
			m := siweText(alice.addr, "nonce00000006", now, now.Add(day), statement)
			return body(m, alice.sign(m), "solana")
		}(), 400, `"success":true`},
		{"not siwe", body("hello", alice.sign("hello"), "ethereum"), 400, `EIP-4361`},
		{"missing fields", map[string]any{"message": good}, 400, `signature or message or chain not found.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do(t, "POST", "/api/authV2", tt.body)
			if res.status != tt.wantStatus || !strings.Contains(string(res.body), tt.want) {
				t.Errorf("POST /api/authV2 = %d %s, want %d with %s", res.status, res.body, tt.wantStatus, tt.want)
			}
		})
	}
	// A forged request burns no nonce: the genuine message with that nonce
	// still signs in.
	m := siweText(alice.addr, "nonce00000004", now, now.Add(day), statement)
	if res := e.do(t, "POST", "/api/authV2", body(m, alice.sign(m), "ethereum")); res.status != 200 {
		t.Errorf("nonce of a refused request: %d %s", res.status, res.body)
	}
}

func TestValidateAuth(t *testing.T) {
	e := newEnv(t)
	alice, bob := newEthWallet(5), newEthWallet(6)
	tok := e.signIn(t, alice)
	otherKey := e.newKey(t)
	otherTok := e.withKey(otherKey).signIn(t, alice)
	tests := []struct {
		name       string
		body       map[string]any
		wantStatus int
		want       string
	}{
		{"valid", map[string]any{"signerAddress": alice.addr, "token": tok}, 200, `"message":"Valid Auth Token"`},
		{"bound to another signer", map[string]any{"signerAddress": bob.addr, "token": tok}, 400, `"message":"Invalid Auth Token"`},
		{"token of another org", map[string]any{"signerAddress": alice.addr, "token": otherTok}, 400, `Invalid Auth Token`},
		{"garbage", map[string]any{"signerAddress": alice.addr, "token": "eyJ.x.y"}, 400, `Invalid Auth Token`},
		{"missing", map[string]any{"signerAddress": alice.addr}, 400, `signerAddress or token is missing/invalid.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.do(t, "POST", "/api/validateAuth", tt.body)
			if res.status != tt.wantStatus || !strings.Contains(string(res.body), tt.want) {
				t.Errorf("POST /api/validateAuth = %d %s, want %d with %s", res.status, res.body, tt.wantStatus, tt.want)
			}
		})
	}
}
