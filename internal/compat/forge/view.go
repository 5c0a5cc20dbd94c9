package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// viewConversation is PATCH /user-channel-view/: the caller has seen a
// channel or a DM up to now. It moves the core's read marker to the newest
// message.
func (s *server) viewConversation(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "recipient_type", typ: tString}, field{name: "reference_id", typ: tUUID})
	if err != nil {
		return err
	}
	ref, ok := conversationRef(in.str("recipient_type"), in.uuid("reference_id"))
	if !ok {
		return errRecipientType
	}
	if err := s.chat.ViewConversation(r.Context(), a, ref); err != nil {
		forbidden := fail(http.StatusForbidden, "You do not have permission to view this channel.")
		return texts{
			chat.ReasonChannelNotFound: forbidden,
			chat.ReasonNoChannelAccess: forbidden,
			chat.ReasonUserNotFound:    fail(http.StatusNotFound, "User not found"),
		}.of(err)
	}
	return okText(w, "Channel last viewed updated")
}

// unread is GET /user-channel-view/unread: the channels and users with
// messages the caller has not seen, from the core's read state.
func (s *server) unread(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	refs, err := s.chat.Unread(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]conversationDTO, len(refs))
	for i, ref := range refs {
		out[i].RecipientType, out[i].ReferenceID = recipient(ref)
	}
	return writeJSON(w, http.StatusOK, out)
}

// markSeen is POST /seen/: the caller has seen these messages (unknown,
// deleted and unreadable ones are skipped).
func (s *server) markSeen(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "ids", typ: tUUIDs, kind: kindMessage})
	if err != nil {
		return err
	}
	ids := make([]chat.MessageID, 0, len(in.ids("ids")))
	for _, id := range in.ids("ids") {
		ids = append(ids, chat.MessageID(id))
	}
	if err := s.chat.MarkSeen(r.Context(), a, ids); err != nil {
		return err
	}
	return okText(w, "Marked applicable messages")
}

// seenBy is GET /seen/?message_id=: who has seen a message.
func (s *server) seenBy(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, _ := queryID(r.URL.Query(), "message_id", kindMessage)
	users, err := s.chat.SeenBy(r.Context(), a, chat.MessageID(id))
	if err != nil {
		return texts{chat.ReasonMessageNotFound: fail(http.StatusNotFound, "Message not found")}.of(err)
	}
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = formatID(kindUser, int64(u))
	}
	return writeJSON(w, http.StatusOK, out)
}
