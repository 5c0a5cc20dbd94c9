package forge_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/forge"
)

// The matrices below walk every pattern of forge.Patterns() (each route with
// and without its trailing slash) with one table, routeMatrix: each row
// builds the route's request against a tenant's data and gives the status
// each level of caller must get. TestAuthorizationMatrix (each level acting
// on its own org), TestTenantIsolationMatrix (another org's users aiming at
// the org's ids) and TestTokenMatrix (forged and broken JWTs) read it.
//
// ConvoForge has roles with flags rather than levels; the levels map onto
// them as: owner, the org's first user holding the bootstrap's Administrator
// role; admin, a role with administrator; mod, a role with manage_users,
// manage_channels and manage_roles; member, a plain role granted the
// tenant's channel; bot, a bot user with no role at all; anonymous, no
// Authorization header.

type level int

const (
	owner level = iota
	admin
	mod
	member
	bot
	anon
	numLevels
)

var levelNames = [numLevels]string{"owner", "admin", "mod", "member", "bot (no role)", "anonymous"}

func (l level) String() string { return levelNames[l] }

// statuses is the status each level gets, in level order: owner, admin,
// mod, member, bot, anonymous.
type statuses [numLevels]int

var (
	everyone   = statuses{200, 200, 200, 200, 200, 200}
	signedIn   = statuses{200, 200, 200, 200, 200, 401}
	managers   = statuses{200, 200, 200, 403, 403, 401} // manage_channels, manage_roles or manage_users
	adminsOnly = statuses{200, 200, 403, 403, 403, 401} // administrator
	readers    = statuses{200, 200, 200, 200, 403, 401} // channel read access (the bot has none)
	noSecret   = statuses{400, 400, 400, 400, 400, 400} // Client-Secret routes: a JWT stands in for nothing
)

// Answers another org's users may get.
const (
	// crossAny: the call names nothing of the other org's but in a filter or
	// a public check, so any answer but a 5xx will do, provided nothing of
	// the other org shows.
	crossAny = -1
	// crossCapability: GET /media/o/... serves whoever holds a media URL, as
	// the original's public-read bucket did (doc.go, "Deviations").
	crossCapability = -2
)

// call is one request of the matrix; path is the route's slashed form.
type call struct {
	path   string
	body   any // JSON, or a file
	header http.Header
}

// file is a multipart body with one file in the field "file".
type file struct{ name, ctype, content string }

type routeCase struct {
	pattern string // as routes.go declares it
	call    func(t *testing.T, o *tenant) call
	want    statuses
	// cross is the status another org's users get when the call names this
	// org's ids (zero: 403 or 404), crossAny or crossCapability.
	cross int
}

// routeMatrix has one row per route of forge.Patterns(). Expectations come
// from reference/forge.md 3.4 and 3.5, doc.go's deviations and policy.go.
var routeMatrix = []routeCase{
	{"POST /auth/organization", func(t *testing.T, o *tenant) call { return call{path: "/auth/organization"} }, noSecret, 400},
	{"POST /auth/secret", func(t *testing.T, o *tenant) call {
		return call{path: "/auth/secret", body: map[string]any{"username": "someone", "display_name": "Someone", "slug": o.slug}}
	}, noSecret, 400},
	// Whether an org exists is public, given its UUID.
	{"GET /organization/", func(t *testing.T, o *tenant) call { return call{path: "/organization/?slug=" + o.slug} }, everyone, crossAny},
	{"GET /organization/all", func(t *testing.T, o *tenant) call { return call{path: "/organization/all"} }, noSecret, 400},

	{"GET /channel/", func(t *testing.T, o *tenant) call { return call{path: "/channel/"} }, signedIn, crossAny},
	{"POST /channel/", func(t *testing.T, o *tenant) call {
		return call{path: "/channel/", body: map[string]any{"name": "created", "description": "new"}}
	}, managers, crossAny},
	// A channel the caller cannot see is 404 even without the permission.
	{"PATCH /channel/", func(t *testing.T, o *tenant) call {
		return call{path: "/channel/", body: map[string]any{"id": o.channel, "name": o.tag + "-general"}}
	}, statuses{200, 200, 200, 403, 404, 401}, 0},
	{"DELETE /channel/", func(t *testing.T, o *tenant) call {
		return call{path: "/channel/", body: map[string]any{"id": o.freshChannel(t)}}
	}, statuses{200, 200, 200, 403, 404, 401}, 0},

	// A filter naming another org's user (or channel, or message) matches
	// nothing: [].
	{"GET /role/", func(t *testing.T, o *tenant) call { return call{path: "/role/?user_id=" + o.userID[member]} }, signedIn, crossAny},
	{"POST /role/", func(t *testing.T, o *tenant) call {
		return call{path: "/role/", body: roleBody("created")}
	}, managers, crossAny},
	{"PATCH /role/", func(t *testing.T, o *tenant) call {
		b := roleBody(o.tag + "-renamed")
		b["id"] = o.freshRole(t)
		return call{path: "/role/", body: b}
	}, managers, 0},
	{"DELETE /role/", func(t *testing.T, o *tenant) call {
		return call{path: "/role/", body: map[string]any{"id": o.freshRole(t)}}
	}, managers, 0},

	{"GET /user-role-access/", func(t *testing.T, o *tenant) call {
		return call{path: "/user-role-access/?user_id=" + o.userID[member]}
	}, signedIn, crossAny},
	{"POST /user-role-access/", func(t *testing.T, o *tenant) call {
		return call{path: "/user-role-access/", body: map[string]any{"user_id": o.otherID, "role_id": o.freshRole(t)}}
	}, managers, 0},
	{"DELETE /user-role-access/", func(t *testing.T, o *tenant) call {
		return call{path: "/user-role-access/", body: map[string]any{"id": o.freshURA(t)}}
	}, managers, 0},

	{"GET /channel-role-access/", func(t *testing.T, o *tenant) call {
		return call{path: "/channel-role-access/?channel_id=" + o.channel}
	}, managers, crossAny},
	{"POST /channel-role-access/", func(t *testing.T, o *tenant) call {
		return call{path: "/channel-role-access/", body: map[string]any{"channel_id": o.channel, "role_id": o.freshRole(t)}}
	}, managers, 0},
	{"DELETE /channel-role-access/", func(t *testing.T, o *tenant) call {
		return call{path: "/channel-role-access/", body: map[string]any{"id": o.freshCRA(t)}}
	}, managers, 0},

	// No access to a channel is ConvoForge's 400 "User does not have access
	// to channel".
	{"POST /message/", func(t *testing.T, o *tenant) call {
		return call{path: "/message/", body: map[string]any{"content": "hello", "message_type": "MESSAGE", "recipient_type": "CHANNEL",
			"reference_id": o.channel, "media_ids": []string{}}}
	}, statuses{200, 200, 200, 200, 400, 401}, 0},
	{"GET /message/", func(t *testing.T, o *tenant) call {
		return call{path: "/message/?recipient_type=CHANNEL&reference_id=" + o.channel + "&page=1&per_page=30"}
	}, statuses{200, 200, 200, 200, 400, 401}, 0},
	// Only the author edits; every failure is 400, another org's message
	// included ("Message not found").
	{"PATCH /message/", func(t *testing.T, o *tenant) call {
		return call{path: "/message/", body: map[string]any{"id": o.freshMessage(t), "content": "rewritten"}}
	}, statuses{400, 400, 400, 400, 400, 401}, 400},
	// The author, or manage_channels; failures are PATCH's 400s.
	{"DELETE /message/", func(t *testing.T, o *tenant) call {
		return call{path: "/message/", body: map[string]any{"id": o.freshMessage(t)}}
	}, statuses{200, 200, 200, 400, 400, 401}, 400},
	{"GET /message/search", func(t *testing.T, o *tenant) call {
		return call{path: "/message/search?content=" + o.tag + "&recipient_type=CHANNEL&reference_id=" + o.channel}
	}, statuses{200, 200, 200, 200, 400, 401}, 0},

	{"GET /presence/", func(t *testing.T, o *tenant) call { return call{path: "/presence/"} }, signedIn, crossAny},
	{"POST /presence/typing", func(t *testing.T, o *tenant) call {
		return call{path: "/presence/typing", body: map[string]any{"reference_id": o.channel, "recipient_type": "CHANNEL"}}
	}, statuses{200, 200, 200, 200, 400, 401}, 0},

	{"POST /media/", func(t *testing.T, o *tenant) call {
		return call{path: "/media/", body: file{"note.txt", "text/plain", "a note"}}
	}, signedIn, crossAny},
	// An unknown message has no media: [].
	{"GET /media/", func(t *testing.T, o *tenant) call { return call{path: "/media/?message_id=" + o.message} }, readers, crossAny},
	// The uploader, or administrator.
	{"DELETE /media/", func(t *testing.T, o *tenant) call {
		return call{path: "/media/", body: map[string]any{"id": o.freshMedia(t)}}
	}, adminsOnly, 0},
	{"POST /media/list", func(t *testing.T, o *tenant) call {
		return call{path: "/media/list", body: map[string]any{"ids": []string{o.message}}}
	}, readers, crossAny},
	{"GET /media/o/{org}/{key}/{name}", func(t *testing.T, o *tenant) call { return call{path: o.mediaPath} }, everyone, crossCapability},

	{"GET /user/", func(t *testing.T, o *tenant) call { return call{path: "/user/?page=1&per_page=30"} }, signedIn, crossAny},
	{"GET /user/channel/{channel_id}", func(t *testing.T, o *tenant) call { return call{path: "/user/channel/" + o.channel} }, readers, 0},
	{"GET /user/current", func(t *testing.T, o *tenant) call { return call{path: "/user/current"} }, signedIn, crossAny},
	{"DELETE /user/purge", func(t *testing.T, o *tenant) call { return call{path: "/user/purge?user_id=" + o.freshUser(t)} }, adminsOnly, 0},
	// Oneself, or manage_users.
	{"PATCH /user/name", func(t *testing.T, o *tenant) call {
		return call{path: "/user/name", body: map[string]any{"id": o.otherID, "display_name": fmt.Sprintf("Other %d", seq.Add(1))}}
	}, managers, 0},
	{"PATCH /user/profile-image", func(t *testing.T, o *tenant) call {
		return call{path: "/user/profile-image", body: file{"me.png", "image/png", "\x89PNG\r\n\x1a\nface"}}
	}, signedIn, crossAny},

	{"PATCH /user-channel-view/", func(t *testing.T, o *tenant) call {
		return call{path: "/user-channel-view/", body: map[string]any{"recipient_type": "CHANNEL", "reference_id": o.channel}}
	}, readers, 0},
	{"GET /user-channel-view/unread", func(t *testing.T, o *tenant) call { return call{path: "/user-channel-view/unread"} }, signedIn, crossAny},

	// Unknown and unreadable messages are skipped.
	{"POST /seen/", func(t *testing.T, o *tenant) call {
		return call{path: "/seen/", body: map[string]any{"ids": []string{o.message}}}
	},
		signedIn, crossAny},
	{"GET /seen/", func(t *testing.T, o *tenant) call { return call{path: "/seen/?message_id=" + o.message} },
		statuses{200, 200, 200, 200, 404, 401}, 0},

	// The flag needs the Client-Secret as well as the JWT.
	{"PUT /flag/", func(t *testing.T, o *tenant) call {
		return call{path: "/flag/", body: map[string]any{"name": "s3", "enabled": true}}
	}, statuses{400, 400, 400, 400, 400, 401}, crossAny},

	// 101: the socket opens; without a token, 400 "Token is required".
	{"GET /chat/ws", func(t *testing.T, o *tenant) call { return call{path: "/chat/ws"} }, statuses{101, 101, 101, 101, 101, 400}, crossAny},
}

func roleBody(name string) map[string]any {
	return map[string]any{"name": name, "administrator": false, "manage_users": false, "manage_channels": false, "manage_roles": false}
}

var seq atomic.Int64

// tenant is one ConvoForge org, populated with something of every kind, and
// a caller per level (the anonymous one has no token).
type tenant struct {
	srv    *server
	tag    string
	slug   string
	as     [numLevels]*user
	userID [numLevels]string

	other   *user // a member who wrote what the levels act on
	otherID string

	channel, memberRole          string // the member's channel and role
	message, otherMessage, dm    string // the owner's message (with media) and other's, in channel; a DM owner -> member
	media, mediaPath             string // the owner's media on message, and its URL path
	spareChannel, spareRole      string // standing objects for frozen fresh calls
	spareURA, spareCRA, spareMed string
	spareUser                    string

	frozen  bool
	secrets []string
}

func newTenant(t *testing.T, srv *server, tag string) *tenant {
	t.Helper()
	ctx := context.Background()
	o := srv.bootstrap(t)
	tn := &tenant{srv: srv, tag: tag, slug: o.slug}
	own := o.admin
	tn.as[owner] = own
	ch := own.do(t, "POST", "/channel/", map[string]any{"name": tag + "-general", "description": tag + " talk"}).want(t, 200).obj(t)
	tn.channel = ch["id"].(string)
	tn.as[admin] = tn.withRole(t, tag+"-admin", map[string]any{"administrator": true})
	tn.as[mod] = tn.withRole(t, tag+"-mod", map[string]any{"manage_users": true, "manage_channels": true, "manage_roles": true})
	tn.as[member] = o.member(t, srv, tag+"-member", tn.channel)
	roles := own.do(t, "GET", "/role/?user_id="+tn.as[member].id, nil).want(t, 200).list(t)
	tn.memberRole = roles[0]["id"].(string)
	tn.other = srv.signIn(t, o.slug, tag+"-other", tag+" Other")
	tn.otherID = tn.other.id
	own.do(t, "POST", "/user-role-access/", map[string]any{"user_id": tn.otherID, "role_id": tn.memberRole}).want(t, 200)
	b, _, err := srv.env.CreateBot(ctx, own.actor(t), chat.NewBot{Name: tag + "-bot"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := srv.env.IssueToken(b)
	if err != nil {
		t.Fatal(err)
	}
	tn.as[bot] = &user{srv: srv, token: tok}
	tn.as[bot].id = tn.as[bot].do(t, "GET", "/user/current", nil).want(t, 200).obj(t)["id"].(string)
	tn.as[anon] = &user{srv: srv}
	for l := owner; l < anon; l++ {
		tn.userID[l] = tn.as[l].id
	}

	med := own.upload(t, "POST", "/media/", tag+"-file.txt", "text/plain", []byte(tag+" file bytes")).want(t, 200).obj(t)
	tn.media = med["id"].(string)
	tn.mediaPath = med["url"].(string)[strings.Index(med["url"].(string), "/media/o/"):]
	tn.message = own.do(t, "POST", "/message/", map[string]any{"content": tag + " hello", "message_type": "MESSAGE",
		"recipient_type": "CHANNEL", "reference_id": tn.channel, "media_ids": []string{tn.media}}).want(t, 200).obj(t)["id"].(string)
	tn.dm = own.do(t, "POST", "/message/", map[string]any{"content": tag + " private", "message_type": "MESSAGE",
		"recipient_type": "USER", "reference_id": tn.as[member].id, "media_ids": []string{}}).want(t, 200).obj(t)["id"].(string)
	tn.as[member].do(t, "POST", "/seen/", map[string]any{"ids": []string{tn.message}}).want(t, 200)
	tn.otherMessage = tn.newMessage(t)
	tn.spareChannel = tn.newChannel(t)
	tn.spareRole = tn.newRole(t)
	tn.spareURA = tn.newURA(t)
	tn.spareCRA = tn.newCRA(t)
	tn.spareMed = tn.newMedia(t)
	tn.spareUser = tn.newUser(t)

	tn.secrets = append([]string{tn.slug, tn.otherID, tn.channel, tn.memberRole, tn.message, tn.otherMessage, tn.dm, tn.media,
		tn.spareChannel, tn.spareRole, tn.spareURA, tn.spareCRA, tn.spareMed, tn.spareUser, tag}, tn.userID[:anon]...)
	return tn
}

// withRole signs a user in holding a new role with flags.
func (tn *tenant) withRole(t *testing.T, name string, flags map[string]any) *user {
	t.Helper()
	u := tn.srv.signIn(t, tn.slug, name, name)
	b := roleBody(name + " role")
	for k, v := range flags {
		b[k] = v
	}
	role := tn.as[owner].do(t, "POST", "/role/", b).want(t, 200).obj(t)
	tn.as[owner].do(t, "POST", "/user-role-access/", map[string]any{"user_id": u.id, "role_id": role["id"]}).want(t, 200)
	return u
}

func (tn *tenant) newMessage(t *testing.T) string {
	return tn.other.do(t, "POST", "/message/", map[string]any{"content": tn.tag + " other's", "message_type": "MESSAGE",
		"recipient_type": "CHANNEL", "reference_id": tn.channel, "media_ids": []string{}}).want(t, 200).obj(t)["id"].(string)
}

// newChannel makes a channel granted to the member's role.
func (tn *tenant) newChannel(t *testing.T) string {
	id := tn.as[owner].do(t, "POST", "/channel/", map[string]any{"name": fmt.Sprintf("%s-spare-%d", tn.tag, seq.Add(1))}).want(t, 200).obj(t)["id"].(string)
	tn.as[owner].do(t, "POST", "/channel-role-access/", map[string]any{"channel_id": id, "role_id": tn.memberRole}).want(t, 200)
	return id
}

func (tn *tenant) newRole(t *testing.T) string {
	return tn.as[owner].do(t, "POST", "/role/", roleBody(fmt.Sprintf("%s-role-%d", tn.tag, seq.Add(1)))).want(t, 200).obj(t)["id"].(string)
}

func (tn *tenant) newURA(t *testing.T) string {
	return tn.as[owner].do(t, "POST", "/user-role-access/", map[string]any{"user_id": tn.otherID, "role_id": tn.newRole(t)}).want(t, 200).obj(t)["id"].(string)
}

func (tn *tenant) newCRA(t *testing.T) string {
	return tn.as[owner].do(t, "POST", "/channel-role-access/", map[string]any{"channel_id": tn.channel, "role_id": tn.newRole(t)}).want(t, 200).obj(t)["id"].(string)
}

func (tn *tenant) newMedia(t *testing.T) string {
	return tn.other.upload(t, "POST", "/media/", "spare.txt", "text/plain", []byte("spare")).want(t, 200).obj(t)["id"].(string)
}

func (tn *tenant) newUser(t *testing.T) string {
	return tn.srv.signIn(t, tn.slug, fmt.Sprintf("%s-user-%d", tn.tag, seq.Add(1)), "Spare").id
}

// fresh returns a new object for a call that uses one up, or the standing
// one when the tenant is frozen.
func (tn *tenant) fresh(t *testing.T, standing string, make func(*testing.T) string) string {
	t.Helper()
	if tn.frozen {
		return standing
	}
	return make(t)
}

func (tn *tenant) freshChannel(t *testing.T) string {
	return tn.fresh(t, tn.spareChannel, tn.newChannel)
}
func (tn *tenant) freshRole(t *testing.T) string  { return tn.fresh(t, tn.spareRole, tn.newRole) }
func (tn *tenant) freshURA(t *testing.T) string   { return tn.fresh(t, tn.spareURA, tn.newURA) }
func (tn *tenant) freshCRA(t *testing.T) string   { return tn.fresh(t, tn.spareCRA, tn.newCRA) }
func (tn *tenant) freshMedia(t *testing.T) string { return tn.fresh(t, tn.spareMed, tn.newMedia) }
func (tn *tenant) freshUser(t *testing.T) string  { return tn.fresh(t, tn.spareUser, tn.newUser) }
func (tn *tenant) freshMessage(t *testing.T) string {
	return tn.fresh(t, tn.otherMessage, tn.newMessage)
}

// snapshot reads what the org holds through its owner and its member.
func (tn *tenant) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	read := func(u *user, path string) {
		r := u.do(t, "GET", path, nil)
		fmt.Fprintf(&b, "GET %s: %d %s\n", path, r.status, r.body)
	}
	own, mem := tn.as[owner], tn.as[member]
	paths := []string{"/channel/", "/role/", "/channel-role-access/?channel_id=" + tn.channel, "/channel-role-access/?channel_id=" + tn.spareChannel,
		"/message/?recipient_type=CHANNEL&reference_id=" + tn.channel, "/message/?recipient_type=USER&reference_id=" + tn.userID[member],
		"/user/?page=1&per_page=100", "/user/channel/" + tn.channel, "/media/?message_id=" + tn.message, "/seen/?message_id=" + tn.message,
		"/user-channel-view/unread", tn.mediaPath}
	for _, id := range append([]string{tn.otherID, tn.spareUser}, tn.userID[:anon]...) {
		paths = append(paths, "/user-role-access/?user_id="+id, "/role/?user_id="+id)
	}
	for _, p := range paths {
		read(own, p)
	}
	for _, p := range []string{"/user/current", "/user-channel-view/unread", "/channel/"} {
		read(mem, p)
		read(tn.other, p)
	}
	return b.String()
}

// leaks returns the first of the org's secrets found in body.
func (tn *tenant) leaks(body string) string {
	return chattest.Leak(body, tn.secrets)
}

// send makes a call to one of a route's patterns as the holder of token
// ("" for none): /chat/ws is dialled (101 when the socket opens, the token
// in the query), a file body is sent as multipart.
func send(t *testing.T, srv *server, pattern, token string, cl call) reply {
	t.Helper()
	method, rest, _ := strings.Cut(pattern, " ")
	// The pattern's form: with the trailing slash or without.
	path, query, _ := strings.Cut(cl.path, "?")
	path = strings.TrimSuffix(path, "/")
	if strings.HasSuffix(rest, "/{$}") {
		path += "/"
	}
	if strings.HasPrefix(path, "/chat/ws") {
		if token != "" {
			query = "token=" + token
		}
		if query != "" {
			path += "?" + query
		}
		return dial(t, srv, path)
	}
	if query != "" {
		path += "?" + query
	}
	h := http.Header{}
	for k, v := range cl.header {
		h[k] = v
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	var body io.Reader
	switch b := cl.body.(type) {
	case nil:
	case file:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		ph := textproto.MIMEHeader{}
		ph.Set("Content-Disposition", `form-data; name="file"; filename="`+b.name+`"`)
		ph.Set("Content-Type", b.ctype)
		part, _ := mw.CreatePart(ph)
		part.Write([]byte(b.content))
		mw.Close()
		h.Set("Content-Type", mw.FormDataContentType())
		body = &buf
	default:
		h.Set("Content-Type", "application/json")
		body = jsonBody(t, b)
	}
	status, text := srv.send(t, method, path, h, body)
	return reply{status, text}
}

// dial opens /chat/ws and closes it: 101 when it opened, else the refusal.
func dial(t *testing.T, srv *server, path string) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+path, nil)
	if err == nil {
		conn.CloseNow()
		return reply{status: http.StatusSwitchingProtocols}
	}
	if res == nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, string(b)}
}

// row is one pattern of forge.Patterns() and its table row.
type row struct {
	pattern string
	routeCase
}

// matrixRows pairs every pattern of forge.Patterns() with its row, failing
// for a pattern without a row and a row without a pattern.
func matrixRows(t *testing.T) []row {
	t.Helper()
	byPattern := map[string]routeCase{}
	for _, rc := range routeMatrix {
		byPattern[rc.pattern] = rc
	}
	used := map[string]bool{}
	var rows []row
	for _, p := range forge.Patterns() {
		key := strings.TrimSuffix(strings.TrimSuffix(p, "{$}"), "/")
		rc, ok := byPattern[key]
		if !ok {
			rc, ok = byPattern[key+"/"]
		}
		if !ok {
			t.Errorf("route %q has no row in routeMatrix", p)
			continue
		}
		used[rc.pattern] = true
		rows = append(rows, row{p, rc})
	}
	for _, rc := range routeMatrix {
		if !used[rc.pattern] {
			t.Errorf("routeMatrix row %q is not a route", rc.pattern)
		}
	}
	return rows
}

// TestAuthorizationMatrix calls every pattern as each level of the org, on
// the org's own data.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	srv := newServer(t, chattest.New(t))
	a := newTenant(t, srv, "tenanta")
	rows := matrixRows(t)
	n := 0
	for _, r := range rows {
		for l := owner; l < numLevels; l++ {
			got := send(t, srv, r.pattern, a.as[l].token, r.call(t, a))
			n++
			if got.status != r.want[l] {
				t.Errorf("%s as %s = %d %.200q, want %d", r.pattern, l, got.status, got.body, r.want[l])
			}
		}
	}
	t.Logf("patterns x levels tried: %d x %d = %d", len(rows), numLevels, n)
}

// TestTenantIsolationMatrix aims every pattern, as each signed-in level of
// org B, at org A's ids: nothing of A may be read, changed or shown.
func TestTenantIsolationMatrix(t *testing.T) {
	t.Parallel()
	srv := newServer(t, chattest.New(t))
	a := newTenant(t, srv, "tenanta")
	b := newTenant(t, srv, "tenantb")
	a.frozen = true
	rows := matrixRows(t)
	before := a.snapshot(t)
	n := 0
	for _, r := range rows {
		for l := owner; l < anon; l++ {
			got := send(t, srv, r.pattern, b.as[l].token, r.call(t, a))
			n++
			switch {
			case r.cross == crossCapability:
				continue // checked below
			case r.cross == crossAny && got.status < 500:
			case r.cross == 0 && (got.status == 403 || got.status == 404):
			case r.cross > 0 && got.status == r.cross:
			default:
				t.Errorf("%s as B's %s on A's ids = %d %.200q", r.pattern, l, got.status, got.body)
			}
			if s := a.leaks(got.body); s != "" {
				t.Errorf("%s as B's %s shows A's %q: %.300s", r.pattern, l, s, got.body)
			}
		}
	}
	// A media URL is a capability, but only under its own org:
	// /media/o/{org}/{key}/{name} with B's org serves nothing.
	seg, bseg := strings.Split(a.mediaPath, "/"), strings.Split(b.mediaPath, "/")
	seg[3] = bseg[3]
	crossed := strings.Join(seg, "/")
	if got := send(t, srv, "GET /media/o/{org}/{key}/{name}", b.as[owner].token, call{path: crossed}); got.status != 404 {
		t.Errorf("A's media under B's org path = %d, want 404", got.status)
	}
	if after := a.snapshot(t); after != before {
		t.Errorf("org A changed under org B's calls:\n%s", chattest.LineDiff(before, after))
	}
	t.Logf("routes x orgs tried: %d patterns x %d levels of org B against org A = %d", len(rows), anon, n)
}

// TestTokenMatrix sends every JWT route each bad token built from a member
// of org A: 401 "Invalid token" (the socket: 400 "Invalid token", as
// ConvoForge answered), and A is unchanged.
func TestTokenMatrix(t *testing.T) {
	t.Parallel()
	env := chattest.New(t)
	srv := newServer(t, env)
	a := newTenant(t, srv, "tenanta")
	b := newTenant(t, srv, "tenantb")
	a.frozen = true
	bad := env.BadTokens(t, a.as[member].actor(t), b.as[owner].actor(t))
	before := a.snapshot(t)
	n := 0
	for _, r := range matrixRows(t) {
		status, text := 401, "Invalid token"
		switch {
		case r.routeCase.pattern == "GET /chat/ws":
			status = 400
		case r.want[anon] != 401:
			continue // reads no JWT
		}
		for _, tok := range bad {
			// With the Client-Secret too: it never stands in for the JWT.
			cl := r.call(t, a)
			cl.header = http.Header{"Client-Secret": {chattest.ClientSecret}}
			got := send(t, srv, r.pattern, tok.Token, cl)
			n++
			if got.status != status || got.body != text {
				t.Errorf("%s with %s = %d %.200q, want %d %q", r.pattern, tok.Name, got.status, got.body, status, text)
			}
		}
	}
	if after := a.snapshot(t); after != before {
		t.Errorf("org A changed under bad tokens:\n%s", chattest.LineDiff(before, after))
	}
	t.Logf("patterns x bad tokens tried: %d", n)
}

// TestWebSocketTenantIsolation keeps /chat/ws open for org B's users while
// org A is busy with every kind of event (messages, DMs, edits, deletions,
// typing, channel, role and name changes, a user coming online): between
// two marker DMs of B's own, B's sockets get nothing at all. A's socket gets
// A's events, so there was something to leak.
func TestWebSocketTenantIsolation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, chattest.New(t))
	a := newTenant(t, srv, "tenanta")
	b := newTenant(t, srv, "tenantb")
	levels := []level{owner, admin, member, bot}
	sockets := make([]*socket, len(levels))
	for i, l := range levels {
		sockets[i] = b.as[l].dial(t, "B's "+l.String())
	}
	// mark DMs each B socket's user from B's other member and reads up to
	// it, failing on any other frame but presence of B's own users when
	// settling is true.
	mark := func(settling bool) {
		for i, l := range levels {
			m := b.other.do(t, "POST", "/message/", map[string]any{"content": "tenantb marker", "message_type": "MESSAGE",
				"recipient_type": "USER", "reference_id": b.userID[l], "media_ids": []string{}}).want(t, 200).obj(t)
			for {
				raw := sockets[i].read()
				if strings.Contains(raw, m["id"].(string)) {
					break
				}
				if s := a.leaks(raw); s != "" {
					t.Errorf("%s got A's %q: %s", sockets[i].name, s, raw)
				} else if !settling {
					t.Errorf("%s got %s while only org A was active", sockets[i].name, raw)
				}
			}
		}
	}
	// Settle: B's users are all online (each coming online is an
	// UPDATE_USERS to B's sockets), then a first marker.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var online []string
		b.as[owner].do(t, "GET", "/presence/", nil).want(t, 200).json(t, &online)
		if len(online) == len(levels) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B's users online: %v", online)
		}
		time.Sleep(10 * time.Millisecond)
	}
	mark(true)

	own, mem := a.as[owner], a.as[member]
	aws := mem.dial(t, "A's member")
	msg := own.do(t, "POST", "/message/", map[string]any{"content": "tenanta busy", "message_type": "MESSAGE", "recipient_type": "CHANNEL",
		"reference_id": a.channel, "media_ids": []string{}}).want(t, 200).obj(t)["id"].(string)
	own.do(t, "POST", "/presence/typing", map[string]any{"reference_id": a.channel, "recipient_type": "CHANNEL"}).want(t, 200)
	own.do(t, "POST", "/message/", map[string]any{"content": "tenanta dm", "message_type": "MESSAGE", "recipient_type": "USER",
		"reference_id": mem.id, "media_ids": []string{}}).want(t, 200)
	own.do(t, "PATCH", "/message/", map[string]any{"id": msg, "content": "tenanta edited"}).want(t, 200)
	own.do(t, "DELETE", "/message/", map[string]any{"id": msg}).want(t, 200)
	own.do(t, "POST", "/channel/", map[string]any{"name": "tenanta-late"}).want(t, 200)
	role := own.do(t, "POST", "/role/", roleBody("tenanta late")).want(t, 200).obj(t)["id"].(string)
	own.do(t, "POST", "/user-role-access/", map[string]any{"user_id": a.otherID, "role_id": role}).want(t, 200)
	own.do(t, "PATCH", "/user/name", map[string]any{"id": a.otherID, "display_name": "tenanta renamed"}).want(t, 200)
	for {
		if got := aws.next("MESSAGE", "TYPING"); got["id"] == msg {
			break
		}
	}
	mark(false)
}

// read returns the next frame's text.
func (s *socket) read() string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := s.conn.Read(ctx)
	if err != nil {
		s.t.Fatalf("%s: %v", s.name, err)
	}
	return string(b)
}
