package chat

import (
	"context"
	"time"
)

// Store runs units of work against the database. View is read-only; Update
// commits fn's writes atomically or none of them. Units of work never nest.
// Update may run fn more than once when the database asks for a retry, so fn
// must have no effects outside tx.
//
// Errors from the store carry chat codes: NotFound for a missing row,
// Conflict for a uniqueness violation (Reason names the constraint), and
// Unavailable when the database is busy.
type Store interface {
	View(ctx context.Context, fn func(ReadTx) error) error
	Update(ctx context.Context, fn func(Tx) error) error
}

// Uniqueness constraints, reported as the Reason of Conflict errors.
const (
	ConflictUsername    = "username_taken"
	ConflictEmail       = "email_taken"
	ConflictHostname    = "hostname_taken"
	ConflictClientMsgID = "duplicate_client_msg_id"
	ConflictThreadKey   = "thread_key_taken"
)

// ThreadScope restricts thread queries to what one actor may see. The rule
// that fills it lives in policy.go; the store only applies it.
type ThreadScope struct {
	OrgID OrgID
	// Channels whose topic threads are visible.
	Channels []ChannelID
	// Participant: conversations this user takes part in are visible.
	Participant UserID
	// Hidden: threads flagged hidden are visible too.
	Hidden bool
}

// TagCount is how many visible threads carry a tag.
type TagCount struct {
	Tag   string
	Count int
}

// ReadTx reads. Every lookup is scoped to an org: a row of another org is
// NotFound, exactly as a missing one.
type ReadTx interface {
	OrgByID(ctx context.Context, id OrgID) (*Org, error)
	OrgBySlug(ctx context.Context, slug string) (*Org, error)
	OrgByHostname(ctx context.Context, hostname string) (*Org, error)
	OrgByJoinSecret(ctx context.Context, secret string) (*Org, error)
	Orgs(ctx context.Context) ([]*Org, error)
	OrgStats(ctx context.Context, org OrgID) (OrgStats, error)

	UserByID(ctx context.Context, org OrgID, id UserID) (*User, error)
	UserByUsername(ctx context.Context, org OrgID, username string) (*User, error)
	// Users lists the org's users that are not deleted, oldest first.
	Users(ctx context.Context, org OrgID, offset, limit int) ([]*User, error)
	CountUsers(ctx context.Context, org OrgID) (int, error)
	CountOwners(ctx context.Context, org OrgID) (int, error)

	// UserPerms is the union of the flags of the user's roles, counting only
	// roles and assignments that are not deleted.
	UserPerms(ctx context.Context, org OrgID, user UserID) (Perm, error)
	// ChannelGrants is the access the user's roles grant per channel.
	ChannelGrants(ctx context.Context, org OrgID, user UserID) (map[ChannelID]Access, error)

	ChannelByID(ctx context.Context, org OrgID, id ChannelID) (*Channel, error)
	// Channels lists the org's channels that are not deleted, with
	// NumThreads and Members filled in.
	Channels(ctx context.Context, org OrgID) ([]*Channel, error)
	// ChannelList lists the org's channels that are not deleted, without
	// NumThreads and Members: what a permission scope needs, cheaply.
	ChannelList(ctx context.Context, org OrgID) ([]*Channel, error)
	// MemberChannels lists the channels the user has joined.
	MemberChannels(ctx context.Context, org OrgID, user UserID) ([]ChannelID, error)
	ChannelMembers(ctx context.Context, ch ChannelID) ([]UserID, error)
	CountChannelThreads(ctx context.Context, ch ChannelID) (int, error)

	// ThreadByID returns the thread with ChannelIDs and Participants.
	ThreadByID(ctx context.Context, org OrgID, id ThreadID) (*Thread, error)
	ThreadByKey(ctx context.Context, org OrgID, key string) (*Thread, error)
	ThreadReactions(ctx context.Context, id ThreadID) ([]ThreadReaction, error)
	Tags(ctx context.Context, scope ThreadScope) ([]TagCount, error)
	// SearchThreads runs q within scope (see ThreadQuery). The threads come
	// with ChannelIDs, Participants and Tags. Deleted chats and threads are
	// never matched by terms.
	SearchThreads(ctx context.Context, scope ThreadScope, q ThreadQuery) ([]ThreadHit, error)

	// MessageByID returns a message with its attachments and reactions.
	MessageByID(ctx context.Context, org OrgID, id MessageID) (*Message, error)
	MessageByClientID(ctx context.Context, org OrgID, author UserID, clientMsgID string) (*Message, error)
	// Messages pages a thread newest first, with attachments and reactions.
	Messages(ctx context.Context, f MessageFilter) ([]*Message, error)

	// ReadState returns NotFound when the user never read the thread.
	ReadState(ctx context.Context, user UserID, thread ThreadID) (*ReadState, error)

	// Feeds lists the user's own feeds, oldest first.
	Feeds(ctx context.Context, org OrgID, user UserID) ([]*Feed, error)
	// FeedByID returns a stored feed of the org, whoever owns it.
	FeedByID(ctx context.Context, org OrgID, id FeedID) (*Feed, error)

	FileByID(ctx context.Context, org OrgID, id FileID) (*File, error)
	Files(ctx context.Context, org OrgID, ids []FileID) ([]*File, error)

	// EventsAfter returns up to limit events with ID > after, in ID order.
	EventsAfter(ctx context.Context, after int64, limit int) ([]*Event, error)
	// EventBounds returns the oldest retained event id minus one (the
	// horizon a resume cursor must not be older than) and the newest id.
	EventBounds(ctx context.Context) (horizon, last int64, err error)
}

// Tx reads and writes inside one unit of work.
type Tx interface {
	ReadTx

	// InsertOrg stores o and sets its ID. Conflict(ConflictHostname).
	InsertOrg(ctx context.Context, o *Org) error
	UpdateOrg(ctx context.Context, o *Org) error

	// InsertUser stores u and sets its ID. Conflict(ConflictUsername,
	// ConflictEmail).
	InsertUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error

	InsertChannel(ctx context.Context, c *Channel) error
	UpdateChannel(ctx context.Context, c *Channel) error
	// AddChannelMember is idempotent; it reports whether the user was added.
	AddChannelMember(ctx context.Context, ch ChannelID, user UserID, at time.Time) (bool, error)
	RemoveChannelMember(ctx context.Context, ch ChannelID, user UserID) (bool, error)
	// AutoJoinChannels lists the org's channels new members join.
	AutoJoinChannels(ctx context.Context, org OrgID) ([]ChannelID, error)

	// InsertThread stores t with its ChannelIDs and Participants and sets
	// its ID; its subject, summary and tags become searchable in the same
	// unit of work. Conflict(ConflictThreadKey).
	InsertThread(ctx context.Context, t *Thread) error
	// UpdateThread writes subject, summary, tags, flags, and keeps the search
	// index in step: a deleted thread and its chats leave it, an undeleted
	// one returns with its chats.
	UpdateThread(ctx context.Context, t *Thread) error
	// AddParticipants is idempotent.
	AddParticipants(ctx context.Context, thread ThreadID, users []UserID, at time.Time) error
	// NextSeq advances the thread's counters for one new message and returns
	// its Seq: last_seq+1, num_chats+1, updated_at = at.
	NextSeq(ctx context.Context, thread ThreadID, at time.Time) (int64, error)
	// AdjustThread adds delta to the thread's num_chats.
	AdjustThread(ctx context.Context, thread ThreadID, delta int, at time.Time) error

	// InsertMessage stores m and sets its ID; its text becomes searchable in
	// the same unit of work. Conflict(ConflictClientMsgID).
	InsertMessage(ctx context.Context, m *Message) error
	// UpdateMessage writes m's text and flags and re-indexes its text; a
	// deleted message leaves the search index.
	UpdateMessage(ctx context.Context, m *Message) error
	// SetReaction and DeleteReaction are blind writes; they report whether
	// anything changed.
	SetReaction(ctx context.Context, r Reaction, at time.Time) (bool, error)
	DeleteReaction(ctx context.Context, r Reaction) (bool, error)

	UpsertReadState(ctx context.Context, r *ReadState) error

	// InsertFeed stores f and sets its ID (never below FirstFeedID).
	InsertFeed(ctx context.Context, f *Feed) error
	// UpdateFeed writes f's name and filters.
	UpdateFeed(ctx context.Context, f *Feed) error
	DeleteFeed(ctx context.Context, org OrgID, id FeedID) error

	InsertFile(ctx context.Context, f *File) error
	AttachFiles(ctx context.Context, msg MessageID, files []FileID) error

	// AppendEvent adds e to the log. The store assigns e.ID when the unit of
	// work commits; ids are assigned in commit order, so a reader of the log
	// never sees a smaller id appear after a larger one.
	AppendEvent(ctx context.Context, e *Event) error
}
