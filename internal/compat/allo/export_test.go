package allo

import "github.com/parley-chat/parley/internal/chat"

// FormatID is formatID, for the external tests.
var FormatID = formatID

// ParseID is parseID, for the external tests.
var ParseID = parseID

// FormatIDForBench renders a conversation id.
func FormatIDForBench(id chat.ThreadID) string { return conversationID(id) }
