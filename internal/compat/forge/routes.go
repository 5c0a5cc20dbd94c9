package forge

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// Deps are what the surface needs.
type Deps struct {
	Chat   *chat.Service
	Logger *slog.Logger
	// BaseURL is the public URL of the server, used in media URLs ("" means:
	// derive it from each request's Host).
	BaseURL string
}

type server struct {
	chat    *chat.Service
	log     *slog.Logger
	baseURL string
}

type route struct {
	pattern string
	handler http.Handler
	// exact routes are Parley's own and served only as written; ConvoForge's
	// are served with and without a trailing slash.
	exact bool
}

// Mount registers every ConvoForge route on mux.
func Mount(mux *http.ServeMux, d Deps) {
	if d.Chat == nil {
		panic("forge.Mount: Chat is required")
	}
	s := &server{chat: d.Chat, log: d.Logger, baseURL: strings.TrimSuffix(d.BaseURL, "/")}
	if s.log == nil {
		s.log = slog.Default()
	}
	preflight := map[string]bool{}
	for _, rt := range s.routes() {
		for _, p := range variants(rt) {
			mux.Handle(p, cors(rt.handler))
			_, path, _ := strings.Cut(p, " ")
			if !preflight[path] {
				preflight[path] = true
				mux.Handle("OPTIONS "+path, cors(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
			}
		}
	}
}

// cors answers browsers as the original's permissive CORS did: any origin
// (echoed), method and header, credentials allowed, preflights cached for an
// hour, so that a web app on another origin keeps working. Credentials are
// bearer tokens in headers, never cookies, so allowing every origin exposes
// nothing a page could not already send.
func cors(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			h.ServeHTTP(w, r)
			return
		}
		hd := w.Header()
		hd.Add("Vary", "Origin")
		hd.Set("Access-Control-Allow-Origin", origin)
		hd.Set("Access-Control-Allow-Credentials", "true")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			hd.Add("Vary", "Access-Control-Request-Method")
			hd.Add("Vary", "Access-Control-Request-Headers")
			hd.Set("Access-Control-Allow-Methods", r.Header.Get("Access-Control-Request-Method"))
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				hd.Set("Access-Control-Allow-Headers", req)
			}
			hd.Set("Access-Control-Max-Age", "3600")
			w.WriteHeader(http.StatusOK)
			return
		}
		hd.Set("Access-Control-Expose-Headers", "*")
		h.ServeHTTP(w, r)
	})
}

// variants returns the patterns registered for a route: ConvoForge's routes
// with and without the trailing slash (its own clients used both; the slashed
// form is made exact with {$}, as ServeMux would otherwise treat it as a
// prefix).
func variants(rt route) []string {
	if rt.exact {
		return []string{rt.pattern}
	}
	bare := strings.TrimSuffix(rt.pattern, "/")
	return []string{bare + "/{$}", bare}
}

// Operator bypass: whether a route's permission checks accept the
// Client-Secret header in place of a role, as the original's
// check_permission and check_chat_permission did. Routes whose only check
// was its channel access query (messages, media lists, typing) never
// honoured it.
const (
	operator = true
	noBypass = false
)

// routes lists every route of reference/forge.md 3.4 and 3.5, in its order.
func (s *server) routes() []route {
	return []route{
		{pattern: "POST /auth/organization", handler: s.handle(s.createOrganization)},
		{pattern: "POST /auth/secret", handler: s.handle(s.secretSignIn)},
		{pattern: "GET /organization/", handler: s.handle(s.orgExists)},
		{pattern: "GET /organization/all", handler: s.handle(s.allOrgs)},

		{pattern: "GET /channel/", handler: s.authed(operator, s.listChannels)},
		{pattern: "POST /channel/", handler: s.authed(operator, s.createChannel)},
		{pattern: "PATCH /channel/", handler: s.authed(operator, s.updateChannel)},
		{pattern: "DELETE /channel/", handler: s.authed(operator, s.deleteChannel)},

		{pattern: "GET /role/", handler: s.authed(noBypass, s.listRoles)},
		{pattern: "POST /role/", handler: s.authed(operator, s.createRole)},
		{pattern: "PATCH /role/", handler: s.authed(operator, s.updateRole)},
		{pattern: "DELETE /role/", handler: s.authed(operator, s.deleteRole)},

		{pattern: "GET /user-role-access/", handler: s.authed(noBypass, s.listUserRoles)},
		{pattern: "POST /user-role-access/", handler: s.authed(operator, s.assignRole)},
		{pattern: "DELETE /user-role-access/", handler: s.authed(operator, s.unassignRole)},

		{pattern: "GET /channel-role-access/", handler: s.authed(operator, s.listChannelRoles)},
		{pattern: "POST /channel-role-access/", handler: s.authed(operator, s.grantChannel)},
		{pattern: "DELETE /channel-role-access/", handler: s.authed(operator, s.revokeChannelGrant)},

		{pattern: "POST /message/", handler: s.authed(noBypass, s.sendMessage)},
		{pattern: "GET /message/", handler: s.authed(noBypass, s.listMessages)},
		{pattern: "PATCH /message/", handler: s.authed(noBypass, s.editMessage)},
		{pattern: "DELETE /message/", handler: s.authed(operator, s.deleteMessage)},
		{pattern: "GET /message/search", handler: s.authed(noBypass, s.searchMessages)},

		{pattern: "GET /presence/", handler: s.authed(noBypass, s.presence)},
		{pattern: "POST /presence/typing", handler: s.authed(noBypass, s.typing)},

		{pattern: "POST /media/", handler: s.authed(noBypass, s.media(s.uploadMedia))},
		{pattern: "GET /media/", handler: s.authed(noBypass, s.media(s.messageMedia))},
		{pattern: "DELETE /media/", handler: s.authed(operator, s.media(s.deleteMedia))},
		{pattern: "POST /media/list", handler: s.authed(noBypass, s.media(s.messagesMedia))},
		{pattern: "GET /media/o/{org}/{key}/{name}", handler: s.handle(s.serveFile), exact: true},

		{pattern: "GET /user/", handler: s.authed(noBypass, s.listUsers)},
		{pattern: "GET /user/channel/{channel_id}", handler: s.authed(operator, s.channelUsers)},
		{pattern: "GET /user/current", handler: s.authed(noBypass, s.currentUser)},
		{pattern: "DELETE /user/purge", handler: s.authed(operator, s.purgeUser)},
		{pattern: "PATCH /user/name", handler: s.authed(operator, s.renameUser)},
		{pattern: "PATCH /user/profile-image", handler: s.authed(noBypass, s.setProfileImage)},

		{pattern: "PATCH /user-channel-view/", handler: s.authed(operator, s.viewConversation)},
		{pattern: "GET /user-channel-view/unread", handler: s.authed(operator, s.unread)},

		{pattern: "POST /seen/", handler: s.authed(noBypass, s.markSeen)},
		{pattern: "GET /seen/", handler: s.authed(noBypass, s.seenBy)},

		{pattern: "PUT /flag/", handler: s.authed(noBypass, s.putFlag)},

		{pattern: "GET /chat/ws", handler: http.HandlerFunc(s.serveWS)},
	}
}

// Patterns returns every pattern Mount registers, but the CORS preflights.
func Patterns() []string {
	var out []string
	for _, r := range (&server{}).routes() {
		out = append(out, variants(r)...)
	}
	return out
}

// handle renders a handler's error in ConvoForge's format.
func (s *server) handle(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, s.log, err)
		}
	})
}

// base is the public URL of the server.
func (s *server) base(r *http.Request) string {
	if s.baseURL != "" {
		return s.baseURL
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
