package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parley-chat/parley/internal/chat"
)

const fileColumns = `id, org_id, owner_id, name, content_type, size, key, message_id, created_at`

func scanFile(r interface{ Scan(...any) error }) (*chat.File, error) {
	var f chat.File
	var created int64
	if err := r.Scan(&f.ID, &f.OrgID, &f.OwnerID, &f.Name, &f.ContentType, &f.Size, &f.Key, &f.MessageID, &created); err != nil {
		return nil, mapError(err)
	}
	f.CreatedAt = fromMS(created)
	return &f, nil
}

func (t *tx) FileByID(ctx context.Context, org chat.OrgID, id chat.FileID) (*chat.File, error) {
	f, err := scanFile(t.queryRow(ctx, `SELECT `+fileColumns+` FROM files WHERE id = ? AND org_id = ?`, int64(id), int64(org)))
	if err != nil {
		return nil, fmt.Errorf("file %d: %w", id, err)
	}
	return f, nil
}

func (t *tx) Files(ctx context.Context, org chat.OrgID, ids []chat.FileID) ([]*chat.File, error) {
	out := []*chat.File{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids)
	err := t.scanAll(ctx, `SELECT `+fileColumns+` FROM files WHERE org_id = ? AND id IN (`+in+`) ORDER BY id`, append([]any{int64(org)}, args...),
		func(r *sql.Rows) error {
			f, err := scanFile(r)
			out = append(out, f)
			return err
		})
	return out, err
}

func (t *tx) InsertFile(ctx context.Context, f *chat.File) error {
	id, err := t.insert(ctx, `INSERT INTO files (org_id, owner_id, name, content_type, size, key, message_id, created_at) VALUES (?,?,?,?,?,?,?,?)`,
		int64(f.OrgID), int64(f.OwnerID), f.Name, f.ContentType, f.Size, f.Key, int64(f.MessageID), ms(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert file: %w", err)
	}
	f.ID = chat.FileID(id)
	return nil
}

func (t *tx) AttachFiles(ctx context.Context, msg chat.MessageID, files []chat.FileID) error {
	in, args := inList(files)
	_, err := t.exec(ctx, `UPDATE files SET message_id = ? WHERE message_id = 0 AND id IN (`+in+`)`, append([]any{int64(msg)}, args...)...)
	return err
}
