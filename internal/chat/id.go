package chat

import "strconv"

// Typed identifiers. All are positive integers of at most 56 bits assigned by
// the database (identity columns): ordered, unique across nodes, and the same
// on both engines. Zero means "none".
type (
	OrgID     int64
	UserID    int64
	RoleID    int64
	GrantID   int64
	ChannelID int64
	ThreadID  int64
	MessageID int64
	FileID    int64
	FeedID    int64
	// ReportID names a report in the moderation queue.
	ReportID int64
	// ScheduledID names a message waiting for its time.
	ScheduledID int64
)

// MaxID is the largest identifier any surface has to render (56 bits).
const MaxID = 1<<56 - 1

// Kind names what an identifier refers to. Surfaces that encode the kind in
// their id format (the native API's typed hex, the compat UUIDs) use it.
type Kind byte

// Identifier kinds. The values are the native API's type digits.
const (
	KindMessage Kind = 1
	KindThread  Kind = 2
	KindChannel Kind = 3
	KindUser    Kind = 4
	KindOrg     Kind = 5
	KindFeed    Kind = 6
	KindFile    Kind = 7
	KindRole    Kind = 8
	KindGrant   Kind = 9
	// Kinds past 9 have no single digit; the native API writes them as
	// letters (see httpapi's ids.go).
	KindReport    Kind = 10
	KindScheduled Kind = 11
)

func (k Kind) String() string {
	switch k {
	case KindMessage:
		return "chat"
	case KindThread:
		return "thread"
	case KindChannel:
		return "channel"
	case KindUser:
		return "user"
	case KindOrg:
		return "org"
	case KindFeed:
		return "feed"
	case KindFile:
		return "file"
	case KindRole:
		return "role"
	case KindGrant:
		return "grant"
	case KindReport:
		return "report"
	case KindScheduled:
		return "scheduled message"
	}
	return "kind" + strconv.Itoa(int(k))
}
