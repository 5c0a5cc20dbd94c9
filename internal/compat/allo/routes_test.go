package allo_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/parley-chat/parley/internal/compat/allo"
)

// TestPatterns checks that every seed endpoint is served, and that the
// surface's patterns live with a catch-all web client on one mux.
func TestPatterns(t *testing.T) {
	got := allo.Patterns()
	for _, op := range []string{"joinConversation", "createConversation", "sendMessage", "sendSecureMessage", "reportMessage",
		"editMessage", "deleteMessage", "forwardMessage", "messageRead", "pinMessage", "reactionMessage", "scheduleMessage",
		"unsendMessage", "sendEphemeralMessage", "sendVoiceMessage", "sendSticker", "createPoll", "votePoll"} {
		if !slices.Contains(got, "POST /api/chat/"+op) {
			t.Errorf("POST /api/chat/%s is not served", op)
		}
	}
	if len(got) != 18+3 {
		t.Errorf("%d patterns: %v", len(got), got)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /", http.NotFoundHandler())
	for _, p := range got {
		mux.Handle(p, http.NotFoundHandler()) // panics on a conflict
	}
}
