package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// presence is GET /presence/: the ids of the org's users who are online (the
// core's presence: active in the last few minutes; an open /chat/ws keeps a
// user active).
func (s *server) presence(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	ids, err := s.chat.ActiveUsers(r.Context(), a)
	if err != nil {
		return err
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = formatID(kindUser, int64(id))
	}
	return writeJSON(w, http.StatusOK, out)
}

// typing is POST /presence/typing: tell a channel's readers or a user that
// the caller is typing. The answer is the TYPING frame they get.
func (s *server) typing(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "reference_id", typ: tUUID}, field{name: "recipient_type", typ: tString})
	if err != nil {
		return err
	}
	ref, ok := conversationRef(in.str("recipient_type"), in.uuid("reference_id"))
	if !ok {
		return fail(http.StatusBadRequest, "Invalid recipient type")
	}
	if err := s.chat.TypingTo(r.Context(), a, ref); err != nil {
		return conversationTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, typingDTO{MessageType: "TYPING", UserID: formatID(kindUser, int64(a.UserID)),
		ReferenceID: formatUUID(in.uuid("reference_id")), RecipientType: in.str("recipient_type")})
}
