package allo

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

func TestObjectIDs(t *testing.T) {
	tests := []struct {
		kind chat.Kind
		id   int64
		want string
	}{
		{chat.KindThread, 1, "5061726c0200000000000001"},
		{chat.KindMessage, 0x1ae93, "5061726c010000000001ae93"},
		{chat.KindUser, 0xabcdef, "5061726c0400000000abcdef"},
		{chat.KindMessage, chat.MaxID, "5061726c01ffffffffffffff"},
		{chat.KindReport, 7, "5061726c0a00000000000007"},
	}
	for _, tt := range tests {
		if got := formatID(tt.kind, tt.id); got != tt.want {
			t.Errorf("formatID(%v, %#x) = %q, want %q", tt.kind, tt.id, got, tt.want)
		}
		got, err := parseID(tt.kind, "id", tt.want)
		if err != nil || got != tt.id {
			t.Errorf("parseID(%q) = %#x, %v; want %#x", tt.want, got, err, tt.id)
		}
		if got, err := parseID(tt.kind, "id", strings.ToUpper(tt.want)); err != nil || got != tt.id {
			t.Errorf("parseID(upper case %q) = %#x, %v", tt.want, got, err)
		}
	}
	bad := []struct {
		s    string
		kind chat.Kind
		want string // a word of the message
	}{
		{"", chat.KindThread, "required"},
		{"abc", chat.KindThread, "24 hex"},
		{"5061726c02000000000000zz", chat.KindThread, "24 hex"},
		{"5061726c020000000000000100", chat.KindThread, "24 hex"},
		{"507f1f77bcf86cd799439011", chat.KindThread, "this server"}, // a real Mongo ObjectId
		{"5061726c0100000000000001", chat.KindThread, "message id, not a conversation"},
		{"5061726c0200000000000000", chat.KindThread, "not a valid"},
	}
	for _, tt := range bad {
		_, err := parseID(tt.kind, "conversationID", tt.s)
		if chat.ErrorCode(err) != chat.Invalid || !strings.Contains(chat.ErrorMessage(err), tt.want) {
			t.Errorf("parseID(%q) = %v, want invalid mentioning %q", tt.s, err, tt.want)
		}
		if e := chat.AsError(err); e == nil || e.Fields["conversationID"] == "" {
			t.Errorf("parseID(%q) does not name the field", tt.s)
		}
	}
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"5061726c0200000000000001", "5061726C01FFFFFFFFFFFFFF", "507f1f77bcf86cd799439011", "", "zz"} {
		f.Add(s, byte(2))
	}
	f.Fuzz(func(t *testing.T, s string, k byte) {
		id, err := parseID(chat.Kind(k), "id", s)
		if err != nil {
			return
		}
		if id <= 0 || id > chat.MaxID {
			t.Fatalf("parseID(%q) = %d, out of range", s, id)
		}
		if got := formatID(chat.Kind(k), id); got != strings.ToLower(s) {
			t.Fatalf("parseID(%q) = %d; formats back as %q", s, id, got)
		}
	})
}

func TestParseTime(t *testing.T) {
	want := time.Date(2026, 11, 21, 5, 42, 17, 123e6, time.UTC)
	for _, s := range []string{"2026-11-21T05:42:17.123Z", "2026-11-21T06:42:17.123+01:00", "2026-11-21T05:42:17.123456Z"} {
		if got, err := parseTime("scheduledTime", s); err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "tomorrow", "21/11/2026", "1700000000"} {
		if _, err := parseTime("scheduledTime", s); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("parseTime(%q) = %v, want invalid", s, err)
		}
	}
	if got := isoTime(want); got != "2026-11-21T05:42:17.123Z" {
		t.Errorf("isoTime = %q", got)
	}
}

func TestAlloMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{chat.Errorf(chat.NotFound, "Thread not found."), "Conversation not found."},
		{chat.Errorf(chat.NotFound, "Chat not found."), "Message not found."},
		{chat.Errorf(chat.Forbidden, "You cannot post in this thread."), "You cannot post in this conversation."},
		{chat.Errorf(chat.Invalid, "The chat is not in that thread."), "The message is not in that conversation."},
		{chat.Errorf(chat.Invalid, "The thread_id is required."), "The thread_id is required."},
		{chat.Errorf(chat.Invalid, "An ephemeral chat cannot be forwarded."), "An ephemeral message cannot be forwarded."},
		{errors.New("pq: connection reset"), "Internal error."},
	}
	for _, tt := range tests {
		if got := alloMessage(tt.err); got != tt.want {
			t.Errorf("alloMessage(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestConversationType(t *testing.T) {
	meta := func(typ string) json.RawMessage { b, _ := json.Marshal(typeMetadata{Type: typ}); return b }
	tests := []struct {
		th   *chat.Thread
		want string
	}{
		{&chat.Thread{Kind: chat.KindGroup, Metadata: meta("channel")}, "channel"},
		{&chat.Thread{Kind: chat.KindGroup, Metadata: meta("private")}, "private"},
		{&chat.Thread{Kind: chat.KindGroup}, "group"},
		{&chat.Thread{Kind: chat.KindDirect}, "private"},
		{&chat.Thread{Kind: chat.KindTopic}, "channel"},
		{&chat.Thread{Kind: chat.KindGroup, Metadata: meta("secret")}, "group"},
		{&chat.Thread{Kind: chat.KindGroup, Metadata: json.RawMessage(`{"theme":"dark"}`)}, "group"},
	}
	for _, tt := range tests {
		if got := conversationType(tt.th); got != tt.want {
			t.Errorf("conversationType(%v, %s) = %q, want %q", tt.th.Kind, tt.th.Metadata, got, tt.want)
		}
	}
}

func TestEmits(t *testing.T) {
	m := &chat.Message{ID: 9, ThreadID: 2, AuthorID: 3, Text: "hi", Poll: &chat.Poll{Question: "q", Options: []string{"a", "b"}, Votes: []int{0, 1}}}
	fwd := &chat.Message{ID: 10, ThreadID: 2, AuthorID: 3, ForwardedFrom: 9}
	tests := []struct {
		ev   *chat.Event
		want []string
	}{
		{&chat.Event{Type: chat.EventMessageCreated, Message: m}, []string{"message"}},
		{&chat.Event{Type: chat.EventMessageCreated, Message: fwd}, []string{"message", "messageForwarded"}},
		{&chat.Event{Type: chat.EventMessageExpired, Message: m}, []string{"messageDeleted"}},
		{&chat.Event{Type: chat.EventMessageUnsent, Message: m}, []string{"messageUnsent"}},
		{&chat.Event{Type: chat.EventMessageUnpinned, Message: m}, []string{"messagePinned"}},
		{&chat.Event{Type: chat.EventReactionUnset, Reaction: &chat.Reaction{}}, nil},
		{&chat.Event{Type: chat.EventThreadCreated, Thread: &chat.Thread{Kind: chat.KindTopic}}, nil},
		{&chat.Event{Type: chat.EventThreadCreated, Thread: &chat.Thread{Kind: chat.KindGroup}}, []string{"conversationCreated"}},
		{&chat.Event{Type: chat.EventReadMoved}, nil},
		{&chat.Event{Type: chat.EventPresence}, nil},
	}
	for _, tt := range tests {
		if got := emitsFor(tt.ev); !slices.Equal(got, tt.want) {
			t.Errorf("emitsFor(%s) = %v, want %v", tt.ev.Type, got, tt.want)
		}
	}
	ev := &chat.Event{Type: chat.EventPollVoted, Message: m, Vote: &chat.Vote{MessageID: 9, UserID: 4, Option: 1}}
	b, _ := json.Marshal(emitPayload(emitPollVoted, ev))
	if want := `{"messageId":"5061726c0100000000000009","optionIndex":1,"votes":[0,1]}`; string(b) != want {
		t.Errorf("pollVoted = %s, want %s", b, want)
	}
	exp := &chat.Event{Type: chat.EventMessageExpired, Message: &chat.Message{ID: 9, ThreadID: 2}}
	b, _ = json.Marshal(emitPayload(emitMessageDeleted, exp))
	if want := `{"messageId":"5061726c0100000000000009"}`; string(b) != want {
		t.Errorf("messageDeleted of an expired message = %s, want its id (the original sent createdAt)", b)
	}
}
