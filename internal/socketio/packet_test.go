package socketio

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeEIOPacket(t *testing.T) {
	tests := []struct {
		in      string
		want    eioPacket
		wantErr bool
	}{
		{in: "0{\"sid\":\"x\"}", want: eioPacket{typ: eioOpen, data: `{"sid":"x"}`}},
		{in: "1", want: eioPacket{typ: eioClose}},
		{in: "2", want: eioPacket{typ: eioPing}},
		{in: "2probe", want: eioPacket{typ: eioPing, data: "probe"}},
		{in: "3", want: eioPacket{typ: eioPong}},
		{in: "3probe", want: eioPacket{typ: eioPong, data: "probe"}},
		{in: "4hello", want: eioPacket{typ: eioMessage, data: "hello"}},
		{in: "42[\"a\"]", want: eioPacket{typ: eioMessage, data: `2["a"]`}},
		{in: "5", want: eioPacket{typ: eioUpgrade}},
		{in: "6", want: eioPacket{typ: eioNoop}},
		{in: "bAQID", want: eioPacket{typ: eioMessage, data: "\x01\x02\x03", binary: true}},
		{in: "b", want: eioPacket{typ: eioMessage, data: "", binary: true}},
		{in: "", wantErr: true},
		{in: "7", wantErr: true},
		{in: "x", wantErr: true},
		{in: "/", wantErr: true},
		{in: "b!!!", wantErr: true},
		{in: "bAQI", wantErr: true}, // bad padding
	}
	for _, tt := range tests {
		got, err := decodeEIOPacket(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("decodeEIOPacket(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr {
			continue
		}
		if got != tt.want {
			t.Errorf("decodeEIOPacket(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if enc := got.encode(); enc != tt.in {
			t.Errorf("decodeEIOPacket(%q).encode() = %q, want the input back", tt.in, enc)
		}
	}
}

// decodeEIOPayload decodes a whole polling payload, as the POST handler does
// packet by packet.
func decodeEIOPayload(payload string) ([]eioPacket, error) {
	var pkts []eioPacket
	for part := range splitPayload(payload) {
		p, err := decodeEIOPacket(part)
		if err != nil {
			return nil, err
		}
		pkts = append(pkts, p)
	}
	return pkts, nil
}

func TestPayload(t *testing.T) {
	tests := []struct {
		in      string
		want    []eioPacket
		wantErr bool
	}{
		{in: "4hello", want: []eioPacket{{typ: eioMessage, data: "hello"}}},
		{in: "4hello\x1e2\x1e40", want: []eioPacket{{typ: eioMessage, data: "hello"}, {typ: eioPing}, {typ: eioMessage, data: "0"}}},
		{in: "3\x1ebAQID", want: []eioPacket{{typ: eioPong}, {typ: eioMessage, data: "\x01\x02\x03", binary: true}}},
		{in: "", wantErr: true},
		{in: "4a\x1e", wantErr: true},
		{in: "\x1e4a", wantErr: true},
		{in: "4a\x1e\x1e4b", wantErr: true},
		{in: "4a\x1e9", wantErr: true},
	}
	for _, tt := range tests {
		got, err := decodeEIOPayload(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("decodeEIOPayload(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(eioPacket{})); diff != "" {
			t.Errorf("decodeEIOPayload(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}

	got := string(appendPayload(nil, [][]byte{[]byte("0{}"), []byte("2"), []byte(`42["x"]`)}))
	if want := "0{}\x1e2\x1e42[\"x\"]"; got != want {
		t.Errorf("appendPayload = %q, want %q", got, want)
	}
	if got := string(appendPayload(nil, [][]byte{[]byte("6")})); got != "6" {
		t.Errorf("appendPayload(one packet) = %q, want %q", got, "6")
	}
}

func raw(s ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(s))
	for i, v := range s {
		out[i] = json.RawMessage(v)
	}
	return out
}

func TestDecodeSIOPacket(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want sioPacket
	}{
		{"connect", "0", sioPacket{typ: sioConnect, nsp: "/", id: -1}},
		{"connect auth", `0{"token":"abc"}`, sioPacket{typ: sioConnect, nsp: "/", id: -1, data: json.RawMessage(`{"token":"abc"}`)}},
		{"connect namespace", "0/admin,", sioPacket{typ: sioConnect, nsp: "/admin", id: -1}},
		{"connect namespace no comma", "0/admin", sioPacket{typ: sioConnect, nsp: "/admin", id: -1}},
		{"connect namespace auth", `0/admin,{"token":"abc"}`, sioPacket{typ: sioConnect, nsp: "/admin", id: -1, data: json.RawMessage(`{"token":"abc"}`)}},
		{"connect reply", `0{"sid":"oSO0OpakMV_3jnilAAAA"}`, sioPacket{typ: sioConnect, nsp: "/", id: -1, data: json.RawMessage(`{"sid":"oSO0OpakMV_3jnilAAAA"}`)}},
		{"disconnect", "1", sioPacket{typ: sioDisconnect, nsp: "/", id: -1}},
		{"disconnect namespace", "1/admin,", sioPacket{typ: sioDisconnect, nsp: "/admin", id: -1}},
		{"event", `2["hello",1,{"a":true}]`, sioPacket{typ: sioEvent, nsp: "/", id: -1, data: json.RawMessage(`["hello",1,{"a":true}]`), event: "hello", args: raw(`1`, `{"a":true}`)}},
		{"event no args", `2["hello"]`, sioPacket{typ: sioEvent, nsp: "/", id: -1, data: json.RawMessage(`["hello"]`), event: "hello", args: raw()}},
		{"event ack id", `21["x"]`, sioPacket{typ: sioEvent, nsp: "/", id: 1, data: json.RawMessage(`["x"]`), event: "x", args: raw()}},
		{"event namespace ack id", `2/admin,456["project:delete",123]`, sioPacket{typ: sioEvent, nsp: "/admin", id: 456, data: json.RawMessage(`["project:delete",123]`), event: "project:delete", args: raw(`123`)}},
		{"event escaped name", `2["a\"b\u00e9"]`, sioPacket{typ: sioEvent, nsp: "/", id: -1, data: json.RawMessage(`["a\"b\u00e9"]`), event: "a\"bé", args: raw()}},
		{"ack", `31["ok"]`, sioPacket{typ: sioAck, nsp: "/", id: 1, data: json.RawMessage(`["ok"]`), args: raw(`"ok"`)}},
		{"ack empty", `312[]`, sioPacket{typ: sioAck, nsp: "/", id: 12, data: json.RawMessage(`[]`), args: raw()}},
		{"ack namespace", `3/admin,456[]`, sioPacket{typ: sioAck, nsp: "/admin", id: 456, data: json.RawMessage(`[]`), args: raw()}},
		{"connect error object", `4{"message":"Not authorized"}`, sioPacket{typ: sioConnectError, nsp: "/", id: -1, data: json.RawMessage(`{"message":"Not authorized"}`)}},
		{"connect error string", `4"nope"`, sioPacket{typ: sioConnectError, nsp: "/", id: -1, data: json.RawMessage(`"nope"`)}},
		{"binary event", `51-["baz",{"_placeholder":true,"num":0}]`, sioPacket{typ: sioBinaryEvent, nsp: "/", attachments: 1, id: -1, data: json.RawMessage(`["baz",{"_placeholder":true,"num":0}]`), event: "baz", args: raw(`{"_placeholder":true,"num":0}`)}},
		{"binary ack", `61-/admin,7[{"_placeholder":true,"num":0}]`, sioPacket{typ: sioBinaryAck, nsp: "/admin", attachments: 1, id: 7, data: json.RawMessage(`[{"_placeholder":true,"num":0}]`), args: raw(`{"_placeholder":true,"num":0}`)}},
		{"max ack id", `39007199254740991[]`, sioPacket{typ: sioAck, nsp: "/", id: maxAckID, data: json.RawMessage(`[]`), args: raw()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeSIOPacket(tt.in)
			if err != nil {
				t.Fatalf("decodeSIOPacket(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(sioPacket{})); diff != "" {
				t.Errorf("decodeSIOPacket(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			again, err := decodeSIOPacket(got.encode())
			if err != nil {
				t.Fatalf("decodeSIOPacket(encode()) = %v for %q", err, got.encode())
			}
			if diff := cmp.Diff(got, again, cmp.AllowUnexported(sioPacket{})); diff != "" {
				t.Errorf("round trip of %q through %q mismatch (-first +second):\n%s", tt.in, got.encode(), diff)
			}
		})
	}
}

func TestDecodeSIOPacketMalformed(t *testing.T) {
	tests := []string{
		"",
		"7",
		"a",
		"/",
		"0[]",                 // CONNECT payload must be an object
		`0"x"`,                // nor a string
		"0{",                  // not JSON
		"0 ",                  // not JSON
		"1{}",                 // DISCONNECT takes no payload
		"2",                   // EVENT needs its array
		"2{}",                 // not an array
		"2[]",                 // no event name
		"2[1]",                // numeric event names are refused
		`2[null]`,             // name must be a string
		`2["connect"]`,        // reserved
		`2["disconnect",1]`,   // reserved
		`2["removeListener"]`, // reserved
		`2["a"`,               // truncated
		`2["a"]x`,             // trailing garbage
		`2["a"][]`,            // two values
		"3",                   // ACK needs its array
		"31",                  // still needs it
		`31{}`,                // not an array
		"4[]",                 // CONNECT_ERROR must be a string or object
		"5-[\"a\"]",           // no attachment count
		"50-[\"a\"]",          // zero attachments
		"511-[\"a\"]",         // too many
		"5x-[\"a\"]",          // not a number
		"51[\"a\"]",           // no dash
		"5123-[\"a\"]",        // too many digits
		"2/a\x00b,[\"x\"]",    // control character in namespace
		"2/a\xffb,[\"x\"]",    // invalid UTF-8 in namespace
		"2/a\x1eb,[\"x\"]",    // record separator in namespace
		"39007199254740992[]", // ack id beyond 2^53-1
		"399999999999999999999999[]",
		`2,["a"]`, // comma without namespace
	}
	for _, in := range tests {
		if p, err := decodeSIOPacket(in); err == nil {
			t.Errorf("decodeSIOPacket(%q) = %+v, want an error", in, p)
		} else if !errors.Is(err, errPacket) {
			t.Errorf("decodeSIOPacket(%q) error %v does not wrap errPacket", in, err)
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		got  func() ([]byte, error)
		want string
	}{
		{"event", func() ([]byte, error) { return encodeEvent("/", -1, "hello", []any{"world", 1}) }, `42["hello","world",1]`},
		{"event no args", func() ([]byte, error) { return encodeEvent("/", -1, "ping", nil) }, `42["ping"]`},
		{"event ack", func() ([]byte, error) { return encodeEvent("/", 12, "q", []any{nil}) }, `4212["q",null]`},
		{"event namespace", func() ([]byte, error) { return encodeEvent("/admin", 3, "q", []any{map[string]int{"a": 1}}) }, `42/admin,3["q",{"a":1}]`},
		{"event raw JSON", func() ([]byte, error) {
			return encodeEvent("/", -1, "m", []any{json.RawMessage(` {"x": [1, 2]} `)})
		}, `42["m",{"x":[1,2]}]`},
		{"ack", func() ([]byte, error) {
			p, err := marshalArray(nil, []any{"ok", 2})
			return encodeMessage(sioAck, "/", 7, p), err
		}, `437["ok",2]`},
		{"ack empty", func() ([]byte, error) {
			p, err := marshalArray(nil, nil)
			return encodeMessage(sioAck, "/chat", 0, p), err
		}, `43/chat,0[]`},
		{"disconnect", func() ([]byte, error) { return encodeMessage(sioDisconnect, "/", -1, nil), nil }, `41`},
		{"disconnect namespace", func() ([]byte, error) { return encodeMessage(sioDisconnect, "/admin", -1, nil), nil }, `41/admin,`},
		{"connect error", func() ([]byte, error) {
			return encodeMessage(sioConnectError, "/", -1, []byte(`{"message":"bad"}`)), nil
		}, `44{"message":"bad"}`},
	}
	for _, tt := range tests {
		got, err := tt.got()
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
		}
		// Everything the server sends must decode as an Engine.IO message
		// carrying a valid Socket.IO packet.
		p, err := decodeEIOPacket(string(got))
		if err != nil || p.typ != eioMessage {
			t.Errorf("%s: decodeEIOPacket(%q) = %+v, %v", tt.name, got, p, err)
			continue
		}
		if _, err := decodeSIOPacket(p.data); err != nil {
			t.Errorf("%s: decodeSIOPacket(%q): %v", tt.name, p.data, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, name := range reservedEvents {
		if _, err := encodeEvent("/", -1, name, nil); err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("encodeEvent(%q) error = %v, want a reserved-name error", name, err)
		}
	}
	if _, err := encodeEvent("/", -1, "x", []any{make(chan int)}); err == nil {
		t.Error("encodeEvent with a channel argument: want an encoding error")
	}
	if _, err := encodeEvent("/", -1, "x", []any{json.RawMessage("{bad")}); err == nil {
		t.Error("encodeEvent with invalid raw JSON: want an encoding error")
	}
}
