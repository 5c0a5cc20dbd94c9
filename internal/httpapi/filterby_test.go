package httpapi

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/parley-chat/parley/internal/chat"
)

func sec(n int64) time.Time { return time.Unix(n, 0).UTC() }

func TestParseFilterBy(t *testing.T) {
	user := chat.HasAny{Field: chat.FieldUserIDs, IDs: []int64{0x6c8}}
	resolved := chat.Is{Field: chat.FieldResolved, Value: true}
	tests := []struct {
		in   string
		want chat.Expr
	}{
		{"", nil},
		{"   ", nil},
		{"user_ids := [4L6c8]", user},
		{"user_ids:4L6c8", user},
		{"user_ids:=4L6c8", user},
		{"user_ids : = 4L6c8", user},
		{"user_ids:=[4L6c8, 4Lb29]", chat.HasAny{Field: chat.FieldUserIDs, IDs: []int64{0x6c8, 0xb29}}},
		{"user_ids:!=4L6c8", chat.Not{X: user}},
		{"user_ids:!=[4L6c8,4Lb29]", chat.Not{X: chat.HasAny{Field: chat.FieldUserIDs, IDs: []int64{0x6c8, 0xb29}}}},
		{"xsr_ids:[3M18]", chat.HasAny{Field: chat.FieldChannelIDs, IDs: []int64{0x18}}},
		{"author_id:=4Kfb24", chat.HasAny{Field: chat.FieldAuthorID, IDs: []int64{0xfb24}}},
		{"tags:=[ops, `a, b`, `x..y`]", chat.HasAny{Field: chat.FieldTags, Tags: []string{"ops", "a, b", "x..y"}}},
		{"tags:v1.2", chat.HasAny{Field: chat.FieldTags, Tags: []string{"v1.2"}}},
		{"created_at:>1700000000", chat.InTime{Field: chat.FieldCreatedAt, From: sec(1700000001)}},
		{"created_at:>=1700000000", chat.InTime{Field: chat.FieldCreatedAt, From: sec(1700000000)}},
		{"updated_at:<1700000000", chat.InTime{Field: chat.FieldUpdatedAt, Until: sec(1700000000)}},
		{"updated_at:<=1700000000", chat.InTime{Field: chat.FieldUpdatedAt, Until: sec(1700000001)}},
		{"created_at:=1700000000", chat.InTime{Field: chat.FieldCreatedAt, From: sec(1700000000), Until: sec(1700000001)}},
		{"created_at:[1700000000..1700000100]", chat.InTime{Field: chat.FieldCreatedAt, From: sec(1700000000), Until: sec(1700000101)}},
		{"created_at:[1 .. 2, 5]", chat.Or{chat.InTime{Field: chat.FieldCreatedAt, From: sec(1), Until: sec(3)},
			chat.InTime{Field: chat.FieldCreatedAt, From: sec(5), Until: sec(6)}}},
		{"created_at:!=[1..2]", chat.Not{X: chat.InTime{Field: chat.FieldCreatedAt, From: sec(1), Until: sec(3)}}},
		{"resolved:true", resolved},
		{"hidden:=false", chat.Is{Field: chat.FieldHidden, Value: false}},
		{"direct:!=true", chat.Not{X: chat.Is{Field: chat.FieldDirect, Value: true}}},
		{"group:true", chat.Is{Field: chat.FieldGroup, Value: true}},
		{"resolved:true && user_ids:4L6c8 && tags:x", chat.And{resolved, user, chat.HasAny{Field: chat.FieldTags, Tags: []string{"x"}}}},
		{"resolved:true&&user_ids:4L6c8||tags:x", chat.Or{chat.And{resolved, user}, chat.HasAny{Field: chat.FieldTags, Tags: []string{"x"}}}},
		{"resolved:true && (user_ids:4L6c8 || tags:x)", chat.And{resolved, chat.Or{user, chat.HasAny{Field: chat.FieldTags, Tags: []string{"x"}}}}},
		{" ( ( resolved:true ) ) ", resolved},
	}
	for _, tt := range tests {
		got, err := parseFilterBy(tt.in)
		if err != nil {
			t.Errorf("parseFilterBy(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseFilterBy(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseFilterByErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"foo:=1", `unknown field "foo"`},
		{"user_ids", "expected : after user_ids, found end of filter at position 9"},
		{"user_ids:=", "expected a value, found end of filter at position 11"},
		{"user_ids:=[4L6c8", "expected , or ] in the list, found end of filter at position 17"},
		{"user_ids:=[4L6c8 4L6c9]", `expected , or ] in the list, found "4L6c9]" at position 18`},
		{"user_ids:=4L6c8x", `"4L6c8x" is not a valid user id`},
		{"user_ids:=3M18", `"3M18" is a channel id, not a user id at position 11`},
		{"user_ids:>4L6c8", "user_ids compares only with =, != or a list; > applies to created_at and updated_at at position 10"},
		{"tags:[a..b]", "tags takes no ranges"},
		{"created_at:>[1,2]", "> takes one value, not a list or range"},
		{"created_at:=abc", `created_at takes unix seconds, not "abc" at position 13`},
		{"created_at:=-5", "takes unix seconds"},
		{"created_at:=99999999999999", "takes unix seconds"},
		{"created_at:[5..1]", "the range 5..1 ends before it starts"},
		{"resolved:maybe", `resolved takes true or false, not "maybe"`},
		{"resolved:[true]", "resolved takes true or false, not a list"},
		{"(resolved:true", "expected ) to close the ( at position 1, found end of filter at position 15"},
		{"resolved:true)", `unexpected ")"; expected && or || between conditions at position 14`},
		{"resolved:true &&", "expected a field name or (, found end of filter at position 17"},
		{"resolved:true resolved:false", `unexpected "resolved:fal`},
		{"resolved:true & hidden:true", "unexpected"},
		{"tags:`abc", "the value opened with ` is not closed at position 6"},
		{"tags:[]", "expected a value"},
		{"東京:x", "expected a field name or (, found \"東京:x\" at position 1"},
		{strings.Repeat("(", 17) + "resolved:true" + strings.Repeat(")", 17), "parentheses nest more than 16 deep at position 17"},
		{"tags:" + strings.Repeat("x", maxFilterByLen), "at most 4096 bytes"},
	}
	for _, tt := range tests {
		_, err := parseFilterBy(tt.in)
		e := chat.AsError(err)
		if e == nil || e.Code != chat.Invalid || e.Fields["filter_by"] == "" {
			t.Errorf("parseFilterBy(%.40q) = %v, want an invalid filter_by error", tt.in, err)
			continue
		}
		if !strings.Contains(e.Message, tt.want) {
			t.Errorf("parseFilterBy(%.40q) = %q, want it to say %q", tt.in, e.Message, tt.want)
		}
	}
}

func TestParseSortBy(t *testing.T) {
	got, err := parseSortBy(" created_at:asc , _text_match:DESC,updated_at:desc")
	want := []chat.SortKey{{Field: chat.SortCreatedAt}, {Field: chat.SortTextMatch, Desc: true}, {Field: chat.SortUpdatedAt, Desc: true}}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("parseSortBy = %v, %v; want %v", got, err, want)
	}
	if got, err := parseSortBy(""); got != nil || err != nil {
		t.Errorf("parseSortBy(\"\") = %v, %v", got, err)
	}
	for _, bad := range []string{"created_at", "created_at:up", "name:asc", "created_at:asc,", "_text_match(buckets: 10):desc"} {
		if _, err := parseSortBy(bad); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("parseSortBy(%q) = %v, want invalid", bad, err)
		}
	}
}

var positionRE = regexp.MustCompile(`at position (\d+)\.$`)

// samples are threads that filters are evaluated on in the fuzz target.
var samples = []*chat.Thread{
	{ID: 1, Kind: chat.KindTopic, AuthorID: 0x6c8, Participants: []chat.UserID{0x6c8, 0xb29}, ChannelIDs: []chat.ChannelID{0x18},
		Tags: []string{"x", "ops"}, Resolved: true, CreatedAt: sec(1700000000), UpdatedAt: sec(1700000100)},
	{ID: 2, Kind: chat.KindDirect, AuthorID: 0xb29, Participants: []chat.UserID{0xb29, 0xfb24}, Hidden: true,
		CreatedAt: sec(2), UpdatedAt: sec(5)},
	{ID: 3, Kind: chat.KindGroup, AuthorID: 0xfb24, Participants: []chat.UserID{0xfb24}, Tags: []string{"a, b"},
		CreatedAt: sec(1), UpdatedAt: sec(1700000000)},
}

// FuzzParseFilterBy checks that the parser never panics, that every
// refusal is an invalid filter_by error naming a position inside the text,
// and that what it accepts means the same in parentheses.
func FuzzParseFilterBy(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseFilterBy(s)
		if err != nil {
			ce := chat.AsError(err)
			if ce == nil || ce.Code != chat.Invalid || ce.Fields["filter_by"] == "" {
				t.Fatalf("parseFilterBy(%q) = %v, want an invalid filter_by error", s, err)
			}
			if m := positionRE.FindStringSubmatch(ce.Message); m != nil {
				if n, _ := strconv.Atoi(m[1]); n < 1 || n > utf8.RuneCountInString(s)+1 {
					t.Fatalf("parseFilterBy(%q): position %d is outside the text: %s", s, n, ce.Message)
				}
			} else if !strings.Contains(ce.Message, "at most") {
				t.Fatalf("parseFilterBy(%q) = %q names no position", s, ce.Message)
			}
			return
		}
		if e == nil {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("parseFilterBy(%q) accepted a non-blank filter as none", s)
			}
			return
		}
		wrapped, err := parseFilterBy("(" + s + ")")
		if err != nil {
			if strings.Contains(err.Error(), "nest more than") || strings.Contains(err.Error(), "at most") {
				return
			}
			t.Fatalf("parseFilterBy(%q) succeeds but not in parentheses: %v", s, err)
		}
		for _, th := range samples {
			if e.Match(th) != wrapped.Match(th) {
				t.Fatalf("parseFilterBy(%q) and its parenthesized form disagree on thread %d", s, th.ID)
			}
		}
	})
}
