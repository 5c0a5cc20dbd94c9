package httpapi

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// formatID renders an id in Struct's typed hex: the kind digit, a letter
// that encodes the hex length ('O' minus the number of hex digits), and the
// lowercase hex of the id. Zero renders as "0". Kinds past 9, which Struct
// did not have, take lowercase letters: 'a' is 10 (reports), 'b' 11
// (scheduled chats).
func formatID(k chat.Kind, id int64) string {
	if id == 0 {
		return "0"
	}
	h := strconv.FormatInt(id, 16)
	return string(kindChar(k)) + string(rune('O'-len(h))) + h
}

func kindChar(k chat.Kind) rune {
	if k <= 9 {
		return rune('0' + k)
	}
	return rune('a' + k - 10)
}

// parseID parses a typed-hex id of kind k. A malformed id or one of another
// kind is an Invalid error naming field.
func parseID(k chat.Kind, field, s string) (int64, error) {
	id, kind, err := decodeID(s)
	if err != nil {
		return 0, chat.Invalidf(field, "%q is not a valid %s id: %s.", s, k, err)
	}
	if kind != k {
		return 0, chat.Invalidf(field, "%q is a %s id, not a %s id.", s, kind, k)
	}
	return id, nil
}

// decodeID parses any typed-hex id and returns its value and kind.
func decodeID(s string) (int64, chat.Kind, error) {
	if len(s) < 3 {
		return 0, 0, fmt.Errorf("too short")
	}
	var kind chat.Kind
	switch c := s[0]; {
	case c >= '1' && c <= '9':
		kind = chat.Kind(c - '0')
	case c >= 'a' && c <= 'z':
		kind = chat.Kind(c-'a') + 10
	default:
		return 0, 0, fmt.Errorf("unknown kind %q", s[0])
	}
	hex := s[2:]
	if len(hex) > 14 {
		return 0, 0, fmt.Errorf("too long")
	}
	if s[1] != byte('O'-len(hex)) {
		return 0, 0, fmt.Errorf("length letter %q does not match", s[1])
	}
	if hex[0] == '0' {
		return 0, 0, fmt.Errorf("not canonical")
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return 0, 0, fmt.Errorf("not lowercase hexadecimal")
		}
	}
	id, err := strconv.ParseInt(hex, 16, 64)
	if err != nil || id <= 0 || id > chat.MaxID {
		return 0, 0, fmt.Errorf("not hexadecimal")
	}
	return id, kind, nil
}

// The typed helpers below render and parse each kind of id.

func chatID(id chat.MessageID) string    { return formatID(chat.KindMessage, int64(id)) }
func threadID(id chat.ThreadID) string   { return formatID(chat.KindThread, int64(id)) }
func channelID(id chat.ChannelID) string { return formatID(chat.KindChannel, int64(id)) }
func userID(id chat.UserID) string       { return formatID(chat.KindUser, int64(id)) }
func orgID(id chat.OrgID) string         { return formatID(chat.KindOrg, int64(id)) }
func feedID(id chat.FeedID) string       { return formatID(chat.KindFeed, int64(id)) }

func userIDs(ids []chat.UserID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = userID(id)
	}
	return out
}

func channelIDs(ids []chat.ChannelID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = channelID(id)
	}
	return out
}

func parseThreadID(field, s string) (chat.ThreadID, error) {
	id, err := parseID(chat.KindThread, field, s)
	return chat.ThreadID(id), err
}

func parseChatID(field, s string) (chat.MessageID, error) {
	id, err := parseID(chat.KindMessage, field, s)
	return chat.MessageID(id), err
}

func parseChannelID(field, s string) (chat.ChannelID, error) {
	id, err := parseID(chat.KindChannel, field, s)
	return chat.ChannelID(id), err
}

func parseUserID(field, s string) (chat.UserID, error) {
	id, err := parseID(chat.KindUser, field, s)
	return chat.UserID(id), err
}

func parseMany[T ~int64](k chat.Kind, field string, ss []string) ([]T, error) {
	out := make([]T, 0, len(ss))
	for _, s := range ss {
		id, err := parseID(k, field, s)
		if err != nil {
			return nil, err
		}
		out = append(out, T(id))
	}
	return out, nil
}

// Upload handles are "img-" and the file id in decimal, as Struct's were.
func fileHandle(id chat.FileID) string { return "img-" + strconv.FormatInt(int64(id), 10) }

func parseFileHandle(field, s string) (chat.FileID, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "img-"), 10, 64)
	if !strings.HasPrefix(s, "img-") || err != nil || n <= 0 || n > chat.MaxID {
		return 0, chat.Invalidf(field, "%q is not an upload handle.", s)
	}
	return chat.FileID(n), nil
}
