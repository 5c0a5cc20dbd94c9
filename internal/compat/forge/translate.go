package forge

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-chat/parley/internal/chat"
)

// This file holds the pure translations between ConvoForge's formats and the
// core's: UUIDs, timestamps, recipient types and pages. Nothing here does I/O.

// kind is what one of ConvoForge's UUIDs names. It is written into the UUID,
// so an id of one kind never parses as another.
type kind byte

// The kinds of ConvoForge ids. Most are the core's own kinds; the core has
// one grant kind, while ConvoForge has two grant tables with their own ids.
const (
	kindMessage     = kind(chat.KindMessage)
	kindChannel     = kind(chat.KindChannel)
	kindUser        = kind(chat.KindUser)
	kindFile        = kind(chat.KindFile)
	kindRole        = kind(chat.KindRole)
	kindUserRole    = kind(chat.KindGrant)
	kindChannelRole = kind(10)
)

// uuidMagic is the first four bytes of every UUID Parley renders ("parl").
var uuidMagic = [4]byte{'p', 'a', 'r', 'l'}

// formatID renders an id of kind k as a lowercase hyphenated UUID of
// version 4 layout:
//
//	7061726c-KK00-4000-80II-IIIIIIIIIIII
//
// "parl", the kind byte, the version and variant nibbles ConvoForge's
// clients expect of a v4 UUID, and the id's 56 bits. It is deterministic and
// idOf reverses it.
func formatID(k kind, id int64) string {
	var u [16]byte
	copy(u[:4], uuidMagic[:])
	u[4] = byte(k)
	u[6] = 0x40
	u[8] = 0x80
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(id))
	copy(u[9:], n[1:])
	return formatUUID(u)
}

// formatUUID renders u in the canonical lowercase hyphenated form.
func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// noSuchID stands for a UUID that names nothing of the kind asked for. It is
// beyond every id the core hands out (chat.MaxID), so every lookup of it is
// NotFound, and the use cases answer it as they answer any missing id.
const noSuchID = math.MaxInt64

// idOf returns the id a UUID names when it is one formatID rendered for kind
// k, and noSuchID for any other UUID: one Parley never made (such as an org
// slug), or one of another kind.
func idOf(k kind, u [16]byte) int64 {
	if [4]byte(u[:4]) != uuidMagic || u[4] != byte(k) || u[5] != 0 || u[6] != 0x40 || u[7] != 0 || u[8] != 0x80 {
		return noSuchID
	}
	var n [8]byte
	copy(n[1:], u[9:])
	id := int64(binary.BigEndian.Uint64(n[:]))
	if id <= 0 || id > chat.MaxID {
		return noSuchID
	}
	return id
}

// uuidError is a UUID parse error with the text of the Rust uuid crate,
// which ConvoForge showed to its clients.
type uuidError string

func (e uuidError) Error() string { return string(e) }

// parseUUID parses s as the uuid crate's Uuid::parse_str does: 32 hex digits,
// or the hyphenated form, bare, in braces or after "urn:uuid:", in either
// case.
func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	var digits string
	switch {
	case len(s) == 32:
		digits = s
	case len(s) == 36:
		digits = dehyphenate(s)
	case len(s) == 38 && s[0] == '{' && s[37] == '}':
		digits = dehyphenate(s[1:37])
	case len(s) == 45 && strings.HasPrefix(s, "urn:uuid:"):
		digits = dehyphenate(s[9:])
	}
	if len(digits) != 32 {
		return u, uuidParseError(s)
	}
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return u, uuidParseError(s)
	}
	return u, nil
}

// dehyphenate returns the 32 digits of a 36-byte hyphenated UUID, or "" when
// the hyphens are not where they belong.
func dehyphenate(s string) string {
	if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return ""
	}
	return s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
}

// uuidParseError explains why s is not a UUID, as the uuid crate does.
func uuidParseError(input string) error {
	if !utf8.ValidString(input) {
		return uuidError("non-UTF8 input")
	}
	body, offset, simple := input, 0, true
	switch {
	case len(input) >= 2 && input[0] == '{' && input[len(input)-1] == '}':
		body, offset, simple = input[1:len(input)-1], 1, false
	case strings.HasPrefix(input, "urn:uuid:"):
		body, offset, simple = input[len("urn:uuid:"):], len("urn:uuid:"), false
	}
	hyphens := 0
	var bounds [4]int
	for i, c := range body {
		switch {
		case c == '-':
			if hyphens < 4 {
				bounds[hyphens] = i
			}
			hyphens++
		case !isHex(c):
			return uuidError(fmt.Sprintf("invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `%c` at %d", c, i+offset+1))
		}
	}
	switch {
	case hyphens == 0 && simple:
		return uuidError(fmt.Sprintf("invalid length: expected length 32 for simple format, found %d", len(input)))
	case hyphens != 4:
		return uuidError(fmt.Sprintf("invalid group count: expected 5, found %d", hyphens+1))
	}
	starts := [5]int{0, 9, 14, 19, 24}
	lengths := [5]int{8, 4, 4, 4, 12}
	for i := range 4 {
		if bounds[i] != starts[i+1]-1 {
			return uuidError(fmt.Sprintf("invalid group length in group %d: expected %d, found %d", i, lengths[i], bounds[i]-starts[i]))
		}
	}
	return uuidError(fmt.Sprintf("invalid group length in group 4: expected 12, found %d", len(input)-starts[4]))
}

func isHex(c rune) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// parseID parses a UUID naming an id of kind k. A malformed UUID is an error
// (the uuid crate's text); a well-formed one that names nothing of kind k is
// noSuchID.
func parseID(k kind, s string) (int64, error) {
	u, err := parseUUID(s)
	if err != nil {
		return 0, err
	}
	return idOf(k, u), nil
}

// queryID reads an optional id from a query parameter as ConvoForge did:
// missing, malformed or the nil UUID means none was given (id zero). A UUID
// that names nothing of kind k is given, as noSuchID.
func queryID(q url.Values, name string, k kind) (id int64, given bool) {
	u, err := parseUUID(q.Get(name))
	if err != nil || isNil(u) {
		return 0, false
	}
	return idOf(k, u), true
}

// naiveTime renders t as chrono's NaiveDateTime Display, which ConvoForge's
// message dates use: "2024-08-05 13:25:55.123" (UTC, space, no zone).
func naiveTime(t time.Time) string {
	t = t.UTC()
	return t.Format("2006-01-02 15:04:05") + fraction(t)
}

// isoTime renders t as serde renders a NaiveDateTime, which ConvoForge's
// media dates use: "2024-08-08T10:00:00.123".
func isoTime(t time.Time) string {
	t = t.UTC()
	return t.Format("2006-01-02T15:04:05") + fraction(t)
}

// fraction is chrono's fraction of a second: none, or 3, 6 or 9 digits,
// the fewest that are exact.
func fraction(t time.Time) string {
	ns := t.Nanosecond()
	switch {
	case ns == 0:
		return ""
	case ns%1_000_000 == 0:
		return fmt.Sprintf(".%03d", ns/1_000_000)
	case ns%1_000 == 0:
		return fmt.Sprintf(".%06d", ns/1_000)
	}
	return fmt.Sprintf(".%09d", ns)
}

// Recipient types of messages, typing and views.
const (
	recipientChannel = "CHANNEL"
	recipientUser    = "USER"
)

// conversationRef translates a recipient type and reference id into the
// core's ConversationRef. ok is false for any other recipient type.
func conversationRef(recipientType string, u [16]byte) (ref chat.ConversationRef, ok bool) {
	switch recipientType {
	case recipientChannel:
		return chat.ConversationRef{ChannelID: chat.ChannelID(idOf(kindChannel, u))}, true
	case recipientUser:
		return chat.ConversationRef{UserID: chat.UserID(idOf(kindUser, u))}, true
	}
	return chat.ConversationRef{}, false
}

// recipient renders a ConversationRef as a recipient type and reference id.
func recipient(ref chat.ConversationRef) (recipientType, referenceID string) {
	if ref.ChannelID != 0 {
		return recipientChannel, formatID(kindChannel, int64(ref.ChannelID))
	}
	return recipientUser, formatID(kindUser, int64(ref.UserID))
}

// Pages, as ConvoForge's page and per_page parameters give them.
const (
	defaultPerPage = 30
	maxPerPage     = chat.MaxPage
)

// page reads page (from 1) and per_page as ConvoForge did, a value that does
// not parse meaning the default (1 and 30), and returns the offset and limit.
func page(q url.Values) (offset, limit int) {
	p, err := strconv.ParseUint(q.Get("page"), 10, 32)
	if err != nil || p < 1 {
		p = 1
	}
	n, err := strconv.ParseUint(q.Get("per_page"), 10, 32)
	if err != nil || n < 1 {
		n = defaultPerPage
	}
	limit = int(min(n, maxPerPage))
	return int(p-1) * limit, limit
}

// isNil reports whether u is the nil UUID, which ConvoForge's query
// parameters used for "none given".
func isNil(u [16]byte) bool { return u == [16]byte{} }
