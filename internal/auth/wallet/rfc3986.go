package wallet

import (
	"fmt"
	"net/netip"
	"strings"
)

// This file checks URIs and authorities against the RFC 3986 ABNF, which
// EIP-4361 uses for the domain, the URI and the resources. It validates only;
// nothing is normalized or decoded.

// checkURI validates
//
//	URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]
//	hier-part = "//" authority path-abempty / path-absolute / path-rootless / path-empty
func checkURI(s string) error {
	if s == "" {
		return fmt.Errorf("empty URI")
	}
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok {
		return fmt.Errorf("no scheme (missing \":\")")
	}
	if err := checkScheme(scheme); err != nil {
		return err
	}
	rest, fragment, hasFragment := strings.Cut(rest, "#")
	if hasFragment {
		if err := checkChars(fragment, isQueryChar, true); err != nil {
			return fmt.Errorf("fragment: %v", err)
		}
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery {
		if err := checkChars(query, isQueryChar, true); err != nil {
			return fmt.Errorf("query: %v", err)
		}
	}
	path := rest
	if after, ok := strings.CutPrefix(rest, "//"); ok {
		authority := after
		path = ""
		if i := strings.IndexByte(after, '/'); i >= 0 {
			authority, path = after[:i], after[i:]
		}
		if err := checkAuthority(authority); err != nil {
			return err
		}
	}
	// With the "//" case taken, path-abempty, path-absolute, path-rootless
	// and path-empty together are any run of pchar and "/".
	if err := checkChars(path, func(c byte) bool { return c == '/' || isPChar(c) }, true); err != nil {
		return fmt.Errorf("path: %v", err)
	}
	return nil
}

// checkScheme validates scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func checkScheme(s string) error {
	if s == "" {
		return fmt.Errorf("empty scheme")
	}
	if !isAlpha(s[0]) {
		return fmt.Errorf("scheme %q must start with a letter", truncate(s))
	}
	if err := checkChars(s, func(c byte) bool {
		return isAlphaNum(c) || c == '+' || c == '-' || c == '.'
	}, false); err != nil {
		return fmt.Errorf("scheme: %v", err)
	}
	return nil
}

// checkAuthority validates authority = [ userinfo "@" ] host [ ":" port ]. An
// empty authority (empty reg-name) is valid.
func checkAuthority(s string) error {
	hostport := s
	if userinfo, after, ok := strings.Cut(s, "@"); ok {
		if err := checkChars(userinfo, func(c byte) bool { return c == ':' || isUnreserved(c) || isSubDelim(c) }, true); err != nil {
			return fmt.Errorf("userinfo: %v", err)
		}
		hostport = after
	}
	host, port := hostport, ""
	hasPort := false
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return fmt.Errorf("host: missing \"]\" after IP literal")
		}
		host = hostport[:end+1]
		switch rest := hostport[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			port, hasPort = rest[1:], true
		default:
			return fmt.Errorf("host: unexpected %q after IP literal", truncate(rest))
		}
		if err := checkIPLiteral(host[1 : len(host)-1]); err != nil {
			return fmt.Errorf("host: %v", err)
		}
	} else {
		host, port, hasPort = strings.Cut(hostport, ":")
		// IPv4address is a subset of reg-name, so one check covers both.
		if err := checkChars(host, func(c byte) bool { return isUnreserved(c) || isSubDelim(c) }, true); err != nil {
			return fmt.Errorf("host: %v", err)
		}
	}
	if hasPort {
		if err := checkChars(port, isDigit, false); err != nil {
			return fmt.Errorf("port: %v", err)
		}
	}
	return nil
}

// checkIPLiteral validates the inside of "[…]": IPv6address / IPvFuture.
func checkIPLiteral(s string) error {
	if len(s) > 0 && (s[0] == 'v' || s[0] == 'V') {
		// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
		ver, rest, ok := strings.Cut(s[1:], ".")
		if !ok || ver == "" || indexNonHex(ver) >= 0 || rest == "" {
			return fmt.Errorf("invalid IPvFuture literal %q", truncate(s))
		}
		if err := checkChars(rest, func(c byte) bool { return c == ':' || isUnreserved(c) || isSubDelim(c) }, false); err != nil {
			return fmt.Errorf("IPvFuture: %v", err)
		}
		return nil
	}
	// netip accepts exactly RFC 4291 text plus zones ("%eth0"), which
	// RFC 3986 does not have, and IPv4 addresses, which it forbids in
	// brackets.
	a, err := netip.ParseAddr(s)
	if err != nil || strings.Contains(s, "%") || !a.Is6() {
		return fmt.Errorf("invalid IPv6 literal %q", truncate(s))
	}
	return nil
}

// checkChars checks that every byte of s satisfies ok, or is the start of a
// "%" HEXDIG HEXDIG escape when pct is set.
func checkChars(s string, ok func(byte) bool, pct bool) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if pct && c == '%' {
			if i+2 >= len(s) || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
				return fmt.Errorf("bad percent escape at byte %d", i)
			}
			i += 2
			continue
		}
		if !ok(c) {
			return fmt.Errorf("character %s not allowed at byte %d", quoteByte(c), i)
		}
	}
	return nil
}

func isAlpha(c byte) bool    { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isAlphaNum(c byte) bool { return isAlpha(c) || isDigit(c) }

// isUnreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
func isUnreserved(c byte) bool {
	return isAlphaNum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// isGenDelim: ":" / "/" / "?" / "#" / "[" / "]" / "@".
func isGenDelim(c byte) bool { return strings.IndexByte(":/?#[]@", c) >= 0 }

// isSubDelim: "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "=".
func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

// isPChar: unreserved / sub-delims / ":" / "@" (pct-encoded is handled by
// checkChars).
func isPChar(c byte) bool { return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' }

// isQueryChar: pchar / "/" / "?", the characters of query and fragment.
func isQueryChar(c byte) bool { return isPChar(c) || c == '/' || c == '?' }
