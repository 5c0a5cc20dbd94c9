package forge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// This file holds ConvoForge's wire formats: how its request bodies were read
// (serde_json behind actix-web's Json extractor, with its error texts) and
// the shapes of its responses.

// maxJSONBody caps a JSON request body.
const maxJSONBody = 1 << 20

// fieldType is how one field of a request body is read.
type fieldType int

const (
	tString    fieldType = iota // required string
	tOptString                  // optional string; null is absent
	tBool                       // required boolean
	tUUID                       // required UUID
	tUUIDs                      // required array of UUIDs
)

// field declares one field of a request body: its name, how it is read and,
// for UUIDs, the kind of id it names.
type field struct {
	name string
	typ  fieldType
	kind kind
}

// fields are a decoded request body.
type fields struct {
	strs    map[string]*string
	bools   map[string]bool
	idOf    map[string]int64
	idLists map[string][]int64
	uuids   map[string][16]byte
}

func (f *fields) str(name string) string {
	if p := f.strs[name]; p != nil {
		return *p
	}
	return ""
}

func (f *fields) optStr(name string) *string { return f.strs[name] }
func (f *fields) boolean(name string) bool   { return f.bools[name] }
func (f *fields) id(name string) int64       { return f.idOf[name] }
func (f *fields) ids(name string) []int64    { return f.idLists[name] }
func (f *fields) uuid(name string) [16]byte  { return f.uuids[name] }

// decodeBody reads a JSON object with the declared fields as ConvoForge's
// serde structs did: fields are checked in the order they appear, other
// fields are ignored, and then the first declared field that is missing is
// reported. Every failure is actix-web's 400 "Json deserialize error: …"
// with serde_json's message and position.
func decodeBody(w http.ResponseWriter, r *http.Request, decl ...field) (*fields, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fail(http.StatusRequestEntityTooLarge, fmt.Sprintf("JSON payload is larger than allowed (limit: %d bytes).", maxJSONBody))
		}
		return nil, fail(http.StatusBadRequest, "Json deserialize error: could not read the body")
	}
	raw, order, end, err := readObject(data)
	if err != nil {
		return nil, err
	}
	out := &fields{strs: map[string]*string{}, bools: map[string]bool{}, idOf: map[string]int64{}, idLists: map[string][]int64{},
		uuids: map[string][16]byte{}}
	byName := map[string]field{}
	for _, d := range decl {
		byName[d.name] = d
	}
	for _, name := range order {
		d, ok := byName[name]
		if !ok {
			continue
		}
		v := raw[name]
		if at, err := out.read(d, v.raw); err != nil {
			if at >= 0 {
				// Within the value (an element of an array).
				return nil, deserializeError(data, v.end-len(v.raw)+at, err.Error())
			}
			return nil, deserializeError(data, v.end, err.Error())
		}
	}
	for _, d := range decl {
		if _, ok := raw[d.name]; !ok && d.typ != tOptString {
			return nil, deserializeError(data, end, "missing field `"+d.name+"`")
		}
	}
	return out, nil
}

// read decodes one field's value into f. On error, at is the offset within
// v just after the element at fault, or -1 for the whole value.
func (f *fields) read(d field, v json.RawMessage) (at int, err error) {
	if string(v) == "null" && d.typ != tOptString {
		return -1, fmt.Errorf("invalid type: null, expected %s", expected[d.typ])
	}
	switch d.typ {
	case tString, tOptString:
		if string(v) == "null" {
			return -1, nil
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return -1, fmt.Errorf("invalid type: %s, expected a string", describe(v))
		}
		f.strs[d.name] = &s
	case tBool:
		var b bool
		if json.Unmarshal(v, &b) != nil {
			return -1, fmt.Errorf("invalid type: %s, expected a boolean", describe(v))
		}
		f.bools[d.name] = b
	case tUUID:
		u, err := readUUID(v)
		if err != nil {
			return -1, err
		}
		f.uuids[d.name], f.idOf[d.name] = u, idOf(d.kind, u)
	case tUUIDs:
		if v[0] != '[' {
			return -1, fmt.Errorf("invalid type: %s, expected a sequence", describe(v))
		}
		dec := json.NewDecoder(bytes.NewReader(v))
		dec.Token() // [
		ids := []int64{}
		for dec.More() {
			var it json.RawMessage
			if err := dec.Decode(&it); err != nil {
				return -1, err
			}
			u, err := readUUID(it)
			if err != nil {
				return int(dec.InputOffset()), err
			}
			ids = append(ids, idOf(d.kind, u))
		}
		f.idLists[d.name] = ids
	}
	return -1, nil
}

// expected names what a field type wants, as serde's errors say it.
var expected = map[fieldType]string{
	tString:    "a string",
	tOptString: "a string",
	tBool:      "a boolean",
	tUUID:      "a UUID string",
	tUUIDs:     "a sequence",
}

// readUUID decodes a JSON string holding a UUID, with the uuid crate's serde
// errors.
func readUUID(v json.RawMessage) ([16]byte, error) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		return [16]byte{}, fmt.Errorf("invalid type: %s, expected a UUID string", describe(v))
	}
	u, err := parseUUID(s)
	if err != nil {
		return u, fmt.Errorf("UUID parsing failed: %w", err)
	}
	return u, nil
}

// describe names a JSON value as serde's "invalid type" errors do.
func describe(v json.RawMessage) string {
	switch {
	case len(v) == 0:
		return "unit value"
	case v[0] == '"':
		var s string
		json.Unmarshal(v, &s)
		return fmt.Sprintf("string %q", s)
	case v[0] == '{':
		return "map"
	case v[0] == '[':
		return "sequence"
	case string(v) == "null":
		return "null"
	case string(v) == "true" || string(v) == "false":
		return "boolean `" + string(v) + "`"
	case bytes.ContainsAny(v, ".eE"):
		return "floating point `" + string(v) + "`"
	}
	return "integer `" + string(v) + "`"
}

// located is a top-level field's value and the offset just after it.
type located struct {
	raw json.RawMessage
	end int
}

// readObject reads data as one JSON object and returns its fields, their
// names in order, and the offset just after the object.
func readObject(data []byte) (map[string]located, []string, int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) (map[string]located, []string, int, error) {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, nil, 0, deserializeError(data, int(syn.Offset), strings.TrimPrefix(syn.Error(), "json: "))
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, nil, 0, deserializeError(data, len(data), "EOF while parsing a value")
		}
		return nil, nil, 0, deserializeError(data, int(dec.InputOffset()), err.Error())
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		what := "a value"
		switch {
		case ok && d == '[':
			what = "sequence"
		case tok == nil:
			what = "null"
		default:
			what = describe(json.RawMessage(fmt.Sprint(tok)))
			if s, isStr := tok.(string); isStr {
				what = fmt.Sprintf("string %q", s)
			}
		}
		return nil, nil, 0, deserializeError(data, int(dec.InputOffset()), "invalid type: "+what+", expected a map")
	}
	raw := map[string]located{}
	var order []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		name, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fail(err)
		}
		if _, dup := raw[name]; dup {
			return nil, nil, 0, deserializeError(data, int(dec.InputOffset()), "duplicate field `"+name+"`")
		}
		raw[name] = located{raw: v, end: int(dec.InputOffset())}
		order = append(order, name)
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	end := int(dec.InputOffset())
	if rest := bytes.TrimSpace(data[end:]); len(rest) > 0 {
		return nil, nil, 0, deserializeError(data, end+1+bytes.Index(data[end:], rest[:1]), "trailing characters")
	}
	return raw, order, end, nil
}

// deserializeError is actix-web's answer to a body serde could not read:
// 400 with the message and the line and column of the last byte read.
func deserializeError(data []byte, offset int, msg string) error {
	offset = min(max(offset, 0), len(data))
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := offset - (bytes.LastIndexByte(data[:offset], '\n') + 1)
	return fail(http.StatusBadRequest, fmt.Sprintf("Json deserialize error: %s at line %d column %d", msg, line, col))
}

// writeJSON writes v as ConvoForge's JSON bodies: compact, no newline.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(b)
	return err
}

// okText writes a 200 plain-text body, as ConvoForge's text answers.
func okText(w http.ResponseWriter, text string) error {
	writeText(w, http.StatusOK, text)
	return nil
}

// messageDTO is ConvoForge's MessageDTO.
type messageDTO struct {
	ID            string  `json:"id"`
	UserID        string  `json:"user_id"`
	Content       *string `json:"content"`
	DateCreated   string  `json:"date_created"`
	DateUpdated   string  `json:"date_updated"`
	MessageType   string  `json:"message_type"`
	RecipientType string  `json:"recipient_type"`
	ReferenceID   string  `json:"reference_id"`
	Deleted       bool    `json:"deleted"`
}

// Message types.
const (
	typeMessage = "MESSAGE"
	typeEdit    = "EDIT_MESSAGE"
	typeDelete  = "DELETE_MESSAGE"
)

// toMessage renders m, in the conversation its author addresses as ref.
func toMessage(m *chat.Message, ref chat.ConversationRef, messageType string) messageDTO {
	rt, rid := recipient(ref)
	d := messageDTO{ID: formatID(kindMessage, int64(m.ID)), UserID: formatID(kindUser, int64(m.AuthorID)),
		DateCreated: naiveTime(m.CreatedAt), DateUpdated: naiveTime(m.UpdatedAt), MessageType: messageType,
		RecipientType: rt, ReferenceID: rid, Deleted: m.Deleted}
	if m.Text != "" {
		text := m.Text
		d.Content = &text
	}
	return d
}

// authorRef is the conversation of a message as its author addresses it,
// given the conversation as me addresses it: a channel is the same for
// everyone; in a direct conversation each party names the other.
func authorRef(ref chat.ConversationRef, me, author chat.UserID) chat.ConversationRef {
	if ref.UserID != 0 && author != me {
		return chat.ConversationRef{UserID: me}
	}
	return ref
}

// channelDTO is ConvoForge's ChannelDTO.
type channelDTO struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Deleted     *bool   `json:"deleted"`
}

func toChannel(c *chat.Channel, deleted *bool) channelDTO {
	d := channelDTO{ID: formatID(kindChannel, int64(c.ID)), Name: c.Name, Deleted: deleted}
	if c.Description != "" {
		desc := c.Description
		d.Description = &desc
	}
	return d
}

func ptr[T any](v T) *T { return &v }

// roleDTO is ConvoForge's RoleDTO.
type roleDTO struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Administrator  bool   `json:"administrator"`
	ManageUsers    bool   `json:"manage_users"`
	ManageChannels bool   `json:"manage_channels"`
	ManageRoles    bool   `json:"manage_roles"`
	Deleted        bool   `json:"deleted"`
}

func toRole(r *chat.Role) roleDTO {
	return roleDTO{ID: formatID(kindRole, int64(r.ID)), Name: r.Name, Administrator: r.Administrator, ManageUsers: r.ManageUsers,
		ManageChannels: r.ManageChannels, ManageRoles: r.ManageRoles, Deleted: r.Deleted}
}

// userRoleDTO is ConvoForge's user role access.
type userRoleDTO struct {
	ID      string `json:"id"`
	UserID  string `json:"user_id"`
	RoleID  string `json:"role_id"`
	Deleted bool   `json:"deleted"`
}

func toUserRole(ur *chat.UserRole) userRoleDTO {
	return userRoleDTO{ID: formatID(kindUserRole, int64(ur.ID)), UserID: formatID(kindUser, int64(ur.UserID)),
		RoleID: formatID(kindRole, int64(ur.RoleID)), Deleted: ur.Deleted}
}

// channelRoleDTO is ConvoForge's channel role access (its read and write
// flags were never exposed).
type channelRoleDTO struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
	RoleID    string `json:"role_id"`
	Deleted   bool   `json:"deleted"`
}

func toChannelRole(cr *chat.ChannelRole) channelRoleDTO {
	return channelRoleDTO{ID: formatID(kindChannelRole, int64(cr.ID)), ChannelID: formatID(kindChannel, int64(cr.ChannelID)),
		RoleID: formatID(kindRole, int64(cr.RoleID)), Deleted: cr.Deleted}
}

// userDTO is ConvoForge's UserDTO.
type userDTO struct {
	ID           string  `json:"id"`
	Username     string  `json:"username"`
	DisplayName  string  `json:"display_name"`
	ProfileImage *string `json:"profile_image"`
}

func toUser(u *chat.User) userDTO {
	d := userDTO{ID: formatID(kindUser, int64(u.ID)), Username: u.Username, DisplayName: u.Name}
	if u.ProfileImage != "" {
		img := u.ProfileImage
		d.ProfileImage = &img
	}
	return d
}

func toUsers(users []*chat.User) []userDTO {
	out := make([]userDTO, len(users))
	for i, u := range users {
		out[i] = toUser(u)
	}
	return out
}

// mediaDTO is ConvoForge's MediaDTO.
type mediaDTO struct {
	ID        string  `json:"id"`
	FileName  string  `json:"file_name"`
	Key       string  `json:"key"`
	URL       string  `json:"url"`
	CreatedAt string  `json:"created_at"`
	UserID    string  `json:"user_id"`
	MessageID *string `json:"message_id"`
	Deleted   bool    `json:"deleted"`
}

func toMedia(f *chat.File, base string, deleted bool) mediaDTO {
	d := mediaDTO{ID: formatID(kindFile, int64(f.ID)), FileName: f.Name, Key: f.Key, URL: fileURL(base, f),
		CreatedAt: isoTime(f.CreatedAt), UserID: formatID(kindUser, int64(f.OwnerID)), Deleted: deleted}
	if f.MessageID != 0 {
		d.MessageID = ptr(formatID(kindMessage, int64(f.MessageID)))
	}
	return d
}

// fileURL is where anyone holding it can fetch a file: the media route
// named by its unguessable key, then its name (ConvoForge's public object
// URLs ended with the file name too).
func fileURL(base string, f *chat.File) string {
	return base + "/media/" + f.Key + "/" + pathEscape(f.Name)
}

// pathEscape escapes a file name for one path segment.
func pathEscape(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// conversationDTO is one entry of GET /user-channel-view/unread.
type conversationDTO struct {
	RecipientType string `json:"recipient_type"`
	ReferenceID   string `json:"reference_id"`
}

// typingDTO is the answer of POST /presence/typing and the TYPING frame.
type typingDTO struct {
	MessageType   string `json:"message_type"`
	UserID        string `json:"user_id"`
	ReferenceID   string `json:"reference_id"`
	RecipientType string `json:"recipient_type"`
}

// signalDTO is a frame that only says what to refetch.
type signalDTO struct {
	MessageType string `json:"message_type"`
}

// flagDTO is ConvoForge's FlagDTO.
type flagDTO struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
}
