package chat

import (
	"slices"
	"strings"
	"time"
)

// FilterField names a thread attribute that a filter tests.
type FilterField int

// Filter fields. The set fields (participants, channels, tags) hold many
// values; a condition on them holds when any value matches.
const (
	FieldUserIDs    FilterField = iota + 1 // participants
	FieldChannelIDs                        // channels (Struct's xsr_ids)
	FieldAuthorID
	FieldTags
	FieldCreatedAt
	FieldUpdatedAt // last activity
	FieldResolved
	FieldHidden
	FieldDirect // a direct conversation between two users
	FieldGroup  // a group conversation
)

func (f FilterField) String() string {
	switch f {
	case FieldUserIDs:
		return "user_ids"
	case FieldChannelIDs:
		return "xsr_ids"
	case FieldAuthorID:
		return "author_id"
	case FieldTags:
		return "tags"
	case FieldCreatedAt:
		return "created_at"
	case FieldUpdatedAt:
		return "updated_at"
	case FieldResolved:
		return "resolved"
	case FieldHidden:
		return "hidden"
	case FieldDirect:
		return "direct"
	case FieldGroup:
		return "group"
	}
	return "unknown"
}

// Limits on filters, so that one request cannot build an unbounded query.
const (
	MaxFilterNodes  = 200
	MaxFilterValues = 1000
	MaxFilterDepth  = 32
)

// Expr is a condition on threads: And, Or, Not, HasAny, InTime or Is. A
// store turns it into its query language; Match evaluates the same condition
// on a loaded thread, so the two always agree.
type Expr interface {
	// Match reports whether th satisfies the condition.
	Match(th *Thread) bool
	// check validates the node at nesting depth, adding its size to n.
	check(depth int, n *filterSize) error
}

type filterSize struct{ nodes, values int }

// And holds when every condition holds (an empty And always holds).
type And []Expr

// Or holds when any condition holds (an empty Or never holds).
type Or []Expr

// Not holds when X does not.
type Not struct{ X Expr }

// HasAny holds when a thread's FieldUserIDs, FieldChannelIDs or
// FieldAuthorID is any of IDs, or its FieldTags any of Tags.
type HasAny struct {
	Field FilterField
	IDs   []int64
	Tags  []string
}

// InTime holds when a thread's FieldCreatedAt or FieldUpdatedAt is in
// [From, Until); a zero bound is open.
type InTime struct {
	Field       FilterField
	From, Until time.Time
}

// Is holds when a flag (FieldResolved, FieldHidden, FieldDirect,
// FieldGroup) of the thread equals Value.
type Is struct {
	Field FilterField
	Value bool
}

// Match implements Expr.
func (e And) Match(th *Thread) bool {
	for _, x := range e {
		if !x.Match(th) {
			return false
		}
	}
	return true
}

// Match implements Expr.
func (e Or) Match(th *Thread) bool {
	for _, x := range e {
		if x.Match(th) {
			return true
		}
	}
	return false
}

// Match implements Expr.
func (e Not) Match(th *Thread) bool { return !e.X.Match(th) }

// Match implements Expr.
func (e HasAny) Match(th *Thread) bool {
	switch e.Field {
	case FieldUserIDs:
		return slices.ContainsFunc(th.Participants, func(u UserID) bool { return slices.Contains(e.IDs, int64(u)) })
	case FieldChannelIDs:
		return slices.ContainsFunc(th.ChannelIDs, func(c ChannelID) bool { return slices.Contains(e.IDs, int64(c)) })
	case FieldAuthorID:
		return slices.Contains(e.IDs, int64(th.AuthorID))
	case FieldTags:
		return slices.ContainsFunc(th.Tags, func(t string) bool { return slices.Contains(e.Tags, t) })
	}
	return false
}

// Match implements Expr.
func (e InTime) Match(th *Thread) bool {
	t := th.CreatedAt
	if e.Field == FieldUpdatedAt {
		t = th.UpdatedAt
	}
	return (e.From.IsZero() || !t.Before(e.From)) && (e.Until.IsZero() || t.Before(e.Until))
}

// Match implements Expr.
func (e Is) Match(th *Thread) bool {
	var v bool
	switch e.Field {
	case FieldResolved:
		v = th.Resolved
	case FieldHidden:
		v = th.Hidden
	case FieldDirect:
		v = th.Kind == KindDirect
	case FieldGroup:
		v = th.Kind == KindGroup
	}
	return v == e.Value
}

func (n *filterSize) add(depth, values int) error {
	n.nodes++
	n.values += values
	switch {
	case depth > MaxFilterDepth:
		return Invalidf("filter_by", "The filter is nested more than %d levels deep.", MaxFilterDepth)
	case n.nodes > MaxFilterNodes:
		return Invalidf("filter_by", "The filter has more than %d conditions.", MaxFilterNodes)
	case n.values > MaxFilterValues:
		return Invalidf("filter_by", "The filter has more than %d values.", MaxFilterValues)
	}
	return nil
}

func checkAll(xs []Expr, depth int, n *filterSize) error {
	if err := n.add(depth, 0); err != nil {
		return err
	}
	for _, x := range xs {
		if x == nil {
			return Invalidf("filter_by", "The filter has an empty condition.")
		}
		if err := x.check(depth+1, n); err != nil {
			return err
		}
	}
	return nil
}

func (e And) check(depth int, n *filterSize) error { return checkAll(e, depth, n) }
func (e Or) check(depth int, n *filterSize) error  { return checkAll(e, depth, n) }

func (e Not) check(depth int, n *filterSize) error {
	if e.X == nil {
		return Invalidf("filter_by", "The filter has an empty condition.")
	}
	if err := n.add(depth, 0); err != nil {
		return err
	}
	return e.X.check(depth+1, n)
}

func (e HasAny) check(depth int, n *filterSize) error {
	switch e.Field {
	case FieldUserIDs, FieldChannelIDs, FieldAuthorID:
		if len(e.IDs) == 0 || len(e.Tags) > 0 {
			return Invalidf("filter_by", "A condition on %s needs ids.", e.Field)
		}
	case FieldTags:
		if len(e.Tags) == 0 || len(e.IDs) > 0 {
			return Invalidf("filter_by", "A condition on tags needs tags.")
		}
	default:
		return Invalidf("filter_by", "%s is not a field of ids or tags.", e.Field)
	}
	return n.add(depth, len(e.IDs)+len(e.Tags))
}

func (e InTime) check(depth int, n *filterSize) error {
	if e.Field != FieldCreatedAt && e.Field != FieldUpdatedAt {
		return Invalidf("filter_by", "%s is not a time field.", e.Field)
	}
	return n.add(depth, 2)
}

func (e Is) check(depth int, n *filterSize) error {
	switch e.Field {
	case FieldResolved, FieldHidden, FieldDirect, FieldGroup:
		return n.add(depth, 1)
	}
	return Invalidf("filter_by", "%s is not a flag.", e.Field)
}

// checkFilter validates a filter built by a caller: known fields of the
// right kind, values present, and within the size limits. Tags are
// normalized as thread tags are (lower case).
func checkFilter(e Expr) (Expr, error) {
	if e == nil {
		return nil, nil
	}
	var n filterSize
	if err := e.check(0, &n); err != nil {
		return nil, err
	}
	return lowerTags(e), nil
}

// lowerTags returns e with the tags of HasAny nodes in lower case.
func lowerTags(e Expr) Expr {
	switch x := e.(type) {
	case And:
		out := make(And, len(x))
		for i, c := range x {
			out[i] = lowerTags(c)
		}
		return out
	case Or:
		out := make(Or, len(x))
		for i, c := range x {
			out[i] = lowerTags(c)
		}
		return out
	case Not:
		return Not{X: lowerTags(x.X)}
	case HasAny:
		if len(x.Tags) > 0 {
			tags := make([]string, len(x.Tags))
			for i, t := range x.Tags {
				tags[i] = strings.ToLower(strings.TrimSpace(t))
			}
			x.Tags = tags
		}
		return x
	}
	return e
}
