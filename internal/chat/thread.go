package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on thread fields.
const (
	MaxSubjectLen     = 300
	MaxSummaryLen     = 4000
	MaxTagLen         = 50
	MaxTags           = 20
	MaxParticipants   = 1000
	MaxThreadChannels = 10
)

// ThreadKind distinguishes topics in channels from conversations.
type ThreadKind int

// Thread kinds.
const (
	// KindTopic is a thread in one or more channels; readers are the
	// channels' readers.
	KindTopic ThreadKind = iota + 1
	// KindDirect is a conversation between exactly two users, one per pair.
	KindDirect
	// KindGroup is a conversation between its participants (groups, user-bot
	// chats, comment pages).
	KindGroup
)

func (k ThreadKind) String() string {
	switch k {
	case KindTopic:
		return "topic"
	case KindDirect:
		return "direct"
	case KindGroup:
		return "group"
	}
	return "unknown"
}

// Thread is the unit of conversation.
type Thread struct {
	ID       ThreadID
	OrgID    OrgID
	Kind     ThreadKind
	Key      string // unique in the org when set: a direct pair, a comment page id
	Subject  string
	Summary  string
	Tags     []string
	AuthorID UserID
	XID      string
	// URL is the page a comment thread belongs to.
	URL string
	// Metadata is an opaque JSON object a client attached.
	Metadata json.RawMessage

	Resolved bool
	Hidden   bool
	Deleted  bool
	// ReadPublic lets anyone in the org (signed in or not) read a
	// conversation; WritePublic lets any signed-in user of the org post.
	ReadPublic  bool
	WritePublic bool

	LastSeq   int64 // Seq of the newest message
	NumChats  int   // messages not deleted
	CreatedAt time.Time
	UpdatedAt time.Time // last activity

	ChannelIDs   []ChannelID
	Participants []UserID // sorted
	Moderators   []UserID // sorted; a subset of Participants
}

// NewThread is the input for starting a thread with its first message.
// Exactly one of ChannelIDs (a topic) or UserIDs (a conversation) is set.
type NewThread struct {
	Subject    string
	Text       string
	ChannelIDs []ChannelID
	UserIDs    []UserID // the other participants; the author is added
	Tags       []string
	XID        string
	// ClientMsgID makes the call idempotent per author: a retry with the same
	// id returns the original thread and message.
	ClientMsgID string
	Files       []FileID
}

func (in *NewThread) normalize() error {
	in.ChannelIDs = dedupe(in.ChannelIDs)
	in.UserIDs = dedupe(in.UserIDs)
	switch {
	case len(in.ChannelIDs) == 0 && len(in.UserIDs) == 0:
		return Invalidf("xsr_ids", "A thread needs at least one channel or one other participant.")
	case len(in.ChannelIDs) > 0 && len(in.UserIDs) > 0:
		return Invalidf("xsr_ids", "A thread is either in channels or between users, not both.")
	case len(in.ChannelIDs) > MaxThreadChannels:
		return Invalidf("xsr_ids", "A thread can be in at most %d channels.", MaxThreadChannels)
	case len(in.UserIDs) > MaxParticipants:
		return Invalidf("user_ids", "A conversation can have at most %d participants.", MaxParticipants)
	}
	if err := checkText("text", in.Text, MaxMessageLen); err != nil {
		return err
	}
	in.Subject = strings.TrimSpace(in.Subject)
	if in.Subject == "" {
		in.Subject = subjectFrom(in.Text)
	}
	if err := checkLen("subject", in.Subject, 0, MaxSubjectLen); err != nil {
		return err
	}
	if err := checkClientMsgID(in.ClientMsgID); err != nil {
		return err
	}
	tags, err := normalizeTags(in.Tags)
	in.Tags = tags
	return err
}

// subjectFrom derives a subject from a first message: its first line, cut at
// a word boundary near 100 characters.
func subjectFrom(text string) string {
	s := strings.TrimSpace(text)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	const max = 100
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return cut + "…"
}

func normalizeTags(tags []string) ([]string, error) {
	if len(tags) > MaxTags {
		return nil, Invalidf("tags", "A thread can have at most %d tags.", MaxTags)
	}
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if err := checkLen("tags", t, 1, MaxTagLen); err != nil {
			return nil, err
		}
		if strings.ContainsAny(t, ", \t\n") {
			return nil, Invalidf("tags", "Tag %q must be one word without commas.", t)
		}
		seen[t] = true
		out = append(out, t)
	}
	return out, nil
}

// ThreadFlags changes a thread's flags (PUT /v1/threads). Unset fields stay.
type ThreadFlags struct {
	ID       ThreadID
	Deleted  *bool
	Hidden   *bool
	Resolved *bool
}

// ThreadReaction is a reaction name with its count over a thread.
type ThreadReaction struct {
	Name  string
	Count int
}

// directKey is the key of the one direct conversation between two users.
func directKey(a, b UserID) string {
	if a > b {
		a, b = b, a
	}
	return fmt.Sprintf("dm:%d:%d", a, b)
}

// threadTopics is the audience of a change in th: the readers of its channels
// for a topic, the participants for a conversation, and subscribers of the
// thread itself.
func threadTopics(th *Thread) []string {
	topics := []string{TopicThread(th.ID)}
	if th.Kind == KindTopic {
		for _, id := range th.ChannelIDs {
			topics = append(topics, TopicChannel(id))
		}
		return topics
	}
	for _, id := range th.Participants {
		topics = append(topics, TopicUser(id))
	}
	return topics
}

// visibleThread loads a thread the actor can read and says what the actor may
// do in it. NotFound when the thread is missing, of another org, or unreadable.
func visibleThread(ctx context.Context, tx ReadTx, au *authority, id ThreadID) (*Thread, Access, error) {
	th, err := tx.ThreadByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) {
		return nil, 0, notFound("Thread")
	}
	if err != nil {
		return nil, 0, err
	}
	acc, err := accessToThread(ctx, tx, au, th)
	if err != nil {
		return nil, 0, err
	}
	if !acc.CanRead() {
		return nil, 0, notFound("Thread")
	}
	return th, acc, nil
}

// accessToThread loads what the policy needs and applies threadAccess.
func accessToThread(ctx context.Context, tx ReadTx, au *authority, th *Thread) (Access, error) {
	if err := au.loadChannelAccess(ctx, tx); err != nil {
		return 0, err
	}
	chans := map[ChannelID]*Channel{}
	for _, id := range th.ChannelIDs {
		ch, err := tx.ChannelByID(ctx, au.actor.OrgID, id)
		if err != nil && !isNotFound(err) {
			return 0, err
		}
		chans[id] = ch
	}
	return threadAccess(au, th, func(id ChannelID) Access { return channelAccess(au, chans[id]) }), nil
}

// StartThread starts a thread with its first message: a topic in channels the
// actor can write in, or a conversation with other users of the org (with one
// other user, the direct conversation of the pair, created on first use).
// NotFound for a channel or user the actor cannot see; Forbidden for a channel
// it can read but not write in. With a ClientMsgID, a retry returns the
// original thread and message.
func (s *Service) StartThread(ctx context.Context, a Actor, in NewThread) (*Thread, *Message, error) {
	if err := in.normalize(); err != nil {
		return nil, nil, err
	}
	var th *Thread
	var msg *Message
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if th, msg, err = s.replayed(ctx, w.tx, au, in.ClientMsgID); err != nil || msg != nil {
			return err
		}
		if th, err = s.openThread(ctx, w, au, &in); err != nil {
			return err
		}
		msg, err = s.post(ctx, w, au, th, NewMessage{ThreadID: th.ID, Text: in.Text, XID: in.XID, Files: in.Files, ClientMsgID: in.ClientMsgID})
		return err
	})
	if ErrorReason(err) == ConflictClientMsgID {
		// A concurrent retry with the same client id committed first.
		err = s.view(ctx, func(tx ReadTx) error {
			au, err := loadAuthority(ctx, tx, a)
			if err != nil {
				return err
			}
			th, msg, err = s.replayed(ctx, tx, au, in.ClientMsgID)
			return err
		})
	}
	return th, msg, err
}

// openThread creates the thread for in, or finds the direct conversation.
func (s *Service) openThread(ctx context.Context, w *work, au *authority, in *NewThread) (*Thread, error) {
	th := &Thread{OrgID: au.actor.OrgID, Kind: KindTopic, Subject: in.Subject, Tags: in.Tags, AuthorID: au.user.ID,
		XID: in.XID, CreatedAt: w.now, UpdatedAt: w.now, ChannelIDs: in.ChannelIDs, Participants: []UserID{au.user.ID}}
	if len(in.ChannelIDs) > 0 {
		if err := au.loadChannelAccess(ctx, w.tx); err != nil {
			return nil, err
		}
		for _, id := range in.ChannelIDs {
			ch, err := visibleChannel(ctx, w.tx, au, id)
			if err != nil {
				return nil, err
			}
			acc := channelAccess(au, ch)
			if !acc.CanRead() {
				return nil, notFound("Channel")
			}
			if !acc.CanWrite() {
				return nil, Errorf(Forbidden, "You cannot post in channel %q; join it first.", ch.Name)
			}
		}
	} else {
		for _, id := range in.UserIDs {
			u, err := w.tx.UserByID(ctx, au.actor.OrgID, id)
			if isNotFound(err) || err == nil && u.Deleted {
				return nil, notFound("User")
			}
			if err != nil {
				return nil, err
			}
			if id != au.user.ID {
				th.Participants = append(th.Participants, id)
			}
		}
		th.Kind = KindGroup
		th.ChannelIDs = nil
		if len(in.UserIDs) == 1 {
			th.Kind = KindDirect
			th.Key = directKey(au.user.ID, in.UserIDs[0])
			existing, err := w.tx.ThreadByKey(ctx, au.actor.OrgID, th.Key)
			if err == nil {
				return existing, nil
			}
			if !isNotFound(err) {
				return nil, err
			}
		}
	}
	slices.Sort(th.Participants)
	if err := w.tx.InsertThread(ctx, th); err != nil {
		return nil, err
	}
	return th, w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventThreadCreated, ActorID: au.user.ID, ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
}

// replayed returns the message an earlier send with the same client id
// stored, and its thread, or nils when there is none.
func (s *Service) replayed(ctx context.Context, tx ReadTx, au *authority, clientMsgID string) (*Thread, *Message, error) {
	if clientMsgID == "" || !au.signedIn() {
		return nil, nil, nil
	}
	m, err := tx.MessageByClientID(ctx, au.actor.OrgID, au.user.ID, clientMsgID)
	if isNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	th, err := tx.ThreadByID(ctx, au.actor.OrgID, m.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	return th, m, nil
}

// ThreadView is a thread as one reader sees it.
type ThreadView struct {
	Thread    *Thread
	Read      *ReadState // nil for anonymous readers
	Reactions []ThreadReaction
	Chats     []*Message // the newest, oldest first
	// Highlights are where a search's words occur (search results only).
	Highlights []Highlight
	// Similar are threads about the same things (Thread only).
	Similar []*Thread
}

// MaxThreadChats is how many of its newest chats Thread returns.
const MaxThreadChats = 1000

// Thread returns a thread the actor can read with its newest chats (oldest
// first, at most MaxThreadChats), its reactions, the reader's read state and
// up to MaxSimilar similar threads the reader can see. NotFound when the
// actor cannot read it.
func (s *Service) Thread(ctx context.Context, a Actor, id ThreadID) (*ThreadView, error) {
	var v ThreadView
	err := s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		if v.Thread, _, err = visibleThread(ctx, tx, au, id); err != nil {
			return err
		}
		if v.Similar, err = similarThreads(ctx, tx, scope, v.Thread); err != nil {
			return err
		}
		if v.Reactions, err = tx.ThreadReactions(ctx, id); err != nil {
			return err
		}
		if v.Chats, err = tx.Messages(ctx, MessageFilter{ThreadID: id, Limit: MaxThreadChats}); err != nil {
			return err
		}
		v.Chats = unexpired(v.Chats, s.Now())
		slices.Reverse(v.Chats)
		v.Read, err = readStateOf(ctx, tx, au, v.Thread)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// SetThreadFlags sets the deleted, hidden and resolved flags of threads of
// the actor's org, all or none. Administrators only; NotFound when any thread
// is not in the org.
func (s *Service) SetThreadFlags(ctx context.Context, a Actor, changes []ThreadFlags) error {
	if len(changes) == 0 {
		return Invalidf("id", "Name at least one thread.")
	}
	return s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canAdminister(au) {
			return forbidden(au, "Only an admin can hide or delete threads.")
		}
		for _, c := range changes {
			th, err := w.tx.ThreadByID(ctx, a.OrgID, c.ID)
			if isNotFound(err) {
				return notFound("Thread")
			}
			if err != nil {
				return err
			}
			if c.Deleted != nil {
				th.Deleted = *c.Deleted
			}
			if c.Hidden != nil {
				th.Hidden = *c.Hidden
			}
			if c.Resolved != nil {
				th.Resolved = *c.Resolved
			}
			if err := s.saveThread(ctx, w, au, th); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetThreadTags replaces a thread's tags. The thread's author or a moderator.
func (s *Service) SetThreadTags(ctx context.Context, a Actor, id ThreadID, tags []string) (*Thread, error) {
	tags, err := normalizeTags(tags)
	if err != nil {
		return nil, err
	}
	var th *Thread
	err = s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if th, _, err = visibleThread(ctx, w.tx, au, id); err != nil {
			return err
		}
		if !canSetTags(au, th) {
			return forbidden(au, "Only the thread's author or a moderator can tag it.")
		}
		th.Tags = tags
		return s.saveThread(ctx, w, au, th)
	})
	return th, err
}

func (s *Service) saveThread(ctx context.Context, w *work, au *authority, th *Thread) error {
	if err := w.tx.UpdateThread(ctx, th); err != nil {
		return err
	}
	return w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventThreadUpdated, ActorID: au.userID(), ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
}

// Tags counts the tags of the threads the actor can see, most used first.
func (s *Service) Tags(ctx context.Context, a Actor) ([]TagCount, error) {
	var tags []TagCount
	err := s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := requireMember(au); err != nil {
			return err
		}
		tags, err = tx.Tags(ctx, scope)
		return err
	})
	return tags, err
}

// actorScope loads the actor's authority and the scope of threads it sees.
func actorScope(ctx context.Context, tx ReadTx, a Actor) (*authority, ThreadScope, error) {
	au, err := loadAuthority(ctx, tx, a)
	if err != nil {
		return nil, ThreadScope{}, err
	}
	if err := au.loadChannelAccess(ctx, tx); err != nil {
		return nil, ThreadScope{}, err
	}
	chans, err := tx.ChannelList(ctx, a.OrgID)
	if err != nil {
		return nil, ThreadScope{}, err
	}
	return au, au.scope(chans), nil
}
