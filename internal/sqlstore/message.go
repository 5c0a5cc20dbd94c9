package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

const messageColumns = `id, org_id, thread_id, seq, author_id, text, xid, COALESCE(client_msg_id, ''), reply_to, deleted, edited, attachments, created_at, updated_at`

func scanMessage(r interface{ Scan(...any) error }) (*chat.Message, error) {
	var m chat.Message
	var atts string
	var created, updated int64
	if err := r.Scan(&m.ID, &m.OrgID, &m.ThreadID, &m.Seq, &m.AuthorID, &m.Text, &m.XID, &m.ClientMsgID, &m.ReplyTo, &m.Deleted, &m.Edited,
		&atts, &created, &updated); err != nil {
		return nil, mapError(err)
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	if atts != "" {
		if err := json.Unmarshal([]byte(atts), &m.Attachments); err != nil {
			return nil, fmt.Errorf("message %d attachments: %w", m.ID, err)
		}
	}
	return &m, nil
}

func (t *tx) messageWhere(ctx context.Context, cond string, args ...any) (*chat.Message, error) {
	m, err := scanMessage(t.queryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE `+cond, args...))
	if err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	if err := t.loadReactions(ctx, []*chat.Message{m}); err != nil {
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
	return out, t.loadReactions(ctx, out)
}

// loadReactions fills the reactions of msgs in one query.
func (t *tx) loadReactions(ctx context.Context, msgs []*chat.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	byID := make(map[chat.MessageID]*chat.Message, len(msgs))
	ids := make([]chat.MessageID, len(msgs))
	for i, m := range msgs {
		byID[m.ID], ids[i] = m, m.ID
	}
	in, args := inList(ids)
	return t.scanAll(ctx, `SELECT message_id, user_id, name FROM reactions WHERE message_id IN (`+in+`) ORDER BY created_at, user_id`, args,
		func(r *sql.Rows) error {
			var re chat.Reaction
			if err := r.Scan(&re.MessageID, &re.UserID, &re.Name); err != nil {
				return err
			}
			m := byID[re.MessageID]
			m.Reactions = append(m.Reactions, re)
			return nil
		})
}

func attachmentsJSON(atts []chat.Attachment) (string, error) {
	if len(atts) == 0 {
		return "", nil
	}
	b, err := json.Marshal(atts)
	return string(b), err
}

func (t *tx) InsertMessage(ctx context.Context, m *chat.Message) error {
	atts, err := attachmentsJSON(m.Attachments)
	if err != nil {
		return err
	}
	id, err := t.insert(ctx, `INSERT INTO messages (org_id, thread_id, seq, author_id, text, xid, client_msg_id, reply_to, deleted, edited,
		attachments, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		int64(m.OrgID), int64(m.ThreadID), m.Seq, int64(m.AuthorID), m.Text, m.XID, nullString(m.ClientMsgID), int64(m.ReplyTo), m.Deleted, m.Edited,
		atts, ms(m.CreatedAt), ms(m.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	m.ID = chat.MessageID(id)
	return t.indexMessage(ctx, m, false)
}

func (t *tx) UpdateMessage(ctx context.Context, m *chat.Message) error {
	atts, err := attachmentsJSON(m.Attachments)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE messages SET text = ?, deleted = ?, edited = ?, attachments = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
		m.Text, m.Deleted, m.Edited, atts, ms(m.UpdatedAt), int64(m.ID), int64(m.OrgID))
	if err != nil {
		return fmt.Errorf("update message %d: %w", m.ID, err)
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
