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

		{"GET /v1/openapi.yaml", http.HandlerFunc(serveOpenAPI)},
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
