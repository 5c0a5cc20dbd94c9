package allo

import (
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// FormatID is formatID, for the external tests.
var FormatID = formatID

// ParseID is parseID, for the external tests.
var ParseID = parseID

// FormatIDForBench renders a conversation id.
func FormatIDForBench(id chat.ThreadID) string { return conversationID(id) }

// RESTOperations returns the operations served as POST /api/chat/<name>,
// sorted.
func RESTOperations() []string {
	var out []string
	for _, p := range Patterns() {
		if name, ok := strings.CutPrefix(p, "POST /api/chat/"); ok {
			out = append(out, name)
		}
	}
	return out
}
