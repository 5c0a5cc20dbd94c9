package wallet

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// siweHeaderSuffix ends the first line of every EIP-4361 message.
const siweHeaderSuffix = " wants you to sign in with your Ethereum account:"

// Field prefixes, in the order EIP-4361 requires. All are case sensitive.
const (
	siweURITag            = "URI: "
	siweVersionTag        = "Version: "
	siweChainIDTag        = "Chain ID: "
	siweNonceTag          = "Nonce: "
	siweIssuedAtTag       = "Issued At: "
	siweExpirationTimeTag = "Expiration Time: "
	siweNotBeforeTag      = "Not Before: "
	siweRequestIDTag      = "Request ID: "
	siweResourcesLine     = "Resources:"
	siweResourcePrefix    = "- "
)

// SIWEMinNonceLen is the minimum length of a SIWE nonce.
const SIWEMinNonceLen = 8

// SIWEMessage is a parsed EIP-4361 (Sign-In with Ethereum) message.
//
// Optional parts are nil (or "" for Scheme) when absent. ParseSIWE fills the
// fields; String renders them back. For a message returned by ParseSIWE and
// left unchanged, String returns the parsed text byte for byte, including the
// spelling of its times and chain ID. Fields a caller sets are rendered
// canonically: times with time.RFC3339Nano, the chain ID in decimal.
//
// The signature of a SIWE message is over the text the wallet showed; verify
// it against the text received, not against String.
type SIWEMessage struct {
	// Scheme is the optional RFC 3986 scheme of the requesting origin, from
	// a header line "https://example.com wants you …". "" when absent.
	Scheme string

	// Domain is the RFC 3986 authority requesting the signing (host and
	// optional userinfo and port). Never empty.
	Domain string

	// Address is the signer's address as written: 0x and 40 hex digits in
	// EIP-55 checksum case. ParseAddress decodes it.
	Address string

	// Statement is the human-readable assertion, or nil when the message has
	// none. It may point to "": the ABNF allows an empty statement line,
	// which is a different text from no statement.
	Statement *string

	// URI is the RFC 3986 URI that is the subject of the signing.
	URI string

	// Version is the message version; EIP-4361 defines only "1".
	Version string

	// ChainID is the EIP-155 chain ID.
	ChainID int64

	// Nonce is the replay-protection token: at least 8 ASCII letters or
	// digits.
	Nonce string

	// IssuedAt is when the message was made.
	IssuedAt time.Time

	// ExpirationTime is when the message stops being valid, or nil.
	ExpirationTime *time.Time

	// NotBefore is when the message becomes valid, or nil.
	NotBefore *time.Time

	// RequestID is the optional request identifier, or nil. It may point to
	// "" ("Request ID: " with nothing after it is valid).
	RequestID *string

	// Resources are the listed resource URIs. nil means there is no
	// "Resources:" section; a non-nil empty slice means a "Resources:" line
	// with no entries.
	Resources []string

	// spelling remembers how ParseSIWE found the typed fields written, so
	// that String reproduces them.
	spelling siweSpelling
}

// siweSpelling holds, for each field whose Go type loses the written form,
// the value parsed and its text. String uses the text while the field still
// holds that value.
type siweSpelling struct {
	chainID                             int64
	chainIDText                         string
	issuedAt, expirationTime, notBefore spelledTime
}

type spelledTime struct {
	t    time.Time
	text string
}

// render returns the parsed text if t is still the parsed value, and the
// canonical form otherwise.
func (sp spelledTime) render(t time.Time) string {
	canonical := t.Format(time.RFC3339Nano)
	if sp.text != "" && sp.t.Format(time.RFC3339Nano) == canonical {
		return sp.text
	}
	return canonical
}

// SIWEError describes why a text is not an EIP-4361 message. It wraps
// ErrMalformedSIWE.
type SIWEError struct {
	// Line is the 1-based line number where the problem is.
	Line int
	// Field names the part of the message, using the EIP-4361 ABNF rule
	// names: "scheme", "domain", "address", "statement", "uri", "version",
	// "chain-id", "nonce", "issued-at", "expiration-time", "not-before",
	// "request-id", "resources"; or "header" and "layout" for the fixed text.
	Field string
	// Reason says what is wrong, in lowercase.
	Reason string
}

// Error returns "malformed siwe message: line N: field: reason".
func (e *SIWEError) Error() string {
	return fmt.Sprintf("%v: line %d: %s: %s", ErrMalformedSIWE, e.Line, e.Field, e.Reason)
}

// Unwrap returns ErrMalformedSIWE.
func (e *SIWEError) Unwrap() error { return ErrMalformedSIWE }

// ParseSIWE parses text as an EIP-4361 message, following the
// specification's ABNF exactly:
//
//	[scheme "://"] domain " wants you to sign in with your Ethereum account:" LF
//	address LF
//	LF
//	[statement LF]
//	LF
//	"URI: " uri LF
//	"Version: 1" LF
//	"Chain ID: " chain-id LF
//	"Nonce: " nonce LF
//	"Issued At: " date-time
//	[LF "Expiration Time: " date-time]
//	[LF "Not Before: " date-time]
//	[LF "Request ID: " *pchar]
//	[LF "Resources:" *(LF "- " URI)]
//
// Lines end in LF only, with none after the last. Field names are case
// sensitive. The domain and URIs are checked against RFC 3986, times against
// RFC 3339 (including the calendar: no February 30), the statement against
// the ASCII reserved and unreserved characters and space.
//
// Like the reference parser (@spruceid/siwe-parser, behind the siwe npm
// package and so behind The Convo Space), it requires the address in exact
// EIP-55 checksum case (an all-lowercase address with letters is refused)
// and a non-empty domain. It differs from it in two places, both rare and
// both stricter: a chain ID must fit in an int64, and an IPv6 literal's
// dotted IPv4 tail must have RFC 3986 octets (the reference accepts "[::1.2.3.]"
// and zero padding).
//
// ParseSIWE does not check times against a clock (see Valid), nor the
// domain, URI, nonce or chain ID against expectations: those are the
// caller's rules. The signature covers the text as received; verify it with
// RecoverPersonalSign over text, not over String. The error is a *SIWEError.
func ParseSIWE(text string) (*SIWEMessage, error) {
	p := &siweParser{lines: strings.Split(text, "\n")}
	m := &SIWEMessage{}
	if err := p.parse(m); err != nil {
		return nil, err
	}
	return m, nil
}

type siweParser struct {
	lines []string
	next  int // index in lines of the next line to read
}

func (p *siweParser) errorf(line int, field, format string, args ...any) error {
	return &SIWEError{Line: line, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// more reports whether a line remains.
func (p *siweParser) more() bool { return p.next < len(p.lines) }

// line returns the next line and its 1-based number, or an error naming
// field as missing.
func (p *siweParser) line(field, want string) (string, int, error) {
	if !p.more() {
		return "", p.next + 1, p.errorf(p.next+1, field, "missing line: want %s", want)
	}
	p.next++
	return p.lines[p.next-1], p.next, nil
}

// tagged reads the next line, which must start with tag, and returns the rest.
func (p *siweParser) tagged(field, tag string) (string, int, error) {
	l, n, err := p.line(field, strconv.Quote(tag+"…"))
	if err != nil {
		return "", n, err
	}
	v, ok := strings.CutPrefix(l, tag)
	if !ok {
		return "", n, p.errorf(n, field, "want line starting %q, got %q", tag, truncate(l))
	}
	return v, n, nil
}

// optional reads the next line if it starts with tag.
func (p *siweParser) optional(tag string) (value string, n int, ok bool) {
	if !p.more() {
		return "", 0, false
	}
	v, ok := strings.CutPrefix(p.lines[p.next], tag)
	if !ok {
		return "", 0, false
	}
	p.next++
	return v, p.next, true
}

func (p *siweParser) parse(m *SIWEMessage) error {
	// Line 1: [scheme "://"] domain " wants you to sign in …:". There is
	// always a first line, if only an empty one.
	header, n, _ := p.line("header", "")
	prefix, ok := strings.CutSuffix(header, siweHeaderSuffix)
	if !ok {
		return p.errorf(n, "header", "want %q at the end of the first line", siweHeaderSuffix)
	}
	if scheme, domain, ok := strings.Cut(prefix, "://"); ok {
		if err := checkScheme(scheme); err != nil {
			return p.errorf(n, "scheme", "%v", err)
		}
		m.Scheme, prefix = scheme, domain
	}
	if prefix == "" {
		return p.errorf(n, "domain", "empty")
	}
	if err := checkAuthority(prefix); err != nil {
		return p.errorf(n, "domain", "%v", err)
	}
	m.Domain = prefix

	// Line 2: the address, in EIP-55 case.
	addr, n, err := p.line("address", "an address")
	if err != nil {
		return err
	}
	if err := checkSIWEAddress(addr); err != nil {
		return p.errorf(n, "address", "%v", err)
	}
	m.Address = addr

	// An empty line, then either a statement line and an empty line, or
	// just an empty line. An empty statement gives three empty lines.
	if err := p.blank(); err != nil {
		return err
	}
	l, n, err := p.line("statement", "a statement or an empty line")
	if err != nil {
		return err
	}
	switch {
	case l != "":
		if err := checkStatement(l); err != nil {
			return p.errorf(n, "statement", "%v", err)
		}
		m.Statement = &l
		if err := p.blank(); err != nil {
			return err
		}
	case p.more() && p.lines[p.next] == "":
		p.next++
		empty := ""
		m.Statement = &empty
	}

	// Required fields.
	if m.URI, n, err = p.tagged("uri", siweURITag); err != nil {
		return err
	}
	if err := checkURI(m.URI); err != nil {
		return p.errorf(n, "uri", "%v", err)
	}
	if m.Version, n, err = p.tagged("version", siweVersionTag); err != nil {
		return err
	}
	if m.Version != "1" {
		return p.errorf(n, "version", "want 1, got %q", truncate(m.Version))
	}
	chainID, n, err := p.tagged("chain-id", siweChainIDTag)
	if err != nil {
		return err
	}
	if m.ChainID, err = parseChainID(chainID); err != nil {
		return p.errorf(n, "chain-id", "%v", err)
	}
	m.spelling.chainID, m.spelling.chainIDText = m.ChainID, chainID
	if m.Nonce, n, err = p.tagged("nonce", siweNonceTag); err != nil {
		return err
	}
	if err := checkNonce(m.Nonce); err != nil {
		return p.errorf(n, "nonce", "%v", err)
	}
	issuedAt, n, err := p.tagged("issued-at", siweIssuedAtTag)
	if err != nil {
		return err
	}
	if m.IssuedAt, err = parseDateTime(issuedAt); err != nil {
		return p.errorf(n, "issued-at", "%v", err)
	}
	m.spelling.issuedAt = spelledTime{m.IssuedAt, issuedAt}

	// Optional fields, each at most once and in this order.
	if v, n, ok := p.optional(siweExpirationTimeTag); ok {
		t, err := parseDateTime(v)
		if err != nil {
			return p.errorf(n, "expiration-time", "%v", err)
		}
		m.ExpirationTime = &t
		m.spelling.expirationTime = spelledTime{t, v}
	}
	if v, n, ok := p.optional(siweNotBeforeTag); ok {
		t, err := parseDateTime(v)
		if err != nil {
			return p.errorf(n, "not-before", "%v", err)
		}
		m.NotBefore = &t
		m.spelling.notBefore = spelledTime{t, v}
	}
	if v, n, ok := p.optional(siweRequestIDTag); ok {
		if err := checkChars(v, isPChar, true); err != nil {
			return p.errorf(n, "request-id", "%v", err)
		}
		m.RequestID = &v
	}
	if p.more() && p.lines[p.next] == siweResourcesLine {
		p.next++
		m.Resources = []string{}
		for p.more() {
			l, n, _ := p.line("resources", "")
			r, ok := strings.CutPrefix(l, siweResourcePrefix)
			if !ok {
				return p.errorf(n, "resources", "want %q followed by a URI, got %q", siweResourcePrefix, truncate(l))
			}
			if err := checkURI(r); err != nil {
				return p.errorf(n, "resources", "%v", err)
			}
			m.Resources = append(m.Resources, r)
		}
	}
	if p.more() {
		n := p.next + 1
		l := p.lines[p.next]
		if l == "" && n == len(p.lines) {
			return p.errorf(n-1, "layout", "line feed after the last line")
		}
		return p.errorf(n, "layout", "unexpected line %q: optional fields are Expiration Time, Not Before, Request ID and Resources, at most once each and in that order", truncate(l))
	}
	return nil
}

// blank reads the next line, which must be empty.
func (p *siweParser) blank() error {
	l, n, err := p.line("layout", "an empty line")
	if err != nil {
		return err
	}
	if l != "" {
		return p.errorf(n, "layout", "want an empty line, got %q", truncate(l))
	}
	return nil
}

// String renders m as EIP-4361 text. See SIWEMessage for how it treats the
// spelling of parsed fields. It does not validate m.
func (m *SIWEMessage) String() string {
	var b strings.Builder
	if m.Scheme != "" {
		b.WriteString(m.Scheme)
		b.WriteString("://")
	}
	b.WriteString(m.Domain)
	b.WriteString(siweHeaderSuffix + "\n")
	b.WriteString(m.Address)
	b.WriteString("\n\n")
	if m.Statement != nil {
		b.WriteString(*m.Statement)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	b.WriteString(siweURITag + m.URI + "\n")
	b.WriteString(siweVersionTag + m.Version + "\n")
	chainID := strconv.FormatInt(m.ChainID, 10)
	if m.spelling.chainIDText != "" && m.spelling.chainID == m.ChainID {
		chainID = m.spelling.chainIDText
	}
	b.WriteString(siweChainIDTag + chainID + "\n")
	b.WriteString(siweNonceTag + m.Nonce + "\n")
	b.WriteString(siweIssuedAtTag + m.spelling.issuedAt.render(m.IssuedAt))
	if m.ExpirationTime != nil {
		b.WriteString("\n" + siweExpirationTimeTag + m.spelling.expirationTime.render(*m.ExpirationTime))
	}
	if m.NotBefore != nil {
		b.WriteString("\n" + siweNotBeforeTag + m.spelling.notBefore.render(*m.NotBefore))
	}
	if m.RequestID != nil {
		b.WriteString("\n" + siweRequestIDTag + *m.RequestID)
	}
	if m.Resources != nil {
		b.WriteString("\n" + siweResourcesLine)
		for _, r := range m.Resources {
			b.WriteString("\n" + siweResourcePrefix + r)
		}
	}
	return b.String()
}

// Valid checks m's validity window at now. It returns an error wrapping
// ErrSIWEExpired when now is at or after ExpirationTime, one wrapping
// ErrSIWENotYetValid when now is before NotBefore, and nil otherwise
// (including when neither is set). The bounds are those of the siwe
// package's verify: the message is valid on [NotBefore, ExpirationTime).
//
// Valid checks nothing else; domain, URI, nonce, chain and statement rules
// are the caller's.
func (m *SIWEMessage) Valid(now time.Time) error {
	if m.ExpirationTime != nil && !now.Before(*m.ExpirationTime) {
		return fmt.Errorf("%w: expiration time %s, now %s", ErrSIWEExpired,
			m.ExpirationTime.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	if m.NotBefore != nil && now.Before(*m.NotBefore) {
		return fmt.Errorf("%w: not before %s, now %s", ErrSIWENotYetValid,
			m.NotBefore.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	return nil
}

// checkSIWEAddress requires "0x", 40 hex digits and exact EIP-55 case.
func checkSIWEAddress(s string) error {
	addr, err := ParseAddress(s)
	if err != nil {
		return err
	}
	if want := ChecksumAddress(addr); want != s {
		return fmt.Errorf("not in EIP-55 checksum case (want %s)", want)
	}
	return nil
}

// checkStatement allows RFC 3986 reserved and unreserved characters and
// space: printable ASCII without `"%<>\^{|}` and backquote.
func checkStatement(s string) error {
	return checkChars(s, func(c byte) bool {
		return c == ' ' || isUnreserved(c) || isGenDelim(c) || isSubDelim(c)
	}, false)
}

func checkNonce(s string) error {
	if err := checkChars(s, isAlphaNum, false); err != nil {
		return fmt.Errorf("want letters and digits only: %v", err)
	}
	if len(s) < SIWEMinNonceLen {
		return fmt.Errorf("want at least %d characters, got %d", SIWEMinNonceLen, len(s))
	}
	return nil
}

// parseChainID parses 1*DIGIT into an int64.
func parseChainID(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	if err := checkChars(s, isDigit, false); err != nil {
		return 0, fmt.Errorf("want decimal digits: %v", err)
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("out of range")
	}
	return id, nil
}

// truncate shortens s for quoting in an error message.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
