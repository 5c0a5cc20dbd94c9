package httpapi

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/parley-chat/parley/internal/chat"
)

// filter_by and sort_by are Typesense's syntax, which Struct's clients send
// (typesense.org/docs/latest/api/search.html#filter-parameters):
//
//	filter  = or
//	or      = and { "||" and }
//	and     = primary { "&&" primary }
//	primary = "(" or ")" | field ":" [op] value
//	op      = "=" | "!=" | ">" | "<" | ">=" | "<="
//	value   = "[" item { "," item } "]" | scalar
//	item    = scalar [ ".." scalar ]
//	scalar  = "`" anything but a backtick "`" | bare word
//
// Fields: user_ids, xsr_ids and author_id take typed-hex ids; tags takes
// tags; created_at and updated_at take unix seconds; resolved, hidden,
// direct and group take true or false. ":" and ":=" test equality (a list:
// any of; "x..y": from x to y inclusive); ":!=" negates it; the comparisons
// apply to the times only. The parser turns the text into a chat.Expr;
// values never become SQL text.

// Limits on filter_by.
const (
	maxFilterByLen   = 4096
	maxFilterByDepth = 16 // nested parentheses
	maxUnixSeconds   = 253402300799
)

// filterField describes a field filter_by accepts.
type filterField struct {
	field chat.FilterField
	kind  chat.Kind // the id kind, for id fields
}

var filterFields = map[string]filterField{
	"user_ids":   {field: chat.FieldUserIDs, kind: chat.KindUser},
	"xsr_ids":    {field: chat.FieldChannelIDs, kind: chat.KindChannel},
	"author_id":  {field: chat.FieldAuthorID, kind: chat.KindUser},
	"tags":       {field: chat.FieldTags},
	"created_at": {field: chat.FieldCreatedAt},
	"updated_at": {field: chat.FieldUpdatedAt},
	"resolved":   {field: chat.FieldResolved},
	"hidden":     {field: chat.FieldHidden},
	"direct":     {field: chat.FieldDirect},
	"group":      {field: chat.FieldGroup},
}

const filterFieldList = "user_ids, xsr_ids, author_id, tags, created_at, updated_at, resolved, hidden, direct or group"

// filterParser reads one filter_by text.
type filterParser struct {
	src   []rune
	pos   int
	depth int
}

// errorAt returns an Invalid error about filter_by naming the (1-based)
// character position where the problem is.
func (p *filterParser) errorAt(pos int, format string, args ...any) error {
	return chat.Invalidf("filter_by", "filter_by: %s at position %d.", fmt.Sprintf(format, args...), pos+1)
}

// parseFilterBy parses a filter_by text; blank means no filter.
func parseFilterBy(s string) (chat.Expr, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if len(s) > maxFilterByLen {
		return nil, chat.Invalidf("filter_by", "filter_by must be at most %d bytes.", maxFilterByLen)
	}
	p := &filterParser{src: []rune(s)}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos < len(p.src) {
		return nil, p.errorAt(p.pos, "unexpected %s; expected && or || between conditions", p.found())
	}
	return e, nil
}

func (p *filterParser) space() {
	for p.pos < len(p.src) && unicode.IsSpace(p.src[p.pos]) {
		p.pos++
	}
}

// found describes what is at the current position, for error messages.
func (p *filterParser) found() string {
	if p.pos >= len(p.src) {
		return "end of filter"
	}
	end := p.pos + 1
	for end < len(p.src) && end < p.pos+12 && !unicode.IsSpace(p.src[end]) {
		end++
	}
	return strconv.Quote(string(p.src[p.pos:end]))
}

// eat consumes tok (after spaces) if it is next.
func (p *filterParser) eat(tok string) bool {
	p.space()
	r := []rune(tok)
	if p.pos+len(r) <= len(p.src) && string(p.src[p.pos:p.pos+len(r)]) == tok {
		p.pos += len(r)
		return true
	}
	return false
}

func (p *filterParser) or() (chat.Expr, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	out := chat.Or{first}
	for p.eat("||") {
		e, err := p.and()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(out) == 1 {
		return first, nil
	}
	return out, nil
}

func (p *filterParser) and() (chat.Expr, error) {
	first, err := p.primary()
	if err != nil {
		return nil, err
	}
	out := chat.And{first}
	for p.eat("&&") {
		e, err := p.primary()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if len(out) == 1 {
		return first, nil
	}
	return out, nil
}

func (p *filterParser) primary() (chat.Expr, error) {
	p.space()
	open := p.pos
	if !p.eat("(") {
		return p.condition()
	}
	if p.depth++; p.depth > maxFilterByDepth {
		return nil, p.errorAt(open, "parentheses nest more than %d deep", maxFilterByDepth)
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if !p.eat(")") {
		return nil, p.errorAt(p.pos, "expected ) to close the ( at position %d, found %s", open+1, p.found())
	}
	p.depth--
	return e, nil
}

func isFieldRune(r rune) bool {
	return r == '_' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// condition reads field ":" [op] value.
func (p *filterParser) condition() (chat.Expr, error) {
	p.space()
	start := p.pos
	for p.pos < len(p.src) && isFieldRune(p.src[p.pos]) {
		p.pos++
	}
	name := string(p.src[start:p.pos])
	if name == "" {
		return nil, p.errorAt(p.pos, "expected a field name or (, found %s", p.found())
	}
	f, ok := filterFields[name]
	if !ok {
		return nil, p.errorAt(start, "unknown field %q; filter on %s", name, filterFieldList)
	}
	if !p.eat(":") {
		return nil, p.errorAt(p.pos, "expected : after %s, found %s", name, p.found())
	}
	p.space()
	opPos := p.pos
	op := "="
	for _, o := range []string{"!=", ">=", "<=", "=", ">", "<"} {
		if p.eat(o) {
			op = o
			break
		}
	}
	p.space()
	valPos := p.pos
	items, list, err := p.value()
	if err != nil {
		return nil, err
	}
	return p.build(f, name, op, opPos, valPos, items, list)
}

// item is one value of a condition, or a range of two.
type item struct {
	pos    int
	lo, hi string
	ranged bool
}

// value reads a scalar or a bracketed list.
func (p *filterParser) value() ([]item, bool, error) {
	if !p.eat("[") {
		it, err := p.item()
		return []item{it}, false, err
	}
	var items []item
	for {
		it, err := p.item()
		if err != nil {
			return nil, true, err
		}
		items = append(items, it)
		if p.eat(",") {
			continue
		}
		if p.eat("]") {
			return items, true, nil
		}
		return nil, true, p.errorAt(p.pos, "expected , or ] in the list, found %s", p.found())
	}
}

func (p *filterParser) item() (item, error) {
	p.space()
	it := item{pos: p.pos}
	var err error
	if it.lo, err = p.scalar(); err != nil {
		return it, err
	}
	if p.eat("..") {
		it.ranged = true
		p.space()
		it.hi, err = p.scalar()
	}
	return it, err
}

// scalar reads a backtick-quoted value or a bare word, which ends at a
// space, a comma, a bracket, a parenthesis, &&, || or "..".
func (p *filterParser) scalar() (string, error) {
	start := p.pos
	if p.pos < len(p.src) && p.src[p.pos] == '`' {
		end := p.pos + 1
		for end < len(p.src) && p.src[end] != '`' {
			end++
		}
		if end == len(p.src) {
			return "", p.errorAt(start, "the value opened with ` is not closed")
		}
		p.pos = end + 1
		return string(p.src[start+1 : end]), nil
	}
	for p.pos < len(p.src) {
		r := p.src[p.pos]
		if unicode.IsSpace(r) || strings.ContainsRune(",[]()`", r) || p.at("&&") || p.at("||") || p.at("..") {
			break
		}
		p.pos++
	}
	if p.pos == start {
		return "", p.errorAt(start, "expected a value, found %s", p.found())
	}
	return string(p.src[start:p.pos]), nil
}

func (p *filterParser) at(tok string) bool {
	r := []rune(tok)
	return p.pos+len(r) <= len(p.src) && string(p.src[p.pos:p.pos+len(r)]) == tok
}

// build turns one parsed condition into an expression of its field's kind.
func (p *filterParser) build(f filterField, name, op string, opPos, valPos int, items []item, list bool) (chat.Expr, error) {
	for _, it := range items {
		if it.ranged && f.field != chat.FieldCreatedAt && f.field != chat.FieldUpdatedAt {
			return nil, p.errorAt(it.pos, "%s takes no ranges; ranges (x..y) apply to created_at and updated_at", name)
		}
	}
	var e chat.Expr
	switch f.field {
	case chat.FieldCreatedAt, chat.FieldUpdatedAt:
		return p.timeCond(f.field, name, op, opPos, items, list)
	case chat.FieldResolved, chat.FieldHidden, chat.FieldDirect, chat.FieldGroup:
		if list {
			return nil, p.errorAt(valPos, "%s takes true or false, not a list", name)
		}
		if v := items[0].lo; v != "true" && v != "false" {
			return nil, p.errorAt(items[0].pos, "%s takes true or false, not %q", name, v)
		}
		e = chat.Is{Field: f.field, Value: items[0].lo == "true"}
	case chat.FieldTags:
		h := chat.HasAny{Field: f.field}
		for _, it := range items {
			h.Tags = append(h.Tags, it.lo)
		}
		e = h
	default:
		h := chat.HasAny{Field: f.field}
		for _, it := range items {
			id, err := parseID(f.kind, "filter_by", it.lo)
			if err != nil {
				return nil, p.errorAt(it.pos, "%s", strings.TrimSuffix(chat.ErrorMessage(err), "."))
			}
			h.IDs = append(h.IDs, id)
		}
		e = h
	}
	switch op {
	case "=":
		return e, nil
	case "!=":
		return chat.Not{X: e}, nil
	}
	return nil, p.errorAt(opPos, "%s compares only with =, != or a list; %s applies to created_at and updated_at", name, op)
}

// timeCond builds a condition on a time field. Times are unix seconds and
// the stored ones are finer, so "= t" is the whole second t.
func (p *filterParser) timeCond(field chat.FilterField, name, op string, opPos int, items []item, list bool) (chat.Expr, error) {
	sec := func(pos int, s string) (time.Time, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > maxUnixSeconds {
			return time.Time{}, p.errorAt(pos, "%s takes unix seconds, not %q", name, s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if op != "=" && op != "!=" {
		if list || items[0].ranged {
			return nil, p.errorAt(opPos, "%s takes one value, not a list or range", op)
		}
		t, err := sec(items[0].pos, items[0].lo)
		if err != nil {
			return nil, err
		}
		e := chat.InTime{Field: field}
		switch op {
		case ">":
			e.From = t.Add(time.Second)
		case ">=":
			e.From = t
		case "<":
			e.Until = t
		case "<=":
			e.Until = t.Add(time.Second)
		}
		return e, nil
	}
	var anyOf chat.Or
	for _, it := range items {
		lo, err := sec(it.pos, it.lo)
		if err != nil {
			return nil, err
		}
		hi := lo
		if it.ranged {
			if hi, err = sec(it.pos, it.hi); err != nil {
				return nil, err
			}
			if hi.Before(lo) {
				return nil, p.errorAt(it.pos, "the range %s..%s ends before it starts", it.lo, it.hi)
			}
		}
		anyOf = append(anyOf, chat.InTime{Field: field, From: lo, Until: hi.Add(time.Second)})
	}
	var e chat.Expr = anyOf
	if len(anyOf) == 1 {
		e = anyOf[0]
	}
	if op == "!=" {
		e = chat.Not{X: e}
	}
	return e, nil
}

// parseSortBy parses Typesense's sort_by: field:asc or field:desc, comma
// separated, on _text_match, created_at and updated_at.
func parseSortBy(s string) ([]chat.SortKey, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	fields := map[string]chat.SortField{"_text_match": chat.SortTextMatch, "created_at": chat.SortCreatedAt, "updated_at": chat.SortUpdatedAt}
	var out []chat.SortKey
	for part := range strings.SplitSeq(s, ",") {
		name, dir, ok := strings.Cut(strings.TrimSpace(part), ":")
		name, dir = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(dir))
		f, known := fields[name]
		switch {
		case !known:
			return nil, chat.Invalidf("sort_by", "sort_by: unknown field %q; sort by _text_match, created_at or updated_at.", name)
		case !ok || dir != "asc" && dir != "desc":
			return nil, chat.Invalidf("sort_by", "sort_by: give %s a direction, as %s:asc or %s:desc.", name, name, name)
		}
		out = append(out, chat.SortKey{Field: f, Desc: dir == "desc"})
	}
	return out, nil
}
