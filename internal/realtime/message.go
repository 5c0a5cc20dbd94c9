package realtime

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"
)

// NodeID returns a random id for this node, so brokers can drop what the
// node itself sent.
func NodeID() string { return strings.ToLower(rand.Text()[:12]) }

// Message kinds on the wire between nodes.
const (
	KindAdvanced  = 'a'
	KindEphemeral = 'e'
)

// EncodeMessage frames a broker message: "<kind>|<node>|<body>".
func EncodeMessage(kind byte, node string, body []byte) []byte {
	b := make([]byte, 0, len(node)+len(body)+3)
	b = append(b, kind, '|')
	b = append(b, node...)
	b = append(b, '|')
	return append(b, body...)
}

// DecodeMessage splits a broker message.
func DecodeMessage(b []byte) (kind byte, node string, body []byte, err error) {
	if len(b) < 3 || b[1] != '|' {
		return 0, "", nil, fmt.Errorf("malformed broker message")
	}
	rest := b[2:]
	i := strings.IndexByte(string(rest), '|')
	if i < 0 {
		return 0, "", nil, fmt.Errorf("malformed broker message")
	}
	return b[0], string(rest[:i]), rest[i+1:], nil
}

// Dispatch decodes a broker message from another node and calls the
// matching handler; messages of node itself are dropped.
func Dispatch(self string, b []byte, onAdvanced func(int64), onEphemeral func([]byte)) error {
	kind, node, body, err := DecodeMessage(b)
	if err != nil || node == self {
		return err
	}
	switch kind {
	case KindAdvanced:
		id, err := strconv.ParseInt(string(body), 10, 64)
		if err != nil {
			return fmt.Errorf("malformed advance notification: %w", err)
		}
		onAdvanced(id)
	case KindEphemeral:
		onEphemeral(body)
	default:
		return fmt.Errorf("unknown broker message kind %q", kind)
	}
	return nil
}
