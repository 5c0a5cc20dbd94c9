package botyard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// Botyard's ids are lowercase ULIDs: 26 Crockford base32 characters for 128
// bits. Parley renders each of its ids as one, deterministically and
// reversibly, from the id's kind and value:
//
//	bytes 0-5    the ULID time: always ulidTime (Botyard's ids, too, all
//	             carried the time its process started)
//	byte  6      the kind (chat.Kind, or kindCommand)
//	bytes 7-13   the id (56 bits, big-endian)
//	bytes 14-15  a check: the top 16 bits of the CRC-32 of bytes 0-13
//
// The result is a valid ULID, ids of one kind sort by value, and a ULID that
// Parley did not make is refused (the check), as is an id of another kind.

// ulidTime is 2023-10-08T00:00:00Z in Unix milliseconds.
const ulidTime = 1696723200000

// kindCommand is the kind of bot command ids, which only this surface shows.
const kindCommand chat.Kind = 0x40

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// ulidLen is the length of a ULID.
const ulidLen = 26

// decodeTable maps a byte to its Crockford value (either case), or 0xff.
var decodeTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range crockford {
		t[c] = byte(i)
		t[strings.ToUpper(string(c))[0]] = byte(i)
	}
	return t
}()

// formatULID renders id of kind k. An id outside 1..chat.MaxID (which the
// core never makes) renders as id 0, which parseULID refuses.
func formatULID(k chat.Kind, id int64) string {
	if id <= 0 || id > chat.MaxID {
		id = 0
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:8], uint64(ulidTime)<<16)
	b[6] = byte(k)
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], uint64(id))
	copy(b[7:14], v[1:])
	binary.BigEndian.PutUint16(b[14:], uint16(crc32.ChecksumIEEE(b[:14])>>16))
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [ulidLen]byte
	for i := ulidLen - 1; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// Reasons parseULID refuses an id.
var (
	errULIDLength = errors.New("not 26 characters long")
	errULIDChar   = errors.New("not Crockford base32")
	errULIDRange  = errors.New("larger than 128 bits")
	errULIDOurs   = errors.New("not an id this server issued")
)

// parseULID returns the kind and id a ULID from formatULID holds. Upper and
// lower case are both accepted.
func parseULID(s string) (chat.Kind, int64, error) {
	if len(s) != ulidLen {
		return 0, 0, errULIDLength
	}
	var hi, lo uint64
	for i := 0; i < ulidLen; i++ {
		v := decodeTable[s[i]]
		if v == 0xff {
			return 0, 0, errULIDChar
		}
		if i == 0 && v > 7 {
			return 0, 0, errULIDRange
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	if binary.BigEndian.Uint64(b[0:8])>>16 != ulidTime ||
		binary.BigEndian.Uint16(b[14:]) != uint16(crc32.ChecksumIEEE(b[:14])>>16) {
		return 0, 0, errULIDOurs
	}
	var v [8]byte
	copy(v[1:], b[7:14])
	id := int64(binary.BigEndian.Uint64(v[:]))
	if id <= 0 || id > chat.MaxID {
		return 0, 0, errULIDOurs
	}
	return chat.Kind(b[6]), id, nil
}

// kindName names a kind in error messages.
func kindName(k chat.Kind) string {
	switch k {
	case kindCommand:
		return "command"
	case chat.KindThread:
		return "chat"
	case chat.KindMessage:
		return "message"
	}
	return k.String()
}

// parseID parses an id of kind k, named what in the error: a malformed id,
// or one of another kind, is Invalid.
func parseID(k chat.Kind, what, s string) (int64, error) {
	kind, id, err := parseULID(s)
	if err == nil && kind != k {
		err = fmt.Errorf("a %s id, not a %s id", kindName(kind), kindName(k))
	}
	if err != nil {
		return 0, &chat.Error{Code: chat.Invalid, Reason: "invalid_id", Message: fmt.Sprintf("Invalid %s ID: %q is %s.", what, s, err)}
	}
	return id, nil
}

func userULID(id chat.UserID) string          { return formatULID(chat.KindUser, int64(id)) }
func chatULID(id chat.ThreadID) string        { return formatULID(chat.KindThread, int64(id)) }
func messageULID(id chat.MessageID) string    { return formatULID(chat.KindMessage, int64(id)) }
func fileULID(id chat.FileID) string          { return formatULID(chat.KindFile, int64(id)) }
func commandULID(id chat.BotCommandID) string { return formatULID(kindCommand, int64(id)) }

func parseUserID(what, s string) (chat.UserID, error) {
	id, err := parseID(chat.KindUser, what, s)
	return chat.UserID(id), err
}

func parseChatID(s string) (chat.ThreadID, error) {
	id, err := parseID(chat.KindThread, "chat", s)
	return chat.ThreadID(id), err
}

func parseMessageID(s string) (chat.MessageID, error) {
	id, err := parseID(chat.KindMessage, "message", s)
	return chat.MessageID(id), err
}

func parseFileIDs(ss []string) ([]chat.FileID, error) {
	out := make([]chat.FileID, 0, len(ss))
	for _, s := range ss {
		id, err := parseID(chat.KindFile, "file", s)
		if err != nil {
			return nil, err
		}
		out = append(out, chat.FileID(id))
	}
	return out, nil
}

func parseCommandID(s string) (chat.BotCommandID, error) {
	id, err := parseID(kindCommand, "command", s)
	return chat.BotCommandID(id), err
}

// The converters below turn chat values into Botyard's wire shapes.

func toBot(u *chat.User) botJSON {
	return botJSON{ID: userULID(u.ID), Name: u.Name, Description: u.Description, Avatar: u.ProfileImage}
}

func toBots(us []*chat.User) []botJSON {
	out := make([]botJSON, len(us))
	for i, u := range us {
		out[i] = toBot(u)
	}
	return out
}

func toUser(u *chat.User) userJSON { return userJSON{ID: userULID(u.ID), Nickname: u.Name} }

func toChat(c *chat.BotChat) chatJSON {
	return chatJSON{ID: chatULID(c.ThreadID), UserID: userULID(c.UserID), BotID: userULID(c.BotID)}
}

func toChats(cs []*chat.BotChat) []chatJSON {
	out := make([]chatJSON, len(cs))
	for i, c := range cs {
		out[i] = toChat(c)
	}
	return out
}

func toCommands(cs []*chat.BotCommand) []commandJSON {
	out := make([]commandJSON, len(cs))
	for i, c := range cs {
		out[i] = commandJSON{ID: commandULID(c.ID), Alias: c.Alias, Description: c.Description}
	}
	return out
}

func toFile(f *chat.File) fileJSON {
	return fileJSON{ID: fileULID(f.ID), Path: chat.BotFilePath(f), Name: f.Name, Size: f.Size, MimeType: f.ContentType}
}

func toFiles(fs []*chat.File) []fileJSON {
	out := make([]fileJSON, len(fs))
	for i, f := range fs {
		out[i] = toFile(f)
	}
	return out
}

// toPrepared renders Botyard's PreparedMessage; withChat adds chatId (the
// send answer and webhooks have it, pages do not).
func toPrepared(m *chat.BotMessage, withChat bool) preparedJSON {
	p := preparedJSON{ID: messageULID(m.Message.ID), SenderID: userULID(m.Message.AuthorID), Body: m.Message.Text,
		Timestamp: m.Message.CreatedAt.UnixMilli()}
	if withChat {
		p.ChatID = chatULID(m.Message.ThreadID)
	}
	if len(m.Files) > 0 {
		p.Attachments = toFiles(m.Files)
	}
	return p
}

func toPage(p *chat.BotMessagePage) pageJSON {
	out := pageJSON{ChatID: chatULID(p.Chat.ThreadID), Total: p.Total, Page: p.Page, Limit: p.Limit, Messages: make([]preparedJSON, len(p.Messages))}
	for i, m := range p.Messages {
		out.Messages[i] = toPrepared(m, false)
	}
	return out
}

func toRawMessage(m *chat.Message) rawMessageJSON {
	out := rawMessageJSON{ID: messageULID(m.ID), ChatID: chatULID(m.ThreadID), SenderID: userULID(m.AuthorID), Body: m.Text,
		Timestamp: m.CreatedAt.UnixMilli()}
	for _, a := range m.Attachments {
		if a.FileID != 0 {
			out.AttachmentIDs = append(out.AttachmentIDs, fileULID(a.FileID))
		}
	}
	return out
}

func toWebhook(h *chat.BotWebhook) webhookJSON {
	return webhookJSON{BotID: userULID(h.BotID), URL: h.URL, Secret: h.Secret, SigningSecret: h.SigningSecret}
}

func toUpdates(us []*chat.BotUpdate) []updateJSON {
	out := make([]updateJSON, len(us))
	for i, u := range us {
		out[i] = updateJSON{UpdateID: u.ID, Message: toPrepared(&u.BotMessage, true)}
	}
	return out
}

// botKey renders a bot key as Botyard did: "<bot id>:<token>".
func botKey(bot chat.UserID, token string) string { return userULID(bot) + ":" + token }

// parseBotKey splits a bot key. ok is false when it has no colon.
func parseBotKey(key string) (bot, token string, ok bool) {
	return strings.Cut(key, ":")
}
