package chat

import (
	"context"
	"slices"
	"unicode/utf8"
)

// SortField is what search results can be ordered by.
type SortField int

// Sort fields.
const (
	// SortTextMatch is relevance: how well the query's words match (only
	// meaningful with words to match).
	SortTextMatch SortField = iota + 1
	SortCreatedAt
	SortUpdatedAt
)

func (f SortField) String() string {
	switch f {
	case SortTextMatch:
		return "_text_match"
	case SortCreatedAt:
		return "created_at"
	case SortUpdatedAt:
		return "updated_at"
	}
	return "unknown"
}

// SortKey orders results by one field.
type SortKey struct {
	Field SortField
	Desc  bool
}

// Limits on searches and feeds.
const (
	MaxSortKeys          = 3
	DefaultSearchPerPage = 20
	MaxSearchPerPage     = 250
	// MaxSearchOffset bounds how deep paging goes (page times per_page).
	MaxSearchOffset = 10000
	// FeedChats is how many of its newest chats come with a feed thread.
	FeedChats = 5
	// MaxSimilar is how many similar threads come with a thread.
	MaxSimilar = 5
)

// SearchQuery is the input of Search (Struct's POST /v1/search).
type SearchQuery struct {
	// Text is matched against subjects, summaries, tags and chats; every
	// word must occur in the thread. Blank or "*" matches every thread.
	Text string
	// Filter restricts the threads further (nil: no restriction).
	Filter Expr
	// Sort orders the results; by default by relevance then last activity
	// when there is text, else by last activity. Ties go to the newest
	// thread.
	Sort []SortKey
	// Page is 1-based; PerPage defaults to DefaultSearchPerPage.
	Page, PerPage int
	// Chats: include each thread's newest FeedChats chats (a feed).
	Chats bool
}

// ThreadQuery is a search as a store runs it, within a ThreadScope.
type ThreadQuery struct {
	// Terms to match (none: every thread). A thread matches a term when one
	// of its documents (subject, summary, tags, one chat) has the term's
	// tokens.
	Terms []SearchTerm
	// MinTerms is how many of Terms a thread must match (len(Terms) for all).
	MinTerms int
	// Topics matches Terms in subjects, summaries and tags only, not chats.
	Topics bool
	// Filter restricts the threads (nil: none).
	Filter Expr
	// Sort orders the threads; the newest id breaks ties.
	Sort []SortKey
	// Exclude leaves one thread out (zero: none).
	Exclude       ThreadID
	Offset, Limit int
}

// ThreadHit is one thread a ThreadQuery found.
type ThreadHit struct {
	Thread *Thread
	// Score is the relevance: for each matched term, ten times the weight
	// of the best field it occurs in (subject 4, tags 3, summary 2, chat 1)
	// plus the number of documents it occurs in, up to 9.
	Score int64
	// ChatID is the oldest chat that matched a term (zero: none did).
	ChatID MessageID
}

// normalize validates the query and returns what the store runs, and the
// terms to highlight.
func (in *SearchQuery) normalize() (ThreadQuery, error) {
	terms, err := ParseSearchText(in.Text)
	if err != nil {
		return ThreadQuery{}, err
	}
	q := ThreadQuery{Terms: terms, MinTerms: len(terms)}
	if q.Filter, err = checkFilter(in.Filter); err != nil {
		return ThreadQuery{}, err
	}
	if q.Sort, err = normalizeSort(in.Sort, len(terms) > 0); err != nil {
		return ThreadQuery{}, err
	}
	q.Offset, q.Limit, err = pageBounds(in.Page, in.PerPage, MaxSearchPerPage)
	return q, err
}

// normalizeSort checks sort keys and fills in the default order.
func normalizeSort(keys []SortKey, text bool) ([]SortKey, error) {
	if len(keys) > MaxSortKeys {
		return nil, Invalidf("sort_by", "Sort by at most %d fields.", MaxSortKeys)
	}
	var out []SortKey
	for i, k := range keys {
		if k.Field < SortTextMatch || k.Field > SortUpdatedAt {
			return nil, Invalidf("sort_by", "Unknown sort field.")
		}
		if slices.ContainsFunc(keys[:i], func(o SortKey) bool { return o.Field == k.Field }) {
			return nil, Invalidf("sort_by", "Sort by %s only once.", k.Field)
		}
		if k.Field == SortTextMatch && !text {
			continue // every thread matches an empty query equally
		}
		out = append(out, k)
	}
	if len(keys) == 0 {
		if text {
			out = append(out, SortKey{Field: SortTextMatch, Desc: true})
		}
		out = append(out, SortKey{Field: SortUpdatedAt, Desc: true})
	}
	return out, nil
}

// pageBounds turns a 1-based page and a page size (zero: the default) into
// an offset and a limit.
func pageBounds(page, perPage, maxPerPage int) (offset, limit int, err error) {
	switch {
	case page < 0:
		return 0, 0, Invalidf("page", "The page must be a number from 1.")
	case page == 0:
		page = 1
	}
	switch {
	case perPage < 0 || perPage > maxPerPage:
		return 0, 0, Invalidf("per_page", "The per_page must be a number from 1 to %d.", maxPerPage)
	case perPage == 0:
		perPage = min(DefaultSearchPerPage, maxPerPage)
	}
	if (page - 1) > MaxSearchOffset/perPage {
		return 0, 0, Invalidf("page", "Results are available up to the %dth.", MaxSearchOffset)
	}
	return (page - 1) * perPage, perPage, nil
}

// Search finds the threads the actor can see whose subject, summary, tags
// or chats hold every word of the query, restricted by the filter, sorted
// and paged. Each result has its reactions, the reader's read state,
// highlights of the query's words in the subject, the summary and a
// matching chat, and, with Chats, its newest chats. Invalid for a malformed
// query; anonymous visitors search what they may read.
func (s *Service) Search(ctx context.Context, a Actor, in SearchQuery) ([]*ThreadView, error) {
	q, err := in.normalize()
	if err != nil {
		return nil, err
	}
	var out []*ThreadView
	err = s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		hits, err := tx.SearchThreads(ctx, scope, q)
		if err != nil {
			return err
		}
		out, err = threadViews(ctx, tx, au, hits, q.Terms, in.Chats)
		return err
	})
	return out, err
}

// threadViews completes hits as one reader sees them: reactions, read
// state, highlights of terms and, with chats, the newest chats.
func threadViews(ctx context.Context, tx ReadTx, au *authority, hits []ThreadHit, terms []SearchTerm, chats bool) ([]*ThreadView, error) {
	out := make([]*ThreadView, 0, len(hits))
	for _, h := range hits {
		v := &ThreadView{Thread: h.Thread}
		var err error
		if v.Reactions, err = tx.ThreadReactions(ctx, h.Thread.ID); err != nil {
			return nil, err
		}
		if v.Read, err = readStateOf(ctx, tx, au, h.Thread); err != nil {
			return nil, err
		}
		if chats {
			if v.Chats, err = tx.Messages(ctx, MessageFilter{ThreadID: h.Thread.ID, Limit: FeedChats}); err != nil {
				return nil, err
			}
			slices.Reverse(v.Chats)
		}
		if len(terms) > 0 {
			if v.Highlights, err = highlights(ctx, tx, h, terms); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// highlights marks terms in a hit's subject, summary and matching chat.
func highlights(ctx context.Context, tx ReadTx, h ThreadHit, terms []SearchTerm) ([]Highlight, error) {
	var out []Highlight
	if hl, ok := HighlightText(HighlightSubject, h.Thread.Subject, terms); ok {
		out = append(out, hl)
	}
	if hl, ok := HighlightText(HighlightSummary, h.Thread.Summary, terms); ok {
		out = append(out, hl)
	}
	if h.ChatID != 0 {
		m, err := tx.MessageByID(ctx, h.Thread.OrgID, h.ChatID)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if err == nil && !m.Deleted {
			if hl, ok := HighlightText(HighlightChats, m.Text, terms); ok {
				out = append(out, hl)
			}
		}
	}
	return out, nil
}

// similarStop are frequent English words long enough to pass the length
// rule of similarTerms yet saying nothing about a topic.
var similarStop = map[string]bool{
	"about": true, "after": true, "also": true, "been": true, "before": true, "could": true, "does": true,
	"from": true, "have": true, "having": true, "here": true, "into": true, "just": true, "like": true,
	"more": true, "only": true, "other": true, "should": true, "some": true, "than": true, "that": true,
	"their": true, "them": true, "then": true, "there": true, "these": true, "they": true, "this": true,
	"those": true, "what": true, "when": true, "where": true, "which": true, "while": true, "will": true,
	"with": true, "would": true, "your": true, "were": true, "want": true, "need": true, "using": true,
}

// maxSimilarTerms bounds the words a similar-threads search looks for.
const maxSimilarTerms = 8

// similarTerms picks the words that say what a thread is about: the words
// of its subject and tags of four letters or more (frequent English words
// aside) and the bigrams of its runs of scripts without spaces.
func similarTerms(th *Thread) []SearchTerm {
	var terms []SearchTerm
	add := func(t SearchTerm) {
		if len(terms) < maxSimilarTerms && !slices.ContainsFunc(terms, func(o SearchTerm) bool { return o.Text == t.Text }) {
			terms = append(terms, t)
		}
	}
	visit := func(seg *segment) {
		if seg.segmented {
			for _, b := range bigrams(seg.norm) {
				add(SearchTerm{Text: b, Tokens: []string{b}, Segmented: true})
			}
			return
		}
		tok := wordToken(seg.norm)
		if utf8.RuneCountInString(tok) >= 4 && !similarStop[tok] && !allDigits(tok) {
			add(SearchTerm{Text: tok, Tokens: []string{tok}})
		}
	}
	scanText(th.Subject, visit)
	for _, tag := range th.Tags {
		scanText(tag, visit)
	}
	return terms
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// similarThreads finds up to MaxSimilar threads in scope whose subjects,
// summaries and tags share the most of th's topic words, th itself aside.
func similarThreads(ctx context.Context, tx ReadTx, scope ThreadScope, th *Thread) ([]*Thread, error) {
	terms := similarTerms(th)
	if len(terms) == 0 {
		return nil, nil
	}
	q := ThreadQuery{Terms: terms, MinTerms: 1, Topics: true, Exclude: th.ID, Limit: MaxSimilar,
		Sort: []SortKey{{Field: SortTextMatch, Desc: true}, {Field: SortUpdatedAt, Desc: true}}}
	if len(terms) >= 3 {
		q.MinTerms = 2
	}
	hits, err := tx.SearchThreads(ctx, scope, q)
	if err != nil {
		return nil, err
	}
	out := make([]*Thread, len(hits))
	for i, h := range hits {
		out[i] = h.Thread
	}
	return out, nil
}
