package httpapi

import (
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/internal/chat"
)

type feedJSON struct {
	ID         string   `json:"id"`
	UserID     string   `json:"user_id"`
	OrgID      string   `json:"org_id"`
	Name       string   `json:"name"`
	ChannelIDs []string `json:"channel_ids"`
	UserIDs    []string `json:"user_ids"`
	Bits       bits     `json:"bits"`
}

// toFeed renders a feed; empty lists are null and the default feeds' owner
// and org are "0", as in Struct's samples.
func toFeed(f *chat.Feed, deleted bool) feedJSON {
	j := feedJSON{ID: feedID(f.ID), UserID: userID(f.UserID), OrgID: orgID(f.OrgID), Name: f.Name,
		Bits: flags("feed_dm", f.DM, "deleted", deleted)}
	if len(f.ChannelIDs) > 0 {
		j.ChannelIDs = channelIDs(f.ChannelIDs)
	}
	if len(f.UserIDs) > 0 {
		j.UserIDs = userIDs(f.UserIDs)
	}
	return j
}

func (s *server) getFeeds(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	feeds, err := s.chat.Feeds(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]feedJSON, len(feeds))
	for i, f := range feeds {
		out[i] = toFeed(f, false)
	}
	return ok(w, http.StatusOK, out)
}

// getFeed pages through a feed; without an id, the Omni feed (6N1).
func (s *server) getFeed(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id := chat.FeedOmni
	if raw := r.PathValue("id"); raw != "" {
		n, err := parseID(chat.KindFeed, "id", raw)
		if err != nil {
			return err
		}
		id = chat.FeedID(n)
	}
	page, perPage, err := pageParams(r)
	if err != nil {
		return err
	}
	views, err := s.chat.FeedThreads(r.Context(), a, id, page, perPage)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, s.toThreads(s.base(r), views, true))
}

// pageParams reads the page and per_page numbers of a query string (zero
// when absent: the use case applies its defaults and bounds).
func pageParams(r *http.Request) (page, perPage int, err error) {
	q := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &page}, {"per_page", &perPage}} {
		if v := q.Get(p.name); v != "" {
			if *p.dst, err = strconv.Atoi(v); err != nil || *p.dst < 1 {
				return 0, 0, chat.Invalidf(p.name, "The %s must be a number from 1.", p.name)
			}
		}
	}
	return page, perPage, nil
}

type postFeedRequest struct {
	Name       string   `json:"name"`
	ChannelIDs []string `json:"channel_ids"`
	UserIDs    []string `json:"user_ids"`
	Bits       struct {
		FeedDM bool `json:"feed_dm"`
	} `json:"bits"`
}

// newFeed parses the ids of a feed definition.
func newFeed(name string, chans, users []string, dm bool) (chat.NewFeed, error) {
	in := chat.NewFeed{Name: name, DM: dm}
	var err error
	if in.ChannelIDs, err = parseMany[chat.ChannelID](chat.KindChannel, "channel_ids", chans); err != nil {
		return in, err
	}
	in.UserIDs, err = parseMany[chat.UserID](chat.KindUser, "user_ids", users)
	return in, err
}

func (s *server) postFeed(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[postFeedRequest](w, r)
	if err != nil {
		return err
	}
	nf, err := newFeed(in.Name, in.ChannelIDs, in.UserIDs, in.Bits.FeedDM)
	if err != nil {
		return err
	}
	f, err := s.chat.CreateFeed(r.Context(), a, nf)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toFeed(f, false))
}

// putFeedRequest replaces a feed. It accepts user_id and org_id (and
// ignores them) because Struct tells clients to send back a feed as
// GET /v1/feeds gave it, with their changes.
type putFeedRequest struct {
	ID         string   `json:"id"`
	UserID     string   `json:"user_id"`
	OrgID      string   `json:"org_id"`
	Name       string   `json:"name"`
	ChannelIDs []string `json:"channel_ids"`
	UserIDs    []string `json:"user_ids"`
	Bits       struct {
		FeedDM  bool `json:"feed_dm"`
		Deleted bool `json:"deleted"`
	} `json:"bits"`
}

func (s *server) putFeed(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[putFeedRequest](w, r)
	if err != nil {
		return err
	}
	id, err := parseID(chat.KindFeed, "id", in.ID)
	if err != nil {
		return err
	}
	nf, err := newFeed(in.Name, in.ChannelIDs, in.UserIDs, in.Bits.FeedDM)
	if err != nil {
		return err
	}
	f, err := s.chat.UpdateFeed(r.Context(), a, chat.FeedUpdate{ID: chat.FeedID(id), NewFeed: nf, Deleted: in.Bits.Deleted})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toFeed(f, in.Bits.Deleted))
}
