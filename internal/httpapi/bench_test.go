package httpapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

func BenchmarkFormatID(b *testing.B) {
	for i := range b.N {
		_ = formatID(chat.KindMessage, int64(i)+1)
	}
}

// BenchmarkEncodeEvent measures rendering a message event as a /v1/ws frame
// (done once per event for all recipients).
func BenchmarkEncodeEvent(b *testing.B) {
	s := &server{}
	m := &chat.Message{ID: 123456, ThreadID: 42, AuthorID: 7, Text: "a chat of ordinary length, for the benchmark", CreatedAt: time.Now(), UpdatedAt: time.Now(),
		Reactions: []chat.Reaction{{MessageID: 123456, UserID: 8, Name: "+1"}}}
	ev := &chat.Event{ID: 99, Type: chat.EventMessageCreated, Message: m}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(s.eventFrame("", ev)); err != nil {
			b.Fatal(err)
		}
	}
}
