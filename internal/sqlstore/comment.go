package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// commentWhere returns the condition (over messages m joined to threads th)
// and arguments of a chat.CommentFilter.
func commentWhere(f chat.CommentFilter) (string, []any) {
	conds := []string{`m.org_id = ?`, `NOT m.deleted`}
	args := []any{int64(f.OrgID)}
	if f.Scope != nil {
		c, a := scopeCond(*f.Scope)
		conds = append(conds, c)
		args = append(args, a...)
	}
	if f.ThreadID != 0 {
		conds = append(conds, `m.thread_id = ?`)
		args = append(args, int64(f.ThreadID))
	}
	if f.URL != "" {
		conds = append(conds, `th.url = ?`)
		args = append(args, f.URL)
	}
	if f.AuthorID != 0 {
		conds = append(conds, `m.author_id = ?`)
		args = append(args, int64(f.AuthorID))
	}
	if f.ReplyTo != 0 {
		conds = append(conds, `m.reply_to = ?`)
		args = append(args, int64(f.ReplyTo))
	}
	for pos, tag := range f.Tags {
		if tag != "" {
			conds = append(conds, `EXISTS (SELECT 1 FROM message_tags mt WHERE mt.message_id = m.id AND mt.pos = ? AND mt.tag = ?)`)
			args = append(args, pos, tag)
		}
	}
	return strings.Join(conds, ` AND `), args
}

func (t *tx) Comments(ctx context.Context, f chat.CommentFilter) ([]*chat.Message, error) {
	cond, args := commentWhere(f)
	order := `id`
	if f.NewestFirst {
		order = `id DESC`
	}
	q := `SELECT ` + messageColumns + ` FROM messages WHERE id IN (SELECT m.id FROM messages m JOIN threads th ON th.id = m.thread_id
		WHERE ` + cond + ` ORDER BY m.` + order + ` LIMIT ? OFFSET ?) ORDER BY ` + order
	args = append(args, f.Limit, f.Offset)
	out := []*chat.Message{}
	err := t.scanAll(ctx, q, args, func(r *sql.Rows) error {
		m, err := scanMessage(r)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("comments: %w", err)
	}
	return out, t.loadExtras(ctx, out)
}

func (t *tx) CountComments(ctx context.Context, f chat.CommentFilter) (int, error) {
	cond, args := commentWhere(f)
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM messages m JOIN threads th ON th.id = m.thread_id WHERE `+cond, args...).Scan(&n)
	if err != nil {
		return 0, mapError(fmt.Errorf("count comments: %w", err))
	}
	return n, nil
}

// threadFilterWhere returns the condition (over threads th) and arguments
// of a chat.ThreadFilter.
func threadFilterWhere(f chat.ThreadFilter) (string, []any) {
	cond, args := scopeCond(f.Scope)
	conds := []string{cond}
	add := func(c string, a ...any) {
		conds = append(conds, c)
		args = append(args, a...)
	}
	if f.Kind != 0 {
		add(`th.kind = ?`, int(f.Kind))
	}
	if f.Key != "" {
		add(`th.key = ?`, f.Key)
	}
	if f.AuthorID != 0 {
		add(`th.author_id = ?`, int64(f.AuthorID))
	}
	if f.URL != "" {
		add(`th.url = ?`, f.URL)
	}
	if f.Subject != "" {
		add(`th.subject = ?`, f.Subject)
	}
	if f.ReadPublic != nil {
		add(`th.read_public = ?`, *f.ReadPublic)
	}
	if f.WritePublic != nil {
		add(`th.write_public = ?`, *f.WritePublic)
	}
	for _, tag := range f.Tags {
		add(`EXISTS (SELECT 1 FROM thread_tags ft WHERE ft.thread_id = th.id AND ft.tag = ?)`, tag)
	}
	if f.Member != 0 {
		add(`EXISTS (SELECT 1 FROM thread_members fm WHERE fm.thread_id = th.id AND fm.user_id = ?)`, int64(f.Member))
	}
	if f.Moderator != 0 {
		add(`EXISTS (SELECT 1 FROM thread_members fm WHERE fm.thread_id = th.id AND fm.user_id = ? AND fm.moderator)`, int64(f.Moderator))
	}
	return strings.Join(conds, ` AND `), args
}

func (t *tx) FindThreads(ctx context.Context, f chat.ThreadFilter) ([]*chat.Thread, error) {
	cond, args := threadFilterWhere(f)
	order := `th.id`
	if f.NewestFirst {
		order = `th.id DESC`
	}
	out := []*chat.Thread{}
	err := t.scanAll(ctx, `SELECT `+threadColumns+` FROM threads th WHERE `+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, f.Limit, f.Offset), func(r *sql.Rows) error {
			th, err := scanThread(r)
			out = append(out, th)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("find threads: %w", err)
	}
	for _, th := range out {
		if err := t.loadThreadSets(ctx, th); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *tx) CountThreads(ctx context.Context, f chat.ThreadFilter) (int, error) {
	cond, args := threadFilterWhere(f)
	var n int
	if err := t.queryRow(ctx, `SELECT COUNT(*) FROM threads th WHERE `+cond, args...).Scan(&n); err != nil {
		return 0, mapError(fmt.Errorf("count threads: %w", err))
	}
	return n, nil
}

func (t *tx) ReleaseThreadKey(ctx context.Context, thread chat.ThreadID) error {
	_, err := t.exec(ctx, `UPDATE threads SET key = NULL WHERE id = ?`, int64(thread))
	return err
}
