package convo

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The Convo Space's request and response shapes, with their quirks: bodies
// carry the token and signer, timestamps may be numbers or strings, flags
// may be booleans or "true"/"false", and comment timestamps are strings of
// milliseconds while thread timestamps are numbers.

// flexInt is a number that clients also send as a numeric string.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return err
		}
		v = int64(f)
	}
	*n = flexInt(v)
	return nil
}

// flexBool is a flag sent as true/false or "true"/"false"; set reports
// whether it was sent at all. (The original stored `x == 'true'`, so a
// boolean true became false; both spellings mean what they say here.)
type flexBool struct {
	value, set bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true", `"true"`:
		*f = flexBool{value: true, set: true}
	case "false", `"false"`:
		*f = flexBool{set: true}
	case "null":
		*f = flexBool{}
	default:
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		// Anything else counts as JavaScript truthiness would.
		*f = flexBool{value: v != nil && v != "" && v != 0.0, set: true}
	}
	return nil
}

// signed is what every write request carries.
type signed struct {
	Token         string `json:"token"`
	SignerAddress string `json:"signerAddress"`
}

type authRequest struct {
	SignerAddress string  `json:"signerAddress"`
	Signature     string  `json:"signature"`
	Timestamp     flexInt `json:"timestamp"`
	Chain         string  `json:"chain"`
	AccountID     string  `json:"accountId"`
}

type authV2Request struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
	Chain     string `json:"chain"`
}

type apikeyRequest struct {
	signed
	// Org is the org's slug, for the operator (Client-Secret) only.
	Org string `json:"org"`
}

type commentRequest struct {
	signed
	Comment   string          `json:"comment"`
	ThreadID  string          `json:"threadId"`
	URL       string          `json:"url"`
	Metadata  json.RawMessage `json:"metadata"`
	ReplyTo   string          `json:"replyTo"`
	Tag1      string          `json:"tag1"`
	Tag2      string          `json:"tag2"`
	CommentID string          `json:"commentId"`
	DeleteAll flexBool        `json:"deleteAll"`
}

type voteRequest struct {
	signed
	CommentID string `json:"commentId"`
	Type      string `json:"type"`
}

type threadRequest struct {
	signed
	Action        string          `json:"action"`
	ThreadID      string          `json:"threadId"`
	Title         *string         `json:"title"`
	Description   *string         `json:"description"`
	URL           string          `json:"url"`
	IsReadPublic  flexBool        `json:"isReadPublic"`
	IsWritePublic flexBool        `json:"isWritePublic"`
	Members       []string        `json:"members"`
	Moderators    []string        `json:"moderators"`
	Keywords      []string        `json:"keywords"`
	Metadata      json.RawMessage `json:"metadata"`
}

type editJSON struct {
	ChangedOn string `json:"changedOn"`
	Text      string `json:"text"`
}

// commentJSON is a comment document. Success is set only in the answer to
// a POST; AuthorENS (never resolved here: Parley makes no outside calls)
// only on reads.
type commentJSON struct {
	ID          string          `json:"_id"`
	Success     *bool           `json:"success,omitempty"`
	CreatedOn   string          `json:"createdOn"`
	Author      string          `json:"author"`
	Text        string          `json:"text"`
	URL         string          `json:"url"`
	TID         string          `json:"tid"`
	Metadata    json.RawMessage `json:"metadata"`
	Tag1        string          `json:"tag1"`
	Tag2        string          `json:"tag2"`
	Upvotes     []string        `json:"upvotes"`
	Downvotes   []string        `json:"downvotes"`
	Chain       string          `json:"chain"`
	ReplyTo     string          `json:"replyTo"`
	EditHistory []editJSON      `json:"editHistory"`
	AuthorENS   *bool           `json:"authorENS,omitempty"`
}

// threadJSON is a thread document.
type threadJSON struct {
	ID            string          `json:"_id"`
	Success       *bool           `json:"success,omitempty"`
	CreatedOn     int64           `json:"createdOn"`
	Creator       string          `json:"creator"`
	Title         string          `json:"title"`
	Description   string          `json:"description"`
	URL           string          `json:"url"`
	IsReadPublic  bool            `json:"isReadPublic"`
	IsWritePublic bool            `json:"isWritePublic"`
	Members       []string        `json:"members"`
	Moderators    []string        `json:"moderators"`
	Keyword1      string          `json:"keyword1"`
	Keyword2      string          `json:"keyword2"`
	Keyword3      string          `json:"keyword3"`
	Metadata      json.RawMessage `json:"metadata"`
}

// eventJSON is one live frame: what Ably carried for The Convo Space.
type eventJSON struct {
	Name string      `json:"name"`
	Data commentJSON `json:"data"`
}

// Event names of the live stream.
const (
	eventCreate   = "commentCreate"
	eventUpdate   = "commentUpdate"
	eventDelete   = "commentDelete"
	eventUpvote   = "toggleUpvote"
	eventDownvote = "toggleDownvote"
)
