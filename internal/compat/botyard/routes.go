package botyard

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/parley-chat/parley/internal/chat"
)

// Deps are what the surface needs.
type Deps struct {
	Chat   *chat.Service
	Logger *slog.Logger
	// DefaultOrg is the org of requests whose credential names none
	// (chat.Service.EnsureDefaultOrg).
	DefaultOrg chat.OrgID
	// Config is the configuration in force at start (nil: DefaultConfig);
	// its ChatLimits are the ones the service was made with.
	Config *Config
	// ConfigPath is the file PUT /v1/admin-api/config reloads ("" reloads
	// the defaults).
	ConfigPath string
}

type server struct {
	chat       *chat.Service
	log        *slog.Logger
	org        chat.OrgID
	configPath string
	config     atomic.Pointer[Config] // replaced whole by a reload
}

type route struct {
	pattern string
	handler http.Handler
}

// Mount registers every Botyard route on mux.
func Mount(mux *http.ServeMux, d Deps) {
	if d.Chat == nil || d.DefaultOrg == 0 {
		panic("botyard.Mount: Chat and DefaultOrg are required")
	}
	s := &server{chat: d.Chat, log: d.Logger, org: d.DefaultOrg, configPath: d.ConfigPath}
	if s.log == nil {
		s.log = slog.Default()
	}
	cfg := DefaultConfig()
	if d.Config != nil {
		cfg = *d.Config
	}
	s.config.Store(&cfg)
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, rt.handler)
	}
}

// Patterns returns every pattern Mount registers.
func Patterns() []string {
	var out []string
	for _, r := range (&server{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}

func (s *server) routes() []route {
	return []route{
		// Client API: the session cookie, or nothing.
		{"GET /v1/client-api/service-info", s.public(s.serviceInfo)},
		{"GET /v1/client-api/bots", s.public(s.listBots)},
		{"GET /v1/client-api/bot/{id}", s.public(s.getBot)},
		{"POST /v1/client-api/user", s.public(s.createUser)},
		{"GET /v1/client-api/user", s.client(s.currentUser)},
		{"GET /v1/client-api/bot/{id}/commands", s.client(s.clientCommands)},
		{"POST /v1/client-api/chat", s.client(s.createChat)},
		{"GET /v1/client-api/chats", s.client(s.clientChats)},
		{"DELETE /v1/client-api/chat/{id}", s.client(s.deleteChat)},
		{"POST /v1/client-api/chat/message", s.client(s.sendMessage)},
		{"GET /v1/client-api/chat/{id}/messages", s.client(s.chatMessages)},
		{"POST /v1/client-api/files", s.client(s.uploadFiles)},
		{"/v1/client-api/", s.notFound(clientAPI)},

		// Bot API: "Authorization: <bot id>:<token>".
		{"GET /v1/bot-api/bot", s.bot(s.getOwnBot)},
		{"PUT /v1/bot-api/bot", s.bot(s.editBot)},
		{"GET /v1/bot-api/bot/commands", s.bot(s.botCommands)},
		{"POST /v1/bot-api/bot/commands", s.bot(s.addCommands)},
		{"DELETE /v1/bot-api/bot/command/{id}", s.bot(s.removeCommand)},
		{"POST /v1/bot-api/bot/webhook", s.bot(s.setWebhook)},
		{"GET /v1/bot-api/bot/webhook", s.bot(s.getWebhook)},
		{"DELETE /v1/bot-api/bot/webhook", s.bot(s.deleteWebhook)},
		{"GET /v1/bot-api/chats", s.bot(s.botChats)},
		// Botyard's "/chat/message/:id" and "/chat/:id/messages" overlap
		// ("/chat/message/messages" matches both), which ServeMux refuses;
		// one pattern serves both and tells them apart (botChatGet).
		{"GET /v1/bot-api/chat/{a}/{b}", s.bot(s.botChatGet)},
		{"POST /v1/bot-api/chat/message", s.bot(s.sendMessage)},
		{"POST /v1/bot-api/files", s.bot(s.uploadFiles)},
		{"GET /v1/bot-api/updates", s.bot(s.updates)},
		{"/v1/bot-api/", s.notFound(botAPI)},

		// Admin API: "Authorization: <client secret>".
		{"POST /v1/admin-api/bot", s.admin(s.createBot)},
		{"DELETE /v1/admin-api/bot/{id}", s.admin(s.deleteBot)},
		{"GET /v1/admin-api/bot/{id}/key", s.admin(s.getBotKey)},
		{"PUT /v1/admin-api/bot/{id}/key", s.admin(s.rotateBotKey)},
		{"PUT /v1/admin-api/config", s.admin(s.reloadConfig)},
		{"/v1/admin-api/", s.notFound(adminAPI)},

		// Uploaded files, at the path the upload answered.
		{"GET /static/{folder}/{name}", s.public(s.serveFile)},
	}
}

// handlerFunc is a handler for an authenticated actor.
type handlerFunc func(w http.ResponseWriter, r *http.Request, a chat.Actor) error

// public serves a handler that needs no credential.
func (s *server) public(fn func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, clientAPI, err)
		}
	})
}

// client serves a handler for the user of the session cookie.
func (s *server) client(fn handlerFunc) http.Handler { return s.with(clientAPI, s.clientActor, fn) }

// bot serves a handler for the bot of the key.
func (s *server) bot(fn handlerFunc) http.Handler {
	return s.with(botAPI, func(_ http.ResponseWriter, r *http.Request) (chat.Actor, error) { return s.botActor(r) }, fn)
}

// admin serves a handler for the operator.
func (s *server) admin(fn handlerFunc) http.Handler {
	return s.with(adminAPI, func(_ http.ResponseWriter, r *http.Request) (chat.Actor, error) { return s.adminActor(r) }, fn)
}

func (s *server) with(which api, auth func(http.ResponseWriter, *http.Request) (chat.Actor, error), fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := auth(w, r)
		if err == nil {
			err = fn(w, r, a)
		}
		if err != nil {
			s.writeError(w, r, which, err)
		}
	})
}

// notFound answers a path no route has, as Fiber did: 404 "Cannot GET /x".
func (s *server) notFound(which api) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, which, fail(http.StatusNotFound, "Cannot "+r.Method+" "+r.URL.Path))
	})
}
