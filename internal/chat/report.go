package chat

import (
	"context"
	"strings"
	"time"
)

// Limits on reports.
const (
	MaxReportReasonLen = 1000
	MaxReportNoteLen   = 1000
	// MaxReportExcerptLen bounds the copy of the reported text a report
	// keeps for its reviewers.
	MaxReportExcerptLen = 4000
)

// Report is a user's report of a message, waiting in its org's moderation
// queue until an admin resolves it.
type Report struct {
	ID         ReportID
	OrgID      OrgID
	ThreadID   ThreadID
	MessageID  MessageID
	AuthorID   UserID // who wrote the reported message
	ReporterID UserID
	Reason     string
	// Excerpt is the reported message's plain text when it was reported,
	// so reviewers see what was reported even after it is edited or
	// deleted. Empty for an encrypted message (ciphertext is not text).
	Excerpt   string
	CreatedAt time.Time

	Resolved   bool
	Resolution Resolution
	ResolvedBy UserID
	ResolvedAt time.Time
	Note       string
}

// Resolution is how a report was resolved.
type Resolution string

// Resolutions.
const (
	// ResolutionDismissed: the message stays.
	ResolutionDismissed Resolution = "dismissed"
	// ResolutionRemoved: the message was deleted.
	ResolutionRemoved Resolution = "removed"
)

// NewReport is the input for reporting a message.
type NewReport struct {
	MessageRef
	Reason string
}

// ReportStatus selects reports by state.
type ReportStatus int

// Report statuses for listings.
const (
	ReportsOpen ReportStatus = iota
	ReportsResolved
	ReportsAll
)

// ReportFilter pages through an org's reports, newest first.
type ReportFilter struct {
	Status ReportStatus
	Before ReportID // exclusive; zero means from the newest
	Limit  int
}

// ReportResolve resolves a report.
type ReportResolve struct {
	ID         ReportID
	Resolution Resolution
	Note       string
}

// reportTopics is the audience of a report's events: its reporter and the
// thread's moderators. Telling the whole conversation who reported whom
// would invite retaliation; the org's admins review reports in the queue.
func reportTopics(r *Report, th *Thread) []string {
	topics := []string{TopicUser(r.ReporterID)}
	if th != nil {
		for _, id := range th.Moderators {
			if id != r.ReporterID {
				topics = append(topics, TopicUser(id))
			}
		}
	}
	return topics
}

// eventCopy is the report as events carry it: without the excerpt, so the
// event log holds no copy of the reported text.
func (r *Report) eventCopy() *Report {
	c := *r
	c.Excerpt = ""
	return &c
}

// ReportMessage reports a message the actor can read to its org's
// moderation queue, with a reason. Reporting a message again returns the
// first report unchanged. NotFound when the actor cannot read the message.
func (s *Service) ReportMessage(ctx context.Context, a Actor, in NewReport) (*Report, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if err := checkLen("reason", in.Reason, 1, MaxReportReasonLen); err != nil {
		return nil, err
	}
	var rep *Report
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, _, err := visibleMessageIn(ctx, w.tx, au, in.MessageRef, w.now)
		if err != nil {
			return err
		}
		if rep, err = w.tx.ReportByReporter(ctx, a.OrgID, m.ID, au.user.ID); err == nil {
			return nil
		} else if !isNotFound(err) {
			return err
		}
		excerpt := []rune(m.PlainText())
		if len(excerpt) > MaxReportExcerptLen {
			excerpt = excerpt[:MaxReportExcerptLen]
		}
		rep = &Report{OrgID: a.OrgID, ThreadID: th.ID, MessageID: m.ID, AuthorID: m.AuthorID, ReporterID: au.user.ID,
			Reason: in.Reason, Excerpt: string(excerpt), CreatedAt: w.now}
		if err := w.tx.InsertReport(ctx, rep); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventMessageReported, ActorID: au.user.ID, ThreadID: th.ID,
			Report: rep.eventCopy(), Topics: reportTopics(rep, th)})
	})
	return rep, err
}

// Reports lists the org's reports, newest first: Limit of them (default
// 50) with ids below Before. Admins only (Forbidden otherwise).
func (s *Service) Reports(ctx context.Context, a Actor, f ReportFilter) ([]*Report, error) {
	if f.Status < ReportsOpen || f.Status > ReportsAll {
		return nil, Invalidf("status", "Unknown report status.")
	}
	f.Limit = clampLimit(f.Limit, 50)
	var out []*Report
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if !canReviewReports(au) {
			return forbidden(au, "Only an admin can review reports.")
		}
		out, err = tx.Reports(ctx, a.OrgID, f)
		return err
	})
	return out, err
}

// ResolveReport resolves an open report: dismissed (the message stays) or
// removed (the message is deleted, as its moderator would delete it; a
// message already gone is simply recorded as removed). Admins only
// (Forbidden otherwise); NotFound for a report of another org; Conflict for
// a report already resolved.
func (s *Service) ResolveReport(ctx context.Context, a Actor, in ReportResolve) (*Report, error) {
	if in.ID == 0 {
		return nil, Invalidf("id", "The report id is required.")
	}
	if in.Resolution != ResolutionDismissed && in.Resolution != ResolutionRemoved {
		return nil, Invalidf("resolution", "Resolve a report as %q or %q.", ResolutionDismissed, ResolutionRemoved)
	}
	in.Note = strings.TrimSpace(in.Note)
	if err := checkLen("note", in.Note, 0, MaxReportNoteLen); err != nil {
		return nil, err
	}
	var rep *Report
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canReviewReports(au) {
			return forbidden(au, "Only an admin can review reports.")
		}
		if rep, err = w.tx.ReportByID(ctx, a.OrgID, in.ID); isNotFound(err) {
			return notFound("Report")
		} else if err != nil {
			return err
		}
		if rep.Resolved {
			return &Error{Code: Conflict, Message: "That report is already resolved.", Reason: "report_resolved"}
		}
		th, err := w.tx.ThreadByID(ctx, a.OrgID, rep.ThreadID)
		if err != nil {
			return err
		}
		if in.Resolution == ResolutionRemoved {
			m, err := w.tx.MessageByID(ctx, a.OrgID, rep.MessageID)
			switch {
			case err == nil && !m.Deleted:
				if err := tombstone(ctx, w, au, m, th); err != nil {
					return err
				}
			case err != nil && !isNotFound(err):
				return err
			}
		}
		rep.Resolved, rep.Resolution, rep.ResolvedBy, rep.ResolvedAt, rep.Note = true, in.Resolution, au.userID(), w.now, in.Note
		if err := w.tx.UpdateReport(ctx, rep); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventReportResolved, ActorID: au.userID(), ThreadID: th.ID,
			Report: rep.eventCopy(), Topics: reportTopics(rep, th)})
	})
	return rep, err
}
