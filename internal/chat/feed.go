package chat

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Feed is a saved selection of threads, ordered by last activity. Every user
// has the three default feeds; users add their own.
//
// A thread is in a feed when it is in any of ChannelIDs (if set), has any of
// UserIDs among its participants (if set), and, with DM, is a direct or group
// conversation the reader takes part in: OR within a list, AND across them.
// The default feed "Yours Truly" (Mine) holds the threads the reader takes
// part in. A feed only ever selects among the threads its reader may see.
type Feed struct {
	ID     FeedID
	OrgID  OrgID  // zero for the default feeds
	UserID UserID // the owner; zero for the default feeds
	Name   string

	ChannelIDs []ChannelID
	UserIDs    []UserID
	DM         bool
	// Mine selects the threads the reader takes part in (default feeds only).
	Mine bool

	CreatedAt time.Time
	UpdatedAt time.Time
}

// The default feeds' ids. Ids below FirstFeedID are reserved for them, so
// a custom feed never has one.
const (
	FeedOmni       FeedID = 1 // every thread the reader may see
	FeedYoursTruly FeedID = 2 // the threads the reader takes part in
	FeedDirect     FeedID = 3 // the reader's direct and group conversations
	FirstFeedID    FeedID = 16
)

// Limits on feeds.
const (
	MaxFeedNameLen  = 80
	MaxFeedChannels = 100
	MaxFeedUsers    = 100
	MaxFeeds        = 100 // custom feeds per user
	MaxFeedPerPage  = 100
)

// DefaultFeeds returns the feeds every user has.
func DefaultFeeds() []*Feed {
	return []*Feed{
		{ID: FeedOmni, Name: "Omni"},
		{ID: FeedYoursTruly, Name: "Yours Truly", Mine: true},
		{ID: FeedDirect, Name: "Direct Messages", DM: true},
	}
}

// Default reports whether f is one of the default feeds.
func (f *Feed) Default() bool { return f.ID < FirstFeedID }

// Expr is the condition a thread meets to be in the feed for reader. Stores
// run it to list the feed; Matches evaluates it on one thread.
func (f *Feed) Expr(reader UserID) Expr {
	and := And{}
	if len(f.ChannelIDs) > 0 {
		and = append(and, HasAny{Field: FieldChannelIDs, IDs: int64s(f.ChannelIDs)})
	}
	if len(f.UserIDs) > 0 {
		and = append(and, HasAny{Field: FieldUserIDs, IDs: int64s(f.UserIDs)})
	}
	if f.Mine || f.DM {
		and = append(and, HasAny{Field: FieldUserIDs, IDs: []int64{int64(reader)}})
	}
	if f.DM {
		and = append(and, Or{Is{Field: FieldDirect, Value: true}, Is{Field: FieldGroup, Value: true}})
	}
	return and
}

// Matches reports whether th belongs to the feed for reader. It does not
// decide whether reader may see th: the caller must have checked that (a
// feed selects among visible threads). The realtime feed uses it to tell a
// client to move a thread to the top.
func (f *Feed) Matches(th *Thread, reader UserID) bool {
	return f.Expr(reader).Match(th)
}

func int64s[T ~int64](ids []T) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// NewFeed is the input for creating a feed.
type NewFeed struct {
	Name       string
	ChannelIDs []ChannelID
	UserIDs    []UserID
	DM         bool
}

func (in *NewFeed) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	if err := checkLen("name", in.Name, 1, MaxFeedNameLen); err != nil {
		return err
	}
	in.ChannelIDs, in.UserIDs = dedupe(in.ChannelIDs), dedupe(in.UserIDs)
	switch {
	case len(in.ChannelIDs) > MaxFeedChannels:
		return Invalidf("channel_ids", "A feed can name at most %d channels.", MaxFeedChannels)
	case len(in.UserIDs) > MaxFeedUsers:
		return Invalidf("user_ids", "A feed can name at most %d users.", MaxFeedUsers)
	case in.DM && len(in.ChannelIDs) > 0:
		return Invalidf("bits", "A feed has channel_ids or feed_dm, not both: channel threads are never direct messages.")
	}
	return nil
}

// FeedUpdate replaces a feed's definition (Struct's PUT /v1/feed): lists
// left out are cleared. Deleted deletes the feed.
type FeedUpdate struct {
	ID FeedID
	NewFeed
	Deleted bool
}

// checkFeedRefs checks that the channels of a feed are ones the actor can
// read and its users are members of the org. Invalid otherwise, without
// telling a hidden channel from a missing one.
func checkFeedRefs(ctx context.Context, tx ReadTx, au *authority, in *NewFeed) error {
	if err := au.loadChannelAccess(ctx, tx); err != nil {
		return err
	}
	for _, id := range in.ChannelIDs {
		ch, err := tx.ChannelByID(ctx, au.actor.OrgID, id)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err != nil || !channelAccess(au, ch).CanRead() {
			return Invalidf("channel_ids", "Unknown channel in channel_ids.")
		}
	}
	for _, id := range in.UserIDs {
		u, err := tx.UserByID(ctx, au.actor.OrgID, id)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err != nil || u.Deleted {
			return Invalidf("user_ids", "Unknown user in user_ids.")
		}
	}
	return nil
}

// feedOf returns a default feed or one of the actor's own. NotFound for any
// other id: another user's feed does not exist for the actor.
func feedOf(ctx context.Context, tx ReadTx, au *authority, id FeedID) (*Feed, error) {
	for _, f := range DefaultFeeds() {
		if f.ID == id {
			return f, nil
		}
	}
	f, err := tx.FeedByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) || err == nil && f.UserID != au.userID() {
		return nil, notFound("Feed")
	}
	return f, err
}

// Feeds returns the default feeds and the actor's own, oldest first.
func (s *Service) Feeds(ctx context.Context, a Actor) ([]*Feed, error) {
	var out []*Feed
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		own, err := tx.Feeds(ctx, a.OrgID, au.userID())
		out = append(DefaultFeeds(), own...)
		return err
	})
	return out, err
}

// CreateFeed stores a new feed of the actor's. Invalid for a bad name, a
// channel the actor cannot read, a user not in the org, channels together
// with DM, or too many feeds.
func (s *Service) CreateFeed(ctx context.Context, a Actor, in NewFeed) (*Feed, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var f *Feed
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := checkFeedRefs(ctx, w.tx, au, &in); err != nil {
			return err
		}
		own, err := w.tx.Feeds(ctx, a.OrgID, au.userID())
		if err != nil {
			return err
		}
		if len(own) >= MaxFeeds {
			return Invalidf("name", "You have %d feeds, the most there can be; delete one first.", MaxFeeds)
		}
		f = &Feed{OrgID: a.OrgID, UserID: au.userID(), Name: in.Name, ChannelIDs: in.ChannelIDs, UserIDs: in.UserIDs,
			DM: in.DM, CreatedAt: w.now, UpdatedAt: w.now}
		return w.tx.InsertFeed(ctx, f)
	})
	return f, err
}

// UpdateFeed replaces the definition of one of the actor's feeds, or deletes
// it (and returns it as it was). NotFound for a feed that is not the
// actor's; Forbidden for a default feed; Invalid as for CreateFeed.
func (s *Service) UpdateFeed(ctx context.Context, a Actor, in FeedUpdate) (*Feed, error) {
	if !in.Deleted {
		if err := in.normalize(); err != nil {
			return nil, err
		}
	}
	var f *Feed
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if f, err = feedOf(ctx, w.tx, au, in.ID); err != nil {
			return err
		}
		if f.Default() {
			return Errorf(Forbidden, "The default feeds cannot be changed.")
		}
		if in.Deleted {
			return w.tx.DeleteFeed(ctx, a.OrgID, f.ID)
		}
		if err := checkFeedRefs(ctx, w.tx, au, &in.NewFeed); err != nil {
			return err
		}
		f.Name, f.ChannelIDs, f.UserIDs, f.DM, f.UpdatedAt = in.Name, in.ChannelIDs, in.UserIDs, in.DM, w.now
		return w.tx.UpdateFeed(ctx, f)
	})
	return f, err
}

// FeedThreads pages through a feed (a default one or the actor's own): the
// threads the actor may see that belong to it, most recently active first,
// each with its newest FeedChats chats, reactions and the reader's read
// state. NotFound for a feed that is not the actor's.
func (s *Service) FeedThreads(ctx context.Context, a Actor, id FeedID, page, perPage int) ([]*ThreadView, error) {
	offset, limit, err := pageBounds(page, perPage, MaxFeedPerPage)
	if err != nil {
		return nil, err
	}
	var out []*ThreadView
	err = s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := requireMember(au); err != nil {
			return err
		}
		f, err := feedOf(ctx, tx, au, id)
		if err != nil {
			return err
		}
		hits, err := tx.SearchThreads(ctx, scope, ThreadQuery{Filter: f.Expr(au.userID()),
			Sort: []SortKey{{Field: SortUpdatedAt, Desc: true}}, Offset: offset, Limit: limit})
		if err != nil {
			return err
		}
		out, err = threadViews(ctx, tx, au, hits, nil, true)
		return err
	})
	return out, err
}

// FeedThread returns a thread the actor can read with its newest chats
// (at most five, oldest first) and the reader's read state, and whether the
// thread belongs to the actor's feed id: what a live feed shows when a
// thread moves to its top. NotFound when the feed is not the actor's or the
// thread is not readable.
func (s *Service) FeedThread(ctx context.Context, a Actor, id FeedID, thread ThreadID) (*ThreadView, bool, error) {
	var v ThreadView
	var in bool
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		f, err := feedOf(ctx, tx, au, id)
		if err != nil {
			return err
		}
		if v.Thread, _, err = visibleThread(ctx, tx, au, thread); err != nil {
			return err
		}
		if in = f.Matches(v.Thread, au.userID()); !in {
			return nil
		}
		if v.Chats, err = tx.Messages(ctx, MessageFilter{ThreadID: thread, Limit: 5}); err != nil {
			return err
		}
		slices.Reverse(v.Chats)
		if v.Reactions, err = tx.ThreadReactions(ctx, thread); err != nil {
			return err
		}
		v.Read, err = readStateOf(ctx, tx, au, v.Thread)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return &v, in, nil
}
