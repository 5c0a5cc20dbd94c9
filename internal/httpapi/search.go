package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// searchRequest is Struct's search body: Typesense's parameters.
type searchRequest struct {
	Q        string `json:"q"`
	FilterBy string `json:"filter_by"`
	SortBy   string `json:"sort_by"`
	Page     int    `json:"page"`
	PerPage  int    `json:"per_page"`
}

// search answers threads without chats, each with its highlight.
func (s *server) search(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	return s.runSearch(w, r, a, false)
}

// feedSearch answers feed threads: with their newest chats and highlight.
func (s *server) feedSearch(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	return s.runSearch(w, r, a, true)
}

func (s *server) runSearch(w http.ResponseWriter, r *http.Request, a chat.Actor, chats bool) error {
	in, err := decode[searchRequest](w, r)
	if err != nil {
		return err
	}
	filter, err := parseFilterBy(in.FilterBy)
	if err != nil {
		return err
	}
	sort, err := parseSortBy(in.SortBy)
	if err != nil {
		return err
	}
	views, err := s.chat.Search(r.Context(), a, chat.SearchQuery{Text: in.Q, Filter: filter, Sort: sort, Page: in.Page,
		PerPage: in.PerPage, Chats: chats})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, s.toThreads(s.base(r), views, chats))
}

// toThreads renders a list of threads; feed threads always carry a chats
// array.
func (s *server) toThreads(base string, views []*chat.ThreadView, feed bool) []threadJSON {
	out := make([]threadJSON, len(views))
	for i, v := range views {
		out[i] = s.toThread(base, v)
		if feed && out[i].Chats == nil {
			out[i].Chats = []chatJSON{}
		}
	}
	return out
}
