package httpapi

import "net/http"

// route is one pattern of the native API and its handler.
type route struct {
	pattern string
	handler http.Handler
}

// routes lists every route of the native API. openapi.yaml describes each of
// them (TestOpenAPIRoutes checks both ways), and the isolation suite walks
// them all.
func (s *server) routes() []route {
	return []route{
		{"GET /v1/threads/{id}", s.handle(s.getThread)},
		{"PUT /v1/threads", s.handle(s.putThreads)},
		{"POST /v1/threads", s.handle(s.postThread)},
		{"PUT /v1/threads/{id}/tags", s.handle(s.putThreadTags)},
		{"PUT /v1/read", s.handle(s.putRead)},

		{"POST /v1/chats", s.handle(s.postChat)},
		{"PUT /v1/chats", s.handle(s.putChat)},
		{"GET /v1/chats/{id}", s.handle(s.getChats)},
		{"DELETE /v1/chats/{id}", s.handle(s.deleteChat)},
		{"POST /v1/reactions", s.handle(s.postReaction)},
		{"POST /v1/chats/{id}/pin", s.handle(s.pinChat(true))},
		{"DELETE /v1/chats/{id}/pin", s.handle(s.pinChat(false))},
		{"POST /v1/chats/{id}/forward", s.handle(s.forwardChat)},
		{"POST /v1/chats/{id}/unsend", s.handle(s.unsendChat)},
		{"POST /v1/chats/{id}/vote", s.handle(s.voteChat)},
		{"POST /v1/chats/{id}/report", s.handle(s.reportChat)},
		{"GET /v1/reports", s.handle(s.getReports)},
		{"POST /v1/reports/{id}/resolve", s.handle(s.resolveReport)},
		{"POST /v1/scheduled", s.handle(s.postScheduled)},
		{"GET /v1/scheduled", s.handle(s.getScheduled)},
		{"DELETE /v1/scheduled/{id}", s.handle(s.deleteScheduled)},

		{"GET /v1/users", s.handle(s.getUsers)},
		{"GET /v1/users/{id}", s.handle(s.getUser)},
		{"POST /v1/users", s.handle(s.postUser)},
		{"PUT /v1/users", s.handle(s.putUser)},

		{"GET /v1/channels", s.handle(s.getChannels)},
		{"POST /v1/channels", s.handle(s.postChannel)},
		{"PUT /v1/channels", s.handle(s.putChannel)},
		{"PUT /v1/channel-bits", s.handle(s.putChannelBits)},
		{"POST /v1/channels/{id}/join", s.handle(s.joinChannel)},
		{"POST /v1/channels/{id}/leave", s.handle(s.leaveChannel)},
		{"GET /v1/channels/{id}/threads", s.handle(s.getChannelThreads)},

		{"GET /v1/org", s.handle(s.getOrg)},
		{"PUT /v1/org", s.handle(s.putOrg)},
		{"PUT /v1/join-secret", s.handle(s.putJoinSecret)},
		{"POST /create-org", s.handle(s.createOrg)},
		{"POST /v1/join", s.handle(s.join)},

		{"POST /v1/search", s.handle(s.search)},
		{"GET /v1/feeds", s.handle(s.getFeeds)},
		{"GET /v1/feed", s.handle(s.getFeed)},
		{"GET /v1/feed/{id}", s.handle(s.getFeed)},
		{"POST /v1/feed", s.handle(s.postFeed)},
		{"PUT /v1/feed", s.handle(s.putFeed)},
		{"POST /v1/feed/search", s.handle(s.feedSearch)},

		{"GET /v1/tags", s.handle(s.getTags)},
		{"GET /v1/anons", s.handle(s.getAnons)},
		{"POST /v1/upload", s.handle(s.upload)},
		{"GET /v1/files/{handle}", s.handle(s.getFile)},

		{"GET /v1/ws", s.handle(s.serveWS)},
		{"GET /v1/openapi.yaml", http.HandlerFunc(serveOpenAPI)},
	}
}

// webRoutes serve the web client's pages and files (webclient.go). They are
// not API, so openapi.yaml leaves them out: each is a path of the client's
// own (a catch-all "/" would answer mistyped API paths of every surface with
// the page instead of a 404).
func (s *server) webRoutes() []route {
	page := http.HandlerFunc(s.web.servePage)
	return []route{
		{"GET /{$}", page},
		{"GET /join/{secret}", page},
		{"GET /c/{id}", page},
		{"GET /t/{path...}", page},
		{"GET /assets/{path...}", http.HandlerFunc(s.web.serveAsset)},
	}
}

// WebPatterns returns the patterns of the web client's pages and files.
func WebPatterns() []string {
	var out []string
	for _, r := range (&server{web: &webClient{}}).webRoutes() {
		out = append(out, r.pattern)
	}
	return out
}

// Patterns returns every API pattern Mount registers (WebPatterns aside).
func Patterns() []string {
	var out []string
	for _, r := range (&server{}).routes() {
		out = append(out, r.pattern)
	}
	return out
}
