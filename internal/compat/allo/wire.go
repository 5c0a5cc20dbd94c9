package allo

import (
	"encoding/json"
	"slices"
)

// The JSON shapes of Allo: its requests (the seed's bodies, which are also
// the Socket.IO events' payloads) and the documents and emits it sends. Keys
// keep the original's spelling, conversationID next to messageId. Every
// request may carry fields the original trusted and Parley ignores (userID,
// owner): the authenticated user is the sender, owner, reporter, reader,
// voter and reactor.

// conversationRef is joinConversation's, typing's and stopTyping's payload:
// the seed's {"conversationID"} or, as the original socket events took it,
// a plain string.
type conversationRef struct {
	ConversationID string `json:"conversationID"`
}

func (c *conversationRef) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		c.ConversationID = s
		return nil
	}
	type plain conversationRef
	return json.Unmarshal(b, (*plain)(c))
}

type createConversationRequest struct {
	Participants []string `json:"participants"`
	Type         string   `json:"type"`
	Topic        string   `json:"topic"`
	Owner        string   `json:"owner"` // ignored: the creator owns it
}

type sendMessageRequest struct {
	UserID         string `json:"userID"` // ignored: the sender is the authenticated user
	ConversationID string `json:"conversationID"`
	Message        string `json:"message"`
}

type secureMessageRequest struct {
	sendMessageRequest
	Encrypted           bool   `json:"encrypted"`
	EncryptionAlgorithm string `json:"encryptionAlgorithm"`
	Signature           string `json:"signature"`
}

type voiceMessageRequest struct {
	sendMessageRequest
	VoiceURL string `json:"voiceUrl"`
}

type stickerRequest struct {
	sendMessageRequest
	StickerURL string `json:"stickerUrl"`
}

type ephemeralRequest struct {
	sendMessageRequest
	// ExpiresIn is in milliseconds.
	ExpiresIn *float64 `json:"expiresIn"`
}

type scheduleRequest struct {
	sendMessageRequest
	ScheduledTime string `json:"scheduledTime"`
}

type pollRequest struct {
	UserID         string   `json:"userID"`
	ConversationID string   `json:"conversationID"`
	Question       string   `json:"question"`
	Options        []string `json:"options"`
}

// messageRequest names a message in a conversation (deleteMessage,
// unsendMessage, messageRead).
type messageRequest struct {
	ConversationID string `json:"conversationID"`
	MessageID      string `json:"messageId"`
}

// message returns the request's message part (also of the requests that
// embed it; see decodeRef).
func (m messageRequest) message() messageRequest { return m }

type reportRequest struct {
	messageRequest
	Reason string `json:"reason"`
}

type editRequest struct {
	messageRequest
	NewMessage string `json:"newMessage"`
}

type forwardRequest struct {
	FromConversationID string `json:"fromConversationID"`
	ToConversationID   string `json:"toConversationID"`
	MessageID          string `json:"messageId"`
}

type pinRequest struct {
	messageRequest
	// Pin defaults to true: pinMessage pins unless told otherwise.
	Pin *bool `json:"pin"`
}

type reactionRequest struct {
	messageRequest
	Emoji string `json:"emoji"`
}

type voteRequest struct {
	messageRequest
	OptionIndex *int `json:"optionIndex"`
}

// conversationDoc is Allo's Conversation document.
type conversationDoc struct {
	ID           string   `json:"_id"`
	Participants []string `json:"participants"`
	Topic        string   `json:"topic"`
	Type         string   `json:"type"`
	Owner        string   `json:"owner"`
	Admins       []string `json:"admins"`
	LastUpdated  string   `json:"lastUpdated"`
	CreatedAt    string   `json:"createdAt"`
	UpdatedAt    string   `json:"updatedAt"`
}

// messageDoc is Allo's Message document.
type messageDoc struct {
	ID                  string          `json:"_id"`
	UserID              string          `json:"userID"`
	ConversationID      string          `json:"conversationID"`
	Message             string          `json:"message"`
	Status              string          `json:"status"`
	CreatedAt           string          `json:"createdAt"`
	UpdatedAt           string          `json:"updatedAt"`
	EditedAt            string          `json:"editedAt,omitempty"`
	ForwardedFrom       string          `json:"forwardedFrom,omitempty"`
	Attachments         []attachmentDoc `json:"attachments"`
	ReplyTo             string          `json:"replyTo,omitempty"`
	Reactions           []reactionDoc   `json:"reactions"`
	Pinned              bool            `json:"pinned"`
	PinnedAt            string          `json:"pinnedAt,omitempty"`
	PinnedBy            string          `json:"pinnedBy,omitempty"`
	ScheduledAt         string          `json:"scheduledAt,omitempty"`
	EphemeralExpiresAt  string          `json:"ephemeralExpiresAt,omitempty"`
	Encrypted           bool            `json:"encrypted"`
	EncryptionAlgorithm string          `json:"encryptionAlgorithm,omitempty"`
	Signature           string          `json:"signature,omitempty"`
	Poll                *pollDoc        `json:"poll,omitempty"`
	ReadBy              []string        `json:"readBy"`
}

type attachmentDoc struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type reactionDoc struct {
	Emoji  string `json:"emoji"`
	UserID string `json:"userID"`
}

type pollDoc struct {
	Question string   `json:"question"`
	Options  []string `json:"options"`
	Votes    []int    `json:"votes"`
}

// reportDoc is Allo's Report document.
type reportDoc struct {
	ID             string `json:"_id"`
	ConversationID string `json:"conversationID"`
	MessageID      string `json:"messageId"`
	Reporter       string `json:"reporter"`
	Reason         string `json:"reason"`
	CreatedAt      string `json:"createdAt"`
}

// scheduledDoc answers scheduleMessage when the message waits for its time.
type scheduledDoc struct {
	ID             string `json:"_id"`
	UserID         string `json:"userID"`
	ConversationID string `json:"conversationID"`
	Message        string `json:"message"`
	ScheduledTime  string `json:"scheduledTime"`
	Status         string `json:"status"`
}

// The emits' payloads.
type (
	connectedDoc struct {
		UserID string `json:"userId"`
	}
	messageRefDoc struct {
		MessageID string `json:"messageId"`
	}
	forwardedDoc struct {
		MessageID   string `json:"messageId"`
		ForwardedAt string `json:"forwardedAt"`
	}
	editedDoc struct {
		MessageID  string `json:"messageId"`
		NewMessage string `json:"newMessage"`
		EditedAt   string `json:"editedAt"`
	}
	pinnedDoc struct {
		MessageID string `json:"messageId"`
		Pinned    bool   `json:"pinned"`
		PinnedAt  string `json:"pinnedAt"`
		PinnedBy  string `json:"pinnedBy"`
	}
	reactionEmit struct {
		MessageID string `json:"messageId"`
		Emoji     string `json:"emoji"`
		UserID    string `json:"userID"`
	}
	statusDoc struct {
		MessageID string `json:"messageId"`
		Status    string `json:"status"`
		UserID    string `json:"userID"`
	}
	pollVotedDoc struct {
		MessageID   string `json:"messageId"`
		OptionIndex int    `json:"optionIndex"`
		Votes       []int  `json:"votes"`
	}
	reportedDoc struct {
		MessageID string `json:"messageId"`
		Reporter  string `json:"reporter"`
		Reason    string `json:"reason"`
	}
	typingDoc struct {
		User           string `json:"user"`
		ConversationID string `json:"conversationID"`
	}
	// errorDoc is the error emit and the REST error body.
	errorDoc struct {
		Message string `json:"message"`
		Code    string `json:"code"`
		Event   string `json:"event,omitempty"`
	}
)

// typeMetadata is what a conversation's metadata holds of its Allo type.
type typeMetadata struct {
	Type string `json:"type"`
}

// metadataType returns the Allo type kept in a thread's metadata, or "".
func metadataType(raw json.RawMessage) string {
	var m typeMetadata
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil || !slices.Contains([]string{typePrivate, typeGroup, typeChannel}, m.Type) {
		return ""
	}
	return m.Type
}
