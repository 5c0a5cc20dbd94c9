package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

const messageColumns = `id, org_id, thread_id, seq, author_id, text, xid, COALESCE(client_msg_id, ''), reply_to, forwarded_from, deleted, edited,
	attachments, metadata, tags, pinned, pinned_at, pinned_by, encrypted, enc_algorithm, enc_signature, poll, expires_at, created_at, updated_at`

// pollJSON is a poll as stored (the votes are counted from poll_votes).
type pollJSON struct {
	Question string   `json:"q"`
	Options  []string `json:"o"`
}

func scanMessage(r interface{ Scan(...any) error }) (*chat.Message, error) {
	var m chat.Message
	var atts, meta, tags, poll string
	var created, updated, pinnedAt, expires int64
	if err := r.Scan(&m.ID, &m.OrgID, &m.ThreadID, &m.Seq, &m.AuthorID, &m.Text, &m.XID, &m.ClientMsgID, &m.ReplyTo, &m.ForwardedFrom,
		&m.Deleted, &m.Edited, &atts, &meta, &tags, &m.Pinned, &pinnedAt, &m.PinnedBy, &m.Encrypted, &m.EncryptionAlgorithm, &m.Signature,
		&poll, &expires, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	m.CreatedAt, m.UpdatedAt, m.PinnedAt, m.ExpiresAt = fromMS(created), fromMS(updated), fromMS(pinnedAt), fromMS(expires)
	if meta != "" {
		m.Metadata = json.RawMessage(meta)
	}
	for _, f := range []struct {
		s string
		v any
	}{{atts, &m.Attachments}, {tags, &m.Tags}} {
		if f.s != "" {
			if err := json.Unmarshal([]byte(f.s), f.v); err != nil {
				return nil, fmt.Errorf("message %d: %w", m.ID, err)
			}
		}
	}
	if poll != "" {
		var p pollJSON
		if err := json.Unmarshal([]byte(poll), &p); err != nil {
			return nil, fmt.Errorf("message %d poll: %w", m.ID, err)
		}
		m.Poll = &chat.Poll{Question: p.Question, Options: p.Options, Votes: make([]int, len(p.Options))}
	}
	return &m, nil
}

// messageFields returns the stored form of a message's JSON columns.
func messageFields(m *chat.Message) (atts, meta, tags, poll string, err error) {
	if len(m.Attachments) > 0 {
		b, err := json.Marshal(m.Attachments)
		if err != nil {
			return "", "", "", "", err
		}
		atts = string(b)
	}
	if len(m.Tags) > 0 {
		b, err := json.Marshal(m.Tags)
		if err != nil {
			return "", "", "", "", err
		}
		tags = string(b)
	}
	if m.Poll != nil {
		b, err := json.Marshal(pollJSON{Question: m.Poll.Question, Options: m.Poll.Options})
		if err != nil {
			return "", "", "", "", err
		}
		poll = string(b)
	}
	return atts, string(m.Metadata), tags, poll, nil
}

func (t *tx) messageWhere(ctx context.Context, cond string, args ...any) (*chat.Message, error) {
	m, err := scanMessage(t.queryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE `+cond, args...))
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	if err := t.loadExtras(ctx, []*chat.Message{m}); err != nil {
		return nil, err
	}
	return m, nil
}

func (t *tx) MessageByID(ctx context.Context, org chat.OrgID, id chat.MessageID) (*chat.Message, error) {
	return t.messageWhere(ctx, `id = ? AND org_id = ?`, int64(id), int64(org))
}

func (t *tx) MessageByClientID(ctx context.Context, org chat.OrgID, author chat.UserID, clientMsgID string) (*chat.Message, error) {
	return t.messageWhere(ctx, `author_id = ? AND client_msg_id = ? AND org_id = ?`, int64(author), clientMsgID, int64(org))
}

func (t *tx) ForwardsOf(ctx context.Context, org chat.OrgID, msg chat.MessageID, limit int) ([]chat.MessageID, error) {
	rows, err := t.query(ctx, `SELECT id FROM messages WHERE forwarded_from = ? AND org_id = ? AND NOT deleted ORDER BY id DESC LIMIT ?`,
		int64(msg), int64(org), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []chat.MessageID
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, chat.MessageID(id))
	}
	return ids, rows.Err()
}

func (t *tx) Messages(ctx context.Context, f chat.MessageFilter) ([]*chat.Message, error) {
	q := `SELECT ` + messageColumns + ` FROM messages WHERE thread_id = ? AND NOT deleted`
	args := []any{int64(f.ThreadID)}
	if f.Before != 0 {
		q += ` AND id < ?`
		args = append(args, int64(f.Before))
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	out := []*chat.Message{}
	err := t.scanAll(ctx, q, args, func(r *sql.Rows) error {
		m, err := scanMessage(r)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, t.loadExtras(ctx, out)
}

// loadExtras fills the reactions and poll votes of msgs, one query each.
func (t *tx) loadExtras(ctx context.Context, msgs []*chat.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	byID := make(map[chat.MessageID]*chat.Message, len(msgs))
	ids := make([]chat.MessageID, len(msgs))
	var polls []chat.MessageID
	for i, m := range msgs {
		byID[m.ID], ids[i] = m, m.ID
		if m.Poll != nil {
			polls = append(polls, m.ID)
		}
	}
	in, args := inList(ids)
	err := t.scanAll(ctx, `SELECT message_id, user_id, name FROM reactions WHERE message_id IN (`+in+`) ORDER BY created_at, user_id`, args,
		func(r *sql.Rows) error {
			var re chat.Reaction
			if err := r.Scan(&re.MessageID, &re.UserID, &re.Name); err != nil {
				return err
			}
			m := byID[re.MessageID]
			m.Reactions = append(m.Reactions, re)
			return nil
		})
	if err != nil || len(polls) == 0 {
		return err
	}
	in, args = inList(polls)
	return t.scanAll(ctx, `SELECT message_id, option, COUNT(*) FROM poll_votes WHERE message_id IN (`+in+`) GROUP BY message_id, option`, args,
		func(r *sql.Rows) error {
			var id chat.MessageID
			var option, n int
			if err := r.Scan(&id, &option, &n); err != nil {
				return err
			}
			if p := byID[id].Poll; option >= 0 && option < len(p.Votes) {
				p.Votes[option] = n
			}
			return nil
		})
}

// setMessageTags rewrites a message's tag rows.
func (t *tx) setMessageTags(ctx context.Context, m *chat.Message) error {
	if _, err := t.exec(ctx, `DELETE FROM message_tags WHERE message_id = ?`, int64(m.ID)); err != nil {
		return err
	}
	for i, tag := range m.Tags {
		if _, err := t.exec(ctx, `INSERT INTO message_tags (message_id, pos, tag) VALUES (?,?,?)`, int64(m.ID), i, tag); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) Edits(ctx context.Context, msg chat.MessageID) ([]chat.Edit, error) {
	out := []chat.Edit{}
	err := t.scanAll(ctx, `SELECT text, changed_at FROM message_edits WHERE message_id = ? ORDER BY changed_at`, []any{int64(msg)},
		func(r *sql.Rows) error {
			var e chat.Edit
			var at int64
			err := r.Scan(&e.Text, &at)
			e.ChangedAt = fromMS(at)
			out = append(out, e)
			return err
		})
	return out, err
}

func (t *tx) InsertEdit(ctx context.Context, msg chat.MessageID, text string, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO message_edits (message_id, changed_at, text) VALUES (?,?,?)`, int64(msg), ms(at), text)
	return err
}

func (t *tx) Vote(ctx context.Context, msg chat.MessageID, user chat.UserID, option int, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO poll_votes (message_id, user_id, option, voted_at) VALUES (?,?,?,?)
		ON CONFLICT (message_id, user_id) DO UPDATE SET option = excluded.option, voted_at = excluded.voted_at`,
		int64(msg), int64(user), option, ms(at))
	return err
}

func (t *tx) InsertMessage(ctx context.Context, m *chat.Message) error {
	atts, meta, tags, poll, err := messageFields(m)
	if err != nil {
		return err
	}
	id, err := t.insert(ctx, `INSERT INTO messages (org_id, thread_id, seq, author_id, text, xid, client_msg_id, reply_to, forwarded_from,
		deleted, edited, attachments, metadata, tags, pinned, pinned_at, pinned_by, encrypted, enc_algorithm, enc_signature, poll, expires_at,
		created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		int64(m.OrgID), int64(m.ThreadID), m.Seq, int64(m.AuthorID), m.Text, m.XID, nullString(m.ClientMsgID), int64(m.ReplyTo),
		int64(m.ForwardedFrom), m.Deleted, m.Edited, atts, meta, tags, m.Pinned, ms(m.PinnedAt), int64(m.PinnedBy), m.Encrypted,
		m.EncryptionAlgorithm, m.Signature, poll, ms(m.ExpiresAt), ms(m.CreatedAt), ms(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	m.ID = chat.MessageID(id)
	if len(m.Tags) > 0 {
		if err := t.setMessageTags(ctx, m); err != nil {
			return err
		}
	}
	return t.indexMessage(ctx, m, false)
}

func (t *tx) UpdateMessage(ctx context.Context, m *chat.Message) error {
	atts, meta, tags, poll, err := messageFields(m)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE messages SET text = ?, deleted = ?, edited = ?, attachments = ?, metadata = ?, tags = ?, pinned = ?,
		pinned_at = ?, pinned_by = ?, encrypted = ?, enc_algorithm = ?, enc_signature = ?, poll = ?, expires_at = ?, updated_at = ?
		WHERE id = ? AND org_id = ?`,
		m.Text, m.Deleted, m.Edited, atts, meta, tags, m.Pinned, ms(m.PinnedAt), int64(m.PinnedBy), m.Encrypted, m.EncryptionAlgorithm,
		m.Signature, poll, ms(m.ExpiresAt), ms(m.UpdatedAt), int64(m.ID), int64(m.OrgID))
	if err != nil {
		return fmt.Errorf("update message %d: %w", m.ID, err)
	}
	if err := t.setMessageTags(ctx, m); err != nil {
		return err
	}
	return t.indexMessage(ctx, m, true)
}

func (t *tx) SetReaction(ctx context.Context, r chat.Reaction, at time.Time) (bool, error) {
	return changed(t.exec(ctx, `INSERT INTO reactions (message_id, user_id, name, created_at) VALUES (?,?,?,?) ON CONFLICT DO NOTHING`,
		int64(r.MessageID), int64(r.UserID), r.Name, ms(at)))
}

func (t *tx) DeleteReaction(ctx context.Context, r chat.Reaction) (bool, error) {
	return changed(t.exec(ctx, `DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND name = ?`,
		int64(r.MessageID), int64(r.UserID), r.Name))
}

func (t *tx) ReadState(ctx context.Context, user chat.UserID, thread chat.ThreadID) (*chat.ReadState, error) {
	rs := chat.ReadState{UserID: user, ThreadID: thread}
	var muted, updated int64
	err := t.queryRow(ctx, `SELECT last_read_seq, last_read_id, muted_until, updated_at FROM read_states WHERE user_id = ? AND thread_id = ?`,
		int64(user), int64(thread)).Scan(&rs.LastReadSeq, &rs.LastReadID, &muted, &updated)
	if err != nil {
		return nil, mapError(fmt.Errorf("read state: %w", err))
	}
	rs.MutedUntil, rs.UpdatedAt = fromMS(muted), fromMS(updated)
	return &rs, nil
}

func (t *tx) UpsertReadState(ctx context.Context, r *chat.ReadState) error {
	_, err := t.exec(ctx, `INSERT INTO read_states (user_id, thread_id, last_read_seq, last_read_id, muted_until, updated_at) VALUES (?,?,?,?,?,?)
		ON CONFLICT (user_id, thread_id) DO UPDATE SET last_read_seq = excluded.last_read_seq, last_read_id = excluded.last_read_id,
		muted_until = excluded.muted_until, updated_at = excluded.updated_at`,
		int64(r.UserID), int64(r.ThreadID), r.LastReadSeq, int64(r.LastReadID), ms(r.MutedUntil), ms(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("upsert read state: %w", err)
	}
	return nil
}
