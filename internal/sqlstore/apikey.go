package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

const apiKeyColumns = `id, org_id, owner_id, key, active, created_at, revoked_at`

func scanAPIKey(r interface{ Scan(...any) error }) (*chat.APIKey, error) {
	var k chat.APIKey
	var created, revoked int64
	if err := r.Scan(&k.ID, &k.OrgID, &k.OwnerID, &k.Key, &k.Active, &created, &revoked); err != nil {
		return nil, mapError(err)
	}
	k.CreatedAt, k.RevokedAt = fromMS(created), fromMS(revoked)
	return &k, nil
}

func (t *tx) APIKeyByKey(ctx context.Context, key string) (*chat.APIKey, error) {
	k, err := scanAPIKey(t.queryRow(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE key = ?`, key))
	if err != nil {
		return nil, fmt.Errorf("api key: %w", err)
	}
	return k, nil
}

func (t *tx) APIKeys(ctx context.Context, org chat.OrgID, owner chat.UserID) ([]*chat.APIKey, error) {
	out := []*chat.APIKey{}
	err := t.scanAll(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE org_id = ? AND owner_id = ? ORDER BY id DESC`,
		[]any{int64(org), int64(owner)}, func(r *sql.Rows) error {
			k, err := scanAPIKey(r)
			out = append(out, k)
			return err
		})
	return out, err
}

func (t *tx) APIKeyUsage(ctx context.Context, key chat.APIKeyID) ([]chat.APIKeyUsage, error) {
	out := []chat.APIKeyUsage{}
	err := t.scanAll(ctx, `SELECT period, count FROM api_key_usage WHERE key_id = ? ORDER BY period`, []any{int64(key)},
		func(r *sql.Rows) error {
			var u chat.APIKeyUsage
			err := r.Scan(&u.Period, &u.Count)
			out = append(out, u)
			return err
		})
	return out, err
}

func (t *tx) InsertAPIKey(ctx context.Context, k *chat.APIKey) error {
	id, err := t.insert(ctx, `INSERT INTO api_keys (org_id, owner_id, key, active, created_at, revoked_at) VALUES (?,?,?,?,?,?)`,
		int64(k.OrgID), int64(k.OwnerID), k.Key, k.Active, ms(k.CreatedAt), ms(k.RevokedAt))
	if err != nil {
		return fmt.Errorf("insert api key: %w", err)
	}
	k.ID = chat.APIKeyID(id)
	return nil
}

func (t *tx) RevokeAPIKey(ctx context.Context, key chat.APIKeyID, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE api_keys SET active = FALSE, revoked_at = ? WHERE id = ?`, ms(at), int64(key))
	return err
}

func (t *tx) CountAPIKeyUse(ctx context.Context, key chat.APIKeyID, period string) (int64, error) {
	var n int64
	err := t.queryRow(ctx, `INSERT INTO api_key_usage (key_id, period, count) VALUES (?,?,1)
		ON CONFLICT (key_id, period) DO UPDATE SET count = api_key_usage.count + 1 RETURNING count`, int64(key), period).Scan(&n)
	if err != nil {
		return 0, mapError(fmt.Errorf("count api key use: %w", err))
	}
	return n, nil
}

func (t *tx) InsertNonce(ctx context.Context, org chat.OrgID, signer, nonce string, expires time.Time) error {
	_, err := t.exec(ctx, `INSERT INTO wallet_nonces (org_id, signer, nonce, expires_at) VALUES (?,?,?,?)`,
		int64(org), signer, nonce, ms(expires))
	if err != nil {
		return fmt.Errorf("insert nonce: %w", err)
	}
	return nil
}

func (t *tx) PruneNonces(ctx context.Context, before time.Time) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM wallet_nonces WHERE expires_at < ?`, ms(before))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), mapError(err)
}
