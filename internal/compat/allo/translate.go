package allo

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Allo's ids are MongoDB ObjectIds: 12 bytes written as 24 hex digits.
// Parley writes its integer ids in that shape, reversibly and with their
// kind, so a conversation id is never taken for a message id:
//
//	bytes 0-3   "Parl" (0x5061726c), marking an id Parley made
//	byte  4     the chat.Kind
//	bytes 5-11  the id, big-endian (56 bits, chat.MaxID)
//
// A real MongoDB ObjectId (a timestamp first) never decodes as one.
const idMarker = "5061726c"

// formatID renders an id of kind k as an ObjectId.
func formatID(k chat.Kind, id int64) string {
	return fmt.Sprintf("%s%02x%014x", idMarker, byte(k), uint64(id)&chat.MaxID)
}

// parseID reads an ObjectId of kind k; field names the input in errors.
// Hex digits may be of either case.
func parseID(k chat.Kind, field, s string) (int64, error) {
	if s == "" {
		return 0, chat.Invalidf(field, "The %s is required.", field)
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 12 {
		return 0, chat.Invalidf(field, "%q is not a valid %s id (24 hex digits).", clip(s), kindName(k))
	}
	if hex.EncodeToString(b[:4]) != idMarker {
		return 0, chat.Invalidf(field, "%q is not a %s id of this server.", clip(s), kindName(k))
	}
	if got := chat.Kind(b[4]); got != k {
		return 0, chat.Invalidf(field, "%q is a %s id, not a %s id.", clip(s), kindName(got), kindName(k))
	}
	var id int64
	for _, c := range b[5:] {
		id = id<<8 | int64(c)
	}
	if id == 0 {
		return 0, chat.Invalidf(field, "%q is not a valid %s id.", clip(s), kindName(k))
	}
	return id, nil
}

// kindName names a kind in Allo's words.
func kindName(k chat.Kind) string {
	switch k {
	case chat.KindThread:
		return "conversation"
	case chat.KindMessage:
		return "message"
	}
	return k.String()
}

// clip shortens what a client sent for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func conversationID(id chat.ThreadID) string { return formatID(chat.KindThread, int64(id)) }
func messageID(id chat.MessageID) string     { return formatID(chat.KindMessage, int64(id)) }
func userID(id chat.UserID) string           { return formatID(chat.KindUser, int64(id)) }

func userIDs(ids []chat.UserID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = userID(id)
	}
	return out
}

func parseConversationID(field, s string) (chat.ThreadID, error) {
	id, err := parseID(chat.KindThread, field, s)
	return chat.ThreadID(id), err
}

func parseMessageID(field, s string) (chat.MessageID, error) {
	id, err := parseID(chat.KindMessage, field, s)
	return chat.MessageID(id), err
}

func parseUserID(field, s string) (chat.UserID, error) {
	id, err := parseID(chat.KindUser, field, s)
	return chat.UserID(id), err
}

// isoTime renders a time as JavaScript's Date.toISOString does.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// parseTime reads an ISO 8601 time as JavaScript writes it (with or without
// fractional seconds and zone offset).
func parseTime(field, s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC().Truncate(time.Millisecond), nil
		}
	}
	return time.Time{}, chat.Invalidf(field, "The %s must be an ISO 8601 time such as 2026-01-02T15:04:05.000Z, not %q.", field, clip(s))
}

// Conversation types.
const (
	typePrivate = "private"
	typeGroup   = "group"
	typeChannel = "channel"
)

// conversationType is the Allo type of a thread: the one its creator gave,
// kept in its metadata, or the one its kind implies.
func conversationType(th *chat.Thread) string {
	if t := metadataType(th.Metadata); t != "" {
		return t
	}
	switch th.Kind {
	case chat.KindDirect:
		return typePrivate
	case chat.KindTopic:
		return typeChannel
	}
	return typeGroup
}

// toConversation renders a thread as an Allo Conversation document.
func toConversation(th *chat.Thread) conversationDoc {
	return conversationDoc{
		ID: conversationID(th.ID), Participants: userIDs(th.Participants), Topic: th.Subject, Type: conversationType(th),
		Owner: userID(th.AuthorID), Admins: userIDs(th.Moderators), LastUpdated: isoTime(th.UpdatedAt),
		CreatedAt: isoTime(th.CreatedAt), UpdatedAt: isoTime(th.UpdatedAt),
	}
}

// toMessage renders a message as an Allo Message document.
func toMessage(m *chat.Message) messageDoc {
	d := messageDoc{
		ID: messageID(m.ID), UserID: userID(m.AuthorID), ConversationID: conversationID(m.ThreadID), Message: m.Text,
		Status: "sent", CreatedAt: isoTime(m.CreatedAt), UpdatedAt: isoTime(m.UpdatedAt), Attachments: []attachmentDoc{},
		Reactions: []reactionDoc{}, Pinned: m.Pinned, Encrypted: m.Encrypted, EncryptionAlgorithm: m.EncryptionAlgorithm,
		Signature: m.Signature, ReadBy: []string{},
	}
	if m.Edited {
		d.EditedAt = isoTime(m.UpdatedAt)
	}
	if m.ForwardedFrom != 0 {
		d.ForwardedFrom = messageID(m.ForwardedFrom)
	}
	if m.ReplyTo != 0 {
		d.ReplyTo = messageID(m.ReplyTo)
	}
	for _, a := range m.Attachments {
		d.Attachments = append(d.Attachments, toAttachment(a))
	}
	for _, r := range m.Reactions {
		d.Reactions = append(d.Reactions, reactionDoc{Emoji: r.Name, UserID: userID(r.UserID)})
	}
	if m.Pinned {
		d.PinnedAt, d.PinnedBy = isoTime(m.PinnedAt), userID(m.PinnedBy)
	}
	d.EphemeralExpiresAt = isoTime(m.ExpiresAt)
	if m.Poll != nil {
		d.Poll = &pollDoc{Question: m.Poll.Question, Options: m.Poll.Options, Votes: m.Poll.Votes}
	}
	return d
}

// toAttachment renders an attachment. An upload (from the native API) is
// named by the native download path, where a signed-in member fetches it.
func toAttachment(a chat.Attachment) attachmentDoc {
	d := attachmentDoc{Type: a.Kind, URL: a.URL}
	if a.FileID != 0 {
		d.URL = fmt.Sprintf("/v1/files/img-%d", a.FileID)
		if d.Type == "" {
			d.Type = chat.AttachFile
			if strings.HasPrefix(a.ContentType, "image/") {
				d.Type = chat.AttachImage
			}
		}
	}
	return d
}

// Emit names (reference/allo.md §5.2).
const (
	emitConnected           = "connected"
	emitConversationCreated = "conversationCreated"
	emitMessage             = "message"
	emitMessageForwarded    = "messageForwarded"
	emitMessageEdited       = "messageEdited"
	emitMessageDeleted      = "messageDeleted"
	emitMessageUnsent       = "messageUnsent"
	emitMessagePinned       = "messagePinned"
	emitMessageReaction     = "messageReaction"
	emitMessageStatus       = "messageStatusUpdate"
	emitMessageReported     = "messageReported"
	emitPollVoted           = "pollVoted"
	emitTyping              = "typing"
	emitStopTyping          = "stopTyping"
	emitError               = "error"
)

// emitsFor names the emits an event becomes, in order. Each is rendered by
// emitPayload.
func emitsFor(ev *chat.Event) []string {
	switch ev.Type {
	case chat.EventThreadCreated:
		if ev.Thread != nil && ev.Thread.Kind != chat.KindTopic {
			return []string{emitConversationCreated}
		}
	case chat.EventMessageCreated:
		if ev.Message.ForwardedFrom != 0 {
			return []string{emitMessage, emitMessageForwarded}
		}
		return []string{emitMessage}
	case chat.EventMessageEdited:
		return []string{emitMessageEdited}
	case chat.EventMessageDeleted, chat.EventMessageExpired:
		return []string{emitMessageDeleted}
	case chat.EventMessageUnsent:
		return []string{emitMessageUnsent}
	case chat.EventMessagePinned, chat.EventMessageUnpinned:
		return []string{emitMessagePinned}
	case chat.EventReactionSet:
		return []string{emitMessageReaction}
	case chat.EventMessageRead:
		return []string{emitMessageStatus}
	case chat.EventPollVoted:
		return []string{emitPollVoted}
	case chat.EventMessageReported:
		return []string{emitMessageReported}
	case chat.EventTyping:
		return []string{emitTyping}
	case chat.EventTypingStopped:
		return []string{emitStopTyping}
	}
	return nil
}

// emitPayload renders the payload of emit name for ev. It depends only on
// the event, so it is computed once for every recipient.
func emitPayload(name string, ev *chat.Event) any {
	switch name {
	case emitConversationCreated:
		return toConversation(ev.Thread)
	case emitMessage:
		return toMessage(ev.Message)
	case emitMessageForwarded:
		return forwardedDoc{MessageID: messageID(ev.Message.ID), ForwardedAt: isoTime(ev.Message.CreatedAt)}
	case emitMessageEdited:
		return editedDoc{MessageID: messageID(ev.Message.ID), NewMessage: ev.Message.Text, EditedAt: isoTime(ev.Message.UpdatedAt)}
	case emitMessageDeleted, emitMessageUnsent:
		return messageRefDoc{MessageID: messageID(ev.Message.ID)}
	case emitMessagePinned:
		return toPinned(ev.Message)
	case emitMessageReaction:
		return reactionEmit{MessageID: messageID(ev.Reaction.MessageID), Emoji: ev.Reaction.Name, UserID: userID(ev.Reaction.UserID)}
	case emitMessageStatus:
		return statusDoc{MessageID: messageID(ev.Message.ID), Status: "read", UserID: userID(ev.UserID)}
	case emitPollVoted:
		return pollVotedDoc{MessageID: messageID(ev.Message.ID), OptionIndex: ev.Vote.Option, Votes: ev.Message.Poll.Votes}
	case emitMessageReported:
		return reportedDoc{MessageID: messageID(ev.Report.MessageID), Reporter: userID(ev.Report.ReporterID), Reason: ev.Report.Reason}
	case emitTyping, emitStopTyping:
		return typingDoc{User: userID(ev.UserID), ConversationID: conversationID(ev.ThreadID)}
	}
	return nil
}

func toPinned(m *chat.Message) pinnedDoc {
	return pinnedDoc{MessageID: messageID(m.ID), Pinned: m.Pinned, PinnedAt: isoTime(m.PinnedAt), PinnedBy: userID(m.PinnedBy)}
}

// roomless reports whether emit name reaches a socket whether or not it
// joined the conversation's room: a new conversation is announced to its
// participants, who have not joined it yet.
func roomless(name string) bool { return name == emitConversationCreated }

// ownEcho reports whether emit name is withheld from the actor's own
// sockets: one's own typing, and the conversation one created (its
// creating socket is told directly).
func ownEcho(name string) bool {
	return name == emitTyping || name == emitStopTyping || name == emitConversationCreated
}

// alloWords rewrites the core's vocabulary in Allo's: threads are
// conversations and chats are messages.
var alloWords = strings.NewReplacer("Threads", "Conversations", "threads", "conversations", "Thread", "Conversation", "thread", "conversation",
	"Chats", "Messages", "chats", "messages", "Chat", "Message", "chat", "message")

// wordRE finds the words alloWords may rewrite, so identifiers such as
// thread_id are left alone.
var wordRE = regexp.MustCompile(`\b(?:[Tt]hreads?|[Cc]hats?)\b`)

// alloFields names the core's input fields as Allo's payloads do.
var alloFields = strings.NewReplacer("The text ", "The message ")

// alloMessage returns the user-facing message of err in Allo's words.
func alloMessage(err error) string {
	return alloFields.Replace(wordRE.ReplaceAllStringFunc(chat.ErrorMessage(err), alloWords.Replace))
}
