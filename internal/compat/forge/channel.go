package forge

import (
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// emptyName gives the core's Invalid answer to an empty name ConvoForge's
// text; other Invalid answers (such as a name that is too long) keep the
// core's message.
func emptyName(err error, name, text string) error {
	if chat.ErrorCode(err) == chat.Invalid && strings.TrimSpace(name) == "" {
		return fail(http.StatusBadRequest, text)
	}
	return err
}

var channelTexts = texts{
	string(chat.Forbidden):     fail(http.StatusForbidden, "You do not have permission to manage channels."),
	string(chat.NotFound):      fail(http.StatusNotFound, "Channel not found."),
	chat.ReasonChannelNotFound: fail(http.StatusNotFound, "Channel not found."),
}

// listChannels is GET /channel/: the channels the caller can read.
func (s *server) listChannels(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	chans, err := s.chat.ReadableChannels(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]channelDTO, len(chans))
	for i, c := range chans {
		out[i] = toChannel(c, ptr(false))
	}
	return writeJSON(w, http.StatusOK, out)
}

// createChannel is POST /channel/. ConvoForge's channels are reached through
// roles, so the channel is hidden from those without access.
func (s *server) createChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "name", typ: tString}, field{name: "description", typ: tOptString})
	if err != nil {
		return err
	}
	nc := chat.NewChannel{Name: in.str("name"), Visibility: chat.VisibleHidden}
	if d := in.optStr("description"); d != nil {
		nc.Description = *d
	}
	ch, err := s.chat.CreateChannel(r.Context(), a, nc)
	if err != nil {
		return channelTexts.of(emptyName(err, nc.Name, "Channel name must be at least 1 character."))
	}
	return writeJSON(w, http.StatusOK, toChannel(ch, ptr(false)))
}

// updateChannel is PATCH /channel/: name and description (an absent
// description clears it, as in the original). The answer echoes the request
// with "deleted": null.
func (s *server) updateChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindChannel}, field{name: "name", typ: tString},
		field{name: "description", typ: tOptString})
	if err != nil {
		return err
	}
	name, desc := in.str("name"), ""
	if d := in.optStr("description"); d != nil {
		desc = *d
	}
	ch, err := s.chat.UpdateChannel(r.Context(), a, chat.ChannelID(in.id("id")), chat.ChannelUpdate{Name: &name, Description: &desc})
	if err != nil {
		return channelTexts.of(emptyName(err, name, "Channel name must be at least 1 character."))
	}
	out := toChannel(ch, nil)
	out.Description = in.optStr("description")
	return writeJSON(w, http.StatusOK, out)
}

// deleteChannel is DELETE /channel/: the channel, its timeline and its role
// grants. The answer is the channel as it was ("deleted": false), as in the
// original.
func (s *server) deleteChannel(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindChannel})
	if err != nil {
		return err
	}
	ch, err := s.chat.DeleteChannel(r.Context(), a, chat.ChannelID(in.id("id")))
	if err != nil {
		return channelTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toChannel(ch, ptr(false)))
}
