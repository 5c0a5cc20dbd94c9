package chat

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file is the conversation view of the model, for products that address
// a message "to a channel" or "to a user" rather than to a thread (ConvoForge's
// recipient_type and reference_id). A channel's conversation is its timeline:
// one topic thread in that channel, keyed by the channel and opened on first
// use, so it is listed in the channel like any other thread. A user's
// conversation is the direct conversation of the two users, the same thread
// StartThread opens for them. Everything else (access, unread counts, events)
// is the threads' own.

// ConversationRef names a conversation: a channel's timeline or the direct
// conversation with another user. Exactly one field is set.
type ConversationRef struct {
	ChannelID ChannelID
	UserID    UserID // the other party, as seen by the one addressing it
}

func (r ConversationRef) validate() error {
	if (r.ChannelID == 0) == (r.UserID == 0) {
		return Invalidf("reference_id", "Name either a channel or a user.")
	}
	return nil
}

// Reasons of the conversation use cases' errors, for surfaces whose product
// had a distinct text for each.
const (
	ReasonChannelNotFound = "channel_not_found" // NotFound: no such channel in the org
	ReasonNoChannelAccess = "no_channel_access" // Forbidden: the actor cannot read the channel
	ReasonChannelReadOnly = "channel_read_only" // Forbidden: the actor can read but not write
	ReasonUserNotFound    = "user_not_found"    // NotFound: no such user in the org
	ReasonMessageNotFound = "message_not_found" // NotFound: no such message the actor can read
	ReasonFileNotFound    = "file_not_found"    // Invalid or NotFound: no such file of the actor's
	ReasonEmptyMessage    = "empty_message"     // Invalid: neither text nor attachments
)

// Limits of conversations.
const (
	// MaxConversationSearch is how many messages a conversation search
	// returns at most (ConvoForge's limit).
	MaxConversationSearch = 10
	// DefaultConversationPage is a conversation page's default size.
	DefaultConversationPage = 30
)

// timelineKey is the thread key of a channel's timeline.
func timelineKey(ch ChannelID) string { return "ch:" + itoa(int64(ch)) }

// parseDirectKey returns the two users of a direct conversation's key.
func parseDirectKey(key string) (a, b UserID, ok bool) {
	rest, found := strings.CutPrefix(key, "dm:")
	if !found {
		return 0, 0, false
	}
	as, bs, found := strings.Cut(rest, ":")
	if !found {
		return 0, 0, false
	}
	x, err1 := strconv.ParseInt(as, 10, 64)
	y, err2 := strconv.ParseInt(bs, 10, 64)
	if err1 != nil || err2 != nil || x <= 0 || y <= 0 {
		return 0, 0, false
	}
	return UserID(x), UserID(y), true
}

// ConversationOf returns the conversation th is, as party addresses it: the
// channel of a timeline, or the other user of a direct conversation (oneself
// in a conversation with oneself). It reports false for any other thread, and
// for a direct conversation party is not in.
func ConversationOf(th *Thread, party UserID) (ConversationRef, bool) {
	if th == nil {
		return ConversationRef{}, false
	}
	switch th.Kind {
	case KindTopic:
		if len(th.ChannelIDs) == 1 && th.Key == timelineKey(th.ChannelIDs[0]) {
			return ConversationRef{ChannelID: th.ChannelIDs[0]}, true
		}
	case KindDirect:
		a, b, ok := parseDirectKey(th.Key)
		switch {
		case !ok:
		case party == a:
			return ConversationRef{UserID: b}, true
		case party == b:
			return ConversationRef{UserID: a}, true
		}
	}
	return ConversationRef{}, false
}

// MessageQuery selects messages for FindMessages.
type MessageQuery struct {
	OrgID    OrgID
	ThreadID ThreadID // zero: every thread of the org
	AuthorID UserID   // zero: any author
	// Contains, when set, keeps messages whose text contains it (case
	// sensitive); encrypted messages never match.
	Contains string
	Offset   int
	Limit    int
}

// ThreadReadFilter selects threads for ThreadReads: the org's threads whose
// key is one of Keys and, with Direct, the direct conversations UserID takes
// part in.
type ThreadReadFilter struct {
	OrgID  OrgID
	UserID UserID
	Keys   []string
	Direct bool
}

// ThreadRead is a thread's position and one user's read marker in it.
type ThreadRead struct {
	ThreadID ThreadID
	Kind     ThreadKind
	Key      string
	LastSeq  int64
	ReadSeq  int64 // zero when the user never read it
}

// conversationChannel loads a conversation's channel and what au may do in
// it: NotFound for a channel missing or deleted in the org, Forbidden when au
// cannot read it.
func conversationChannel(ctx context.Context, tx ReadTx, au *authority, id ChannelID) (*Channel, Access, error) {
	if err := au.loadChannelAccess(ctx, tx); err != nil {
		return nil, 0, err
	}
	ch, err := tx.ChannelByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) || err == nil && ch.Deleted {
		return nil, 0, &Error{Code: NotFound, Reason: ReasonChannelNotFound, Message: "Channel not found."}
	}
	if err != nil {
		return nil, 0, err
	}
	acc := channelAccess(au, ch)
	if !acc.CanRead() {
		return nil, 0, &Error{Code: Forbidden, Reason: ReasonNoChannelAccess, Message: "You do not have access to this channel."}
	}
	return ch, acc, nil
}

// conversationPeer loads the other user of a direct conversation: NotFound
// for a user missing or deleted in the org.
func conversationPeer(ctx context.Context, tx ReadTx, au *authority, id UserID) (*User, error) {
	u, err := tx.UserByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) || err == nil && u.Deleted {
		return nil, &Error{Code: NotFound, Reason: ReasonUserNotFound, Message: "User not found."}
	}
	return u, err
}

// conversation is a resolved ConversationRef: its channel or peer, its thread
// (nil until opened) and what the actor may do in it.
type conversation struct {
	ref     ConversationRef
	channel *Channel
	peer    *User
	thread  *Thread
	access  Access
}

// findConversation resolves ref for au (a signed-in member) without opening
// anything.
func findConversation(ctx context.Context, tx ReadTx, au *authority, ref ConversationRef) (*conversation, error) {
	if err := ref.validate(); err != nil {
		return nil, err
	}
	c := &conversation{ref: ref}
	var key string
	var err error
	if ref.ChannelID != 0 {
		if c.channel, c.access, err = conversationChannel(ctx, tx, au, ref.ChannelID); err != nil {
			return nil, err
		}
		key = timelineKey(ref.ChannelID)
	} else {
		if c.peer, err = conversationPeer(ctx, tx, au, ref.UserID); err != nil {
			return nil, err
		}
		c.access = AccessRead | AccessWrite
		key = directKey(au.user.ID, ref.UserID)
	}
	th, err := tx.ThreadByKey(ctx, au.actor.OrgID, key)
	if isNotFound(err) {
		return c, nil
	}
	if err != nil {
		return nil, err
	}
	// An existing thread is judged by the thread rules too (hidden,
	// deleted, the channels it is in).
	if c.access, err = accessToThread(ctx, tx, au, th); err != nil {
		return nil, err
	}
	if !c.access.CanRead() {
		if ref.ChannelID != 0 {
			return nil, &Error{Code: Forbidden, Reason: ReasonNoChannelAccess, Message: "You do not have access to this channel."}
		}
		return nil, &Error{Code: NotFound, Reason: ReasonUserNotFound, Message: "User not found."}
	}
	c.thread = th
	return c, nil
}

// requireWrite returns Forbidden when the actor may only read c.
func (c *conversation) requireWrite() error {
	if c.access.CanWrite() {
		return nil
	}
	return &Error{Code: Forbidden, Reason: ReasonChannelReadOnly, Message: "You do not have permission to write to this channel."}
}

// openConversation returns c's thread, creating it on first use: the
// channel's timeline (a topic thread in the channel named after it), or the
// direct conversation of the two users.
func (s *Service) openConversation(ctx context.Context, w *work, au *authority, c *conversation) (*Thread, error) {
	if c.thread != nil {
		return c.thread, nil
	}
	if c.peer != nil {
		th, err := s.openThread(ctx, w, au, &NewThread{UserIDs: []UserID{c.peer.ID}})
		c.thread = th
		return th, err
	}
	th := &Thread{OrgID: au.actor.OrgID, Kind: KindTopic, Key: timelineKey(c.channel.ID), Subject: c.channel.Name,
		AuthorID: au.user.ID, CreatedAt: w.now, UpdatedAt: w.now, ChannelIDs: []ChannelID{c.channel.ID},
		Participants: []UserID{au.user.ID}, Tags: []string{}}
	if err := w.tx.InsertThread(ctx, th); err != nil {
		return nil, err
	}
	c.thread = th
	return th, w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventThreadCreated, ActorID: au.user.ID, ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
}

// retryOpen runs fn again once when a concurrent unit of work opened the same
// conversation first (the thread key is taken), so the second finds it.
func retryOpen(fn func() error) error {
	err := fn()
	if ErrorReason(err) == ConflictThreadKey {
		err = fn()
	}
	return err
}

// ConversationPost is a message for a conversation.
type ConversationPost struct {
	To    ConversationRef
	Text  string
	Files []FileID
}

func (in *ConversationPost) normalize() error {
	if err := in.To.validate(); err != nil {
		return err
	}
	in.Files = dedupe(in.Files)
	if len(in.Files) > MaxAttachments {
		return Invalidf("media_ids", "A message can have at most %d attachments.", MaxAttachments)
	}
	if strings.TrimSpace(in.Text) == "" && len(in.Files) == 0 {
		return &Error{Code: Invalid, Reason: ReasonEmptyMessage, Message: "A message needs text or an attachment.",
			Fields: map[string]string{"content": "required"}}
	}
	return checkLen("content", in.Text, 0, MaxMessageLen)
}

// PostTo posts a message into a conversation, opening it on first use, and
// attaches the actor's unattached files to it. Errors: NotFound
// (ReasonChannelNotFound, ReasonUserNotFound) for a channel or user not in
// the org; Forbidden (ReasonNoChannelAccess) when the actor cannot read the
// channel and (ReasonChannelReadOnly) when it cannot write in it; Invalid
// (ReasonFileNotFound) for a file that is not the actor's or is attached
// already, and (ReasonEmptyMessage) for a message with neither text nor
// files.
func (s *Service) PostTo(ctx context.Context, a Actor, in ConversationPost) (*Message, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var msg *Message
	err := retryOpen(func() error {
		return s.update(ctx, func(w *work) error {
			au, err := loadMember(ctx, w.tx, a)
			if err != nil {
				return err
			}
			c, err := findConversation(ctx, w.tx, au, in.To)
			if err != nil {
				return err
			}
			if err := c.requireWrite(); err != nil {
				return err
			}
			if err := checkOwnFiles(ctx, w.tx, au, in.Files); err != nil {
				return err
			}
			th, err := s.openConversation(ctx, w, au, c)
			if err != nil {
				return err
			}
			msg, err = s.post(ctx, w, au, th, NewMessage{ThreadID: th.ID, Text: in.Text, Files: in.Files})
			return err
		})
	})
	return msg, err
}

// checkOwnFiles checks that every file is the actor's and not attached yet.
func checkOwnFiles(ctx context.Context, tx ReadTx, au *authority, ids []FileID) error {
	if len(ids) == 0 {
		return nil
	}
	files, err := tx.Files(ctx, au.actor.OrgID, ids)
	if err != nil {
		return err
	}
	ok := len(files) == len(ids)
	for _, f := range files {
		ok = ok && f.OwnerID == au.userID() && f.MessageID == 0
	}
	if !ok {
		return &Error{Code: Invalid, Reason: ReasonFileNotFound, Message: "Media not found.", Fields: map[string]string{"media_ids": "not found"}}
	}
	return nil
}

// ConversationMessages pages a conversation's messages newest first: limit
// of them (DefaultConversationPage when zero) after skipping offset. A
// conversation never opened has none. Errors as PostTo's, for reading.
func (s *Service) ConversationMessages(ctx context.Context, a Actor, ref ConversationRef, offset, limit int) ([]*Message, error) {
	msgs := []*Message{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		c, err := findConversation(ctx, tx, au, ref)
		if err != nil || c.thread == nil {
			return err
		}
		msgs, err = tx.FindMessages(ctx, MessageQuery{OrgID: a.OrgID, ThreadID: c.thread.ID, Offset: max(offset, 0),
			Limit: clampLimit(limit, DefaultConversationPage)})
		return err
	})
	return msgs, err
}

// ConversationSearch looks for messages in one conversation.
type ConversationSearch struct {
	In   ConversationRef
	From UserID // only messages by this user, when set
	Text string // only messages containing it, when set
}

// SearchConversation returns up to MaxConversationSearch messages of a
// conversation, newest first, that match q. Errors as PostTo's, for reading.
func (s *Service) SearchConversation(ctx context.Context, a Actor, q ConversationSearch) ([]*Message, error) {
	msgs := []*Message{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		c, err := findConversation(ctx, tx, au, q.In)
		if err != nil || c.thread == nil {
			return err
		}
		msgs, err = tx.FindMessages(ctx, MessageQuery{OrgID: a.OrgID, ThreadID: c.thread.ID, AuthorID: q.From, Contains: q.Text,
			Limit: MaxConversationSearch})
		return err
	})
	return msgs, err
}

// ViewConversation marks everything in a conversation read by the actor
// (ConvoForge's "last viewed"), so it no longer counts as unread. Errors as
// PostTo's, for reading.
func (s *Service) ViewConversation(ctx context.Context, a Actor, ref ConversationRef) error {
	return s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		c, err := findConversation(ctx, w.tx, au, ref)
		if err != nil || c.thread == nil {
			return err
		}
		rs, err := readStateOf(ctx, w.tx, au, c.thread)
		if err != nil || rs.LastReadSeq >= c.thread.LastSeq {
			return err
		}
		newest, err := w.tx.FindMessages(ctx, MessageQuery{OrgID: a.OrgID, ThreadID: c.thread.ID, Limit: 1})
		if err != nil {
			return err
		}
		rs.LastReadSeq, rs.LastReadID, rs.UpdatedAt, rs.NumUnread = c.thread.LastSeq, 0, w.now, 0
		if len(newest) > 0 {
			rs.LastReadID = newest[0].ID
		}
		if err := w.tx.UpsertReadState(ctx, rs); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventReadMoved, ActorID: au.user.ID, ThreadID: c.thread.ID, UserID: au.user.ID,
			Read: rs, Topics: []string{TopicUser(au.user.ID)}})
	})
}

// Unread lists the conversations with messages the actor has not read: the
// timelines of the channels it can read, in channel order, then its direct
// conversations, oldest first.
func (s *Service) Unread(ctx context.Context, a Actor) ([]ConversationRef, error) {
	out := []ConversationRef{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := requireMember(au); err != nil {
			return err
		}
		keys := make([]string, len(scope.Channels))
		for i, id := range scope.Channels {
			keys[i] = timelineKey(id)
		}
		reads, err := tx.ThreadReads(ctx, ThreadReadFilter{OrgID: a.OrgID, UserID: au.user.ID, Keys: keys, Direct: true})
		if err != nil {
			return err
		}
		unreadKeys := map[string]bool{}
		var direct []ConversationRef
		for _, r := range reads {
			if unread(r.LastSeq, r.ReadSeq) == 0 {
				continue
			}
			if r.Kind == KindDirect {
				if ref, ok := ConversationOf(&Thread{Kind: KindDirect, Key: r.Key}, au.user.ID); ok {
					direct = append(direct, ref)
				}
				continue
			}
			unreadKeys[r.Key] = true
		}
		for _, id := range scope.Channels {
			if unreadKeys[timelineKey(id)] {
				out = append(out, ConversationRef{ChannelID: id})
			}
		}
		out = append(out, direct...)
		return nil
	})
	return out, err
}

// TypingTo announces that the actor is typing in a conversation it can write
// in (opening it on first use) to the conversation's other readers. Errors
// as PostTo's.
func (s *Service) TypingTo(ctx context.Context, a Actor, ref ConversationRef) error {
	var th *Thread
	err := retryOpen(func() error {
		return s.update(ctx, func(w *work) error {
			au, err := loadMember(ctx, w.tx, a)
			if err != nil {
				return err
			}
			c, err := findConversation(ctx, w.tx, au, ref)
			if err != nil {
				return err
			}
			if err := c.requireWrite(); err != nil {
				return err
			}
			th, err = s.openConversation(ctx, w, au, c)
			return err
		})
	})
	if err != nil {
		return err
	}
	s.publish(&Event{OrgID: a.OrgID, Type: EventTyping, ActorID: a.UserID, UserID: a.UserID, ThreadID: th.ID, At: s.Now(), Topics: threadTopics(th)})
	return nil
}

// ConversationThread returns a thread the actor can read, without its
// messages, so that a surface can tell with ConversationOf which
// conversation it is. NotFound when the actor cannot read it.
func (s *Service) ConversationThread(ctx context.Context, a Actor, id ThreadID) (*Thread, error) {
	var th *Thread
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		th, _, err = visibleThread(ctx, tx, au, id)
		return err
	})
	return th, err
}

// MessageConversation returns a message the actor can read with the thread
// it is in, when that thread is a conversation. NotFound
// (ReasonMessageNotFound) otherwise: missing, deleted, unreadable, or in a
// thread that is not a conversation.
func (s *Service) MessageConversation(ctx context.Context, a Actor, id MessageID) (*Message, *Thread, error) {
	var msg *Message
	var th *Thread
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		msg, th, _, err = visibleMessage(ctx, tx, au, id)
		if isNotFound(err) || err == nil && !isConversation(th, msg.AuthorID) {
			return &Error{Code: NotFound, Reason: ReasonMessageNotFound, Message: "Message not found."}
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return msg, th, nil
}

func isConversation(th *Thread, party UserID) bool {
	_, ok := ConversationOf(th, party)
	return ok
}

// sortedUsers returns ids sorted without duplicates.
func sortedUsers(ids []UserID) []UserID {
	out := dedupe(ids)
	slices.Sort(out)
	return out
}

// retireChannel marks ch deleted, refusing (Conflict) while threads other
// than its timeline are in it. The timeline is part of the channel and is
// deleted with it, and so are the role grants on it.
func (s *Service) retireChannel(ctx context.Context, w *work, ch *Channel) error {
	n, err := w.tx.CountChannelThreads(ctx, ch.ID)
	if err != nil {
		return err
	}
	timeline, err := w.tx.ThreadByKey(ctx, ch.OrgID, timelineKey(ch.ID))
	switch {
	case isNotFound(err):
		timeline = nil
	case err != nil:
		return err
	case !timeline.Deleted:
		n--
	}
	if n > 0 {
		return &Error{Code: Conflict, Reason: "channel_not_empty",
			Message: fmt.Sprintf("The channel still has %d threads; move or delete them first.", n)}
	}
	if timeline != nil && !timeline.Deleted {
		timeline.Deleted = true
		if err := w.tx.UpdateThread(ctx, timeline); err != nil {
			return err
		}
		err := w.emit(ctx, &Event{OrgID: ch.OrgID, Type: EventThreadUpdated, ThreadID: timeline.ID, Thread: timeline, Topics: threadTopics(timeline)})
		if err != nil {
			return err
		}
	}
	if err := w.tx.DeleteChannelRoles(ctx, ch.OrgID, ch.ID); err != nil {
		return err
	}
	ch.Deleted = true
	return nil
}
