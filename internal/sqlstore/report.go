package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parley-chat/parley/internal/chat"
)

const reportColumns = `id, org_id, thread_id, message_id, author_id, reporter_id, reason, excerpt, resolved, resolution, resolved_by,
	resolved_at, note, created_at`

func scanReport(r interface{ Scan(...any) error }) (*chat.Report, error) {
	var rep chat.Report
	var resolution string
	var resolvedAt, created int64
	if err := r.Scan(&rep.ID, &rep.OrgID, &rep.ThreadID, &rep.MessageID, &rep.AuthorID, &rep.ReporterID, &rep.Reason, &rep.Excerpt,
		&rep.Resolved, &resolution, &rep.ResolvedBy, &resolvedAt, &rep.Note, &created); err != nil {
		return nil, mapError(err)
	}
	rep.Resolution, rep.ResolvedAt, rep.CreatedAt = chat.Resolution(resolution), fromMS(resolvedAt), fromMS(created)
	return &rep, nil
}

func (t *tx) reportWhere(ctx context.Context, cond string, args ...any) (*chat.Report, error) {
	rep, err := scanReport(t.queryRow(ctx, `SELECT `+reportColumns+` FROM reports WHERE `+cond, args...))
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return rep, nil
}

// ReportByID implements chat.RichReadTx.
func (t *tx) ReportByID(ctx context.Context, org chat.OrgID, id chat.ReportID) (*chat.Report, error) {
	return t.reportWhere(ctx, `id = ? AND org_id = ?`, int64(id), int64(org))
}

// ReportByReporter implements chat.RichReadTx.
func (t *tx) ReportByReporter(ctx context.Context, org chat.OrgID, msg chat.MessageID, reporter chat.UserID) (*chat.Report, error) {
	return t.reportWhere(ctx, `message_id = ? AND reporter_id = ? AND org_id = ?`, int64(msg), int64(reporter), int64(org))
}

// Reports implements chat.RichReadTx.
func (t *tx) Reports(ctx context.Context, org chat.OrgID, f chat.ReportFilter) ([]*chat.Report, error) {
	q := `SELECT ` + reportColumns + ` FROM reports WHERE org_id = ?`
	args := []any{int64(org)}
	switch f.Status {
	case chat.ReportsOpen:
		q += ` AND NOT resolved`
	case chat.ReportsResolved:
		q += ` AND resolved`
	}
	if f.Before != 0 {
		q += ` AND id < ?`
		args = append(args, int64(f.Before))
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit)
	out := []*chat.Report{}
	err := t.scanAll(ctx, q, args, func(r *sql.Rows) error {
		rep, err := scanReport(r)
		out = append(out, rep)
		return err
	})
	return out, err
}

// InsertReport implements chat.RichTx.
func (t *tx) InsertReport(ctx context.Context, r *chat.Report) error {
	id, err := t.insert(ctx, `INSERT INTO reports (org_id, thread_id, message_id, author_id, reporter_id, reason, excerpt, resolved,
		resolution, resolved_by, resolved_at, note, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		int64(r.OrgID), int64(r.ThreadID), int64(r.MessageID), int64(r.AuthorID), int64(r.ReporterID), r.Reason, r.Excerpt, r.Resolved,
		string(r.Resolution), int64(r.ResolvedBy), ms(r.ResolvedAt), r.Note, ms(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert report: %w", err)
	}
	r.ID = chat.ReportID(id)
	return nil
}

// UpdateReport implements chat.RichTx.
func (t *tx) UpdateReport(ctx context.Context, r *chat.Report) error {
	_, err := t.exec(ctx, `UPDATE reports SET resolved = ?, resolution = ?, resolved_by = ?, resolved_at = ?, note = ? WHERE id = ? AND org_id = ?`,
		r.Resolved, string(r.Resolution), int64(r.ResolvedBy), ms(r.ResolvedAt), r.Note, int64(r.ID), int64(r.OrgID))
	if err != nil {
		return fmt.Errorf("update report %d: %w", r.ID, err)
	}
	return nil
}
