package chat

import (
	"context"
	"time"
)

// RichReadTx holds the reads of the rich message features (polls, reports,
// scheduled and expiring messages). ReadTx embeds it.
type RichReadTx interface {
	// PollVote returns the option the user voted for; NotFound when none.
	PollVote(ctx context.Context, msg MessageID, user UserID) (int, error)

	// ReportByID returns a report of the org; NotFound otherwise.
	ReportByID(ctx context.Context, org OrgID, id ReportID) (*Report, error)
	// ReportByReporter returns the user's report of a message; NotFound
	// when there is none.
	ReportByReporter(ctx context.Context, org OrgID, msg MessageID, reporter UserID) (*Report, error)
	// Reports pages the org's reports newest first (f.Limit is set).
	Reports(ctx context.Context, org OrgID, f ReportFilter) ([]*Report, error)

	// ScheduledByID returns a scheduled message of the org; NotFound
	// otherwise.
	ScheduledByID(ctx context.Context, org OrgID, id ScheduledID) (*ScheduledMessage, error)
	// ScheduledMessages lists the author's scheduled messages by send time
	// (only pending ones unless f.All; f.Limit is set).
	ScheduledMessages(ctx context.Context, org OrgID, author UserID, f ScheduledFilter) ([]*ScheduledMessage, error)
	// CountScheduled counts the author's pending scheduled messages.
	CountScheduled(ctx context.Context, org OrgID, author UserID) (int, error)
	// DueScheduled returns up to limit pending, unclaimed scheduled
	// messages of every org due at now, the most overdue first.
	DueScheduled(ctx context.Context, now time.Time, limit int) ([]*ScheduledMessage, error)
	// NextScheduled returns the send time of the soonest pending scheduled
	// message, or the zero time.
	NextScheduled(ctx context.Context) (time.Time, error)

	// DueExpiries returns up to limit messages of every org whose expiry
	// is at or before now, the oldest expiry first.
	DueExpiries(ctx context.Context, now time.Time, limit int) ([]*Message, error)
	// NextExpiry returns the soonest expiry of a message, or the zero time.
	NextExpiry(ctx context.Context) (time.Time, error)
}

// RichTx holds the writes of the rich message features. Tx embeds it.
type RichTx interface {
	// PurgeMessage deletes a message of the org for good, with everything
	// that holds its content: reactions, poll votes, tags, earlier texts,
	// the records of its uploads, and the events that carry it (see
	// Event.AboutMessage). It returns the storage keys of the removed
	// uploads and whether the message was there to delete (false when a
	// concurrent unit of work deleted it first).
	PurgeMessage(ctx context.Context, org OrgID, id MessageID) (fileKeys []string, found bool, err error)

	// InsertReport stores r and sets its ID. Conflict(ConflictReport) when
	// the reporter already reported the message.
	InsertReport(ctx context.Context, r *Report) error
	// UpdateReport writes a report's resolution.
	UpdateReport(ctx context.Context, r *Report) error

	// InsertScheduled stores sm and sets its ID.
	InsertScheduled(ctx context.Context, sm *ScheduledMessage) error
	// ClaimScheduled claims a pending, unclaimed scheduled message for
	// node: a conditional update that succeeds for exactly one of several
	// concurrent units of work. It reports whether this one got it.
	ClaimScheduled(ctx context.Context, id ScheduledID, node string, at time.Time) (bool, error)
	// UpdateScheduled writes a scheduled message's state, message id,
	// failure and claim.
	UpdateScheduled(ctx context.Context, sm *ScheduledMessage) error
}
