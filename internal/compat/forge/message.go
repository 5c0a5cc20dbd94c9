package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// conversationTexts are the original's answers about channel and user
// conversations.
var conversationTexts = texts{
	chat.ReasonChannelNotFound: fail(http.StatusNotFound, "Channel not found"),
	chat.ReasonNoChannelAccess: fail(http.StatusBadRequest, "User does not have access to channel"),
	chat.ReasonChannelReadOnly: fail(http.StatusForbidden, "You do not have permission to write to this channel."),
	chat.ReasonUserNotFound:    fail(http.StatusNotFound, "User not found"),
	chat.ReasonFileNotFound:    fail(http.StatusBadRequest, "Media not found"),
	chat.ReasonEmptyMessage:    fail(http.StatusBadRequest, "Content must be at least 1 character"),
}

var errRecipientType = fail(http.StatusBadRequest, "Recipient type must be either CHANNEL or USER.")

// sendMessage is POST /message/: a message to a channel (its timeline) or to
// a user (the direct conversation of the two), with the sender's uploaded
// media.
func (s *server) sendMessage(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "content", typ: tOptString}, field{name: "message_type", typ: tString},
		field{name: "recipient_type", typ: tString}, field{name: "reference_id", typ: tUUID}, field{name: "media_ids", typ: tUUIDs, kind: kindFile})
	if err != nil {
		return err
	}
	ref, ok := conversationRef(in.str("recipient_type"), in.uuid("reference_id"))
	if !ok {
		return errRecipientType
	}
	if in.str("message_type") != typeMessage {
		return fail(http.StatusBadRequest, "Message type must be MESSAGE.")
	}
	post := chat.ConversationPost{To: ref}
	if c := in.optStr("content"); c != nil {
		post.Text = *c
	}
	for _, id := range in.ids("media_ids") {
		post.Files = append(post.Files, chat.FileID(id))
	}
	m, err := s.chat.PostTo(r.Context(), a, post)
	if err != nil {
		return conversationTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toMessage(m, ref, typeMessage))
}

// listMessages is GET /message/?recipient_type=&reference_id=&page=&per_page=:
// a conversation's messages, newest first.
func (s *server) listMessages(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	q := r.URL.Query()
	rt := q.Get("recipient_type")
	if !q.Has("recipient_type") {
		rt = recipientChannel
	}
	if !q.Has("reference_id") {
		return fail(http.StatusBadRequest, "Reference ID is required.")
	}
	u, err := parseUUID(q.Get("reference_id"))
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	out := []messageDTO{}
	ref, ok := conversationRef(rt, u)
	if !ok {
		return writeJSON(w, http.StatusOK, out)
	}
	offset, limit := page(q)
	msgs, err := s.chat.ConversationMessages(r.Context(), a, ref, offset, limit)
	if chat.ErrorReason(err) == chat.ReasonUserNotFound {
		// The original answered an unknown user with no messages.
		return writeJSON(w, http.StatusOK, out)
	}
	if err != nil {
		return conversationTexts.of(err)
	}
	for _, m := range msgs {
		out = append(out, toMessage(m, authorRef(ref, a.UserID, m.AuthorID), typeMessage))
	}
	return writeJSON(w, http.StatusOK, out)
}

var messageTexts = texts{
	chat.ReasonMessageNotFound: fail(http.StatusBadRequest, "Message not found"),
	string(chat.NotFound):      fail(http.StatusBadRequest, "Message not found"),
	string(chat.Forbidden):     fail(http.StatusBadRequest, "Message does not belong to user"),
	string(chat.Invalid):       fail(http.StatusBadRequest, "Content must be at least 1 character"),
}

// editMessage is PATCH /message/: the author replaces the content. The
// answer (and the socket frame) has message_type EDIT_MESSAGE.
func (s *server) editMessage(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindMessage}, field{name: "content", typ: tOptString})
	if err != nil {
		return err
	}
	// Only messages of conversations are ConvoForge's; their thread pins
	// the edit.
	_, th, err := s.chat.MessageConversation(r.Context(), a, chat.MessageID(in.id("id")))
	if err != nil {
		return messageTexts.of(err)
	}
	m, err := s.chat.EditMessage(r.Context(), a, chat.MessageEdit{ID: chat.MessageID(in.id("id")), ThreadID: th.ID, Text: in.str("content")})
	if err != nil {
		return messageTexts.of(err)
	}
	ref, _ := chat.ConversationOf(th, m.AuthorID)
	return writeJSON(w, http.StatusOK, toMessage(m, ref, typeEdit))
}

// deleteMessage is DELETE /message/: the author, or a channel manager,
// deletes a message. The answer has message_type DELETE_MESSAGE and echoes
// the request's content, as the original did.
func (s *server) deleteMessage(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindMessage}, field{name: "content", typ: tOptString})
	if err != nil {
		return err
	}
	_, th, err := s.chat.MessageConversation(r.Context(), a, chat.MessageID(in.id("id")))
	if err != nil {
		return messageTexts.of(err)
	}
	m, err := s.chat.DeleteMessage(r.Context(), a, chat.MessageID(in.id("id")))
	if err != nil {
		return messageTexts.of(err)
	}
	ref, _ := chat.ConversationOf(th, m.AuthorID)
	out := toMessage(m, ref, typeDelete)
	out.Content = in.optStr("content")
	return writeJSON(w, http.StatusOK, out)
}

// searchMessages is GET /message/search: up to 10 messages, newest first,
// containing content: DMs to the caller from user_id, or a channel's
// messages (from user_id, when given).
func (s *server) searchMessages(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	q := r.URL.Query()
	from, fromGiven := queryID(q, "user_id", kindUser)
	channel, channelGiven := queryID(q, "reference_id", kindChannel)
	search := chat.ConversationSearch{Text: q.Get("content"), From: chat.UserID(from)}
	switch rt := q.Get("recipient_type"); {
	case rt == recipientUser && fromGiven:
		search.In = chat.ConversationRef{UserID: chat.UserID(from)}
	case rt == recipientChannel && channelGiven:
		search.In = chat.ConversationRef{ChannelID: chat.ChannelID(channel)}
	default:
		return fail(http.StatusBadRequest, "Recipient type must be either USER or CHANNEL.")
	}
	out := []messageDTO{}
	msgs, err := s.chat.SearchConversation(r.Context(), a, search)
	if chat.ErrorReason(err) == chat.ReasonUserNotFound {
		return writeJSON(w, http.StatusOK, out)
	}
	if err != nil {
		return conversationTexts.of(err)
	}
	for _, m := range msgs {
		out = append(out, toMessage(m, authorRef(search.In, a.UserID, m.AuthorID), typeMessage))
	}
	return writeJSON(w, http.StatusOK, out)
}
