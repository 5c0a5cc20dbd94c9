package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/parley-chat/parley/internal/chat"
)

func (s *server) getChannels(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	chans, err := s.chat.Channels(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]channelJSON, len(chans))
	for i, c := range chans {
		out[i] = toChannel(c)
	}
	return ok(w, http.StatusOK, out)
}

type postChannelRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	XID         string `json:"xid"`
	Bits        bits   `json:"bits"`
}

func (s *server) postChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[postChannelRequest](w, r)
	if err != nil {
		return err
	}
	vis, auto, err := channelBits(in.Bits, true)
	if err != nil {
		return err
	}
	nc := chat.NewChannel{Name: in.Name, Description: in.Description, Visibility: vis, XID: in.XID}
	if auto != nil {
		nc.AutoJoin = *auto
	}
	c, err := s.chat.CreateChannel(r.Context(), a, nc)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toChannel(c))
}

type putChannelRequest struct {
	ID          string    `json:"id"`
	Name        *string   `json:"name"`
	Description *string   `json:"description"`
	Bits        bits      `json:"bits"`
	Members     *[]string `json:"members"`
}

// putChannel updates a channel; "bits":{"deleted":true} deletes it.
func (s *server) putChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[putChannelRequest](w, r)
	if err != nil {
		return err
	}
	id, err := parseChannelID("id", in.ID)
	if err != nil {
		return err
	}
	if in.Bits["deleted"] {
		c, err := s.chat.DeleteChannel(r.Context(), a, id)
		if err != nil {
			return err
		}
		return ok(w, http.StatusOK, toChannel(c))
	}
	upd := chat.ChannelUpdate{Name: in.Name, Description: in.Description}
	if in.Bits != nil {
		vis, auto, err := channelBits(in.Bits, false)
		if err != nil {
			return err
		}
		if vis != 0 {
			upd.Visibility = &vis
		}
		upd.AutoJoin = auto
	}
	if in.Members != nil {
		m, err := parseMany[chat.UserID](chat.KindUser, "members", *in.Members)
		if err != nil {
			return err
		}
		upd.Members = &m
	}
	c, err := s.chat.UpdateChannel(r.Context(), a, id, upd)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toChannel(c))
}

type channelBitsRequest struct {
	ID   string `json:"id"`
	Bits bits   `json:"bits"`
}

func (s *server) putChannelBits(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[channelBitsRequest](w, r)
	if err != nil {
		return err
	}
	id, err := parseChannelID("id", in.ID)
	if err != nil {
		return err
	}
	vis, auto, err := channelBits(in.Bits, true)
	if err != nil {
		return err
	}
	c, err := s.chat.SetChannelVisibility(r.Context(), a, id, vis, auto)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toChannel(c))
}

func (s *server) joinChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	return s.channelMembership(w, r, a, s.chat.JoinChannel)
}

func (s *server) leaveChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	return s.channelMembership(w, r, a, s.chat.LeaveChannel)
}

func (s *server) channelMembership(w http.ResponseWriter, r *http.Request, a chat.Actor,
	op func(context.Context, chat.Actor, chat.ChannelID) (*chat.Channel, error)) error {
	id, err := parseChannelID("id", r.PathValue("id"))
	if err != nil {
		return err
	}
	c, err := op(r.Context(), a, id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toChannel(c))
}

// getChannelThreads pages a channel's threads, most recent activity first,
// with the reader's read state; before is the last thread of the previous
// page.
func (s *server) getChannelThreads(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseChannelID("id", r.PathValue("id"))
	if err != nil {
		return err
	}
	f := chat.ChannelThreadFilter{ChannelID: id}
	q := r.URL.Query()
	if n := q.Get("num"); n != "" {
		if f.Limit, err = strconv.Atoi(n); err != nil || f.Limit < 1 {
			return chat.Invalidf("num", "num must be a positive number.")
		}
	}
	if b := q.Get("before"); b != "" {
		if f.Before, err = parseThreadID("before", b); err != nil {
			return err
		}
	}
	views, err := s.chat.ChannelThreads(r.Context(), a, f)
	if err != nil {
		return err
	}
	base := s.base(r)
	out := make([]threadJSON, len(views))
	for i, v := range views {
		out[i] = s.toThread(base, v)
	}
	return ok(w, http.StatusOK, out)
}
