package socketio

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodePacket feeds arbitrary text to the decoders a client can reach:
// a polling payload split into Engine.IO packets, each message decoded as a
// Socket.IO packet. They must never panic, and whatever decodes must encode
// back to something that decodes to the same packet. The seed corpus is in
// testdata/fuzz/FuzzDecodePacket; run more with
//
//	go test -run='^$' -fuzz=FuzzDecodePacket -fuzztime=30s ./internal/socketio/
func FuzzDecodePacket(f *testing.F) {
	for _, seed := range []string{
		"0", `0{"token":"abc"}`, "0/admin,", `2["hello",1]`, `21["x"]`, `3/admin,456[]`,
		`51-["baz",{"_placeholder":true,"num":0}]`, "4hello\x1e2\x1e3", "bAQID",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for part := range splitPayload(in) {
			ep, err := decodeEIOPacket(part)
			if err != nil {
				continue
			}
			if again, err := decodeEIOPacket(ep.encode()); err != nil || again != ep {
				t.Fatalf("engine.io round trip of %q: got %+v, %v; want %+v", part, again, err, ep)
			}
		}
		p, err := decodeSIOPacket(in)
		if err != nil {
			return
		}
		enc := p.encode()
		again, err := decodeSIOPacket(enc)
		if err != nil {
			t.Fatalf("decodeSIOPacket(%q) decoded, but its encoding %q does not: %v", in, enc, err)
		}
		if diff := cmp.Diff(p, again, cmp.AllowUnexported(sioPacket{})); diff != "" {
			t.Fatalf("round trip of %q through %q mismatch (-first +second):\n%s", in, enc, diff)
		}
	})
}
