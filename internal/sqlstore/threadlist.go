package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parley-chat/parley/internal/chat"
)

func (t *tx) ChannelThreads(ctx context.Context, s chat.ThreadScope, f chat.ChannelThreadFilter) ([]*chat.Thread, error) {
	cond, args := scopeCond(s)
	q := `SELECT ` + threadColumns + ` FROM threads th JOIN thread_channels chn ON chn.thread_id = th.id
		WHERE chn.channel_id = ? AND th.kind = ? AND ` + cond
	args = append([]any{int64(f.ChannelID), int(chat.KindTopic)}, args...)
	if f.Before != 0 {
		q += ` AND (th.updated_at < (SELECT b.updated_at FROM threads b WHERE b.id = ?)
			OR th.updated_at = (SELECT b.updated_at FROM threads b WHERE b.id = ?) AND th.id < ?)`
		args = append(args, int64(f.Before), int64(f.Before), int64(f.Before))
	}
	q += ` ORDER BY th.updated_at DESC, th.id DESC LIMIT ?`
	args = append(args, f.Limit)
	out := []*chat.Thread{}
	err := t.scanAll(ctx, q, args, func(r *sql.Rows) error {
		th, err := scanThread(r)
		out = append(out, th)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("channel threads: %w", err)
	}
	return out, t.loadThreadsSets(ctx, out)
}

// loadThreadsSets fills the channels, participants, moderators and tags of
// several threads, one query per set.
func (t *tx) loadThreadsSets(ctx context.Context, ths []*chat.Thread) error {
	if len(ths) == 0 {
		return nil
	}
	byID := make(map[chat.ThreadID]*chat.Thread, len(ths))
	ids := make([]chat.ThreadID, len(ths))
	for i, th := range ths {
		th.ChannelIDs, th.Participants, th.Moderators, th.Tags = []chat.ChannelID{}, []chat.UserID{}, []chat.UserID{}, []string{}
		byID[th.ID], ids[i] = th, th.ID
	}
	in, args := inList(ids)
	if err := t.scanAll(ctx, `SELECT thread_id, channel_id FROM thread_channels WHERE thread_id IN (`+in+`) ORDER BY thread_id, channel_id`, args,
		func(r *sql.Rows) error {
			var id chat.ThreadID
			var c chat.ChannelID
			err := r.Scan(&id, &c)
			byID[id].ChannelIDs = append(byID[id].ChannelIDs, c)
			return err
		}); err != nil {
		return fmt.Errorf("thread channels: %w", err)
	}
	if err := t.scanAll(ctx, `SELECT thread_id, user_id, moderator FROM thread_members WHERE thread_id IN (`+in+`) ORDER BY thread_id, user_id`, args,
		func(r *sql.Rows) error {
			var id chat.ThreadID
			var u chat.UserID
			var mod bool
			err := r.Scan(&id, &u, &mod)
			th := byID[id]
			th.Participants = append(th.Participants, u)
			if mod {
				th.Moderators = append(th.Moderators, u)
			}
			return err
		}); err != nil {
		return fmt.Errorf("thread members: %w", err)
	}
	if err := t.scanAll(ctx, `SELECT thread_id, tag FROM thread_tags WHERE thread_id IN (`+in+`) ORDER BY thread_id, tag`, args,
		func(r *sql.Rows) error {
			var id chat.ThreadID
			var tag string
			err := r.Scan(&id, &tag)
			byID[id].Tags = append(byID[id].Tags, tag)
			return err
		}); err != nil {
		return fmt.Errorf("thread tags: %w", err)
	}
	return nil
}

func (t *tx) ReadStates(ctx context.Context, user chat.UserID, threads []chat.ThreadID) ([]*chat.ReadState, error) {
	out := []*chat.ReadState{}
	if len(threads) == 0 {
		return out, nil
	}
	in, args := inList(threads)
	err := t.scanAll(ctx, `SELECT thread_id, last_read_seq, last_read_id, muted_until, updated_at FROM read_states
		WHERE user_id = ? AND thread_id IN (`+in+`) ORDER BY thread_id`, append([]any{int64(user)}, args...), func(r *sql.Rows) error {
		rs := chat.ReadState{UserID: user}
		var muted, updated int64
		if err := r.Scan(&rs.ThreadID, &rs.LastReadSeq, &rs.LastReadID, &muted, &updated); err != nil {
			return err
		}
		rs.MutedUntil, rs.UpdatedAt = fromMS(muted), fromMS(updated)
		out = append(out, &rs)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read states: %w", err)
	}
	return out, nil
}
