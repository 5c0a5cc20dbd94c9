package socketio

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Engine.IO packet types (protocol revision 4). On the wire each is one ASCII
// digit followed by the packet's data.
const (
	eioOpen    byte = '0'
	eioClose   byte = '1'
	eioPing    byte = '2'
	eioPong    byte = '3'
	eioMessage byte = '4'
	eioUpgrade byte = '5'
	eioNoop    byte = '6'
)

// recordSeparator joins the packets of one HTTP long-polling payload.
const recordSeparator = "\x1e"

// eioPacket is one decoded Engine.IO packet.
type eioPacket struct {
	typ byte
	// data is the text after the type digit or, when binary is set, the raw
	// bytes of a binary message.
	data string
	// binary is set for a message that arrived as a binary WebSocket frame or
	// as a base64 "b" packet in a polling payload. Its type is eioMessage.
	binary bool
}

// errEmptyPacket is returned for an Engine.IO packet of zero bytes.
var errEmptyPacket = errors.New("socketio: empty engine.io packet")

// decodeEIOPacket decodes one Engine.IO packet in its text form: a type digit
// and data, or "b" and base64 for a binary message inside a polling payload.
// It never panics; any other input returns an error.
func decodeEIOPacket(s string) (eioPacket, error) {
	if s == "" {
		return eioPacket{}, errEmptyPacket
	}
	if s[0] == 'b' {
		b, err := base64.StdEncoding.DecodeString(s[1:])
		if err != nil {
			return eioPacket{}, fmt.Errorf("socketio: engine.io binary packet: %w", err)
		}
		return eioPacket{typ: eioMessage, data: string(b), binary: true}, nil
	}
	if s[0] < eioOpen || s[0] > eioNoop {
		return eioPacket{}, fmt.Errorf("socketio: unknown engine.io packet type %q", s[0])
	}
	return eioPacket{typ: s[0], data: s[1:]}, nil
}

// encode returns the text form of p, the inverse of decodeEIOPacket.
func (p eioPacket) encode() string {
	if p.binary {
		return "b" + base64.StdEncoding.EncodeToString([]byte(p.data))
	}
	return string(p.typ) + p.data
}

// splitPayload yields the encoded packets of an HTTP long-polling payload.
// Each element still has to go through decodeEIOPacket; an empty payload
// yields one empty packet, which that rejects.
func splitPayload(payload string) func(yield func(string) bool) {
	return strings.SplitSeq(payload, recordSeparator)
}

// appendPayload appends the packets joined by the record separator, the body
// of an HTTP long-polling response. Every packet is text: the server never
// sends binary Engine.IO messages.
func appendPayload(dst []byte, pkts [][]byte) []byte {
	for i, p := range pkts {
		if i > 0 {
			dst = append(dst, recordSeparator...)
		}
		dst = append(dst, p...)
	}
	return dst
}
