package botyard_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/botyard"
)

// The reliability matrices: tenant isolation, authorization per level, and
// refused credentials, over every pattern of botyard.Patterns().

// creds are the headers a caller sends: its session cookie, its
// Authorization header (a bot key, the client secret or a Parley token).
type creds struct{ cookie, auth string }

// call is one request to the surface: body is JSON unless it is a
// *multipart.Writer's output (files set).
type call struct {
	method, path string
	body         any
	files        bool
}

func (ts *testServer) send(t *testing.T, c creds, rq call) (int, []byte) {
	t.Helper()
	var body io.Reader
	ctype := "application/json"
	switch b := rq.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(j)
	}
	if rq.files {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="note.txt"`)
		h.Set("Content-Type", "text/plain")
		w, _ := mw.CreatePart(h)
		fmt.Fprint(w, rq.body)
		mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	}
	req, err := http.NewRequest(rq.method, ts.srv.URL+rq.path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if c.cookie != "" {
		req.Header.Set("Cookie", "token="+c.cookie)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// mustSend is send that fails the test on a status of 300 or more, and
// decodes the answer.
func (ts *testServer) mustSend(t *testing.T, c creds, rq call) any {
	t.Helper()
	status, body := ts.send(t, c, rq)
	if status >= 300 {
		t.Fatalf("%s %s: %d %s", rq.method, rq.path, status, body)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s %s: %s: %v", rq.method, rq.path, body, err)
	}
	return v
}

// tenant is one org on the bot platform, populated through the surface: a
// bot with a command and a webhook, a user, the user's chat with the bot,
// a message each way with a file attached to each.
type tenant struct {
	ts       *testServer
	tag      string
	admin    creds // the admin API's credential: the client secret or an org admin's token
	user     creds // the user's session
	bot      creds // the bot's key
	names    []string
	userID   string
	botID    string
	cmd      string
	chat     string
	msgs     []string
	files    []string
	paths    []string // the files' static paths
	webhook  string
	orgAdmin string // an org admin's Parley token, as a session (the default org's only)
}

// newTenant populates an org. admin is its admin API credential; session
// returns its user's session token and id (nil: sign up in the default
// org with a nickname).
func newTenant(t *testing.T, ts *testServer, tag string, admin creds, session func() (string, string)) *tenant {
	t.Helper()
	tn := &tenant{ts: ts, tag: tag, admin: admin, webhook: "http://127.0.0.1:9/" + strings.ToLower(tag)}
	bot := ts.mustSend(t, admin, call{"POST", "/v1/admin-api/bot", map[string]string{"name": tag + " Bot", "description": tag + " helps"}, false}).(map[string]any)
	tn.botID, tn.bot = bot["bot"].(map[string]any)["id"].(string), creds{auth: bot["key"].(string)}
	tn.names = append(tn.names, tag+" Bot")
	ts.mustSend(t, tn.bot, call{"POST", "/v1/bot-api/bot/commands", []map[string]string{{"alias": strings.ToLower(tag) + "-cmd", "description": tag + " does"}}, false})
	tn.cmd = ts.mustSend(t, tn.bot, call{"GET", "/v1/bot-api/bot/commands", nil, false}).([]any)[0].(map[string]any)["id"].(string)
	ts.mustSend(t, tn.bot, call{"POST", "/v1/bot-api/bot/webhook", map[string]string{"url": tn.webhook, "secret": tag + "-secret"}, false})
	if session == nil {
		status, body, cookie := ts.signUp(t, tag+" User")
		if status != 201 {
			t.Fatalf("sign up: %d %s", status, body)
		}
		var u map[string]any
		json.Unmarshal(body, &u)
		tn.user, tn.userID = creds{cookie: cookie}, u["id"].(string)
		tn.names = append(tn.names, tag+" User")
	} else {
		tok, name := session()
		tn.user = creds{cookie: tok}
		tn.userID = ts.mustSend(t, tn.user, call{"GET", "/v1/client-api/user", nil, false}).(map[string]any)["id"].(string)
		tn.names = append(tn.names, name)
	}
	tn.chat = ts.mustSend(t, tn.user, call{"POST", "/v1/client-api/chat", map[string]string{"botId": tn.botID}, false}).(map[string]any)["id"].(string)
	for _, who := range []creds{tn.user, tn.bot} {
		api := "/v1/client-api"
		if who == tn.bot {
			api = "/v1/bot-api"
		}
		f := ts.mustSend(t, who, call{"POST", api + "/files", tag + " file contents", true}).([]any)[0].(map[string]any)
		tn.files, tn.paths = append(tn.files, f["id"].(string)), append(tn.paths, "/"+f["path"].(string))
		m := ts.mustSend(t, who, call{"POST", api + "/chat/message", map[string]any{"chatId": tn.chat, "body": tag + " says hi", "attachmentIds": []string{f["id"].(string)}}, false})
		tn.msgs = append(tn.msgs, m.(map[string]any)["id"].(string))
	}
	return tn
}

// signUp creates a user with a nickname in the default org.
func (ts *testServer) signUp(t *testing.T, nickname string) (int, []byte, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.srv.URL+"/v1/client-api/user", strings.NewReader(`{"nickname":"`+nickname+`"}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, c := range res.Cookies() {
		if c.Name == "token" {
			return res.StatusCode, b, c.Value
		}
	}
	return res.StatusCode, b, ""
}

// orgSession returns a session in org for a new member of level named
// name.
func (ts *testServer) orgSession(t *testing.T, org *chat.Org, name string, level chat.Level) func() (string, string) {
	return func() (string, string) {
		a := ts.env.MustUser(t, org, name, level)
		return ts.token(t, a), name
	}
}

func (ts *testServer) token(t *testing.T, a chat.Actor) string {
	t.Helper()
	u, err := ts.env.Me(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := ts.env.IssueToken(u)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// secrets are the strings of the org no other org may see.
func (tn *tenant) secrets() []string {
	out := append([]string{tn.tag, tn.userID, tn.botID, tn.cmd, tn.chat, tn.webhook}, tn.names...)
	out = append(out, tn.msgs...)
	out = append(out, tn.files...)
	for _, p := range tn.paths {
		out = append(out, p[strings.LastIndex(p, "/")+1:])
	}
	return out
}

// snapshot is everything the org's own user, bot and admin read of it.
func (tn *tenant) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	read := func(c creds, path string) {
		status, body := tn.ts.send(t, c, call{"GET", path, nil, false})
		fmt.Fprintf(&b, "%s %d %s\n", path, status, body)
	}
	for _, p := range []string{"/v1/client-api/user", "/v1/client-api/bots", "/v1/client-api/bot/" + tn.botID, "/v1/client-api/bot/" + tn.botID + "/commands",
		"/v1/client-api/chats?bot_id=" + tn.botID, "/v1/client-api/chat/" + tn.chat + "/messages?limit=100"} {
		read(tn.user, p)
	}
	for _, p := range []string{"/v1/bot-api/bot", "/v1/bot-api/bot/commands", "/v1/bot-api/bot/webhook", "/v1/bot-api/chats?user_id=" + tn.userID,
		"/v1/bot-api/chat/message/" + tn.msgs[0], "/v1/bot-api/chat/" + tn.chat + "/messages?limit=100"} {
		read(tn.bot, p)
	}
	read(tn.admin, "/v1/admin-api/bot/"+tn.botID+"/key")
	for _, p := range tn.paths {
		read(tn.user, p)
	}
	return b.String()
}

// newTenants returns the default org and another org of one server, both
// populated: the default org's admin API credential is the client secret,
// the other's its owner's token.
func newTenants(t *testing.T) (*testServer, *tenant, *tenant) {
	t.Helper()
	ts := newTestServer(t, "")
	a := newTenant(t, ts, "Amethyst", creds{auth: chattest.ClientSecret}, nil)
	org, owner := ts.env.MustOrg(t)
	b := newTenant(t, ts, "Basalt", creds{auth: ts.token(t, owner)}, ts.orgSession(t, org, "bianca", chat.LevelMember))
	return ts, a, b
}

// request builds a pattern's request naming the victim's things; fresh
// things it uses up are made before it is sent.
type request func(t *testing.T, victim, caller *tenant) (creds, call)

// api picks the caller's credential for a path.
func api(c *tenant, path string) creds {
	switch {
	case strings.HasPrefix(path, "/v1/bot-api/"):
		return c.bot
	case strings.HasPrefix(path, "/v1/admin-api/"):
		return c.admin
	}
	return c.user
}

func get(path func(v *tenant) string) request {
	return func(_ *testing.T, v, c *tenant) (creds, call) {
		p := path(v)
		return api(c, p), call{"GET", p, nil, false}
	}
}

func with(method string, path func(v *tenant) string, body func(v *tenant) any) request {
	return func(_ *testing.T, v, c *tenant) (creds, call) {
		p := path(v)
		var b any
		if body != nil {
			b = body(v)
		}
		return api(c, p), call{method, p, b, false}
	}
}

func fixed(p string) func(*tenant) string { return func(*tenant) string { return p } }

// TestTenantIsolation: with another org's session, bot key and admin
// credential and this org's ids, no route reads, changes or reveals
// anything of this org.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ts, a, b := newTenants(t)
	// Every pattern's request, and the statuses that refuse it (or, for
	// the routes that name nothing of another org, that answer the caller
	// about its own org).
	table := map[string]struct {
		req  request
		want []int
	}{
		"GET /v1/client-api/service-info":       {get(fixed("/v1/client-api/service-info")), []int{200}},
		"GET /v1/client-api/bots":               {get(fixed("/v1/client-api/bots")), []int{200}},
		"GET /v1/client-api/bot/{id}":           {get(func(v *tenant) string { return "/v1/client-api/bot/" + v.botID }), []int{404}},
		"POST /v1/client-api/user":              {with("POST", fixed("/v1/client-api/user"), func(v *tenant) any { return map[string]string{"nickname": "Mallory"} }), []int{201}},
		"GET /v1/client-api/user":               {get(fixed("/v1/client-api/user")), []int{200}},
		"GET /v1/client-api/bot/{id}/commands":  {get(func(v *tenant) string { return "/v1/client-api/bot/" + v.botID + "/commands" }), []int{404}},
		"POST /v1/client-api/chat":              {with("POST", fixed("/v1/client-api/chat"), func(v *tenant) any { return map[string]string{"botId": v.botID} }), []int{404}},
		"GET /v1/client-api/chats":              {get(func(v *tenant) string { return "/v1/client-api/chats?bot_id=" + v.botID }), []int{404}},
		"DELETE /v1/client-api/chat/{id}":       {with("DELETE", func(v *tenant) string { return "/v1/client-api/chat/" + v.chat }, nil), []int{404}},
		"POST /v1/client-api/chat/message":      {with("POST", fixed("/v1/client-api/chat/message"), func(v *tenant) any { return map[string]any{"chatId": v.chat, "body": "x"} }), []int{404}},
		"GET /v1/client-api/chat/{id}/messages": {get(func(v *tenant) string { return "/v1/client-api/chat/" + v.chat + "/messages" }), []int{404}},
		"POST /v1/client-api/files": {func(_ *testing.T, v, c *tenant) (creds, call) {
			return c.user, call{"POST", "/v1/client-api/files", "mine", true}
		}, []int{200}},
		"/v1/client-api/":                     {get(func(v *tenant) string { return "/v1/client-api/chat/" + v.chat }), []int{404}},
		"GET /v1/bot-api/bot":                 {get(fixed("/v1/bot-api/bot")), []int{200}},
		"PUT /v1/bot-api/bot":                 {with("PUT", fixed("/v1/bot-api/bot"), func(v *tenant) any { return map[string]string{"description": "mine"} }), []int{200}},
		"GET /v1/bot-api/bot/commands":        {get(fixed("/v1/bot-api/bot/commands")), []int{200}},
		"POST /v1/bot-api/bot/commands":       {with("POST", fixed("/v1/bot-api/bot/commands"), func(v *tenant) any { return []map[string]string{{"alias": "mine"}} }), []int{201}},
		"DELETE /v1/bot-api/bot/command/{id}": {with("DELETE", func(v *tenant) string { return "/v1/bot-api/bot/command/" + v.cmd }, nil), []int{404}},
		"POST /v1/bot-api/bot/webhook":        {with("POST", fixed("/v1/bot-api/bot/webhook"), func(v *tenant) any { return map[string]string{"url": "http://127.0.0.1:9/mine"} }), []int{200}},
		"GET /v1/bot-api/bot/webhook":         {get(fixed("/v1/bot-api/bot/webhook")), []int{200}},
		"DELETE /v1/bot-api/bot/webhook":      {with("DELETE", fixed("/v1/bot-api/bot/webhook"), nil), []int{200}},
		"GET /v1/bot-api/chats":               {get(func(v *tenant) string { return "/v1/bot-api/chats?user_id=" + v.userID }), []int{200, 404}}, // Botyard lists a bot\'s chats with any user id: []
		"GET /v1/bot-api/chat/{a}/{b}":        {get(func(v *tenant) string { return "/v1/bot-api/chat/message/" + v.msgs[0] }), []int{404}},
		"POST /v1/bot-api/chat/message":       {with("POST", fixed("/v1/bot-api/chat/message"), func(v *tenant) any { return map[string]any{"chatId": v.chat, "body": "x"} }), []int{404}},
		"POST /v1/bot-api/files": {func(_ *testing.T, v, c *tenant) (creds, call) {
			return c.bot, call{"POST", "/v1/bot-api/files", "mine", true}
		}, []int{200}},
		"GET /v1/bot-api/updates":        {get(fixed("/v1/bot-api/updates?timeout=0")), []int{200, 409}}, // 409: a webhook takes them
		"/v1/bot-api/":                   {get(func(v *tenant) string { return "/v1/bot-api/chat/" + v.chat }), []int{404}},
		"POST /v1/admin-api/bot":         {with("POST", fixed("/v1/admin-api/bot"), func(v *tenant) any { return map[string]string{"name": "Mine"} }), []int{201}},
		"DELETE /v1/admin-api/bot/{id}":  {with("DELETE", func(v *tenant) string { return "/v1/admin-api/bot/" + v.botID }, nil), []int{404}},
		"GET /v1/admin-api/bot/{id}/key": {get(func(v *tenant) string { return "/v1/admin-api/bot/" + v.botID + "/key" }), []int{404}},
		"PUT /v1/admin-api/bot/{id}/key": {with("PUT", func(v *tenant) string { return "/v1/admin-api/bot/" + v.botID + "/key" }, nil), []int{404}},
		"PUT /v1/admin-api/config":       {with("PUT", fixed("/v1/admin-api/config"), nil), []int{200, 403}}, // the operator's alone
		"/v1/admin-api/":                 {get(func(v *tenant) string { return "/v1/admin-api/bot/" + v.botID }), []int{404}},
		"GET /static/{folder}/{name}":    {func(_ *testing.T, v, c *tenant) (creds, call) { return c.user, call{"GET", v.paths[0], nil, false} }, []int{404}},
	}
	// More requests for the patterns that take another org's ids in more
	// than one place.
	extra := map[string][]request{
		"GET /v1/bot-api/chat/{a}/{b}": {get(func(v *tenant) string { return "/v1/bot-api/chat/" + v.chat + "/messages" })},
		"GET /static/{folder}/{name}": {func(_ *testing.T, v, c *tenant) (creds, call) {
			return c.bot, call{"GET", v.paths[1], nil, false}
		}},
		"POST /v1/client-api/chat/message": {func(_ *testing.T, v, c *tenant) (creds, call) {
			// The caller's own chat, the victim's file: refused, or sent without it.
			return c.user, call{"POST", "/v1/client-api/chat/message", map[string]any{"chatId": c.chat, "body": "x", "attachmentIds": v.files}, false}
		}},
		"GET /v1/client-api/chat/{id}/messages": {get(func(v *tenant) string {
			return "/v1/client-api/chat/" + v.chat + "/messages?sender_id=" + v.botID
		})},
	}
	tried := 0
	for _, dir := range []struct{ victim, caller *tenant }{{a, b}, {b, a}} {
		v, c := dir.victim, dir.caller
		before := v.snapshot(t)
		for _, p := range botyard.Patterns() {
			tc, ok := table[p]
			if !ok {
				t.Errorf("%s has no case in the tenant matrix", p)
				continue
			}
			for i, req := range append([]request{tc.req}, extra[p]...) {
				cr, rq := req(t, v, c)
				status, body := ts.send(t, cr, rq)
				tried++
				want := tc.want
				if i > 0 {
					want = []int{403, 404}
					if p == "POST /v1/client-api/chat/message" {
						want = []int{201, 403, 404}
					}
				}
				if !slices.Contains(want, status) {
					t.Errorf("%s (%s %s) by %s = %d %s, want one of %v", p, rq.method, rq.path, c.tag, status, body, want)
				}
				// The catch-alls' "Cannot GET <path>" echoes what the caller sent.
				body = bytes.ReplaceAll(body, []byte(rq.path), nil)
				assertNoLeak(t, fmt.Sprintf("%s by %s", p, c.tag), body, v.secrets())
			}
		}
		if after := v.snapshot(t); after != before {
			t.Errorf("%s's state changed under %s's requests:\nbefore %s\nafter  %s", v.tag, c.tag, before, after)
		}
	}
	t.Logf("routes x orgs tried: %d (%d patterns, 2 directions)", tried, len(botyard.Patterns()))
}

// assertNoLeak fails if body holds any of secrets.
func assertNoLeak(t *testing.T, what string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && bytes.Contains(bytes.ToLower(body), bytes.ToLower([]byte(s))) {
			t.Errorf("%s reveals %q: %s", what, s, body)
		}
	}
}

// level is who calls, with the credential it has: the operator's client
// secret, an org admin's token (as session and as admin credential), a
// user's session, a bot's key, or nothing.
type level int

const (
	levelOperator level = iota
	levelOrgAdmin
	levelUser
	levelBot
	levelAnon
	numLevels
)

var levelNames = [numLevels]string{"operator", "org admin", "user", "bot", "anonymous"}

// TestAuthorizationMatrix: every route against every level of the default
// org, with the statuses of reference/botyard.md §1.2-1.5 and
// internal/chat/policy.go: the client API takes the session (401 without),
// the bot API the bot's key (403 without), the admin API the client secret
// or an org admin's token (403 without); a chat is its user's and its
// bot's alone (403 "not related" to anyone else of the org, admins too).
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, "")
	tn := newTenant(t, ts, "Amethyst", creds{auth: chattest.ClientSecret}, nil)
	adminTok := ts.token(t, ts.env.MustUser(t, ts.org, "boss", chat.LevelAdmin))
	cred := [numLevels]creds{
		levelOperator: {auth: chattest.ClientSecret},
		levelOrgAdmin: {cookie: adminTok, auth: "Bearer " + adminTok},
		levelUser:     tn.user,
		levelBot:      tn.bot,
	}
	type want [numLevels]int // operator, org admin, user, bot, anonymous
	var (
		public  = func(s int) want { return want{s, s, s, s, s} }
		client  = func(s int) want { return want{401, s, s, 401, 401} }
		ownChat = func(s int) want { return want{401, 403, s, 401, 401} }
		botAPI  = func(s int) want { return want{403, 403, 403, s, 403} }
		admin   = func(s int) want { return want{s, s, 403, 403, 403} }
	)
	// freshBot makes a bot to delete or re-key.
	freshBot := func(t *testing.T) string {
		return ts.mustSend(t, tn.admin, call{"POST", "/v1/admin-api/bot", map[string]string{"name": "Spare"}, false}).(map[string]any)["bot"].(map[string]any)["id"].(string)
	}
	table := map[string]struct {
		req  func(t *testing.T) call
		want want
	}{
		"GET /v1/client-api/service-info": {func(*testing.T) call { return call{"GET", "/v1/client-api/service-info", nil, false} }, public(200)},
		"GET /v1/client-api/bots":         {func(*testing.T) call { return call{"GET", "/v1/client-api/bots", nil, false} }, public(200)},
		"GET /v1/client-api/bot/{id}":     {func(*testing.T) call { return call{"GET", "/v1/client-api/bot/" + tn.botID, nil, false} }, public(200)},
		"POST /v1/client-api/user": {func(*testing.T) call {
			return call{"POST", "/v1/client-api/user", map[string]string{"nickname": "Newcomer"}, false}
		}, public(201)},
		"GET /v1/client-api/user":              {func(*testing.T) call { return call{"GET", "/v1/client-api/user", nil, false} }, client(200)},
		"GET /v1/client-api/bot/{id}/commands": {func(*testing.T) call { return call{"GET", "/v1/client-api/bot/" + tn.botID + "/commands", nil, false} }, client(200)},
		"POST /v1/client-api/chat": {func(*testing.T) call {
			return call{"POST", "/v1/client-api/chat", map[string]string{"botId": tn.botID}, false}
		}, client(201)},
		"GET /v1/client-api/chats": {func(*testing.T) call { return call{"GET", "/v1/client-api/chats?bot_id=" + tn.botID, nil, false} }, client(200)},
		"DELETE /v1/client-api/chat/{id}": {func(t *testing.T) call {
			id := ts.mustSend(t, tn.user, call{"POST", "/v1/client-api/chat", map[string]string{"botId": tn.botID}, false}).(map[string]any)["id"].(string)
			return call{"DELETE", "/v1/client-api/chat/" + id, nil, false}
		}, ownChat(200)},
		"POST /v1/client-api/chat/message": {func(*testing.T) call {
			return call{"POST", "/v1/client-api/chat/message", map[string]string{"chatId": tn.chat, "body": "hi"}, false}
		}, ownChat(201)},
		"GET /v1/client-api/chat/{id}/messages": {func(*testing.T) call { return call{"GET", "/v1/client-api/chat/" + tn.chat + "/messages", nil, false} }, ownChat(200)},
		"POST /v1/client-api/files":             {func(*testing.T) call { return call{"POST", "/v1/client-api/files", "text", true} }, client(200)},
		"/v1/client-api/":                       {func(*testing.T) call { return call{"GET", "/v1/client-api/nothing", nil, false} }, public(404)},
		"GET /v1/bot-api/bot":                   {func(*testing.T) call { return call{"GET", "/v1/bot-api/bot", nil, false} }, botAPI(200)},
		"PUT /v1/bot-api/bot": {func(*testing.T) call {
			return call{"PUT", "/v1/bot-api/bot", map[string]string{"description": "edited"}, false}
		}, botAPI(200)},
		"GET /v1/bot-api/bot/commands": {func(*testing.T) call { return call{"GET", "/v1/bot-api/bot/commands", nil, false} }, botAPI(200)},
		"POST /v1/bot-api/bot/commands": {func(*testing.T) call {
			return call{"POST", "/v1/bot-api/bot/commands", []map[string]string{{"alias": "more"}}, false}
		}, botAPI(201)},
		"DELETE /v1/bot-api/bot/command/{id}": {func(t *testing.T) call {
			ts.mustSend(t, tn.bot, call{"POST", "/v1/bot-api/bot/commands", []map[string]string{{"alias": "spare"}}, false})
			cmds := ts.mustSend(t, tn.bot, call{"GET", "/v1/bot-api/bot/commands", nil, false}).([]any)
			return call{"DELETE", "/v1/bot-api/bot/command/" + cmds[len(cmds)-1].(map[string]any)["id"].(string), nil, false}
		}, botAPI(200)},
		"POST /v1/bot-api/bot/webhook": {func(*testing.T) call {
			return call{"POST", "/v1/bot-api/bot/webhook", map[string]string{"url": tn.webhook}, false}
		}, botAPI(200)},
		"GET /v1/bot-api/bot/webhook": {func(t *testing.T) call {
			ts.mustSend(t, tn.bot, call{"POST", "/v1/bot-api/bot/webhook", map[string]string{"url": tn.webhook}, false})
			return call{"GET", "/v1/bot-api/bot/webhook", nil, false}
		}, botAPI(200)},
		"DELETE /v1/bot-api/bot/webhook": {func(t *testing.T) call {
			ts.mustSend(t, tn.bot, call{"POST", "/v1/bot-api/bot/webhook", map[string]string{"url": tn.webhook}, false})
			return call{"DELETE", "/v1/bot-api/bot/webhook", nil, false}
		}, botAPI(200)},
		"GET /v1/bot-api/chats":        {func(*testing.T) call { return call{"GET", "/v1/bot-api/chats?user_id=" + tn.userID, nil, false} }, botAPI(200)},
		"GET /v1/bot-api/chat/{a}/{b}": {func(*testing.T) call { return call{"GET", "/v1/bot-api/chat/message/" + tn.msgs[0], nil, false} }, botAPI(200)},
		"POST /v1/bot-api/chat/message": {func(*testing.T) call {
			return call{"POST", "/v1/bot-api/chat/message", map[string]string{"chatId": tn.chat, "body": "hi"}, false}
		}, botAPI(201)},
		"POST /v1/bot-api/files": {func(*testing.T) call { return call{"POST", "/v1/bot-api/files", "text", true} }, botAPI(200)},
		"GET /v1/bot-api/updates": {func(t *testing.T) call {
			ts.send(t, tn.bot, call{"DELETE", "/v1/bot-api/bot/webhook", nil, false}) // a bot with a webhook polls nothing (409)
			return call{"GET", "/v1/bot-api/updates?timeout=0", nil, false}
		}, botAPI(200)},
		"/v1/bot-api/": {func(*testing.T) call { return call{"GET", "/v1/bot-api/nothing", nil, false} }, public(404)},
		"POST /v1/admin-api/bot": {func(*testing.T) call {
			return call{"POST", "/v1/admin-api/bot", map[string]string{"name": "Another"}, false}
		}, admin(201)},
		"DELETE /v1/admin-api/bot/{id}":  {func(t *testing.T) call { return call{"DELETE", "/v1/admin-api/bot/" + freshBot(t), nil, false} }, admin(200)},
		"GET /v1/admin-api/bot/{id}/key": {func(*testing.T) call { return call{"GET", "/v1/admin-api/bot/" + tn.botID + "/key", nil, false} }, admin(200)},
		"PUT /v1/admin-api/bot/{id}/key": {func(t *testing.T) call { return call{"PUT", "/v1/admin-api/bot/" + freshBot(t) + "/key", nil, false} }, admin(200)},
		// Only the operator reloads the server's configuration.
		"PUT /v1/admin-api/config": {func(*testing.T) call { return call{"PUT", "/v1/admin-api/config", nil, false} }, want{200, 403, 403, 403, 403}},
		"/v1/admin-api/":           {func(*testing.T) call { return call{"GET", "/v1/admin-api/nothing", nil, false} }, public(404)},
		// A file's path is its capability, in its org (canOpenFileByPath).
		"GET /static/{folder}/{name}": {func(*testing.T) call { return call{"GET", tn.paths[0], nil, false} }, public(200)},
	}
	tried := 0
	for _, p := range botyard.Patterns() {
		tc, ok := table[p]
		if !ok {
			t.Errorf("%s has no case in the authorization matrix", p)
			continue
		}
		for l := range numLevels {
			rq := tc.req(t)
			status, body := ts.send(t, cred[l], rq)
			tried++
			if status != tc.want[l] {
				t.Errorf("%s (%s %s) as %s = %d %s, want %d", p, rq.method, rq.path, levelNames[l], status, body, tc.want[l])
			}
		}
	}
	t.Logf("routes x levels tried: %d (%d patterns, %d levels)", tried, len(botyard.Patterns()), numLevels)
}

// TestTokenMatrix: every authenticated route refuses forged, expired and
// foreign credentials in Botyard's words: the client API's session with 401
// "User is unauthorized.", the admin API's token with 403 "Access denied."
// and the bot API's key (revoked, unknown, or a token) with 403 "Invalid
// bot key." (reference/botyard.md §1.2).
func TestTokenMatrix(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, "")
	tn := newTenant(t, ts, "Amethyst", creds{auth: chattest.ClientSecret}, nil)
	admin := ts.env.MustUser(t, ts.org, "boss", chat.LevelAdmin)
	// Forged tokens claim to be the org admin, from the user's session.
	bad, control := ts.env.BadTokensFrom(t, tn.user.cookie, map[string]any{"sub": strconv.FormatInt(int64(admin.UserID), 10)})
	if status, body := ts.send(t, creds{auth: control}, call{"GET", "/v1/admin-api/bot/" + tn.botID + "/key", nil, false}); status != 200 {
		t.Fatalf("the control token is refused: %d %s", status, body)
	}
	// The bot API's keys: a revoked one (the key before a rotation), one
	// of a bot that does not exist, one with another bot's id.
	old := ts.mustSend(t, tn.admin, call{"POST", "/v1/admin-api/bot", map[string]string{"name": "Rotated"}, false}).(map[string]any)
	oldKey := old["key"].(string)
	ts.mustSend(t, tn.admin, call{"PUT", "/v1/admin-api/bot/" + old["bot"].(map[string]any)["id"].(string) + "/key", nil, false})
	_, secret, _ := strings.Cut(tn.bot.auth, ":")
	otherID, _, _ := strings.Cut(oldKey, ":")
	botKeys := append([]chattest.BadToken{
		{Name: "revoked key", Token: oldKey},
		{Name: "unknown bot", Token: "01hc76p6ma76qfrs0bfr5x2pry:" + secret},
		{Name: "another bot's id", Token: otherID + ":" + secret},
		{Name: "no colon", Token: secret},
	}, bad...)
	tried := 0
	for _, p := range botyard.Patterns() {
		method, path, ok := strings.Cut(p, " ")
		if !ok || public(p) {
			continue // the catch-alls and public routes take no credential
		}
		path = strings.NewReplacer("{id}", tn.botID, "{a}", "message", "{b}", tn.msgs[0]).Replace(path)
		var creds func(string) creds
		var status int
		var text string
		tokens := bad
		switch {
		case strings.HasPrefix(path, "/v1/client-api/"):
			creds, status, text = sessionCreds, 401, "User is unauthorized."
		case strings.HasPrefix(path, "/v1/bot-api/"):
			creds, status, text, tokens = authCreds, 403, "Invalid bot key.", botKeys
		case strings.HasPrefix(path, "/v1/admin-api/"):
			creds, status, text = authCreds, 403, "Access denied."
		default:
			continue
		}
		for _, bt := range tokens {
			st, body := ts.send(t, creds(bt.Token), call{method, path, nil, false})
			tried++
			if st != status || !bytes.Contains(body, []byte(`"message":"`+text+`"`)) {
				t.Errorf("%s with %s = %d %s, want %d %q", p, bt.Name, st, body, status, text)
			}
		}
	}
	t.Logf("routes x credentials tried: %d (%d tokens, %d bot keys)", tried, len(bad), len(botKeys))
}

func sessionCreds(tok string) creds { return creds{cookie: tok} }
func authCreds(tok string) creds    { return creds{auth: tok} }

// public reports whether a pattern needs no credential (a bad one is
// ignored: the caller is an anonymous visitor).
func public(p string) bool {
	return slices.Contains([]string{"GET /v1/client-api/service-info", "GET /v1/client-api/bots", "GET /v1/client-api/bot/{id}",
		"POST /v1/client-api/user", "GET /static/{folder}/{name}"}, p)
}
