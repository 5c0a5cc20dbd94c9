package convo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/convo"
)

// The reliability matrices: tenant isolation, authorization per level, and
// refused credentials, over every pattern of convo.Patterns().

// signer is a wallet signed in to one org.
type signer struct {
	w     *ethWallet
	token string
}

// project is one org (an API key) with a private thread (its moderator
// and a member in it), a public page, comments by both with a vote and an
// edit, and a signer who is in neither thread.
type project struct {
	e       *env // sends the project's key
	tag     string
	mod     signer // created the private thread
	member  signer
	outside signer
	private string // the private thread's id
	page    string // the public page's id
	comment string // the member's comment in the private thread
	modNote string // the moderator's comment in the private thread
	onPage  string // the member's comment on the page
}

var walletSeed atomic.Int32

// newWallet returns a wallet no other test uses.
func newWallet() *ethWallet { return newEthWallet(byte(100 + walletSeed.Add(1))) }

func (e *env) signer(t *testing.T) signer {
	t.Helper()
	w := newWallet()
	return signer{w: w, token: e.signIn(t, w)}
}

// body returns fields with the signer's token and address.
func (s signer) body(fields map[string]any) map[string]any {
	out := map[string]any{"token": s.token, "signerAddress": s.w.addr}
	for k, v := range fields {
		out[k] = v
	}
	return out
}

// query is the signer's token and address as a query string.
func (s signer) query() string {
	return "token=" + url.QueryEscape(s.token) + "&signerAddress=" + s.w.addr
}

func newProject(t *testing.T, e *env, tag string) *project {
	t.Helper()
	p := &project{e: e, tag: tag, private: strings.ToLower(tag) + "-room", page: strings.ToLower(tag) + "-page"}
	p.mod, p.member, p.outside = e.signer(t), e.signer(t), e.signer(t)
	p.createPrivate(t, p.private)
	p.comment = e.postComment(t, p.member.w, p.member.token, p.private, tag+" member inside")
	p.modNote = e.postComment(t, p.mod.w, p.mod.token, p.private, tag+" moderator inside")
	p.onPage = e.postComment(t, p.member.w, p.member.token, p.page, tag+" on the page")
	for _, rq := range []struct {
		method, path string
		body         map[string]any
	}{
		{"POST", "/api/vote", p.member.body(map[string]any{"commentId": p.modNote, "type": "toggleUpvote"})},
		{"PATCH", "/api/comments", p.mod.body(map[string]any{"commentId": p.modNote, "comment": tag + " moderator edited"})},
	} {
		if res := e.do(t, rq.method, rq.path, rq.body); res.status != 200 || !bytes.Contains(res.body, []byte(`"success":true`)) {
			t.Fatalf("%s %s: %d %s", rq.method, rq.path, res.status, res.body)
		}
	}
	return p
}

// createPrivate makes a thread only the moderator and the member read.
func (p *project) createPrivate(t *testing.T, id string) {
	t.Helper()
	res := p.e.do(t, "POST", "/api/threads", p.mod.body(map[string]any{"action": "create", "threadId": id, "title": p.tag + " private",
		"description": p.tag + " members only", "isReadPublic": false, "isWritePublic": false, "members": []string{p.member.w.addr},
		"moderators": []string{}, "keywords": []string{}}))
	if res.status != 200 {
		t.Fatalf("create thread %s: %d %s", id, res.status, res.body)
	}
}

// secrets are the strings of the project no other project may see.
func (p *project) secrets() []string {
	return []string{p.tag, p.e.key, p.mod.w.addr, p.member.w.addr, p.outside.w.addr, p.mod.token, p.member.token,
		p.private, p.page, p.comment, p.modNote, p.onPage}
}

// snapshot is what the project's members read of it.
func (p *project) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	q := p.member.query()
	for _, path := range []string{
		"/api/comments?threadId=" + p.private + "&" + q, "/api/comments?threadId=" + p.page, "/api/comment?commentId=" + p.modNote + "&" + q,
		"/api/threads?threadId=" + p.private + "&" + q, "/api/threads/" + p.private + "," + p.page + "?" + q,
		"/api/threads/user/" + p.member.w.addr + "?" + q, "/api/apikey?" + q,
	} {
		res := p.e.do(t, "GET", path, nil)
		fmt.Fprintf(&b, "%s %d %s\n", path, res.status, res.body)
	}
	return b.String()
}

// assertNoLeak fails if body holds any of secrets, but for those the
// request itself carried (an answer that echoes what the caller sent
// reveals nothing).
func assertNoLeak(t *testing.T, what string, sent string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && !strings.Contains(sent, s) && bytes.Contains(bytes.ToLower(body), bytes.ToLower([]byte(s))) {
			t.Errorf("%s reveals %q: %s", what, s, body)
		}
	}
}

// convoCall is one request: the body is sent as JSON.
type convoCall struct {
	method, path string
	body         any
}

// fallbackCall is the request for a method-less pattern: a method the path
// does not serve.
func fallbackCall(pattern string, query string) convoCall {
	return convoCall{"PUT", strings.NewReplacer("{ids}", "x", "{address}", "x").Replace(pattern) + "?" + query, nil}
}

// TestTenantIsolation: with another project's API key and signers, and
// this project's ids, thread ids, addresses and tokens, no route reads,
// changes or reveals anything of this project.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newProject(t, e, "Amethyst")
	b := newProject(t, e.withKey(e.newKey(t)), "Basalt")

	// Each pattern's request by the caller c against the victim v, and
	// what may answer it: refusals, and the documented answers that say
	// "nothing here" (an empty list, {"success":false}).
	type tcase struct {
		req  func(v, c *project) convoCall
		want []int
		// empty, when set, is the whole body that the 200 must be.
		empty []string
	}
	none := []string{"[]", `{"threads":[],"success":true}`, "{}", `{"success":false}`, `{"success":false,"error":"Invalid commentId."}`}
	table := map[string]tcase{
		"GET /api/ping":      {func(v, c *project) convoCall { return convoCall{"GET", "/api/ping", nil} }, []int{200}, nil},
		"GET /api/widget.js": {func(v, c *project) convoCall { return convoCall{"GET", "/api/widget.js", nil} }, []int{200}, nil},
		// The caller's own keys, whatever org it names.
		"GET /api/apikey": {func(v, c *project) convoCall {
			return convoCall{"GET", "/api/apikey?org=" + url.QueryEscape(v.e.org.Slug) + "&" + c.member.query(), nil}
		}, []int{200}, nil},
		"POST /api/apikey": {func(v, c *project) convoCall {
			return convoCall{"POST", "/api/apikey", c.outside.body(map[string]any{"org": v.e.org.Slug})}
		}, []int{200}, nil},
		// Signing in as the victim's signer with the caller's wallet.
		"POST /api/auth": {func(v, c *project) convoCall {
			ts := time.Now().UnixMilli()
			return convoCall{"POST", "/api/auth", map[string]any{"signerAddress": v.mod.w.addr, "signature": c.mod.w.sign(signInText(v.mod.w.addr, ts)),
				"timestamp": ts, "chain": "ethereum"}}
		}, []int{400}, nil},
		"POST /api/authV2": {func(v, c *project) convoCall {
			now := time.Now()
			m := siweText(v.mod.w.addr, fmt.Sprintf("n%d", now.UnixNano()), now, now.Add(time.Hour), statement)
			return convoCall{"POST", "/api/authV2", map[string]any{"message": m, "signature": c.mod.w.sign(m), "chain": "ethereum"}}
		}, []int{400}, nil},
		// The victim's token under the caller's key.
		"POST /api/validateAuth": {func(v, c *project) convoCall {
			return convoCall{"POST", "/api/validateAuth", map[string]any{"signerAddress": v.mod.w.addr, "token": v.mod.token}}
		}, []int{400}, nil},
		"GET /api/comments": {func(v, c *project) convoCall {
			return convoCall{"GET", "/api/comments?threadId=" + v.private + "&author=" + v.member.w.addr + "&" + c.member.query(), nil}
		}, []int{200}, none},
		// Replying to the victim's comment on the victim's thread id.
		"POST /api/comments": {func(v, c *project) convoCall {
			return convoCall{"POST", "/api/comments", c.member.body(map[string]any{"comment": "hi", "threadId": v.private,
				"url": "https://example.com/", "replyTo": v.comment})}
		}, []int{400, 404}, nil},
		"PATCH /api/comments": {func(v, c *project) convoCall {
			return convoCall{"PATCH", "/api/comments", c.member.body(map[string]any{"commentId": v.comment, "comment": "mine now"})}
		}, []int{404}, nil},
		"DELETE /api/comments": {func(v, c *project) convoCall {
			return convoCall{"DELETE", "/api/comments", c.member.body(map[string]any{"commentId": v.comment})}
		}, []int{200}, none},
		"GET /api/comment": {func(v, c *project) convoCall {
			return convoCall{"GET", "/api/comment?commentId=" + v.modNote + "&" + c.member.query(), nil}
		}, []int{404}, nil},
		"POST /api/vote": {func(v, c *project) convoCall {
			return convoCall{"POST", "/api/vote", c.member.body(map[string]any{"commentId": v.modNote, "type": "toggleDownvote"})}
		}, []int{200}, none},
		"GET /api/threads": {func(v, c *project) convoCall {
			return convoCall{"GET", "/api/threads?threadId=" + v.private + "&" + c.member.query(), nil}
		}, []int{200}, none},
		"POST /api/threads": {func(v, c *project) convoCall {
			return convoCall{"POST", "/api/threads", c.member.body(map[string]any{"action": "addMembers", "threadId": v.private, "members": []string{c.member.w.addr}})}
		}, []int{400}, nil},
		"DELETE /api/threads": {func(v, c *project) convoCall {
			return convoCall{"DELETE", "/api/threads", c.member.body(map[string]any{"threadId": v.private})}
		}, []int{400}, nil},
		"GET /api/threads/{ids}": {func(v, c *project) convoCall {
			return convoCall{"GET", "/api/threads/" + v.private + "," + v.page + "?" + c.member.query(), nil}
		}, []int{200}, none},
		"GET /api/threads/user/{address}": {func(v, c *project) convoCall {
			return convoCall{"GET", "/api/threads/user/" + v.member.w.addr + "?" + c.member.query(), nil}
		}, []int{200}, none},
		// A plain GET (no upgrade): TestTenantSubscribe follows a stream.
		"GET /api/subscribe": {func(v, c *project) convoCall {
			return convoCall{"GET", "/api/subscribe?threadId=" + v.private + "&" + c.member.query(), nil}
		}, []int{404, 426}, nil},
	}
	tried := 0
	for _, dir := range []struct{ victim, caller *project }{{a, b}, {b, a}} {
		v, c := dir.victim, dir.caller
		before := v.snapshot(t)
		for _, p := range convo.Patterns() {
			var rq convoCall
			want, empty := []int{404}, []string(nil)
			if tc, ok := table[p]; ok {
				rq, want, empty = tc.req(v, c), tc.want, tc.empty
			} else if !strings.Contains(p, " ") {
				rq = fallbackCall(p, "threadId="+v.private+"&commentId="+v.comment)
			} else {
				t.Errorf("%s has no case in the tenant matrix", p)
				continue
			}
			res := c.e.do(t, rq.method, rq.path, rq.body)
			tried++
			if !slices.Contains(want, res.status) {
				t.Errorf("%s (%s %s) by %s = %d %s, want one of %v", p, rq.method, rq.path, c.tag, res.status, res.body, want)
			}
			if empty != nil && res.status == 200 && !isOneOf(res.body, empty) {
				t.Errorf("%s (%s %s) by %s = %s, want nothing (one of %q)", p, rq.method, rq.path, c.tag, res.body, empty)
			}
			body, _ := json.Marshal(rq.body)
			assertNoLeak(t, fmt.Sprintf("%s by %s", p, c.tag), rq.path+" "+string(body), res.body, v.secrets())
		}
		if after := v.snapshot(t); after != before {
			t.Errorf("%s's state changed under %s's requests:\nbefore %s\nafter  %s", v.tag, c.tag, before, after)
		}
	}
	t.Logf("routes x orgs tried: %d (%d patterns, 2 directions)", tried, len(convo.Patterns()))
}

// isOneOf reports whether body is one of the JSON documents in docs.
func isOneOf(body []byte, docs []string) bool {
	var got any
	if json.Unmarshal(body, &got) != nil {
		return false
	}
	for _, d := range docs {
		var want any
		json.Unmarshal([]byte(d), &want)
		if reflect.DeepEqual(got, want) {
			return true
		}
	}
	return false
}

// TestTenantSubscribe: another project following this project's thread id
// hears nothing of this project's comments.
func TestTenantSubscribe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := newProject(t, e, "Amethyst")
	b := e.withKey(e.newKey(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(b.srv.URL, "http")+"/api/subscribe?threadId="+a.page+"&apikey="+b.key, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	e.postComment(t, a.member.w, a.member.token, a.page, "Amethyst live")
	rctx, rcancel := context.WithTimeout(ctx, 700*time.Millisecond)
	defer rcancel()
	if _, msg, err := conn.Read(rctx); err == nil {
		t.Errorf("another project's stream got %s", msg)
	}
}

// cell is what a level gets: a status and, for a 200, whether it must show
// nothing of the private thread (blind) or say {"success":false}.
type cell struct {
	status int
	blind  bool
	failed bool
}

func ok(s int) cell       { return cell{status: s} }
func blind(s int) cell    { return cell{status: s, blind: true} }
func failed(s int) cell   { return cell{status: s, failed: true} }
func refused(s int) cell  { return cell{status: s} }
func everyone(c cell) row { return row{c, c, c, c, c, c} }

// Levels: the private thread's creator (its moderator), its member,
// another signed-in wallet of the project, an anonymous reader with the
// key, a caller with no key, and the operator (Client-Secret and the key,
// no wallet).
const (
	lvMod = iota
	lvMember
	lvSigner
	lvReader
	lvNoKey
	lvOperator
	numLevels
)

var levelNames = [numLevels]string{"moderator", "member", "signer", "reader", "no key", "operator"}

type row [numLevels]cell

// TestAuthorizationMatrix: every route against every level, with the
// statuses of reference/convo.md §4.2-4.5 and the package's documented
// deviations (writes without a valid token are 401 "Invalid Auth", votes
// 400; a private thread shows only to its members; a comment's author
// edits and deletes it; thread moderators manage the thread, members add
// members; thread errors are 400).
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newProject(t, e, "Amethyst")
	sig := [numLevels]*signer{lvMod: &p.mod, lvMember: &p.member, lvSigner: &p.outside}
	table := map[string]struct {
		req  func(t *testing.T, l int) convoCall
		want row
	}{
		"GET /api/ping":      {func(*testing.T, int) convoCall { return convoCall{"GET", "/api/ping", nil} }, everyone(ok(200))},
		"GET /api/widget.js": {func(*testing.T, int) convoCall { return convoCall{"GET", "/api/widget.js", nil} }, everyone(ok(200))},
		"GET /api/apikey": {func(_ *testing.T, l int) convoCall {
			return convoCall{"GET", "/api/apikey?org=" + p.e.org.Slug + "&" + queryOf(sig[l]), nil}
		}, row{ok(200), ok(200), ok(200), refused(401), refused(401), ok(200)}},
		"POST /api/apikey": {func(_ *testing.T, l int) convoCall {
			return convoCall{"POST", "/api/apikey", bodyOf(sig[l], map[string]any{"org": p.e.org.Slug})}
		}, row{ok(200), ok(200), ok(200), refused(401), refused(401), ok(200)}},
		// Anyone with a key and a wallet signs in.
		"POST /api/auth": {func(_ *testing.T, l int) convoCall {
			w, ts := newWallet(), time.Now().UnixMilli()
			return convoCall{"POST", "/api/auth", map[string]any{"signerAddress": w.addr, "signature": w.sign(signInText(w.addr, ts)), "timestamp": ts, "chain": "ethereum"}}
		}, row{ok(200), ok(200), ok(200), ok(200), refused(401), ok(200)}},
		"POST /api/authV2": {func(_ *testing.T, l int) convoCall {
			w, now := newWallet(), time.Now()
			m := siweText(w.addr, fmt.Sprintf("n%d", now.UnixNano()), now, now.Add(time.Hour), statement)
			return convoCall{"POST", "/api/authV2", map[string]any{"message": m, "signature": w.sign(m), "chain": "ethereum"}}
		}, row{ok(200), ok(200), ok(200), ok(200), refused(401), ok(200)}},
		"POST /api/validateAuth": {func(_ *testing.T, l int) convoCall {
			return convoCall{"POST", "/api/validateAuth", bodyOf(sig[l], nil)}
		}, row{ok(200), ok(200), ok(200), refused(400), refused(401), refused(400)}},
		"GET /api/comments": {func(_ *testing.T, l int) convoCall {
			return convoCall{"GET", "/api/comments?threadId=" + p.private + "&" + queryOf(sig[l]), nil}
		}, row{ok(200), ok(200), blind(200), blind(200), refused(401), blind(200)}},
		"POST /api/comments": {func(_ *testing.T, l int) convoCall {
			return convoCall{"POST", "/api/comments", bodyOf(sig[l], map[string]any{"comment": "hello", "threadId": p.private, "url": "https://example.com/"})}
		}, row{ok(200), ok(200), refused(401), refused(401), refused(401), refused(401)}},
		// The member's comment: its author edits it.
		"PATCH /api/comments": {func(_ *testing.T, l int) convoCall {
			return convoCall{"PATCH", "/api/comments", bodyOf(sig[l], map[string]any{"commentId": p.comment, "comment": "edited"})}
		}, row{refused(401), ok(200), refused(404), refused(401), refused(401), refused(401)}},
		// A fresh comment of the member: its author deletes it (the
		// thread's moderator is no org moderator).
		"DELETE /api/comments": {func(t *testing.T, l int) convoCall {
			id := p.e.postComment(t, p.member.w, p.member.token, p.private, "to delete")
			return convoCall{"DELETE", "/api/comments", bodyOf(sig[l], map[string]any{"commentId": id})}
		}, row{refused(401), ok(200), failed(200), refused(401), refused(401), refused(401)}},
		"GET /api/comment": {func(_ *testing.T, l int) convoCall {
			return convoCall{"GET", "/api/comment?commentId=" + p.comment + "&" + queryOf(sig[l]), nil}
		}, row{ok(200), ok(200), refused(404), refused(404), refused(401), refused(404)}},
		"POST /api/vote": {func(_ *testing.T, l int) convoCall {
			return convoCall{"POST", "/api/vote", bodyOf(sig[l], map[string]any{"commentId": p.comment, "type": "toggleUpvote"})}
		}, row{ok(200), ok(200), failed(200), refused(400), refused(401), refused(400)}},
		"GET /api/threads": {func(_ *testing.T, l int) convoCall {
			return convoCall{"GET", "/api/threads?threadId=" + p.private + "&" + queryOf(sig[l]), nil}
		}, row{ok(200), ok(200), blind(200), blind(200), refused(401), blind(200)}},
		// Retitling is the moderators'.
		"POST /api/threads": {func(_ *testing.T, l int) convoCall {
			return convoCall{"POST", "/api/threads", bodyOf(sig[l], map[string]any{"action": "updateTitle", "threadId": p.private, "title": p.tag + " private"})}
		}, row{ok(200), refused(400), refused(400), refused(401), refused(401), refused(401)}},
		"DELETE /api/threads": {func(t *testing.T, l int) convoCall {
			id := fmt.Sprintf("%s-doomed-%d", strings.ToLower(p.tag), l)
			p.createPrivate(t, id)
			return convoCall{"DELETE", "/api/threads", bodyOf(sig[l], map[string]any{"threadId": id})}
		}, row{ok(200), refused(400), refused(400), refused(401), refused(401), refused(401)}},
		"GET /api/threads/{ids}": {func(_ *testing.T, l int) convoCall {
			return convoCall{"GET", "/api/threads/" + p.private + "?" + queryOf(sig[l]), nil}
		}, row{ok(200), ok(200), blind(200), blind(200), refused(401), blind(200)}},
		"GET /api/threads/user/{address}": {func(_ *testing.T, l int) convoCall {
			return convoCall{"GET", "/api/threads/user/" + p.member.w.addr + "?" + queryOf(sig[l]), nil}
		}, row{ok(200), ok(200), blind(200), blind(200), refused(401), blind(200)}},
		// A plain GET: 426 (no upgrade) once the reader may follow it.
		"GET /api/subscribe": {func(_ *testing.T, l int) convoCall {
			return convoCall{"GET", "/api/subscribe?threadId=" + p.private + "&" + queryOf(sig[l]), nil}
		}, row{ok(426), ok(426), refused(404), refused(404), refused(401), refused(404)}},
	}
	tried := 0
	for _, pat := range convo.Patterns() {
		tc, known := table[pat]
		if !known && strings.Contains(pat, " ") {
			t.Errorf("%s has no case in the authorization matrix", pat)
			continue
		}
		for l := range numLevels {
			var rq convoCall
			want := ok(404) // a method the path does not serve, for anyone
			if known {
				rq, want = tc.req(t, l), tc.want[l]
			} else {
				rq = fallbackCall(pat, "threadId="+p.private)
			}
			var headers []string
			switch l {
			case lvNoKey:
				headers = []string{"X-No-Key", "1"}
			case lvOperator:
				headers = []string{"Client-Secret", chattest.ClientSecret}
			}
			res := p.e.do(t, rq.method, rq.path, rq.body, headers...)
			tried++
			if res.status != want.status {
				t.Errorf("%s (%s %s) as %s = %d %s, want %d", pat, rq.method, rq.path, levelNames[l], res.status, res.body, want.status)
				continue
			}
			if want.blind && (bytes.Contains(res.body, []byte("inside")) || bytes.Contains(res.body, []byte(p.private))) {
				t.Errorf("%s as %s shows the private thread: %s", pat, levelNames[l], res.body)
			}
			if want.failed != bytes.Contains(res.body, []byte(`"success":false`)) && res.status == 200 {
				t.Errorf("%s as %s = %s, want success %v", pat, levelNames[l], res.body, !want.failed)
			}
		}
	}
	t.Logf("routes x levels tried: %d (%d patterns, %d levels)", tried, len(convo.Patterns()), numLevels)
}

func queryOf(s *signer) string {
	if s == nil {
		return ""
	}
	return s.query()
}

func bodyOf(s *signer, fields map[string]any) map[string]any {
	if s == nil {
		if fields == nil {
			return map[string]any{}
		}
		return fields
	}
	return s.body(fields)
}

// TestTokenMatrix: every route that takes a wallet token refuses forged,
// expired, foreign and other signers' tokens in The Convo Space's words
// (401 "Invalid Auth"; /api/vote 400 "signerAddress or token is
// missing/invalid."; /api/validateAuth 400 "Invalid Auth Token"), and every
// keyed route refuses a revoked or unknown API key (401 "Invalid API
// key, ...").
func TestTokenMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newProject(t, e, "Amethyst")
	// Forged tokens claim to be the moderator, sent with the moderator's
	// address.
	as := chattest.TokenClaims(t, p.mod.token)
	delete(as, "iat") // the moderator, in the member's token's time frame
	delete(as, "exp")
	bad, control := e.BadTokensFrom(t, p.member.token, as)
	other := e.withKey(e.newKey(t))
	bad = append(bad,
		chattest.BadToken{Name: sameWallet, Token: other.signIn(t, p.mod.w)},
		chattest.BadToken{Name: "another signer's token", Token: p.member.token})
	// Each route's request with a token, and its refusal.
	type refusal struct {
		status int
		text   string
	}
	invalidAuth := refusal{401, `"error":"Invalid Auth"`}
	table := map[string]struct {
		req  func(tok string) convoCall
		want refusal
	}{
		"GET /api/apikey": {func(tok string) convoCall { return convoCall{"GET", "/api/apikey?" + tokenQuery(tok, p.mod), nil} }, invalidAuth},
		"POST /api/apikey": {func(tok string) convoCall {
			return convoCall{"POST", "/api/apikey", map[string]any{"token": tok, "signerAddress": p.mod.w.addr}}
		}, invalidAuth},
		"POST /api/validateAuth": {func(tok string) convoCall {
			return convoCall{"POST", "/api/validateAuth", map[string]any{"token": tok, "signerAddress": p.mod.w.addr}}
		}, refusal{400, `"message":"Invalid Auth Token"`}},
		"GET /api/comments": {func(tok string) convoCall {
			return convoCall{"GET", "/api/comments?threadId=" + p.private + "&" + tokenQuery(tok, p.mod), nil}
		}, invalidAuth},
		"POST /api/comments": {func(tok string) convoCall {
			return convoCall{"POST", "/api/comments", map[string]any{"token": tok, "signerAddress": p.mod.w.addr, "comment": "x", "threadId": p.private, "url": "https://example.com/"}}
		}, invalidAuth},
		"PATCH /api/comments": {func(tok string) convoCall {
			return convoCall{"PATCH", "/api/comments", map[string]any{"token": tok, "signerAddress": p.mod.w.addr, "commentId": p.modNote, "comment": "x"}}
		}, invalidAuth},
		"DELETE /api/comments": {func(tok string) convoCall {
			return convoCall{"DELETE", "/api/comments", map[string]any{"token": tok, "signerAddress": p.mod.w.addr, "commentId": p.modNote}}
		}, invalidAuth},
		"GET /api/comment": {func(tok string) convoCall {
			return convoCall{"GET", "/api/comment?commentId=" + p.modNote + "&" + tokenQuery(tok, p.mod), nil}
		}, invalidAuth},
		"POST /api/vote": {func(tok string) convoCall {
			return convoCall{"POST", "/api/vote", map[string]any{"token": tok, "signerAddress": p.mod.w.addr, "commentId": p.comment, "type": "toggleUpvote"}}
		}, refusal{400, `"message":"signerAddress or token is missing/invalid."`}},
		"GET /api/threads": {func(tok string) convoCall {
			return convoCall{"GET", "/api/threads?threadId=" + p.private + "&" + tokenQuery(tok, p.mod), nil}
		}, invalidAuth},
		"POST /api/threads": {func(tok string) convoCall {
			return convoCall{"POST", "/api/threads", map[string]any{"token": tok, "signerAddress": p.mod.w.addr, "action": "updateTitle", "threadId": p.private, "title": "x"}}
		}, invalidAuth},
		"DELETE /api/threads": {func(tok string) convoCall {
			return convoCall{"DELETE", "/api/threads", map[string]any{"token": tok, "signerAddress": p.mod.w.addr, "threadId": p.private}}
		}, invalidAuth},
		"GET /api/threads/{ids}": {func(tok string) convoCall {
			return convoCall{"GET", "/api/threads/" + p.private + "?" + tokenQuery(tok, p.mod), nil}
		}, invalidAuth},
		"GET /api/threads/user/{address}": {func(tok string) convoCall {
			return convoCall{"GET", "/api/threads/user/" + p.member.w.addr + "?" + tokenQuery(tok, p.mod), nil}
		}, invalidAuth},
		"GET /api/subscribe": {func(tok string) convoCall {
			return convoCall{"GET", "/api/subscribe?threadId=" + p.private + "&" + tokenQuery(tok, p.mod), nil}
		}, invalidAuth},
	}
	if res := e.do(t, "GET", "/api/comment?commentId="+p.modNote+"&"+tokenQuery(control, p.mod), nil); res.status != 200 {
		t.Fatalf("the control token is refused: %d %s", res.status, res.body)
	}
	// API keys: a revoked one (a signer's key before its rotation) and one
	// no project has.
	first := e.do(t, "POST", "/api/apikey", p.outside.body(nil), "X-No-Key", "1").json(t)["activeKey"].(string)
	e.do(t, "POST", "/api/apikey", p.outside.body(nil), "X-No-Key", "1")
	keys := []chattest.BadToken{{Name: "revoked key", Token: first}, {Name: "unknown key", Token: "CS" + strings.Repeat("x", 38)}, {Name: "garbage key", Token: "garbage"}}

	tried := 0
	keyed := 0
	for _, pat := range convo.Patterns() {
		tc, ok := table[pat]
		if ok {
			for _, bt := range bad {
				if bt.Name == sameWallet && strings.HasSuffix(pat, "/api/apikey") {
					continue // no project key: the token names its project, whose keys these are
				}
				rq := tc.req(bt.Token)
				res := e.do(t, rq.method, rq.path, rq.body)
				tried++
				if res.status != tc.want.status || !bytes.Contains(res.body, []byte(tc.want.text)) {
					t.Errorf("%s with %s = %d %s, want %d %s", pat, bt.Name, res.status, res.body, tc.want.status, tc.want.text)
				}
			}
		}
		if !strings.Contains(pat, " ") || slices.Contains([]string{"GET /api/ping", "GET /api/widget.js", "GET /api/apikey", "POST /api/apikey"}, pat) {
			continue // no key needed
		}
		if !ok && !slices.Contains([]string{"POST /api/auth", "POST /api/authV2"}, pat) {
			t.Errorf("%s has no case in the token matrix", pat)
			continue
		}
		keyed++
		for _, k := range keys {
			path := strings.NewReplacer("{ids}", p.private, "{address}", p.member.w.addr).Replace(strings.SplitN(pat, " ", 2)[1])
			res := e.do(t, strings.SplitN(pat, " ", 2)[0], path, map[string]any{}, "X-No-Key", "1", "X-Api-Key", k.Token)
			tried++
			if res.status != 401 || !bytes.Contains(res.body, []byte(`"error":"Invalid API key,`)) {
				t.Errorf("%s with a %s = %d %s, want 401 Invalid API key", pat, k.Name, res.status, res.body)
			}
		}
	}
	t.Logf("routes x credentials tried: %d (%d tokens on %d routes, %d keys on %d keyed routes)", tried, len(bad), len(table), len(keys), keyed)
}

// sameWallet names the token the moderator's wallet got in another
// project.
const sameWallet = "the same wallet's token of another project"

// tokenQuery is tok with the signer's address, as a query string.
func tokenQuery(tok string, s signer) string {
	return "token=" + url.QueryEscape(tok) + "&signerAddress=" + s.w.addr
}
