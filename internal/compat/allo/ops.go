package allo

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// result is what an operation answers: the reply (the REST body and the
// Socket.IO acknowledgement), and what a socket does besides.
type result struct {
	status int
	reply  any
	// join is the conversation whose room the calling socket joins.
	join chat.ThreadID
	// direct is emitted to the calling socket only (conversationCreated,
	// which the original sent to the creator).
	direct string
}

// operation translates one Allo operation's payload, calls one chat use
// case and translates the answer back. The same operations serve
// POST /api/chat/<name> and the Socket.IO event <name>.
type operation func(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error)

// operations returns the table of every operation by name. typing and
// stopTyping are Socket.IO events only, as in the original (socketOnly).
func (s *surface) operations() map[string]operation {
	return map[string]operation{
		"joinConversation":     s.joinConversation,
		"createConversation":   s.createConversation,
		"typing":               s.typing,
		"stopTyping":           s.stopTyping,
		"sendMessage":          s.sendMessage,
		"sendSecureMessage":    s.sendSecureMessage,
		"reportMessage":        s.reportMessage,
		"editMessage":          s.editMessage,
		"deleteMessage":        s.deleteMessage,
		"forwardMessage":       s.forwardMessage,
		"messageRead":          s.messageRead,
		"pinMessage":           s.pinMessage,
		"reactionMessage":      s.reactionMessage,
		"scheduleMessage":      s.scheduleMessage,
		"unsendMessage":        s.unsendMessage,
		"sendEphemeralMessage": s.sendEphemeralMessage,
		"sendVoiceMessage":     s.sendVoiceMessage,
		"sendSticker":          s.sendSticker,
		"createPoll":           s.createPoll,
		"votePoll":             s.votePoll,
	}
}

// socketOnly lists the operations the seed does not document as REST
// endpoints.
var socketOnly = []string{"typing", "stopTyping"}

// decodePayload reads an operation's payload (unknown fields are ignored,
// as the original ignored them).
func decodePayload[T any](payload json.RawMessage) (T, error) {
	var v T
	if len(strings.TrimSpace(string(payload))) == 0 || string(payload) == "null" {
		return v, chat.Errorf(chat.Invalid, "The request needs a JSON object payload.")
	}
	return v, httpx.Unmarshal(payload, &v, true)
}

func ok(reply any) result      { return result{status: http.StatusOK, reply: reply} }
func created(reply any) result { return result{status: http.StatusCreated, reply: reply} }

func (s *surface) joinConversation(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[conversationRef](payload)
	if err != nil {
		return result{}, err
	}
	id, err := parseConversationID("conversationID", in.ConversationID)
	if err != nil {
		return result{}, err
	}
	th, err := s.chat.Conversation(ctx, a, id)
	if err != nil {
		return result{}, err
	}
	r := ok(toConversation(th))
	r.join = th.ID
	return r, nil
}

func (s *surface) createConversation(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[createConversationRequest](payload)
	if err != nil {
		return result{}, err
	}
	typ := strings.ToLower(strings.TrimSpace(in.Type))
	switch typ {
	case "":
		typ = typePrivate
	case typePrivate, typeGroup, typeChannel:
	default:
		return result{}, chat.Invalidf("type", "The type must be private, group or channel, not %q.", clip(in.Type))
	}
	nc := chat.NewConversation{Subject: in.Topic, Direct: typ == typePrivate}
	nc.Metadata, _ = json.Marshal(typeMetadata{Type: typ})
	for _, p := range in.Participants {
		id, err := parseUserID("participants", p)
		if err != nil {
			return result{}, err
		}
		nc.UserIDs = append(nc.UserIDs, id)
	}
	th, err := s.chat.StartConversation(ctx, a, nc)
	if err != nil {
		return result{}, err
	}
	r := created(toConversation(th))
	r.join, r.direct = th.ID, emitConversationCreated
	return r, nil
}

func (s *surface) typing(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	return s.typingChange(ctx, a, payload, s.chat.Typing)
}

func (s *surface) stopTyping(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	return s.typingChange(ctx, a, payload, s.chat.StopTyping)
}

func (s *surface) typingChange(ctx context.Context, a chat.Actor, payload json.RawMessage,
	announce func(context.Context, chat.Actor, chat.ThreadID) error) (result, error) {
	in, err := decodePayload[conversationRef](payload)
	if err != nil {
		return result{}, err
	}
	id, err := parseConversationID("conversationID", in.ConversationID)
	if err != nil {
		return result{}, err
	}
	if err := announce(ctx, a, id); err != nil {
		return result{}, err
	}
	return ok(typingDoc{User: userID(a.UserID), ConversationID: conversationID(id)}), nil
}

// post sends nm, whose ThreadID is read from conversationID.
func (s *surface) post(ctx context.Context, a chat.Actor, conversation string, nm chat.NewMessage) (result, error) {
	id, err := parseConversationID("conversationID", conversation)
	if err != nil {
		return result{}, err
	}
	nm.ThreadID = id
	m, err := s.chat.PostMessage(ctx, a, nm)
	if err != nil {
		return result{}, err
	}
	return created(toMessage(m)), nil
}

func (s *surface) sendMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[sendMessageRequest](payload)
	if err != nil {
		return result{}, err
	}
	return s.post(ctx, a, in.ConversationID, chat.NewMessage{Text: in.Message})
}

func (s *surface) sendSecureMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[secureMessageRequest](payload)
	if err != nil {
		return result{}, err
	}
	return s.post(ctx, a, in.ConversationID, chat.NewMessage{Text: in.Message, Encrypted: in.Encrypted,
		EncryptionAlgorithm: in.EncryptionAlgorithm, Signature: in.Signature})
}

func (s *surface) sendVoiceMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[voiceMessageRequest](payload)
	if err != nil {
		return result{}, err
	}
	return s.post(ctx, a, in.ConversationID, chat.NewMessage{Text: in.Message,
		Attachments: []chat.Attachment{{Kind: chat.AttachVoice, URL: in.VoiceURL}}})
}

func (s *surface) sendSticker(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[stickerRequest](payload)
	if err != nil {
		return result{}, err
	}
	return s.post(ctx, a, in.ConversationID, chat.NewMessage{Text: in.Message,
		Attachments: []chat.Attachment{{Kind: chat.AttachSticker, URL: in.StickerURL}}})
}

func (s *surface) createPoll(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[pollRequest](payload)
	if err != nil {
		return result{}, err
	}
	return s.post(ctx, a, in.ConversationID, chat.NewMessage{Poll: &chat.NewPoll{Question: in.Question, Options: in.Options}})
}

func (s *surface) sendEphemeralMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[ephemeralRequest](payload)
	if err != nil {
		return result{}, err
	}
	if in.ExpiresIn == nil {
		return result{}, chat.Invalidf("expiresIn", "The expiresIn (milliseconds) is required.")
	}
	return s.post(ctx, a, in.ConversationID, chat.NewMessage{Text: in.Message, Ephemeral: true, ExpiresIn: millis(*in.ExpiresIn)})
}

// millis converts a JSON number of milliseconds to a duration, saturating
// instead of overflowing (the core refuses what is out of range).
func millis(ms float64) time.Duration {
	switch {
	case math.IsNaN(ms):
		return 0
	case ms > float64(math.MaxInt64/int64(time.Millisecond)):
		return math.MaxInt64
	case ms < float64(math.MinInt64/int64(time.Millisecond)):
		return math.MinInt64
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (s *surface) scheduleMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[scheduleRequest](payload)
	if err != nil {
		return result{}, err
	}
	id, err := parseConversationID("conversationID", in.ConversationID)
	if err != nil {
		return result{}, err
	}
	at, err := parseTime("scheduledTime", in.ScheduledTime)
	if err != nil {
		return result{}, err
	}
	sm, m, err := s.chat.ScheduleMessage(ctx, a, chat.NewScheduled{Message: chat.NewMessage{ThreadID: id, Text: in.Message}, SendAt: at})
	if err != nil {
		return result{}, err
	}
	if m != nil {
		doc := toMessage(m)
		doc.ScheduledAt = isoTime(at)
		return created(doc), nil
	}
	return result{status: http.StatusAccepted, reply: scheduledDoc{ID: formatID(chat.KindScheduled, int64(sm.ID)), UserID: userID(sm.AuthorID),
		ConversationID: conversationID(sm.ThreadID), Message: sm.Message.Text, ScheduledTime: isoTime(sm.SendAt), Status: "scheduled"}}, nil
}

// ref parses a message named in a conversation.
// decodeRef decodes the payload of an operation on one message (a request
// that embeds messageRequest) and the message it names.
func decodeRef[T interface{ message() messageRequest }](payload json.RawMessage) (T, chat.MessageRef, error) {
	in, err := decodePayload[T](payload)
	if err != nil {
		return in, chat.MessageRef{}, err
	}
	r, err := ref(in.message())
	return in, r, err
}

func ref(in messageRequest) (chat.MessageRef, error) {
	tid, err := parseConversationID("conversationID", in.ConversationID)
	if err != nil {
		return chat.MessageRef{}, err
	}
	mid, err := parseMessageID("messageId", in.MessageID)
	if err != nil {
		return chat.MessageRef{}, err
	}
	return chat.MessageRef{ThreadID: tid, MessageID: mid}, nil
}

func (s *surface) reportMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, r, err := decodeRef[reportRequest](payload)
	if err != nil {
		return result{}, err
	}
	rp, err := s.chat.ReportMessage(ctx, a, chat.NewReport{MessageRef: r, Reason: in.Reason})
	if err != nil {
		return result{}, err
	}
	return created(reportDoc{ID: formatID(chat.KindReport, int64(rp.ID)), ConversationID: conversationID(rp.ThreadID),
		MessageID: messageID(rp.MessageID), Reporter: userID(rp.ReporterID), Reason: rp.Reason, CreatedAt: isoTime(rp.CreatedAt)}), nil
}

func (s *surface) editMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, r, err := decodeRef[editRequest](payload)
	if err != nil {
		return result{}, err
	}
	m, err := s.chat.EditMessage(ctx, a, chat.MessageEdit{ID: r.MessageID, ThreadID: r.ThreadID, Text: in.NewMessage})
	if err != nil {
		return result{}, err
	}
	return ok(editedDoc{MessageID: messageID(m.ID), NewMessage: m.Text, EditedAt: isoTime(m.UpdatedAt)}), nil
}

func (s *surface) deleteMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	_, r, err := decodeRef[messageRequest](payload)
	if err != nil {
		return result{}, err
	}
	m, err := s.chat.DeleteThreadMessage(ctx, a, r)
	if err != nil {
		return result{}, err
	}
	return ok(messageRefDoc{MessageID: messageID(m.ID)}), nil
}

func (s *surface) unsendMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	_, r, err := decodeRef[messageRequest](payload)
	if err != nil {
		return result{}, err
	}
	m, err := s.chat.UnsendMessage(ctx, a, r)
	if err != nil {
		return result{}, err
	}
	return ok(messageRefDoc{MessageID: messageID(m.ID)}), nil
}

func (s *surface) forwardMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, err := decodePayload[forwardRequest](payload)
	if err != nil {
		return result{}, err
	}
	from, err := parseConversationID("fromConversationID", in.FromConversationID)
	if err != nil {
		return result{}, err
	}
	mid, err := parseMessageID("messageId", in.MessageID)
	if err != nil {
		return result{}, err
	}
	to, err := parseConversationID("toConversationID", in.ToConversationID)
	if err != nil {
		return result{}, err
	}
	m, err := s.chat.ForwardMessage(ctx, a, chat.Forward{From: chat.MessageRef{ThreadID: from, MessageID: mid}, To: to})
	if err != nil {
		return result{}, err
	}
	return created(forwardedDoc{MessageID: messageID(m.ID), ForwardedAt: isoTime(m.CreatedAt)}), nil
}

func (s *surface) messageRead(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	_, r, err := decodeRef[messageRequest](payload)
	if err != nil {
		return result{}, err
	}
	if _, err := s.chat.ReadMessage(ctx, a, r); err != nil {
		return result{}, err
	}
	return ok(statusDoc{MessageID: messageID(r.MessageID), Status: "read", UserID: userID(a.UserID)}), nil
}

func (s *surface) pinMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, r, err := decodeRef[pinRequest](payload)
	if err != nil {
		return result{}, err
	}
	pin := in.Pin == nil || *in.Pin
	m, err := s.chat.PinMessage(ctx, a, chat.PinInput{MessageRef: r, Pin: pin})
	if err != nil {
		return result{}, err
	}
	return ok(toPinned(m)), nil
}

func (s *surface) reactionMessage(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, r, err := decodeRef[reactionRequest](payload)
	if err != nil {
		return result{}, err
	}
	if err := s.chat.React(ctx, a, chat.ReactionInput{ThreadID: r.ThreadID, MessageID: r.MessageID, Name: in.Emoji}); err != nil {
		return result{}, err
	}
	return ok(reactionEmit{MessageID: messageID(r.MessageID), Emoji: strings.TrimSpace(in.Emoji), UserID: userID(a.UserID)}), nil
}

func (s *surface) votePoll(ctx context.Context, a chat.Actor, payload json.RawMessage) (result, error) {
	in, r, err := decodeRef[voteRequest](payload)
	if err != nil {
		return result{}, err
	}
	if in.OptionIndex == nil {
		return result{}, chat.Invalidf("optionIndex", "The optionIndex (a number from 0) is required.")
	}
	m, err := s.chat.Vote(ctx, a, chat.VoteInput{MessageRef: r, Option: *in.OptionIndex})
	if err != nil {
		return result{}, err
	}
	return ok(pollVotedDoc{MessageID: messageID(m.ID), OptionIndex: *in.OptionIndex, Votes: m.Poll.Votes}), nil
}
