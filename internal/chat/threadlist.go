package chat

import (
	"context"
	"slices"
)

// ChannelThreadFilter pages through the topic threads of one channel, most
// recent activity (UpdatedAt) first, ties broken by the higher id.
type ChannelThreadFilter struct {
	ChannelID ChannelID
	// Before is an exclusive cursor: only threads that come after it in the
	// order. Zero starts from the most recently active thread.
	Before ThreadID
	Limit  int
}

// DefaultThreadPage is how many threads ChannelThreads returns when the
// filter names no limit.
const DefaultThreadPage = 50

// ChannelThreads pages the threads of a channel the actor can read, most
// recent activity first, each with the reader's read state (and so its
// unread count; nil for anonymous readers). NotFound when the actor does not
// see the channel; Forbidden when it sees it but may not read it (a members
// channel it has not joined); Invalid when Before is not a thread of that
// channel.
func (s *Service) ChannelThreads(ctx context.Context, a Actor, f ChannelThreadFilter) ([]*ThreadView, error) {
	f.Limit = clampLimit(f.Limit, DefaultThreadPage)
	var out []*ThreadView
	err := s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		ch, err := visibleChannel(ctx, tx, au, f.ChannelID)
		if err != nil {
			return err
		}
		if !channelAccess(au, ch).CanRead() {
			return Errorf(Forbidden, "Join channel %q to read its threads.", ch.Name)
		}
		if f.Before != 0 {
			b, err := tx.ThreadByID(ctx, a.OrgID, f.Before)
			if err != nil && !isNotFound(err) {
				return err
			}
			if b == nil || !slices.Contains(b.ChannelIDs, ch.ID) {
				return Invalidf("before", "The before cursor is not a thread of this channel.")
			}
		}
		threads, err := tx.ChannelThreads(ctx, scope, f)
		if err != nil {
			return err
		}
		reads := map[ThreadID]*ReadState{}
		if au.signedIn() && len(threads) > 0 {
			ids := make([]ThreadID, len(threads))
			for i, th := range threads {
				ids[i] = th.ID
			}
			rs, err := tx.ReadStates(ctx, au.user.ID, ids)
			if err != nil {
				return err
			}
			for _, r := range rs {
				reads[r.ThreadID] = r
			}
		}
		out = make([]*ThreadView, len(threads))
		for i, th := range threads {
			v := &ThreadView{Thread: th}
			if au.signedIn() {
				v.Read = reads[th.ID]
				if v.Read == nil {
					v.Read = &ReadState{UserID: au.user.ID, ThreadID: th.ID}
				}
				v.Read.NumUnread = unread(th.LastSeq, v.Read.LastReadSeq)
			}
			out[i] = v
		}
		return nil
	})
	return out, err
}
