package convo

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// Ids. The Convo Space's comment ids are 24 letters and digits and its
// thread ids 26 (or chosen by the client). Parley renders its integer ids in
// base 62, left-padded with '0' to those widths: the same integer always
// gives the same id and the id gives back the integer. A thread with a key
// (every thread made through this surface) is shown by its key; a thread
// without one by its rendered id.

const (
	digits62       = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	commentIDLen   = 24
	threadIDLen    = 26
	maxDigits62For = 10 // base-62 digits of chat.MaxID (2^56-1)
)

// render62 writes id in base 62, left-padded with '0' to width.
func render62(id int64, width int) string {
	b := []byte(strings.Repeat("0", width))
	for i := width - 1; id > 0 && i >= 0; i-- {
		b[i] = digits62[id%62]
		id /= 62
	}
	return string(b)
}

// parse62 reads what render62 wrote: exactly width base-62 digits naming an
// id in (0, chat.MaxID]. ok is false for anything else.
func parse62(s string, width int) (int64, bool) {
	if len(s) != width || strings.TrimLeft(s[:width-maxDigits62For], "0") != "" {
		return 0, false
	}
	var v int64
	for i := width - maxDigits62For; i < width; i++ {
		d := strings.IndexByte(digits62, s[i])
		if d < 0 {
			return 0, false
		}
		if v > (chat.MaxID-int64(d))/62 {
			return 0, false
		}
		v = v*62 + int64(d)
	}
	return v, v > 0
}

// commentID renders a message id as a Convo comment id.
func commentID(id chat.MessageID) string { return render62(int64(id), commentIDLen) }

// parseCommentID reads a Convo comment id.
func parseCommentID(s string) (chat.MessageID, bool) {
	v, ok := parse62(strings.TrimSpace(s), commentIDLen)
	return chat.MessageID(v), ok
}

// threadID renders a thread as a Convo thread id: its key, or its rendered
// id when it has none.
func threadID(th *chat.Thread) string {
	if th.Key != "" {
		return th.Key
	}
	return render62(int64(th.ID), threadIDLen)
}

// threadRef reads a Convo thread id: always a key, and also an id when it
// has the rendered form (the key is tried first).
func threadRef(s string) chat.ThreadRef {
	ref := chat.ThreadRef{Key: strings.TrimSpace(s)}
	if v, ok := parse62(ref.Key, threadIDLen); ok {
		ref.ID = chat.ThreadID(v)
	}
	return ref
}

// decodeURL undoes encodeURIComponent as The Convo Space's clients apply it
// to page URLs (once, or not at all). A string with a malformed escape is
// kept as it is, and then fails the URL check in chat.
func decodeURL(s string) string {
	s = strings.TrimSpace(s)
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// decodeText undoes encodeURIComponent on a title or description, as the
// original does; text that is not encoded comes back as it is.
func decodeText(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}

// chainOf names the chain of an author as The Convo Space's
// addressToChainName does, for the two chains Parley signs in.
func chainOf(author string) string {
	if strings.HasPrefix(author, "0x") {
		return chat.ChainEthereum
	}
	return chat.ChainNEAR
}

// ms renders a time as The Convo Space's createdOn strings: milliseconds.
func msString(v *chat.Message) string { return strconv.FormatInt(v.CreatedAt.UnixMilli(), 10) }

// toComment renders a comment in The Convo Space's shape.
func toComment(v *chat.CommentView) commentJSON {
	m := v.Comment
	c := commentJSON{
		ID: commentID(m.ID), CreatedOn: msString(m), Author: v.Author, Text: m.Text, URL: v.Thread.URL, TID: threadID(v.Thread),
		Metadata: json.RawMessage(`{}`), Upvotes: v.Upvoters, Downvotes: v.Downvoters, Chain: chainOf(v.Author),
		EditHistory: make([]editJSON, 0, len(v.Edits)),
	}
	if len(m.Metadata) > 0 {
		c.Metadata = m.Metadata
	}
	if len(m.Tags) > 0 {
		c.Tag1 = m.Tags[0]
	}
	if len(m.Tags) > 1 {
		c.Tag2 = m.Tags[1]
	}
	if m.ReplyTo != 0 {
		c.ReplyTo = commentID(m.ReplyTo)
	}
	for _, e := range v.Edits {
		c.EditHistory = append(c.EditHistory, editJSON{ChangedOn: strconv.FormatInt(e.ChangedAt.UnixMilli(), 10), Text: e.Text})
	}
	return c
}

// toThread renders a comment thread in The Convo Space's shape.
func toThread(v *chat.CommentThreadView) threadJSON {
	th := v.Thread
	t := threadJSON{
		ID: threadID(th), CreatedOn: th.CreatedAt.UnixMilli(), Creator: v.Creator, Title: th.Subject, Description: th.Summary,
		URL: th.URL, IsReadPublic: th.ReadPublic, IsWritePublic: th.WritePublic, Members: v.Members, Moderators: v.Moderators,
		Metadata: json.RawMessage(`{}`),
	}
	if len(th.Metadata) > 0 {
		t.Metadata = th.Metadata
	}
	for i, kw := range []*string{&t.Keyword1, &t.Keyword2, &t.Keyword3} {
		if i < len(th.Tags) {
			*kw = th.Tags[i]
		}
	}
	return t
}

// queryBool reads a "true"/"false" query flag; anything else is unset.
func queryBool(s string) *bool {
	switch s {
	case "true":
		v := true
		return &v
	case "false":
		v := false
		return &v
	}
	return nil
}

// usageKey names a key's month in The Convo Space's usage map:
// "<key>-usage-MMYY" for the period "2006-01".
func usageKey(key, period string) string {
	if len(period) == 7 {
		return key + "-usage-" + period[5:7] + period[2:4]
	}
	return key + "-usage-" + period
}
