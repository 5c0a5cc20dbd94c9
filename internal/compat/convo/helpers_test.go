package convo_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"golang.org/x/crypto/sha3"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/convo"
)

// env is a running Parley with the Convo surface, and one org with an API
// key.
type env struct {
	*chattest.Env
	srv *httptest.Server
	org *chat.Org
	key string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{Env: chattest.New(t)}
	mux := http.NewServeMux()
	convo.Mount(mux, convo.Deps{Chat: e.Service})
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	org, key, err := e.ProvisionAPIKey(context.Background(), chattest.ClientSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	e.org, e.key = org, key.Key
	return e
}

// response is one answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", r.body, err)
	}
	return m
}

// do sends a request with the env's API key (unless the path has one or
// noKey is set in headers as "X-No-Key").
func (e *env) do(t testing.TB, method, path string, body any, headers ...string) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	noKey := false
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "X-No-Key" {
			noKey = true
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	if !noKey && !strings.Contains(path, "apikey=") {
		req.Header.Set("X-Api-Key", e.key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// ethWallet signs like MetaMask's personal_sign.
type ethWallet struct {
	key  *secp256k1.PrivateKey
	addr string // EIP-55
}

func newEthWallet(seed byte) *ethWallet {
	var b [32]byte
	for i := range b {
		b[i] = seed + byte(i)
	}
	k := secp256k1.PrivKeyFromBytes(b[:])
	pub := k.PubKey().SerializeUncompressed()[1:]
	h := keccak(pub)
	return &ethWallet{key: k, addr: checksum(h[12:])}
}

func keccak(b ...[]byte) []byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range b {
		h.Write(p)
	}
	return h.Sum(nil)
}

func checksum(addr []byte) string {
	lower := hex.EncodeToString(addr)
	h := keccak([]byte(lower))
	out := []byte("0x")
	for i, c := range []byte(lower) {
		n := h[i/2]
		if i%2 == 0 {
			n >>= 4
		}
		if c >= 'a' && n&0xf >= 8 {
			c -= 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}

// sign returns the 0x-hex r||s||v personal_sign signature of text.
func (w *ethWallet) sign(text string) string {
	hash := keccak([]byte(fmt.Sprintf("\x19Ethereum Signed Message:\n%d%s", len(text), text)))
	compact := secpecdsa.SignCompact(w.key, hash, false) // [27+recid] || r || s
	sig := append(append([]byte{}, compact[1:]...), compact[0])
	return "0x" + hex.EncodeToString(sig)
}

// nearWallet signs like near-api-js signMessage: ed25519 over sha256.
type nearWallet struct {
	key     ed25519.PrivateKey
	account string
}

func newNEARWallet(seed byte, account string) *nearWallet {
	s := make([]byte, 32)
	for i := range s {
		s[i] = seed ^ byte(i)
	}
	return &nearWallet{key: ed25519.NewKeyFromSeed(s), account: account}
}

func (w *nearWallet) pub() string { return hex.EncodeToString(w.key.Public().(ed25519.PublicKey)) }

func (w *nearWallet) sign(text string) string {
	d := sha256.Sum256([]byte(text))
	return hex.EncodeToString(ed25519.Sign(w.key, d[:]))
}

func signInText(account string, ts int64) string {
	return "I allow this site to access my data on The Convo Space using the account " + account + ". Timestamp:" + strconv.FormatInt(ts, 10)
}

// signIn signs in an Ethereum wallet with /api/auth and returns its token.
func (e *env) signIn(t testing.TB, w *ethWallet) string {
	t.Helper()
	ts := time.Now().UnixMilli()
	res := e.do(t, "POST", "/api/auth", map[string]any{"signerAddress": w.addr, "signature": w.sign(signInText(w.addr, ts)),
		"timestamp": ts, "chain": "ethereum"})
	if res.status != 200 {
		t.Fatalf("sign in %s: %d %s", w.addr, res.status, res.body)
	}
	return res.json(t)["message"].(string)
}

// siweText builds The Convo Space SDK's SIWE message.
func siweText(addr, nonce string, issued, expires time.Time, statement string) string {
	return "theconvo.space wants you to sign in with your Ethereum account:\n" + addr + "\n\n" + statement +
		"\n\nURI: https://theconvo.space\nVersion: 1\nChain ID: 1\nNonce: " + nonce + "\nIssued At: " +
		issued.UTC().Format(time.RFC3339Nano) + "\nExpiration Time: " + expires.UTC().Format(time.RFC3339Nano) +
		"\nResources:\n- https://theconvo.space/privacy-policy"
}

const statement = "I allow this site to access my data on The Convo Space."

// postComment comments as w and returns the comment's _id.
func (e *env) postComment(t testing.TB, w *ethWallet, token, thread, text string) string {
	t.Helper()
	res := e.do(t, "POST", "/api/comments", map[string]any{"token": token, "signerAddress": w.addr, "comment": text,
		"threadId": thread, "url": "https%3A%2F%2Fexample.com%2Fpost"})
	if res.status != 200 {
		t.Fatalf("post comment: %d %s", res.status, res.body)
	}
	return res.json(t)["_id"].(string)
}

func edSign(w *nearWallet, msg []byte) []byte { return ed25519.Sign(w.key, msg) }

func hexEncode(b []byte) string { return hex.EncodeToString(b) }

// newKey mints a key for a new org of the same server.
func (e *env) newKey(t *testing.T) string {
	t.Helper()
	_, key, err := e.ProvisionAPIKey(context.Background(), chattest.ClientSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	return key.Key
}

// withKey returns a view of e that sends key.
func (e *env) withKey(key string) *env {
	c := *e
	c.key = key
	return &c
}
