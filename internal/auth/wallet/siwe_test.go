package wallet

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// eipExample is the example message of EIP-4361 (with its address in EIP-55
// case), plus every optional field.
const eipExample = `service.org wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ServiceOrg Terms of Service: https://service.org/tos

URI: https://service.org/login
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Expiration Time: 2021-10-30T16:25:24.500Z
Not Before: 2021-09-30T18:00:00+02:00
Request ID: some_id
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://example.com/my-web2-claim.json`

func ptr[T any](v T) *T { return &v }

func TestParseSIWE(t *testing.T) {
	t.Parallel()
	full := &SIWEMessage{
		Domain:         "service.org",
		Address:        "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
		Statement:      ptr("I accept the ServiceOrg Terms of Service: https://service.org/tos"),
		URI:            "https://service.org/login",
		Version:        "1",
		ChainID:        1,
		Nonce:          "32891756",
		IssuedAt:       time.Date(2021, 9, 30, 16, 25, 24, 0, time.UTC),
		ExpirationTime: ptr(time.Date(2021, 10, 30, 16, 25, 24, 500e6, time.UTC)),
		NotBefore:      ptr(time.Date(2021, 9, 30, 18, 0, 0, 0, time.FixedZone("", 2*3600))),
		RequestID:      ptr("some_id"),
		Resources: []string{
			"ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
			"https://example.com/my-web2-claim.json",
		},
	}
	with := func(edit func(m *SIWEMessage)) *SIWEMessage {
		m := *full
		edit(&m)
		return &m
	}
	// edit replaces the first occurrence of old in eipExample.
	edit := func(old, new string) string {
		if !strings.Contains(eipExample, old) {
			t.Fatalf("eipExample has no %q", old)
		}
		return strings.Replace(eipExample, old, new, 1)
	}
	cut := func(from string) string { return eipExample[:strings.Index(eipExample, from)] }
	const stmt = "I accept the ServiceOrg Terms of Service: https://service.org/tos"

	tests := []struct {
		name string
		text string
		want *SIWEMessage // nil when an error is expected
		// For errors: the line, the field and a fragment of the reason.
		line   int
		field  string
		reason string
	}{
		{name: "all fields", text: eipExample, want: full},
		{name: "scheme", text: "https://" + eipExample, want: with(func(m *SIWEMessage) { m.Scheme = "https" })},
		{name: "no statement", text: edit(stmt+"\n\n", "\n"), want: with(func(m *SIWEMessage) { m.Statement = nil })},
		{name: "empty statement", text: edit(stmt+"\n", "\n"), want: with(func(m *SIWEMessage) { m.Statement = ptr("") })},
		{name: "statement that looks like a field", text: edit(stmt, "URI: https://evil.example"), want: with(func(m *SIWEMessage) { m.Statement = ptr("URI: https://evil.example") })},
		{name: "required fields only", text: cut("\nExpiration Time"), want: with(func(m *SIWEMessage) {
			m.ExpirationTime, m.NotBefore, m.RequestID, m.Resources = nil, nil, nil, nil
		})},
		{name: "empty resources", text: cut("\n- ipfs"), want: with(func(m *SIWEMessage) { m.Resources = []string{} })},
		{name: "empty request id", text: edit("Request ID: some_id", "Request ID: "), want: with(func(m *SIWEMessage) { m.RequestID = ptr("") })},
		{name: "only not before", text: edit("Expiration Time: 2021-10-30T16:25:24.500Z\n", ""), want: with(func(m *SIWEMessage) { m.ExpirationTime = nil })},
		{name: "only resources", text: edit("Expiration Time: 2021-10-30T16:25:24.500Z\nNot Before: 2021-09-30T18:00:00+02:00\nRequest ID: some_id\n", ""), want: with(func(m *SIWEMessage) {
			m.ExpirationTime, m.NotBefore, m.RequestID = nil, nil, nil
		})},
		{name: "large chain id", text: edit("Chain ID: 1", "Chain ID: 9223372036854775807"), want: with(func(m *SIWEMessage) { m.ChainID = 1<<63 - 1 })},
		{name: "zero-padded chain id", text: edit("Chain ID: 1", "Chain ID: 007"), want: with(func(m *SIWEMessage) { m.ChainID = 7 })},
		{name: "domain with userinfo, ipv6 and port", text: edit("service.org wants", "u:p@[::1]:8080 wants"), want: with(func(m *SIWEMessage) { m.Domain = "u:p@[::1]:8080" })},

		{name: "empty text", text: "", line: 1, field: "header", reason: "wants you to sign in"},
		{name: "header wording", text: edit("sign in", "log in"), line: 1, field: "header", reason: "at the end of the first line"},
		{name: "empty domain", text: edit("service.org wants", " wants"), line: 1, field: "domain", reason: "empty"},
		{name: "domain with path", text: edit("service.org wants", "service.org/x wants"), line: 1, field: "domain", reason: `"/" not allowed`},
		{name: "domain with bad port", text: edit("service.org wants", "service.org:8o wants"), line: 1, field: "domain", reason: "port"},
		{name: "bad scheme", text: "1http://" + eipExample, line: 1, field: "scheme", reason: "must start with a letter"},
		{name: "header only", text: cut("\n0xC02"), line: 2, field: "address", reason: "missing line"},
		{name: "lowercase address", text: edit("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"), line: 2, field: "address", reason: "EIP-55"},
		{name: "bad checksum", text: edit("0xC02aaA39", "0xc02aaA39"), line: 2, field: "address", reason: "checksum"},
		{name: "short address", text: edit("56Cc2\n", "56Cc\n"), line: 2, field: "address", reason: "40 hex digits"},
		{name: "truncated after address and blank line", text: cut("\nI accept"), line: 4, field: "statement", reason: "missing line"},
		{name: "no blank line after address", text: edit("56Cc2\n\n", "56Cc2\n"), line: 3, field: "layout", reason: "want an empty line"},
		{name: "no blank line after statement", text: edit("/tos\n\n", "/tos\n"), line: 5, field: "layout", reason: "want an empty line"},
		{name: "no statement and one blank line", text: edit("\n"+stmt+"\n\n", "\n"), line: 5, field: "layout", reason: `want an empty line, got "Version: 1"`},
		{name: "statement with percent", text: edit("Terms of", "100% of"), line: 4, field: "statement", reason: `"%" not allowed at byte 27`},
		{name: "statement with non-ascii", text: edit("Terms", "Térms"), line: 4, field: "statement", reason: `"\xc3" not allowed`},
		{name: "statement with CR", text: edit("/tos\n", "/tos\r\n"), line: 4, field: "statement", reason: `"\r" not allowed`},
		{name: "CRLF", text: strings.ReplaceAll(eipExample, "\n", "\r\n"), line: 1, field: "header", reason: "at the end of the first line"},
		{name: "URI missing", text: edit("URI: https://service.org/login\n", ""), line: 6, field: "uri", reason: `want line starting "URI: "`},
		{name: "URI invalid", text: edit("URI: https://service.org/login", "URI: https://service.org/log in"), line: 6, field: "uri", reason: `path: character " " not allowed`},
		{name: "URI relative", text: edit("URI: https://service.org/login", "URI: /login"), line: 6, field: "uri", reason: "scheme"},
		{name: "version 2", text: edit("Version: 1", "Version: 2"), line: 7, field: "version", reason: "want 1"},
		{name: "chain id missing", text: edit("Chain ID: 1\n", ""), line: 8, field: "chain-id", reason: `want line starting "Chain ID: "`},
		{name: "chain id hex", text: edit("Chain ID: 1", "Chain ID: 0x1"), line: 8, field: "chain-id", reason: "decimal digits"},
		{name: "chain id empty", text: edit("Chain ID: 1", "Chain ID: "), line: 8, field: "chain-id", reason: "empty"},
		{name: "chain id overflow", text: edit("Chain ID: 1", "Chain ID: 9223372036854775808"), line: 8, field: "chain-id", reason: "out of range"},
		{name: "nonce short", text: edit("Nonce: 32891756", "Nonce: 3289175"), line: 9, field: "nonce", reason: "at least 8"},
		{name: "nonce punctuation", text: edit("Nonce: 32891756", "Nonce: 3289-1756"), line: 9, field: "nonce", reason: "letters and digits"},
		{name: "truncated after nonce", text: cut("\nIssued At"), line: 10, field: "issued-at", reason: "missing line"},
		{name: "issued at bad date", text: edit("2021-09-30T16:25:24Z", "2021-02-30T16:25:24Z"), line: 10, field: "issued-at", reason: "day 30 out of range for 2021-02"},
		{name: "issued at no offset", text: edit("2021-09-30T16:25:24Z", "2021-09-30T16:25:24"), line: 10, field: "issued-at", reason: "time offset"},
		{name: "expiration bad", text: edit("2021-10-30T16:25:24.500Z", "2021-10-30T25:25:24.500Z"), line: 11, field: "expiration-time", reason: "hour 25"},
		{name: "not before bad", text: edit("2021-09-30T18:00:00+02:00", "2021-09-30T18:00:00+02"), line: 12, field: "not-before", reason: "time offset"},
		{name: "request id with space", text: edit("Request ID: some_id", "Request ID: some id"), line: 13, field: "request-id", reason: `" " not allowed`},
		{name: "resource without dash", text: edit("- ipfs", "ipfs"), line: 15, field: "resources", reason: `want "- "`},
		{name: "resource invalid", text: edit("- https://example.com/my-web2", "- https://exa mple.com/my-web2"), line: 16, field: "resources", reason: "host"},
		{name: "trailing line feed", text: eipExample + "\n", line: 17, field: "resources", reason: `want "- "`},
		{name: "trailing line feed after issued at", text: cut("\nExpiration Time") + "\n", line: 10, field: "layout", reason: "line feed after the last line"},
		{name: "fields out of order", text: edit("Expiration Time: 2021-10-30T16:25:24.500Z\nNot Before: 2021-09-30T18:00:00+02:00", "Not Before: 2021-09-30T18:00:00+02:00\nExpiration Time: 2021-10-30T16:25:24.500Z"), line: 12, field: "layout", reason: `unexpected line "Expiration Time:`},
		{name: "field twice", text: edit("Request ID: some_id", "Request ID: some_id\nRequest ID: other"), line: 14, field: "layout", reason: "at most once"},
		{name: "unknown field", text: cut("\nExpiration Time") + "\nColor: blue", line: 11, field: "layout", reason: `unexpected line "Color: blue"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSIWE(tt.text)
			if tt.want != nil {
				if err != nil {
					t.Fatalf("ParseSIWE: %v\n%s", err, tt.text)
				}
				if diff := diffSIWE(got, tt.want); diff != "" {
					t.Errorf("ParseSIWE: %s", diff)
				}
				if s := got.String(); s != tt.text {
					t.Errorf("String() = %q, want %q", s, tt.text)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseSIWE(%q) succeeded, want an error on line %d (%s)", tt.text, tt.line, tt.field)
			}
			var se *SIWEError
			if !errors.As(err, &se) || !errors.Is(err, ErrMalformedSIWE) {
				t.Fatalf("ParseSIWE error %#v is not a *SIWEError wrapping ErrMalformedSIWE", err)
			}
			if se.Line != tt.line || se.Field != tt.field || !strings.Contains(se.Reason, tt.reason) {
				t.Errorf("ParseSIWE error = %v, want line %d, field %s, reason containing %q", err, tt.line, tt.field, tt.reason)
			}
			if !strings.HasPrefix(err.Error(), "malformed siwe message: line ") {
				t.Errorf("error text %q lacks the line prefix", err)
			}
		})
	}
}

// diffSIWE describes the first difference between two messages, ignoring
// how the parsed one was spelled; times compare by instant and offset.
func diffSIWE(got, want *SIWEMessage) string {
	sameTime := func(a, b *time.Time) bool {
		if a == nil || b == nil {
			return a == b
		}
		_, oa := a.Zone()
		_, ob := b.Zone()
		return a.Equal(*b) && oa == ob
	}
	switch {
	case !sameTime(&got.IssuedAt, &want.IssuedAt):
		return "IssuedAt = " + got.IssuedAt.String() + ", want " + want.IssuedAt.String()
	case !sameTime(got.ExpirationTime, want.ExpirationTime):
		return "ExpirationTime differs"
	case !sameTime(got.NotBefore, want.NotBefore):
		return "NotBefore differs"
	}
	g, w := *got, *want
	g.spelling, w.spelling = siweSpelling{}, siweSpelling{}
	g.IssuedAt, g.ExpirationTime, g.NotBefore = time.Time{}, nil, nil
	w.IssuedAt, w.ExpirationTime, w.NotBefore = time.Time{}, nil, nil
	if !reflect.DeepEqual(g, w) {
		return "got " + g.String() + "\nwant " + w.String()
	}
	return ""
}

func TestSIWEStringRoundTrip(t *testing.T) {
	t.Parallel()
	// Spellings that a canonical renderer would change.
	tests := []struct{ old, new string }{
		{"2021-09-30T16:25:24Z", "2021-09-30t16:25:24z"},
		{"2021-09-30T16:25:24Z", "2021-09-30T16:25:24.000Z"},
		{"2021-09-30T16:25:24Z", "2021-09-30T16:25:24.123456789123+00:00"},
		{"2021-09-30T16:25:24Z", "2016-12-31T23:59:60Z"},
		{"2021-09-30T16:25:24Z", "2021-09-30T16:25:24-00:00"},
		{"2021-10-30T16:25:24.500Z", "2021-10-30T16:25:24.50Z"},
		{"Chain ID: 1", "Chain ID: 0001"},
		{"service.org", "SERVICE.org"},
	}
	for _, tt := range tests {
		text := strings.Replace(eipExample, tt.old, tt.new, 1)
		m, err := ParseSIWE(text)
		if err != nil {
			t.Errorf("ParseSIWE with %q: %v", tt.new, err)
			continue
		}
		if got := m.String(); got != text {
			t.Errorf("String() with %q:\n%s\nwant:\n%s", tt.new, got, text)
		}
	}
}

func TestSIWEStringCanonical(t *testing.T) {
	t.Parallel()
	m := &SIWEMessage{
		Scheme:         "https",
		Domain:         "example.com",
		Address:        "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
		URI:            "https://example.com",
		Version:        "1",
		ChainID:        10,
		Nonce:          "abcdefgh",
		IssuedAt:       time.Date(2024, 1, 2, 3, 4, 5, 600e6, time.UTC),
		ExpirationTime: ptr(time.Date(2024, 1, 3, 3, 4, 5, 0, time.FixedZone("", -5*3600))),
	}
	const want = `https://example.com wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2


URI: https://example.com
Version: 1
Chain ID: 10
Nonce: abcdefgh
Issued At: 2024-01-02T03:04:05.6Z
Expiration Time: 2024-01-03T03:04:05-05:00`
	if got := m.String(); got != want {
		t.Errorf("String() =\n%s\nwant:\n%s", got, want)
	}
	if _, err := ParseSIWE(want); err != nil {
		t.Errorf("ParseSIWE(String()) = %v", err)
	}

	// Changing a parsed field drops its original spelling; keeping the
	// value keeps it.
	p, err := ParseSIWE(strings.Replace(eipExample, "Chain ID: 1", "Chain ID: 01", 1))
	if err != nil {
		t.Fatal(err)
	}
	p.ChainID = 5
	p.IssuedAt = p.IssuedAt.Add(time.Second)
	exp := *p.ExpirationTime
	p.ExpirationTime = &exp // same value, new pointer
	got := p.String()
	for _, line := range []string{"Chain ID: 5\n", "Issued At: 2021-09-30T16:25:25Z\n", "Expiration Time: 2021-10-30T16:25:24.500Z\n"} {
		if !strings.Contains(got, line) {
			t.Errorf("String() after edits lacks %q:\n%s", line, got)
		}
	}
}

func TestSIWEValid(t *testing.T) {
	t.Parallel()
	m, err := ParseSIWE(eipExample) // not before 16:00Z, expires 2021-10-30T16:25:24.5Z
	if err != nil {
		t.Fatal(err)
	}
	nb := time.Date(2021, 9, 30, 16, 0, 0, 0, time.UTC)
	exp := time.Date(2021, 10, 30, 16, 25, 24, 500e6, time.UTC)
	bare, err := ParseSIWE(eipExample[:strings.Index(eipExample, "\nExpiration Time")])
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		m       *SIWEMessage
		now     time.Time
		wantErr error
	}{
		{"inside", m, nb.Add(time.Hour), nil},
		{"at not before", m, nb, nil},
		{"just before not before", m, nb.Add(-time.Nanosecond), ErrSIWENotYetValid},
		{"just before expiry", m, exp.Add(-time.Nanosecond), nil},
		{"at expiry", m, exp, ErrSIWEExpired},
		{"after expiry", m, exp.Add(time.Hour), ErrSIWEExpired},
		{"other zone", m, nb.In(time.FixedZone("", -8*3600)), nil},
		{"no window, far past", bare, time.Time{}, nil},
		{"no window, far future", bare, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Valid(tt.now)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Errorf("Valid(%v) = %v, want %v", tt.now, err, tt.wantErr)
			}
		})
	}
}

func TestParseDateTime(t *testing.T) {
	t.Parallel()
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in     string
		want   time.Time
		reason string // non-empty when an error is expected
	}{
		{in: "2021-09-30T16:25:24Z", want: utc(2021, 9, 30, 16, 25, 24, 0)},
		{in: "2021-09-30t16:25:24z", want: utc(2021, 9, 30, 16, 25, 24, 0)},
		{in: "2021-09-30T16:25:24.807Z", want: utc(2021, 9, 30, 16, 25, 24, 807e6)},
		{in: "2021-09-30T16:25:24.1Z", want: utc(2021, 9, 30, 16, 25, 24, 100e6)},
		{in: "2021-09-30T16:25:24.123456789999Z", want: utc(2021, 9, 30, 16, 25, 24, 123456789)},
		{in: "2021-09-30T18:25:24+02:00", want: utc(2021, 9, 30, 16, 25, 24, 0)},
		{in: "2021-09-30T08:55:24-07:30", want: utc(2021, 9, 30, 16, 25, 24, 0)},
		{in: "2024-02-29T00:00:00Z", want: utc(2024, 2, 29, 0, 0, 0, 0)},
		{in: "2000-02-29T00:00:00Z", want: utc(2000, 2, 29, 0, 0, 0, 0)},
		{in: "0000-01-01T00:00:00Z", want: utc(0, 1, 1, 0, 0, 0, 0)},
		{in: "2016-12-31T23:59:60Z", want: utc(2017, 1, 1, 0, 0, 0, 0)},
		{in: "2021-09-30T23:59:59+23:59", want: utc(2021, 9, 30, 0, 0, 59, 0)},

		{in: "", reason: "YYYY-MM-DD"},
		{in: "2021-09-30", reason: "want T"},
		{in: "2021-09-30T16:25:24", reason: "Z or ±HH:MM"},
		{in: "2021-09-30T16:25:24.", reason: "digits after the decimal point"},
		{in: "2021-09-30T16:25:24.Z", reason: "digits after the decimal point"},
		{in: "2021-09-30 16:25:24Z", reason: "want T"},
		{in: "2021/09/30T16:25:24Z", reason: "YYYY-MM-DD"},
		{in: "21-09-30T16:25:24Z", reason: "YYYY-MM-DD"},
		{in: "2021-9-30T16:25:24Z", reason: "YYYY-MM-DD"},
		{in: "+2021-09-30T16:25:24Z", reason: "YYYY-MM-DD"},
		{in: "2021-09-30T16:25Z", reason: "HH:MM:SS"},
		{in: "2021-09-30T16-25-24Z", reason: "HH:MM:SS"},
		{in: "2021-00-10T00:00:00Z", reason: "month 00"},
		{in: "2021-13-10T00:00:00Z", reason: "month 13"},
		{in: "2021-04-31T00:00:00Z", reason: "day 31 out of range for 2021-04"},
		{in: "2100-02-29T00:00:00Z", reason: "day 29 out of range for 2100-02"},
		{in: "2021-01-00T00:00:00Z", reason: "day 00"},
		{in: "2021-01-01T24:00:00Z", reason: "hour 24"},
		{in: "2021-01-01T00:60:00Z", reason: "minute 60"},
		{in: "2021-01-01T00:00:61Z", reason: "second 61"},
		{in: "2021-01-01T00:00:00+24:00", reason: "offset +24:00 out of range"},
		{in: "2021-01-01T00:00:00+01:60", reason: "offset +01:60 out of range"},
		{in: "2021-01-01T00:00:00+0100", reason: "Z or ±HH:MM"},
		{in: "2021-01-01T00:00:00+01", reason: "Z or ±HH:MM"},
		{in: "2021-01-01T00:00:00+aa:00", reason: "Z or ±HH:MM"},
		{in: "2021-01-01T00:00:00UTC", reason: "Z or ±HH:MM"},
		{in: "2021-01-01T00:00:00Z ", reason: "Z or ±HH:MM"},
		{in: "2021-01-01T00:00:00ZZ", reason: "Z or ±HH:MM"},
		{in: "２021-01-01T00:00:00Z", reason: "YYYY-MM-DD"},
	}
	for _, tt := range tests {
		got, err := parseDateTime(tt.in)
		if tt.reason != "" {
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("parseDateTime(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.reason)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("parseDateTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestCheckURI(t *testing.T) {
	t.Parallel()
	valid := []string{
		"https://example.com",
		"https://example.com/",
		"https://example.com:8443/a/b?c=d&e=f#g",
		"https://user:pa%20ss@example.com/",
		"https://example.com/a?b?c/d#e?f/g",
		"http://127.0.0.1:3000/login",
		"http://[::1]:3000/",
		"http://[2001:db8::7]/c=GB?objectClass?one",
		"http://[::ffff:192.0.2.1]/",
		"http://[v7.fe80::a+en1]/",
		"file:///etc/hosts",
		"ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
		"urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
		"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		"mailto:alice@example.com",
		"tel:+1-816-555-1212",
		"a:",
		"a:/",
		"a+b.c-d:rootless/path:with:colons",
		"https://example.com:/",
		"https://",
	}
	for _, s := range valid {
		if err := checkURI(s); err != nil {
			t.Errorf("checkURI(%q) = %v, want nil", s, err)
		}
	}
	invalid := []struct{ in, reason string }{
		{"", "empty URI"},
		{"example.com", "no scheme"},
		{"/login", "no scheme"},
		{":foo", "empty scheme"},
		{"1a:foo", "must start with a letter"},
		{"a_b:foo", "scheme"},
		{"https://exa mple.com", "host"},
		{"https://example.com/a b", "path"},
		{"https://example.com/a|b", "path"},
		{"https://example.com/a\\b", "path"},
		{"https://example.com/%zz", "bad percent escape"},
		{"https://example.com/%4", "bad percent escape"},
		{"https://example.com/?a b", "query"},
		{"https://example.com/#a#b", "fragment"},
		{"https://example.com/#a[b]", "fragment"},
		{"https://example.com:80a/", "port"},
		{"https://a@b@example.com/", "host"},
		{"https://a[b@example.com/", "userinfo"},
		{"https://[::1/", "missing \"]\""},
		{"https://[::1]x/", "after IP literal"},
		{"https://[1:2:3:4:5:6:7:8:9]/", "IPv6"},
		{"https://[127.0.0.1]/", "IPv6"},
		{"https://[fe80::1%25en0]/", "IPv6"},
		{"https://[v.x]/", "IPvFuture"},
		{"https://[v1.]/", "IPvFuture"},
		{"https://[v1.a%41]/", "IPvFuture"},
		{"https://exämple.com/", "host"},
		{"https://example.com/\x00", "path"},
	}
	for _, tt := range invalid {
		err := checkURI(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.reason) {
			t.Errorf("checkURI(%q) = %v, want error containing %q", tt.in, err, tt.reason)
		}
	}
}
