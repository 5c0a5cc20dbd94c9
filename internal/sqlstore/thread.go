package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

const threadColumns = `id, org_id, kind, COALESCE(key, ''), subject, summary, author_id, xid, url, metadata, resolved, hidden, deleted,
	read_public, write_public, last_seq, num_chats, created_at, updated_at`

func scanThread(r interface{ Scan(...any) error }) (*chat.Thread, error) {
	var th chat.Thread
	var meta string
	var created, updated int64
	if err := r.Scan(&th.ID, &th.OrgID, &th.Kind, &th.Key, &th.Subject, &th.Summary, &th.AuthorID, &th.XID, &th.URL, &meta, &th.Resolved,
		&th.Hidden, &th.Deleted, &th.ReadPublic, &th.WritePublic, &th.LastSeq, &th.NumChats, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	th.CreatedAt, th.UpdatedAt = fromMS(created), fromMS(updated)
	if meta != "" {
		th.Metadata = json.RawMessage(meta)
	}
	return &th, nil
}

func (t *tx) threadWhere(ctx context.Context, cond string, args ...any) (*chat.Thread, error) {
	th, err := scanThread(t.queryRow(ctx, `SELECT `+threadColumns+` FROM threads WHERE `+cond, args...))
	if err != nil {
		return nil, fmt.Errorf("thread: %w", err)
	}
	if err := t.loadThreadSets(ctx, th); err != nil {
		return nil, err
	}
	return th, nil
}

// loadThreadSets fills a thread's channels, participants, moderators and
// tags.
func (t *tx) loadThreadSets(ctx context.Context, th *chat.Thread) error {
	th.ChannelIDs, th.Participants, th.Moderators, th.Tags = []chat.ChannelID{}, []chat.UserID{}, []chat.UserID{}, []string{}
	id := int64(th.ID)
	if err := t.scanAll(ctx, `SELECT channel_id FROM thread_channels WHERE thread_id = ? ORDER BY channel_id`, []any{id}, func(r *sql.Rows) error {
		var c chat.ChannelID
		err := r.Scan(&c)
		th.ChannelIDs = append(th.ChannelIDs, c)
		return err
	}); err != nil {
		return err
	}
	if err := t.scanAll(ctx, `SELECT user_id, moderator FROM thread_members WHERE thread_id = ? ORDER BY user_id`, []any{id}, func(r *sql.Rows) error {
		var u chat.UserID
		var mod bool
		err := r.Scan(&u, &mod)
		th.Participants = append(th.Participants, u)
		if mod {
			th.Moderators = append(th.Moderators, u)
		}
		return err
	}); err != nil {
		return err
	}
	return t.scanAll(ctx, `SELECT tag FROM thread_tags WHERE thread_id = ? ORDER BY tag`, []any{id}, func(r *sql.Rows) error {
		var tag string
		err := r.Scan(&tag)
		th.Tags = append(th.Tags, tag)
		return err
	})
}

// loadThreadSetsOf fills the channels, participants and tags of several
// threads with three queries.
func (t *tx) loadThreadSetsOf(ctx context.Context, threads []*chat.Thread) error {
	if len(threads) == 0 {
		return nil
	}
	byID := make(map[chat.ThreadID]*chat.Thread, len(threads))
	ids := make([]chat.ThreadID, len(threads))
	for i, th := range threads {
		th.ChannelIDs, th.Participants, th.Tags = []chat.ChannelID{}, []chat.UserID{}, []string{}
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
		return err
	}
	if err := t.scanAll(ctx, `SELECT thread_id, user_id FROM thread_members WHERE thread_id IN (`+in+`) ORDER BY thread_id, user_id`, args,
		func(r *sql.Rows) error {
			var id chat.ThreadID
			var u chat.UserID
			err := r.Scan(&id, &u)
			byID[id].Participants = append(byID[id].Participants, u)
			return err
		}); err != nil {
		return err
	}
	return t.scanAll(ctx, `SELECT thread_id, tag FROM thread_tags WHERE thread_id IN (`+in+`) ORDER BY thread_id, tag`, args,
		func(r *sql.Rows) error {
			var id chat.ThreadID
			var tag string
			err := r.Scan(&id, &tag)
			byID[id].Tags = append(byID[id].Tags, tag)
			return err
		})
}

func (t *tx) ThreadByID(ctx context.Context, org chat.OrgID, id chat.ThreadID) (*chat.Thread, error) {
	return t.threadWhere(ctx, `id = ? AND org_id = ?`, int64(id), int64(org))
}

func (t *tx) ThreadByKey(ctx context.Context, org chat.OrgID, key string) (*chat.Thread, error) {
	return t.threadWhere(ctx, `org_id = ? AND key = ?`, int64(org), key)
}

func (t *tx) ThreadReactions(ctx context.Context, id chat.ThreadID) ([]chat.ThreadReaction, error) {
	var out []chat.ThreadReaction
	err := t.scanAll(ctx, `SELECT r.name, COUNT(*) FROM reactions r JOIN messages m ON m.id = r.message_id
		WHERE m.thread_id = ? AND NOT m.deleted GROUP BY r.name ORDER BY COUNT(*) DESC, r.name`, []any{int64(id)}, func(r *sql.Rows) error {
		var tr chat.ThreadReaction
		err := r.Scan(&tr.Name, &tr.Count)
		out = append(out, tr)
		return err
	})
	return out, err
}

// scopeCond returns the SQL condition (over threads aliased th) and args that
// restrict threads to a chat.ThreadScope.
func scopeCond(s chat.ThreadScope) (string, []any) {
	var ors []string
	var args []any
	if len(s.Channels) > 0 {
		in, inArgs := inList(s.Channels)
		ors = append(ors, `(th.kind = ? AND EXISTS (SELECT 1 FROM thread_channels tc WHERE tc.thread_id = th.id AND tc.channel_id IN (`+in+`)))`)
		args = append(append(args, int(chat.KindTopic)), inArgs...)
	}
	if s.Participant != 0 {
		ors = append(ors, `(th.kind <> ? AND EXISTS (SELECT 1 FROM thread_members tm WHERE tm.thread_id = th.id AND tm.user_id = ?))`)
		args = append(args, int(chat.KindTopic), int64(s.Participant))
	}
	ors = append(ors, `(th.kind <> ? AND th.read_public)`)
	args = append(args, int(chat.KindTopic))
	cond := `th.org_id = ? AND NOT th.deleted AND (` + strings.Join(ors, " OR ") + `)`
	args = append([]any{int64(s.OrgID)}, args...)
	if !s.Hidden {
		cond += ` AND NOT th.hidden`
	}
	return cond, args
}

func (t *tx) Tags(ctx context.Context, s chat.ThreadScope) ([]chat.TagCount, error) {
	cond, args := scopeCond(s)
	out := []chat.TagCount{}
	err := t.scanAll(ctx, `SELECT tt.tag, COUNT(*) FROM thread_tags tt JOIN threads th ON th.id = tt.thread_id
		WHERE `+cond+` GROUP BY tt.tag ORDER BY COUNT(*) DESC, tt.tag`, args, func(r *sql.Rows) error {
		var tc chat.TagCount
		err := r.Scan(&tc.Tag, &tc.Count)
		out = append(out, tc)
		return err
	})
	return out, err
}

func (t *tx) InsertThread(ctx context.Context, th *chat.Thread) error {
	id, err := t.insert(ctx, `INSERT INTO threads (org_id, kind, key, subject, summary, author_id, xid, url, metadata, resolved, hidden, deleted,
		read_public, write_public, last_seq, num_chats, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		int64(th.OrgID), int(th.Kind), nullString(th.Key), th.Subject, th.Summary, int64(th.AuthorID), th.XID, th.URL, string(th.Metadata),
		th.Resolved, th.Hidden, th.Deleted, th.ReadPublic, th.WritePublic, th.LastSeq, th.NumChats, ms(th.CreatedAt), ms(th.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert thread: %w", err)
	}
	th.ID = chat.ThreadID(id)
	for _, c := range th.ChannelIDs {
		if _, err := t.exec(ctx, `INSERT INTO thread_channels (thread_id, channel_id) VALUES (?,?)`, id, int64(c)); err != nil {
			return fmt.Errorf("insert thread channel: %w", err)
		}
	}
	if err := t.AddParticipants(ctx, th.ID, th.Participants, th.CreatedAt); err != nil {
		return err
	}
	for _, u := range th.Moderators {
		if err := t.SetModerator(ctx, th.ID, u, true); err != nil {
			return err
		}
	}
	if err := t.setTags(ctx, th); err != nil {
		return err
	}
	if th.Deleted {
		return nil
	}
	return t.indexThreadFields(ctx, th)
}

func (t *tx) setTags(ctx context.Context, th *chat.Thread) error {
	if _, err := t.exec(ctx, `DELETE FROM thread_tags WHERE thread_id = ?`, int64(th.ID)); err != nil {
		return fmt.Errorf("clear tags: %w", err)
	}
	for _, tag := range th.Tags {
		if _, err := t.exec(ctx, `INSERT INTO thread_tags (thread_id, tag) VALUES (?,?)`, int64(th.ID), tag); err != nil {
			return fmt.Errorf("insert tag: %w", err)
		}
	}
	return nil
}

func (t *tx) UpdateThread(ctx context.Context, th *chat.Thread) error {
	var wasDeleted bool
	if err := t.queryRow(ctx, `SELECT deleted FROM threads WHERE id = ? AND org_id = ?`, int64(th.ID), int64(th.OrgID)).Scan(&wasDeleted); err != nil {
		return mapError(fmt.Errorf("update thread %d: %w", th.ID, err))
	}
	_, err := t.exec(ctx, `UPDATE threads SET subject = ?, summary = ?, url = ?, metadata = ?, resolved = ?, hidden = ?, deleted = ?,
		read_public = ?, write_public = ? WHERE id = ? AND org_id = ?`, th.Subject, th.Summary, th.URL, string(th.Metadata), th.Resolved,
		th.Hidden, th.Deleted, th.ReadPublic, th.WritePublic, int64(th.ID), int64(th.OrgID))
	if err != nil {
		return fmt.Errorf("update thread %d: %w", th.ID, err)
	}
	if err := t.setTags(ctx, th); err != nil {
		return err
	}
	switch {
	case th.Deleted:
		if err := t.s.fts.removeThread(ctx, t, th.ID); err != nil {
			return fmt.Errorf("unindex thread %d: %w", th.ID, err)
		}
		return nil
	case wasDeleted:
		if err := t.indexThreadChats(ctx, th.ID); err != nil {
			return fmt.Errorf("index chats of thread %d: %w", th.ID, err)
		}
	}
	return t.indexThreadFields(ctx, th)
}

func (t *tx) AddParticipants(ctx context.Context, thread chat.ThreadID, users []chat.UserID, at time.Time) error {
	for _, u := range users {
		if _, err := t.exec(ctx, `INSERT INTO thread_members (thread_id, user_id, joined_at) VALUES (?,?,?) ON CONFLICT DO NOTHING`,
			int64(thread), int64(u), ms(at)); err != nil {
			return fmt.Errorf("add participant: %w", err)
		}
	}
	return nil
}

func (t *tx) SetModerator(ctx context.Context, thread chat.ThreadID, user chat.UserID, moderator bool) error {
	_, err := t.exec(ctx, `UPDATE thread_members SET moderator = ? WHERE thread_id = ? AND user_id = ?`, moderator, int64(thread), int64(user))
	return err
}

func (t *tx) RemoveParticipants(ctx context.Context, thread chat.ThreadID, users []chat.UserID) error {
	if len(users) == 0 {
		return nil
	}
	in, args := inList(users)
	_, err := t.exec(ctx, `DELETE FROM thread_members WHERE thread_id = ? AND user_id IN (`+in+`)`, append([]any{int64(thread)}, args...)...)
	return err
}

func (t *tx) NextSeq(ctx context.Context, thread chat.ThreadID, at time.Time) (int64, error) {
	var seq int64
	err := t.queryRow(ctx, `UPDATE threads SET last_seq = last_seq + 1, num_chats = num_chats + 1, updated_at = ? WHERE id = ? RETURNING last_seq`,
		ms(at), int64(thread)).Scan(&seq)
	if err != nil {
		return 0, mapError(fmt.Errorf("next seq of thread %d: %w", thread, err))
	}
	return seq, nil
}

func (t *tx) AdjustThread(ctx context.Context, thread chat.ThreadID, delta int, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE threads SET num_chats = num_chats + ? WHERE id = ?`, delta, int64(thread))
	return err
}
