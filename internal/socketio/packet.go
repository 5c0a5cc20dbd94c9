package socketio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Socket.IO packet types (protocol v5), carried inside Engine.IO messages.
const (
	sioConnect      byte = '0'
	sioDisconnect   byte = '1'
	sioEvent        byte = '2'
	sioAck          byte = '3'
	sioConnectError byte = '4'
	sioBinaryEvent  byte = '5'
	sioBinaryAck    byte = '6'
)

const (
	// maxAttachments is the largest attachment count a binary packet header
	// may announce, as in the reference parser.
	maxAttachments = 10
	// maxAckID is the largest acknowledgement id accepted: the largest integer
	// a JavaScript number holds exactly.
	maxAckID = 1<<53 - 1
)

// reservedEvents may not be used as event names in either direction: the
// client library gives them a meaning of its own.
var reservedEvents = []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// sioPacket is one decoded Socket.IO packet:
//
//	<type>[<attachments>-][<namespace>,][<ack id>][<JSON payload>]
type sioPacket struct {
	typ byte
	// nsp is the namespace, "/" when the packet names none.
	nsp string
	// attachments is the number of binary attachments announced by a
	// BINARY_EVENT or BINARY_ACK; zero otherwise.
	attachments int
	// id is the acknowledgement id, or -1 when the packet has none.
	id int64
	// data is the JSON payload exactly as received; nil when absent.
	data json.RawMessage
	// event is the name of an EVENT or BINARY_EVENT.
	event string
	// args are the arguments of an EVENT (after the name) or of an ACK.
	args []json.RawMessage
}

// errPacket wraps every decoding error, so callers can tell a malformed
// packet from other failures.
var errPacket = errors.New("socketio: malformed packet")

func packetErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errPacket, fmt.Sprintf(format, args...))
}

// decodeSIOPacket decodes one Socket.IO packet from the data of an Engine.IO
// message. It checks the payload against the packet type the way the
// reference parser does (CONNECT: an object or nothing; DISCONNECT: nothing;
// CONNECT_ERROR: a string, an object or nothing; EVENT: an array whose first
// element is a non-reserved event name; ACK: an array) and is stricter in
// three places: an EVENT or ACK must carry its array, an event name must be a
// string, and a namespace must be valid UTF-8 without control characters.
// It never panics; malformed input returns an error wrapping errPacket.
func decodeSIOPacket(s string) (sioPacket, error) {
	if s == "" {
		return sioPacket{}, packetErrorf("empty packet")
	}
	p := sioPacket{typ: s[0], nsp: "/", id: -1}
	if p.typ < sioConnect || p.typ > sioBinaryAck {
		return sioPacket{}, packetErrorf("unknown packet type %q", p.typ)
	}
	i := 1
	if p.typ == sioBinaryEvent || p.typ == sioBinaryAck {
		j := strings.IndexByte(s[i:], '-')
		if j <= 0 || j > 2 || !allDigits(s[i:i+j]) {
			return sioPacket{}, packetErrorf("illegal attachment count")
		}
		n, _ := strconv.Atoi(s[i : i+j])
		if n < 1 || n > maxAttachments {
			return sioPacket{}, packetErrorf("illegal attachment count %d", n)
		}
		p.attachments = n
		i += j + 1
	}
	if i < len(s) && s[i] == '/' {
		end := len(s)
		if j := strings.IndexByte(s[i:], ','); j >= 0 {
			end = i + j
		}
		p.nsp = s[i:end]
		if !validNamespace(p.nsp) {
			return sioPacket{}, packetErrorf("invalid namespace")
		}
		i = end
		if i < len(s) {
			i++ // the comma
		}
	}
	if j := i + digitPrefix(s[i:]); j > i {
		id, err := strconv.ParseInt(s[i:j], 10, 64)
		if err != nil || id > maxAckID {
			return sioPacket{}, packetErrorf("ack id out of range")
		}
		p.id = id
		i = j
	}
	if i < len(s) {
		p.data = json.RawMessage(s[i:])
		if !json.Valid(p.data) {
			return sioPacket{}, packetErrorf("payload is not JSON")
		}
	}
	if err := p.checkPayload(); err != nil {
		return sioPacket{}, err
	}
	return p, nil
}

// checkPayload validates p.data for p.typ and fills event and args.
func (p *sioPacket) checkPayload() error {
	kind := jsonKind(p.data)
	switch p.typ {
	case sioConnect:
		if kind != 0 && kind != '{' {
			return packetErrorf("CONNECT payload must be an object")
		}
	case sioDisconnect:
		if kind != 0 {
			return packetErrorf("DISCONNECT takes no payload")
		}
	case sioConnectError:
		if kind != 0 && kind != '{' && kind != '"' {
			return packetErrorf("CONNECT_ERROR payload must be a string or an object")
		}
	case sioEvent, sioBinaryEvent:
		if kind != '[' {
			return packetErrorf("EVENT payload must be an array")
		}
		var arr []json.RawMessage
		if err := json.Unmarshal(p.data, &arr); err != nil {
			return packetErrorf("EVENT payload: %v", err)
		}
		if len(arr) == 0 || jsonKind(arr[0]) != '"' {
			return packetErrorf("EVENT payload must start with the event name")
		}
		if err := json.Unmarshal(arr[0], &p.event); err != nil {
			return packetErrorf("event name: %v", err)
		}
		if slices.Contains(reservedEvents, p.event) {
			return packetErrorf("reserved event name %q", p.event)
		}
		p.args = arr[1:]
	case sioAck, sioBinaryAck:
		if kind != '[' {
			return packetErrorf("ACK payload must be an array")
		}
		if err := json.Unmarshal(p.data, &p.args); err != nil {
			return packetErrorf("ACK payload: %v", err)
		}
	}
	return nil
}

// encode returns the wire form of p, built from typ, attachments, nsp, id and
// data (event and args are ignored). decodeSIOPacket(p.encode()) gives back
// the same packet.
func (p sioPacket) encode() string {
	b := []byte{p.typ}
	if p.typ == sioBinaryEvent || p.typ == sioBinaryAck {
		b = strconv.AppendInt(b, int64(p.attachments), 10)
		b = append(b, '-')
	}
	b = appendHeader(b, p.nsp, p.id)
	b = append(b, p.data...)
	return string(b)
}

// appendHeader appends the namespace (unless it is the main one) and the ack
// id (unless it is negative) of a packet.
func appendHeader(b []byte, nsp string, id int64) []byte {
	if nsp != "" && nsp != "/" {
		b = append(b, nsp...)
		b = append(b, ',')
	}
	if id >= 0 {
		b = strconv.AppendInt(b, id, 10)
	}
	return b
}

// encodeMessage returns an Engine.IO message packet ("4") carrying a
// Socket.IO packet of type typ with the given header and a payload that is
// already JSON (or nil). The result is what the session queues.
func encodeMessage(typ byte, nsp string, id int64, payload []byte) []byte {
	b := make([]byte, 0, 2+len(nsp)+1+20+len(payload))
	b = append(b, eioMessage, typ)
	b = appendHeader(b, nsp, id)
	return append(b, payload...)
}

// marshalArray returns the JSON array [head?, args...]: head is included
// when non-nil. It is how EVENT ([name, args...]) and ACK ([args...])
// payloads are built.
func marshalArray(head any, args []any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('[')
	n := 0
	add := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		buf.Write(b)
		return nil
	}
	if head != nil {
		if err := add(head); err != nil {
			return nil, err
		}
	}
	for i, a := range args {
		if err := add(a); err != nil {
			return nil, fmt.Errorf("socketio: encode argument %d: %w", i, err)
		}
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

// encodeEvent returns the queued form of EVENT [event, args...] in namespace
// nsp, with ack id id (or none when id < 0).
func encodeEvent(nsp string, id int64, event string, args []any) ([]byte, error) {
	if slices.Contains(reservedEvents, event) {
		return nil, fmt.Errorf("socketio: %q is a reserved event name", event)
	}
	payload, err := marshalArray(event, args)
	if err != nil {
		return nil, err
	}
	return encodeMessage(sioEvent, nsp, id, payload), nil
}

// jsonKind returns the first non-space byte of valid JSON data, which tells
// its kind ('{', '[', '"', a digit, 't', 'f', 'n'), or 0 for no data.
func jsonKind(data []byte) byte {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c
	}
	return 0
}

// validNamespace reports whether nsp (which starts with '/') is valid UTF-8
// without control characters, so it can be echoed in any transport frame.
func validNamespace(nsp string) bool {
	if !utf8.ValidString(nsp) {
		return false
	}
	for _, r := range nsp {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func digitPrefix(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func allDigits(s string) bool { return s != "" && digitPrefix(s) == len(s) }
