package forge

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var testFields = []field{
	{name: "name", typ: tString},
	{name: "note", typ: tOptString},
	{name: "on", typ: tBool},
	{name: "id", typ: tUUID, kind: kindUser},
	{name: "ids", typ: tUUIDs, kind: kindFile},
}

func decodeString(body string) (*fields, error) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	return decodeBody(httptest.NewRecorder(), r, testFields...)
}

func TestDecodeBody(t *testing.T) {
	user := formatID(kindUser, 3)
	file := formatID(kindFile, 4)
	f, err := decodeString(`{"ids":["` + file + `"],"name":"x","on":true,"id":"` + user + `","extra":[1,{}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if f.str("name") != "x" || f.optStr("note") != nil || !f.boolean("on") || f.id("id") != 3 || len(f.ids("ids")) != 1 || f.ids("ids")[0] != 4 {
		t.Errorf("decoded %+v", f)
	}
	if f, err := decodeString(`{"name":"x","note":null,"on":false,"id":"` + user + `","ids":[]}`); err != nil || f.optStr("note") != nil {
		t.Errorf("a null optional string: %v, %v", f, err)
	}

	// serde_json's messages and positions, behind actix-web's prefix.
	tests := []struct {
		body string
		want string
	}{
		{``, "EOF while parsing a value at line 1 column 0"},
		{`{"name":"x"`, "EOF while parsing a value at line 1 column 11"},
		{`{"on":true}`, "missing field `name` at line 1 column 11"},
		{`{"name":null,"on":true}`, "invalid type: null, expected a string at line 1 column 12"},
		{`{"name":1,"on":true}`, "invalid type: integer `1`, expected a string at line 1 column 9"},
		{`{"name":"x","on":"yes"}`, `invalid type: string "yes", expected a boolean at line 1 column 22`},
		{`{"name":"x","on":null}`, "invalid type: null, expected a boolean at line 1 column 21"},
		{`{"name":"x","on":true,"id":"nope"}`, "UUID parsing failed: invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `n` at 1 at line 1 column 33"},
		{`{"name":"x","on":true,"id":"abc"}`, "UUID parsing failed: invalid length: expected length 32 for simple format, found 3 at line 1 column 32"},
		{`{"name":"x","on":true,"id":5}`, "invalid type: integer `5`, expected a UUID string at line 1 column 28"},
		{`{"name":"x","on":true,"id":"` + user + `","ids":"` + file + `"}`, `invalid type: string "` + file + `", expected a sequence at line 1 column 110`},
		{`{"name":"x","on":true,"id":"` + user + `","ids":[1.5]}`, "invalid type: floating point `1.5`, expected a UUID string at line 1 column 76"},
		{"{\n\"name\":\"x\",\n\"name\":\"y\"}", "duplicate field `name` at line 3 column 10"},
		{`[]`, "invalid type: sequence, expected a map at line 1 column 1"},
		{`"x"`, `invalid type: string "x", expected a map at line 1 column 3`},
		{`{"name":"x","on":true,"id":"` + user + `","ids":[]} x`, "trailing characters at line 1 column 77"},
	}
	for _, tt := range tests {
		_, err := decodeString(tt.body)
		var te *textError
		if !errors.As(err, &te) || te.status != http.StatusBadRequest || te.text != "Json deserialize error: "+tt.want {
			t.Errorf("decode(%q) = %v, want 400 %q", tt.body, err, tt.want)
		}
	}
}

// FuzzDecodeBody checks that any body decodes or fails with a 4xx text,
// never a panic or an internal error.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{`{"name":"x","on":true,"id":"` + formatID(kindUser, 1) + `","ids":[]}`, `{`, `[]`, `{"ids":[null]}`, `{"on":tru}`, "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, err := decodeString(body)
		if err == nil {
			return
		}
		var te *textError
		if !errors.As(err, &te) || te.status < 400 || te.status > 499 || te.text == "" {
			t.Fatalf("decode(%q) = %v, want a 4xx text", body, err)
		}
	})
}
