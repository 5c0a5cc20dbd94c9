package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// The bot platform's records (chat.BotReadTx and chat.BotTx).

const botStateColumns = `user_id, org_id, key_salt, key_hash, position, lease_owner, lease_until, failures, retry_at, last_error, created_at, updated_at`

func (t *tx) BotState(ctx context.Context, bot chat.UserID) (*chat.BotState, error) {
	var st chat.BotState
	var leaseUntil, retryAt, created, updated int64
	err := t.queryRow(ctx, `SELECT `+botStateColumns+` FROM bots WHERE user_id = ?`, int64(bot)).Scan(&st.BotID, &st.OrgID, &st.KeySalt,
		&st.KeyHash, &st.Position, &st.LeaseOwner, &leaseUntil, &st.Failures, &retryAt, &st.LastError, &created, &updated)
	if err != nil {
		return nil, mapError(fmt.Errorf("bot %d: %w", bot, err))
	}
	st.LeaseUntil, st.RetryAt, st.CreatedAt, st.UpdatedAt = fromMS(leaseUntil), fromMS(retryAt), fromMS(created), fromMS(updated)
	return &st, nil
}

func (t *tx) InsertBotState(ctx context.Context, st *chat.BotState) error {
	_, err := t.exec(ctx, `INSERT INTO bots (`+botStateColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, int64(st.BotID), int64(st.OrgID),
		st.KeySalt, st.KeyHash, st.Position, st.LeaseOwner, ms(st.LeaseUntil), st.Failures, ms(st.RetryAt), st.LastError,
		ms(st.CreatedAt), ms(st.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert bot %d: %w", st.BotID, err)
	}
	return nil
}

func (t *tx) SetBotKey(ctx context.Context, org chat.OrgID, bot chat.UserID, salt, hash string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE bots SET key_salt = ?, key_hash = ?, updated_at = ? WHERE user_id = ? AND org_id = ?`,
		salt, hash, ms(at), int64(bot), int64(org))
	if err != nil {
		return fmt.Errorf("set key of bot %d: %w", bot, err)
	}
	return nil
}

func (t *tx) DeleteBotState(ctx context.Context, org chat.OrgID, bot chat.UserID) error {
	for _, q := range []string{
		`DELETE FROM bot_webhooks WHERE bot_id = ? AND org_id = ?`,
		`DELETE FROM bot_commands WHERE bot_id = ? AND org_id = ?`,
		`DELETE FROM bots WHERE user_id = ? AND org_id = ?`,
	} {
		if _, err := t.exec(ctx, q, int64(bot), int64(org)); err != nil {
			return fmt.Errorf("delete bot %d: %w", bot, err)
		}
	}
	return nil
}

func (t *tx) Bots(ctx context.Context, org chat.OrgID) ([]*chat.User, error) {
	out := []*chat.User{}
	err := t.scanAll(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = ? AND bot AND NOT deleted ORDER BY id`, []any{int64(org)},
		func(r *sql.Rows) error {
			u, err := scanUser(r)
			out = append(out, u)
			return err
		})
	return out, err
}

const botCommandColumns = `id, org_id, bot_id, alias, description, created_at`

func scanBotCommand(r interface{ Scan(...any) error }) (*chat.BotCommand, error) {
	var c chat.BotCommand
	var created int64
	if err := r.Scan(&c.ID, &c.OrgID, &c.BotID, &c.Alias, &c.Description, &created); err != nil {
		return nil, mapError(err)
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

func (t *tx) BotCommands(ctx context.Context, org chat.OrgID, bot chat.UserID) ([]*chat.BotCommand, error) {
	out := []*chat.BotCommand{}
	err := t.scanAll(ctx, `SELECT `+botCommandColumns+` FROM bot_commands WHERE org_id = ? AND bot_id = ? ORDER BY id`,
		[]any{int64(org), int64(bot)}, func(r *sql.Rows) error {
			c, err := scanBotCommand(r)
			out = append(out, c)
			return err
		})
	return out, err
}

func (t *tx) BotCommandByID(ctx context.Context, org chat.OrgID, id chat.BotCommandID) (*chat.BotCommand, error) {
	c, err := scanBotCommand(t.queryRow(ctx, `SELECT `+botCommandColumns+` FROM bot_commands WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("bot command %d: %w", id, err)
	}
	return c, nil
}

func (t *tx) UpsertBotCommand(ctx context.Context, c *chat.BotCommand) error {
	var id int64
	err := t.queryRow(ctx, `INSERT INTO bot_commands (org_id, bot_id, alias, description, created_at) VALUES (?,?,?,?,?)
		ON CONFLICT (bot_id, alias) DO UPDATE SET description = excluded.description RETURNING id`,
		int64(c.OrgID), int64(c.BotID), c.Alias, c.Description, ms(c.CreatedAt)).Scan(&id)
	if err != nil {
		return mapError(fmt.Errorf("upsert bot command: %w", err))
	}
	c.ID = chat.BotCommandID(id)
	return nil
}

func (t *tx) DeleteBotCommand(ctx context.Context, org chat.OrgID, id chat.BotCommandID) error {
	_, err := t.exec(ctx, `DELETE FROM bot_commands WHERE id = ? AND org_id = ?`, int64(id), int64(org))
	return err
}

const botChatColumns = `thread_id, org_id, user_id, bot_id, created_at`

func scanBotChat(r interface{ Scan(...any) error }) (*chat.BotChat, error) {
	var c chat.BotChat
	var created int64
	if err := r.Scan(&c.ThreadID, &c.OrgID, &c.UserID, &c.BotID, &created); err != nil {
		return nil, mapError(err)
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

func (t *tx) scanBotChats(ctx context.Context, query string, args ...any) ([]*chat.BotChat, error) {
	out := []*chat.BotChat{}
	err := t.scanAll(ctx, query, args, func(r *sql.Rows) error {
		c, err := scanBotChat(r)
		out = append(out, c)
		return err
	})
	return out, err
}

func (t *tx) BotChatByID(ctx context.Context, org chat.OrgID, thread chat.ThreadID) (*chat.BotChat, error) {
	c, err := scanBotChat(t.queryRow(ctx, `SELECT `+botChatColumns+` FROM bot_chats WHERE thread_id = ? AND org_id = ?`, int64(thread), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("bot chat %d: %w", thread, err)
	}
	return c, nil
}

func (t *tx) BotChats(ctx context.Context, org chat.OrgID, user, bot chat.UserID) ([]*chat.BotChat, error) {
	return t.scanBotChats(ctx, `SELECT `+botChatColumns+` FROM bot_chats WHERE user_id = ? AND bot_id = ? AND org_id = ? ORDER BY thread_id`,
		int64(user), int64(bot), int64(org))
}

func (t *tx) BotChatsByID(ctx context.Context, org chat.OrgID, threads []chat.ThreadID) ([]*chat.BotChat, error) {
	if len(threads) == 0 {
		return []*chat.BotChat{}, nil
	}
	in, args := inList(threads)
	return t.scanBotChats(ctx, `SELECT `+botChatColumns+` FROM bot_chats WHERE org_id = ? AND thread_id IN (`+in+`) ORDER BY thread_id`,
		append([]any{int64(org)}, args...)...)
}

func (t *tx) InsertBotChat(ctx context.Context, c *chat.BotChat) (int, error) {
	if _, err := t.exec(ctx, `INSERT INTO bot_chats (`+botChatColumns+`) VALUES (?,?,?,?,?)`, int64(c.ThreadID), int64(c.OrgID),
		int64(c.UserID), int64(c.BotID), ms(c.CreatedAt)); err != nil {
		return 0, fmt.Errorf("insert bot chat: %w", err)
	}
	var n int
	err := t.queryRow(ctx, `INSERT INTO bot_chat_counts (user_id, bot_id, chats) VALUES (?,?,1)
		ON CONFLICT (user_id, bot_id) DO UPDATE SET chats = bot_chat_counts.chats + 1 RETURNING chats`,
		int64(c.UserID), int64(c.BotID)).Scan(&n)
	if err != nil {
		return 0, mapError(fmt.Errorf("count bot chats: %w", err))
	}
	return n, nil
}

func (t *tx) DeleteBotChat(ctx context.Context, org chat.OrgID, thread chat.ThreadID) error {
	c, err := t.BotChatByID(ctx, org, thread)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, `DELETE FROM bot_chats WHERE thread_id = ? AND org_id = ?`, int64(thread), int64(org)); err != nil {
		return fmt.Errorf("delete bot chat %d: %w", thread, err)
	}
	if _, err := t.exec(ctx, `UPDATE bot_chat_counts SET chats = chats - 1 WHERE user_id = ? AND bot_id = ? AND chats > 0`,
		int64(c.UserID), int64(c.BotID)); err != nil {
		return fmt.Errorf("count bot chats: %w", err)
	}
	return nil
}

func (t *tx) MessagePage(ctx context.Context, f chat.MessagePageFilter) ([]*chat.Message, int, error) {
	where := ` FROM messages WHERE thread_id = ? AND NOT deleted`
	args := []any{int64(f.ThreadID)}
	if f.AuthorID != 0 {
		where += ` AND author_id = ?`
		args = append(args, int64(f.AuthorID))
	}
	if !f.After.IsZero() {
		where += ` AND created_at > ?`
		args = append(args, ms(f.After))
	}
	var total int
	if err := t.queryRow(ctx, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, mapError(fmt.Errorf("count messages: %w", err))
	}
	out := []*chat.Message{}
	err := t.scanAll(ctx, `SELECT `+messageColumns+where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset),
		func(r *sql.Rows) error {
			m, err := scanMessage(r)
			out = append(out, m)
			return err
		})
	if err != nil {
		return nil, 0, err
	}
	return out, total, t.loadExtras(ctx, out)
}

const botWebhookColumns = `bot_id, org_id, url, secret, signing_secret, created_at, updated_at`

func (t *tx) BotWebhook(ctx context.Context, org chat.OrgID, bot chat.UserID) (*chat.BotWebhook, error) {
	var h chat.BotWebhook
	var created, updated int64
	err := t.queryRow(ctx, `SELECT `+botWebhookColumns+` FROM bot_webhooks WHERE bot_id = ? AND org_id = ?`, int64(bot), int64(org)).Scan(
		&h.BotID, &h.OrgID, &h.URL, &h.Secret, &h.SigningSecret, &created, &updated)
	if err != nil {
		return nil, mapError(fmt.Errorf("webhook of bot %d: %w", bot, err))
	}
	h.CreatedAt, h.UpdatedAt = fromMS(created), fromMS(updated)
	return &h, nil
}

func (t *tx) UpsertBotWebhook(ctx context.Context, h *chat.BotWebhook) error {
	_, err := t.exec(ctx, `INSERT INTO bot_webhooks (`+botWebhookColumns+`) VALUES (?,?,?,?,?,?,?)
		ON CONFLICT (bot_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, signing_secret = excluded.signing_secret,
		updated_at = excluded.updated_at`,
		int64(h.BotID), int64(h.OrgID), h.URL, h.Secret, h.SigningSecret, ms(h.CreatedAt), ms(h.UpdatedAt))
	if err != nil {
		return fmt.Errorf("upsert webhook of bot %d: %w", h.BotID, err)
	}
	return nil
}

func (t *tx) DeleteBotWebhook(ctx context.Context, org chat.OrgID, bot chat.UserID) (bool, error) {
	return changed(t.exec(ctx, `DELETE FROM bot_webhooks WHERE bot_id = ? AND org_id = ?`, int64(bot), int64(org)))
}

func (t *tx) WebhookBots(ctx context.Context) ([]chat.BotRef, error) {
	var out []chat.BotRef
	err := t.scanAll(ctx, `SELECT org_id, bot_id FROM bot_webhooks ORDER BY bot_id`, nil, func(r *sql.Rows) error {
		var b chat.BotRef
		err := r.Scan(&b.OrgID, &b.BotID)
		out = append(out, b)
		return err
	})
	return out, err
}

// TopicEvents matches the topic as a whole word of the space-separated
// topics column.
func (t *tx) TopicEvents(ctx context.Context, org chat.OrgID, topic string, typ chat.EventType, after, upTo int64, limit int) ([]*chat.Event, error) {
	if strings.ContainsAny(topic, " %_\\") {
		return nil, fmt.Errorf("topic events: topic %q has characters LIKE cannot match literally", topic)
	}
	return t.scanEvents(ctx, `SELECT id, org_id, type, topics, payload, created_at FROM events
		WHERE org_id = ? AND id > ? AND id <= ? AND type = ? AND ' ' || topics || ' ' LIKE ? ORDER BY id LIMIT ?`,
		int64(org), after, upTo, string(typ), "% "+topic+" %", limit)
}

func (t *tx) AckBotUpdates(ctx context.Context, org chat.OrgID, bot chat.UserID, upTo int64, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE bots SET position = ?, updated_at = ? WHERE user_id = ? AND org_id = ? AND position < ?`,
		upTo, ms(at), int64(bot), int64(org), upTo)
	return err
}

func (t *tx) SkipBotUpdates(ctx context.Context, org chat.OrgID, bot chat.UserID, from, to int64, at time.Time) (bool, error) {
	return changed(t.exec(ctx, `UPDATE bots SET position = ?, updated_at = ? WHERE user_id = ? AND org_id = ? AND position = ?`,
		to, ms(at), int64(bot), int64(org), from))
}

func (t *tx) ClaimBotDelivery(ctx context.Context, org chat.OrgID, bot chat.UserID, node string, now, until time.Time) (bool, int64, error) {
	var position int64
	err := t.queryRow(ctx, `UPDATE bots SET lease_owner = ?, lease_until = ? WHERE user_id = ? AND org_id = ?
		AND (lease_owner = '' OR lease_owner = ? OR lease_until < ?) AND retry_at <= ? RETURNING position`,
		node, ms(until), int64(bot), int64(org), node, ms(now), ms(now)).Scan(&position)
	if errors.Is(err, sql.ErrNoRows) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, mapError(fmt.Errorf("claim delivery of bot %d: %w", bot, err))
	}
	return true, position, nil
}

func (t *tx) AdvanceBotDelivery(ctx context.Context, org chat.OrgID, bot chat.UserID, node string, to int64, until time.Time) (bool, error) {
	return changed(t.exec(ctx, `UPDATE bots SET position = CASE WHEN position < ? THEN ? ELSE position END, failures = 0, retry_at = 0,
		last_error = '', lease_until = ? WHERE user_id = ? AND org_id = ? AND lease_owner = ?`,
		to, to, ms(until), int64(bot), int64(org), node))
}

func (t *tx) FailBotDelivery(ctx context.Context, org chat.OrgID, bot chat.UserID, node string, failures int, retryAt time.Time, lastError string) (bool, error) {
	return changed(t.exec(ctx, `UPDATE bots SET failures = ?, retry_at = ?, last_error = ?, lease_owner = '', lease_until = 0
		WHERE user_id = ? AND org_id = ? AND lease_owner = ?`,
		failures, ms(retryAt), lastError, int64(bot), int64(org), node))
}

func (t *tx) ResetBotDelivery(ctx context.Context, org chat.OrgID, bot chat.UserID, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE bots SET failures = 0, retry_at = 0, last_error = '', updated_at = ? WHERE user_id = ? AND org_id = ?`,
		ms(at), int64(bot), int64(org))
	return err
}

func (t *tx) ReleaseBotDelivery(ctx context.Context, org chat.OrgID, bot chat.UserID, node string) error {
	_, err := t.exec(ctx, `UPDATE bots SET lease_owner = '', lease_until = 0 WHERE user_id = ? AND org_id = ? AND lease_owner = ?`,
		int64(bot), int64(org), node)
	return err
}
