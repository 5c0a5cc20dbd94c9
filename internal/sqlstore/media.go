package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// MessageFiles implements chat.ReadTx.
func (t *tx) MessageFiles(ctx context.Context, org chat.OrgID, msgs []chat.MessageID) ([]*chat.File, error) {
	out := []*chat.File{}
	if len(msgs) == 0 {
		return out, nil
	}
	in, args := inList(msgs)
	err := t.scanAll(ctx, `SELECT `+fileColumns+` FROM files WHERE org_id = ? AND message_id IN (`+in+`) ORDER BY id`,
		append([]any{int64(org)}, args...), func(r *sql.Rows) error {
			f, err := scanFile(r)
			out = append(out, f)
			return err
		})
	return out, err
}

// FileByKey implements chat.ReadTx.
func (t *tx) FileByKey(ctx context.Context, org chat.OrgID, key string) (*chat.File, error) {
	f, err := scanFile(t.queryRow(ctx, `SELECT `+fileColumns+` FROM files WHERE org_id = ? AND key = ?`, int64(org), key))
	if err != nil {
		return nil, fmt.Errorf("file %q: %w", key, err)
	}
	return f, nil
}

// DeleteFile implements chat.Tx.
func (t *tx) DeleteFile(ctx context.Context, org chat.OrgID, id chat.FileID) error {
	if _, err := t.exec(ctx, `DELETE FROM files WHERE id = ? AND org_id = ?`, int64(id), int64(org)); err != nil {
		return fmt.Errorf("delete file %d: %w", id, err)
	}
	return nil
}

// ProfileFile implements chat.ReadTx.
func (t *tx) ProfileFile(ctx context.Context, org chat.OrgID, user chat.UserID) (chat.FileID, error) {
	var id chat.FileID
	err := t.queryRow(ctx, `SELECT file_id FROM profile_files WHERE user_id = ? AND org_id = ?`, int64(user), int64(org)).Scan(&id)
	if err != nil {
		return 0, mapError(fmt.Errorf("profile file of %d: %w", user, err))
	}
	return id, nil
}

// SetProfileFile implements chat.Tx.
func (t *tx) SetProfileFile(ctx context.Context, org chat.OrgID, user chat.UserID, file chat.FileID, at time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO profile_files (user_id, org_id, file_id, updated_at) VALUES (?,?,?,?)
		ON CONFLICT (user_id) DO UPDATE SET file_id = excluded.file_id, updated_at = excluded.updated_at`,
		int64(user), int64(org), int64(file), ms(at))
	if err != nil {
		return fmt.Errorf("set profile file of %d: %w", user, err)
	}
	return nil
}
