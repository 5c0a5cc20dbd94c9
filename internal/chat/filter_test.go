package chat_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

var (
	t0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	// topic is a resolved topic in channels 3 and 5 by user 10, with 11.
	topic = &chat.Thread{ID: 1, Kind: chat.KindTopic, AuthorID: 10, Participants: []chat.UserID{10, 11}, ChannelIDs: []chat.ChannelID{3, 5},
		Tags: []string{"deploy", "ops"}, Resolved: true, CreatedAt: t0, UpdatedAt: t0.Add(time.Hour)}
	// dm is a direct conversation between 10 and 12.
	dm = &chat.Thread{ID: 2, Kind: chat.KindDirect, AuthorID: 12, Participants: []chat.UserID{10, 12}, Tags: []string{},
		CreatedAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Minute)}
	// group is a hidden group conversation of 11, 12 and 13.
	group = &chat.Thread{ID: 3, Kind: chat.KindGroup, AuthorID: 13, Participants: []chat.UserID{11, 12, 13}, Hidden: true,
		CreatedAt: t0.Add(-time.Hour), UpdatedAt: t0.Add(2 * time.Hour)}
)

func TestExprMatch(t *testing.T) {
	tests := []struct {
		name string
		e    chat.Expr
		want []bool // topic, dm, group
	}{
		{"empty and", chat.And{}, []bool{true, true, true}},
		{"empty or", chat.Or{}, []bool{false, false, false}},
		{"participant", chat.HasAny{Field: chat.FieldUserIDs, IDs: []int64{10}}, []bool{true, true, false}},
		{"any participant", chat.HasAny{Field: chat.FieldUserIDs, IDs: []int64{13, 11}}, []bool{true, false, true}},
		{"not a participant", chat.Not{X: chat.HasAny{Field: chat.FieldUserIDs, IDs: []int64{10}}}, []bool{false, false, true}},
		{"channel", chat.HasAny{Field: chat.FieldChannelIDs, IDs: []int64{5, 9}}, []bool{true, false, false}},
		{"author", chat.HasAny{Field: chat.FieldAuthorID, IDs: []int64{12, 13}}, []bool{false, true, true}},
		{"tag", chat.HasAny{Field: chat.FieldTags, Tags: []string{"ops"}}, []bool{true, false, false}},
		{"created from", chat.InTime{Field: chat.FieldCreatedAt, From: t0}, []bool{true, true, false}},
		{"created until (exclusive)", chat.InTime{Field: chat.FieldCreatedAt, Until: t0.Add(time.Minute)}, []bool{true, false, true}},
		{"updated within", chat.InTime{Field: chat.FieldUpdatedAt, From: t0.Add(time.Hour), Until: t0.Add(2 * time.Hour)}, []bool{true, false, false}},
		{"resolved", chat.Is{Field: chat.FieldResolved, Value: true}, []bool{true, false, false}},
		{"not hidden", chat.Is{Field: chat.FieldHidden, Value: false}, []bool{true, true, false}},
		{"direct", chat.Is{Field: chat.FieldDirect, Value: true}, []bool{false, true, false}},
		{"group", chat.Is{Field: chat.FieldGroup, Value: true}, []bool{false, false, true}},
		{"and", chat.And{chat.HasAny{Field: chat.FieldUserIDs, IDs: []int64{12}}, chat.Is{Field: chat.FieldHidden, Value: true}},
			[]bool{false, false, true}},
		{"or", chat.Or{chat.Is{Field: chat.FieldResolved, Value: true}, chat.Is{Field: chat.FieldDirect, Value: true}},
			[]bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, th := range []*chat.Thread{topic, dm, group} {
				if got := tt.e.Match(th); got != tt.want[i] {
					t.Errorf("Match(thread %d) = %v, want %v", th.ID, got, tt.want[i])
				}
			}
		})
	}
}

func TestSearchQueryValidation(t *testing.T) {
	deep := chat.Expr(chat.Is{Field: chat.FieldResolved, Value: true})
	for range chat.MaxFilterDepth + 1 {
		deep = chat.Not{X: deep}
	}
	wide := chat.Or{}
	for range chat.MaxFilterNodes {
		wide = append(wide, chat.Is{Field: chat.FieldHidden, Value: true})
	}
	tests := []struct {
		name  string
		q     chat.SearchQuery
		field string
	}{
		{"negative page", chat.SearchQuery{Page: -1}, "page"},
		{"page too deep", chat.SearchQuery{Page: 100000}, "page"},
		{"per_page too big", chat.SearchQuery{PerPage: chat.MaxSearchPerPage + 1}, "per_page"},
		{"too many sort keys", chat.SearchQuery{Sort: []chat.SortKey{{Field: chat.SortCreatedAt}, {Field: chat.SortUpdatedAt},
			{Field: chat.SortTextMatch}, {Field: chat.SortCreatedAt}}}, "sort_by"},
		{"sort key twice", chat.SearchQuery{Sort: []chat.SortKey{{Field: chat.SortCreatedAt}, {Field: chat.SortCreatedAt, Desc: true}}}, "sort_by"},
		{"unknown sort key", chat.SearchQuery{Sort: []chat.SortKey{{Field: 99}}}, "sort_by"},
		{"flag as a set", chat.SearchQuery{Filter: chat.HasAny{Field: chat.FieldResolved, IDs: []int64{1}}}, "filter_by"},
		{"ids without values", chat.SearchQuery{Filter: chat.HasAny{Field: chat.FieldUserIDs}}, "filter_by"},
		{"tags as ids", chat.SearchQuery{Filter: chat.HasAny{Field: chat.FieldTags, IDs: []int64{1}}}, "filter_by"},
		{"time on a set", chat.SearchQuery{Filter: chat.InTime{Field: chat.FieldTags}}, "filter_by"},
		{"set as a flag", chat.SearchQuery{Filter: chat.Is{Field: chat.FieldUserIDs}}, "filter_by"},
		{"nil inside", chat.SearchQuery{Filter: chat.And{nil}}, "filter_by"},
		{"nil not", chat.SearchQuery{Filter: chat.Not{}}, "filter_by"},
		{"too deep", chat.SearchQuery{Filter: deep}, "filter_by"},
		{"too wide", chat.SearchQuery{Filter: wide}, "filter_by"},
		{"too many values", chat.SearchQuery{Filter: chat.HasAny{Field: chat.FieldTags, Tags: strings.Fields(strings.Repeat("t ", chat.MaxFilterValues+1))}}, "filter_by"},
		{"bad text", chat.SearchQuery{Text: "\xff"}, "q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Validation happens before any unit of work, so no store is needed.
			_, err := (&chat.Service{}).Search(t.Context(), chat.Actor{}, tt.q)
			e := chat.AsError(err)
			if e == nil || e.Code != chat.Invalid || e.Fields[tt.field] == "" {
				t.Fatalf("Search = %v, want invalid %s", err, tt.field)
			}
		})
	}
}
