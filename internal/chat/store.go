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
	ConflictNonceUsed   = "nonce_used"
	ConflictAPIKey      = "api_key_taken"
	ConflictReport      = "already_reported"
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

// Edit is an earlier text of an edited message.
type Edit struct {
	Text      string
	ChangedAt time.Time
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
	// ChannelThreads pages the topic threads of f.ChannelID that scope
	// allows (not deleted; hidden only with scope.Hidden), most recent
	// activity first, ties by the higher id, after f.Before when it is set.
	// f.Limit must be positive. Threads come with their sets loaded.
	ChannelThreads(ctx context.Context, scope ThreadScope, f ChannelThreadFilter) ([]*Thread, error)
	Tags(ctx context.Context, scope ThreadScope) ([]TagCount, error)
	// SearchThreads runs q within scope (see ThreadQuery). The threads come
	// with ChannelIDs, Participants and Tags. Deleted chats and threads are
	// never matched by terms.
	SearchThreads(ctx context.Context, scope ThreadScope, q ThreadQuery) ([]ThreadHit, error)

	// MessageByID returns a message with its attachments and reactions.
	MessageByID(ctx context.Context, org OrgID, id MessageID) (*Message, error)
	MessageByClientID(ctx context.Context, org OrgID, author UserID, clientMsgID string) (*Message, error)
	// ForwardsOf returns the ids of the messages forwarded from msg, not
	// deleted, newest first, at most limit.
	ForwardsOf(ctx context.Context, org OrgID, msg MessageID, limit int) ([]MessageID, error)
	// Edits returns a message's earlier texts, oldest first.
	Edits(ctx context.Context, msg MessageID) ([]Edit, error)
	// Messages pages a thread newest first, with attachments and reactions.
	Messages(ctx context.Context, f MessageFilter) ([]*Message, error)

	// ReadState returns NotFound when the user never read the thread.
	ReadState(ctx context.Context, user UserID, thread ThreadID) (*ReadState, error)
	// ReadStates returns the user's read states in those threads; a thread
	// the user never read has none.
	ReadStates(ctx context.Context, user UserID, threads []ThreadID) ([]*ReadState, error)

	// Feeds lists the user's own feeds, oldest first.
	Feeds(ctx context.Context, org OrgID, user UserID) ([]*Feed, error)
	// FeedByID returns a stored feed of the org, whoever owns it.
	FeedByID(ctx context.Context, org OrgID, id FeedID) (*Feed, error)

	FileByID(ctx context.Context, org OrgID, id FileID) (*File, error)

	// ActiveUsers lists the org's users seen at or after since.
	ActiveUsers(ctx context.Context, org OrgID, since time.Time) ([]UserID, error)
	Files(ctx context.Context, org OrgID, ids []FileID) ([]*File, error)

	// APIKeyByKey returns the key with that text, active or not.
	APIKeyByKey(ctx context.Context, key string) (*APIKey, error)
	// APIKeys lists the org's keys minted by owner (0: by the operator),
	// newest first.
	APIKeys(ctx context.Context, org OrgID, owner UserID) ([]*APIKey, error)
	// APIKeyUsage lists a key's request counts per period, oldest first.
	APIKeyUsage(ctx context.Context, key APIKeyID) ([]APIKeyUsage, error)

	// Comments lists the messages (not deleted) that match f, in id order.
	Comments(ctx context.Context, f CommentFilter) ([]*Message, error)
	// CountComments counts what Comments would list without Offset and Limit.
	CountComments(ctx context.Context, f CommentFilter) (int, error)
	// FindThreads lists the threads (not deleted) that match f, in id order,
	// with their sets loaded.
	FindThreads(ctx context.Context, f ThreadFilter) ([]*Thread, error)
	// CountThreads counts what FindThreads would list without Offset and
	// Limit.
	CountThreads(ctx context.Context, f ThreadFilter) (int, error)

	// EventsAfter returns up to limit events with ID > after, in ID order.
	EventsAfter(ctx context.Context, after int64, limit int) ([]*Event, error)
	// OrgEvents returns up to limit events of org with after < ID <= upTo,
	// in ID order.
	OrgEvents(ctx context.Context, org OrgID, after, upTo int64, limit int) ([]*Event, error)
	// EventBounds returns the oldest retained event id minus one (the
	// horizon a resume cursor must not be older than) and the newest id.
	EventBounds(ctx context.Context) (horizon, last int64, err error)

	// Roles and grants (ConvoForge's role administration). Every lookup is
	// scoped to org; rows of other orgs are NotFound.

	// RoleByID returns a role, deleted or not.
	RoleByID(ctx context.Context, org OrgID, id RoleID) (*Role, error)
	// Roles lists the org's roles that are not deleted, oldest first; with
	// user set, only those assigned to that user by an assignment that is
	// not deleted.
	Roles(ctx context.Context, org OrgID, user UserID) ([]*Role, error)
	// UserRoleByID returns an assignment, deleted or not.
	UserRoleByID(ctx context.Context, org OrgID, id GrantID) (*UserRole, error)
	// UserRoles lists the org's assignments that are not deleted, oldest
	// first: of one user when user is set, of one role when role is set.
	UserRoles(ctx context.Context, org OrgID, user UserID, role RoleID) ([]*UserRole, error)
	// ChannelRoleByID returns a channel grant, deleted or not.
	ChannelRoleByID(ctx context.Context, org OrgID, id GrantID) (*ChannelRole, error)
	// ChannelRoles lists the org's channel grants that are not deleted,
	// oldest first; of one channel when ch is set.
	ChannelRoles(ctx context.Context, org OrgID, ch ChannelID) ([]*ChannelRole, error)
	// ChannelGrantees returns, for each user (not deleted) holding a role
	// (not deleted, by an assignment not deleted) that a grant (not
	// deleted) gives access to ch, the union of that access.
	ChannelGrantees(ctx context.Context, org OrgID, ch ChannelID) (map[UserID]Access, error)

	// UsersByID returns the org's users with those ids, in id order; ids of
	// other orgs or missing users are left out.
	UsersByID(ctx context.Context, org OrgID, ids []UserID) ([]*User, error)
	// UserIDsByName lists the org's users (not deleted) whose display name
	// is exactly name.
	UserIDsByName(ctx context.Context, org OrgID, name string) ([]UserID, error)

	// FindMessages lists messages that are not deleted, newest first.
	FindMessages(ctx context.Context, q MessageQuery) ([]*Message, error)
	// ThreadReaders lists the users (not deleted) whose read marker in the
	// thread is at seq or later, in id order.
	ThreadReaders(ctx context.Context, thread ThreadID, seq int64) ([]UserID, error)
	// ThreadReads returns the position of the threads f selects and the
	// user's read marker in each, in thread id order.
	ThreadReads(ctx context.Context, f ThreadReadFilter) ([]ThreadRead, error)

	// MessageFiles lists the files attached to those messages, in id order.
	MessageFiles(ctx context.Context, org OrgID, msgs []MessageID) ([]*File, error)
	// FileByKey returns the org's file stored under key.
	FileByKey(ctx context.Context, org OrgID, key string) (*File, error)
	// ProfileFile returns the file of the user's profile image; NotFound
	// when the user has none.
	ProfileFile(ctx context.Context, org OrgID, user UserID) (FileID, error)
	BotReadTx // the bot platform (botstore.go)
	// Polls, reports, scheduled and expiring messages (richstore.go).
	RichReadTx
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
	// UpdateThread writes subject, summary, url, metadata, tags and flags, and keeps the search
	// index in step: a deleted thread and its chats leave it, an undeleted
	// one returns with its chats.
	UpdateThread(ctx context.Context, t *Thread) error
	// AddParticipants is idempotent.
	AddParticipants(ctx context.Context, thread ThreadID, users []UserID, at time.Time) error
	// SetModerator makes a participant a moderator of the thread or not.
	SetModerator(ctx context.Context, thread ThreadID, user UserID, moderator bool) error
	// RemoveParticipants is idempotent.
	RemoveParticipants(ctx context.Context, thread ThreadID, users []UserID) error
	// NextSeq advances the thread's counters for one new message and returns
	// its Seq: last_seq+1, num_chats+1, updated_at = at.
	NextSeq(ctx context.Context, thread ThreadID, at time.Time) (int64, error)
	// AdjustThread adds delta to the thread's num_chats.
	AdjustThread(ctx context.Context, thread ThreadID, delta int, at time.Time) error

	// InsertMessage stores m and sets its ID; its text becomes searchable in
	// the same unit of work. Conflict(ConflictClientMsgID).
	InsertMessage(ctx context.Context, m *Message) error
	// UpdateMessage writes everything but the thread, seq and author, and
	// re-indexes its text; a deleted message leaves the search index.
	UpdateMessage(ctx context.Context, m *Message) error
	// InsertEdit keeps a message's previous text.
	InsertEdit(ctx context.Context, msg MessageID, text string, at time.Time) error
	// Vote sets the user's vote in a poll (replacing an earlier one).
	Vote(ctx context.Context, msg MessageID, user UserID, option int, at time.Time) error
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

	// TouchPresence records that the user was active at at, and reports
	// whether it was away (or never seen) before.
	TouchPresence(ctx context.Context, org OrgID, user UserID, at time.Time) (wasAway bool, err error)
	// ExpirePresence marks away the users last active before cutoff that
	// are not yet away, and returns them by org.
	ExpirePresence(ctx context.Context, cutoff time.Time) (map[OrgID][]UserID, error)
	// PruneEvents deletes events created before before.
	PruneEvents(ctx context.Context, before time.Time) (int, error)

	// InsertAPIKey stores k and sets its ID. Conflict(ConflictAPIKey).
	InsertAPIKey(ctx context.Context, k *APIKey) error
	// RevokeAPIKey marks a key inactive as of at.
	RevokeAPIKey(ctx context.Context, key APIKeyID, at time.Time) error
	// CountAPIKeyUse adds one to the key's count for period and returns the
	// new count.
	CountAPIKeyUse(ctx context.Context, key APIKeyID, period string) (int64, error)
	// InsertNonce records that signer used nonce in org, until expires.
	// Conflict(ConflictNonceUsed) when it already did.
	InsertNonce(ctx context.Context, org OrgID, signer, nonce string, expires time.Time) error
	// PruneNonces forgets nonces that expired before before.
	PruneNonces(ctx context.Context, before time.Time) (int, error)
	// ReleaseThreadKey clears a thread's key, so that a new thread may take
	// it.
	ReleaseThreadKey(ctx context.Context, thread ThreadID) error

	// AppendEvent adds e to the log. The store assigns e.ID when the unit of
	// work commits; ids are assigned in commit order, so a reader of the log
	// never sees a smaller id appear after a larger one.
	AppendEvent(ctx context.Context, e *Event) error

	// InsertRole stores r and sets its ID.
	InsertRole(ctx context.Context, r *Role) error
	// UpdateRole writes the name, flags and deleted mark.
	UpdateRole(ctx context.Context, r *Role) error
	// InsertUserRole stores ur and sets its ID.
	InsertUserRole(ctx context.Context, ur *UserRole, at time.Time) error
	// UpdateUserRole writes the deleted mark.
	UpdateUserRole(ctx context.Context, ur *UserRole) error
	// DeleteUserRoles marks deleted every assignment of the user (when set)
	// and of the role (when set) in org.
	DeleteUserRoles(ctx context.Context, org OrgID, user UserID, role RoleID) error
	// InsertChannelRole stores cr and sets its ID.
	InsertChannelRole(ctx context.Context, cr *ChannelRole, at time.Time) error
	// UpdateChannelRole writes the access and the deleted mark.
	UpdateChannelRole(ctx context.Context, cr *ChannelRole) error
	// DeleteChannelRoles marks deleted every grant on ch.
	DeleteChannelRoles(ctx context.Context, org OrgID, ch ChannelID) error

	// DeleteFile removes a file's record (the bytes are the caller's).
	DeleteFile(ctx context.Context, org OrgID, id FileID) error
	// SetProfileFile records file as the user's profile image.
	SetProfileFile(ctx context.Context, org OrgID, user UserID, file FileID, at time.Time) error
	BotTx // the bot platform (botstore.go)
	// Purges, reports and scheduled messages (richstore.go).
	RichTx
}
