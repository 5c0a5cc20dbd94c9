package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// emptyName gives an Invalid error about an empty name ConvoForge's text, and
// leaves the core's message on other Invalid errors (such as a name that is
// too long).
func emptyName(err error, text string) error {
	if e := chat.AsError(err); e != nil && e.Code == chat.Invalid && len(e.Message) > 0 && hasEmptyField(e) {
		return fail(http.StatusBadRequest, text)
	}
	return err
}

// hasEmptyField reports whether e complains about an empty field.
func hasEmptyField(e *chat.Error) bool {
	for _, msg := range e.Fields {
		if len(msg) >= len("must not be empty.") && msg[len(msg)-len("must not be empty."):] == "must not be empty." {
			return true
		}
	}
	return false
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
		return channelTexts.of(emptyName(err, "Channel name must be at least 1 character."))
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
		return channelTexts.of(emptyName(err, "Channel name must be at least 1 character."))
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
