package chat

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Limits on messages.
const (
	MaxMessageLen     = 40000
	MaxClientMsgIDLen = 100
	MaxReactionLen    = 64
	MaxAttachments    = 20
	// MaxPage is the largest page any listing returns.
	MaxPage = 500
)

// Message is one chat in a thread.
type Message struct {
	ID          MessageID
	OrgID       OrgID
	ThreadID    ThreadID
	Seq         int64 // per-thread order, from the thread's counter
	AuthorID    UserID
	Text        string
	XID         string
	ClientMsgID string
	ReplyTo     MessageID
	// ForwardedFrom is the message this one was forwarded from.
	ForwardedFrom MessageID
	Deleted       bool
	Edited        bool
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Tags are ordered labels (Convo's tag1 and tag2 are Tags[0], Tags[1]).
	Tags []string
	// Metadata is an opaque JSON object a client attached.
	Metadata json.RawMessage

	Pinned   bool
	PinnedAt time.Time
	PinnedBy UserID

	// Encrypted messages carry ciphertext in Text, are never indexed for
	// search, and keep the client's algorithm and signature.
	Encrypted           bool
	EncryptionAlgorithm string
	Signature           string

	// Poll, when set, makes the message a poll.
	Poll *Poll
	// ExpiresAt, when set, is when the message is deleted for good.
	ExpiresAt time.Time

	Attachments []Attachment
	Reactions   []Reaction // loaded on reads
}

// Attachment is a file attached to a message: an upload (FileID) or an
// external URL (voice notes and stickers may be either).
type Attachment struct {
	Kind        string // image, video, audio, file, voice, sticker
	FileID      FileID
	URL         string
	Name        string
	ContentType string
	Size        int64
}

// Poll is a question with options; each user has at most one vote.
type Poll struct {
	Question string
	Options  []string
	// Votes counts the votes per option (loaded on reads).
	Votes []int
}

// Reaction is one user's reaction to a message.
type Reaction struct {
	MessageID MessageID
	UserID    UserID
	Name      string
}

// NewMessage is the input for posting a message in an existing thread.
type NewMessage struct {
	ThreadID ThreadID
	Text     string
	XID      string
	ReplyTo  MessageID
	Files    []FileID
	// ClientMsgID makes the call idempotent per author: a retry with the same
	// id returns the original message and stores nothing new.
	ClientMsgID string

	// Rich content, checked in richmessage.go: attachments by URL (voice
	// notes, stickers), an encrypted payload (ciphertext in Text), a poll,
	// and a lifetime (Ephemeral, ExpiresIn) after which the message is
	// deleted for good.
	Attachments         []Attachment
	Encrypted           bool
	EncryptionAlgorithm string
	Signature           string
	Poll                *NewPoll
	Ephemeral           bool
	ExpiresIn           time.Duration

	// forwardOf is the message this one copies (ForwardMessage only).
	forwardOf *Message
}

func (in *NewMessage) normalize() error {
	if in.ThreadID == 0 {
		return Invalidf("thread_id", "The thread_id is required.")
	}
	if err := in.normalizeRich(); err != nil {
		return err
	}
	if err := in.checkBody(); err != nil {
		return err
	}
	if len(in.Files) > MaxAttachments {
		return Invalidf("images", "A message can have at most %d attachments.", MaxAttachments)
	}
	in.Files = dedupe(in.Files)
	return checkClientMsgID(in.ClientMsgID)
}

// MessageEdit replaces a message's text.
type MessageEdit struct {
	ID       MessageID
	ThreadID ThreadID // optional; when set it must match
	Text     string
}

func (in *MessageEdit) normalize() error {
	if in.ID == 0 {
		return Invalidf("id", "The id is required.")
	}
	return checkText("text", in.Text, MaxMessageLen)
}

// MessageFilter pages through a thread's messages, newest first.
type MessageFilter struct {
	ThreadID ThreadID
	Before   MessageID // exclusive; zero means from the newest
	Limit    int
}

// ReactionInput sets or removes a reaction (a blind, idempotent write).
type ReactionInput struct {
	MessageID MessageID
	// ThreadID, when set, must be the message's thread.
	ThreadID ThreadID
	Name     string
	Remove   bool
}

func (in *ReactionInput) normalize() error {
	if in.MessageID == 0 {
		return Invalidf("chat_id", "The chat_id is required.")
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := checkLen("name", in.Name, 1, MaxReactionLen); err != nil {
		return err
	}
	if strings.ContainsAny(in.Name, " \t\n") {
		return Invalidf("name", "A reaction name has no spaces.")
	}
	return nil
}

func checkClientMsgID(id string) error {
	if len(id) > MaxClientMsgIDLen {
		return Invalidf("client_msg_id", "The client_msg_id must be at most %d characters.", MaxClientMsgIDLen)
	}
	return nil
}

// clampLimit returns n bounded to [1, MaxPage], or def when n is zero.
func clampLimit(n, def int) int {
	switch {
	case n <= 0:
		return def
	case n > MaxPage:
		return MaxPage
	}
	return n
}

// post stores a message in th, whose access the caller has checked: it
// attaches the files, advances the thread's counters, makes the author a
// participant, marks the message read for its author, and announces it.
func (s *Service) post(ctx context.Context, w *work, au *authority, th *Thread, in NewMessage) (*Message, error) {
	var atts []Attachment
	if len(in.Files) > 0 {
		files, err := w.tx.Files(ctx, th.OrgID, in.Files)
		if err != nil {
			return nil, err
		}
		if len(files) != len(in.Files) {
			return nil, Invalidf("images", "An attached file was not found.")
		}
		for _, f := range files {
			if f.OwnerID != au.userID() || f.MessageID != 0 {
				return nil, Invalidf("images", "An attached file was not found.")
			}
			atts = append(atts, Attachment{FileID: f.ID, Name: f.Name, ContentType: f.ContentType, Size: f.Size})
		}
	}
	seq, err := w.tx.NextSeq(ctx, th.ID, w.now)
	if err != nil {
		return nil, err
	}
	m := &Message{OrgID: th.OrgID, ThreadID: th.ID, Seq: seq, AuthorID: au.userID(), Text: in.Text, XID: in.XID,
		ClientMsgID: in.ClientMsgID, ReplyTo: in.ReplyTo, CreatedAt: w.now, UpdatedAt: w.now, Attachments: atts}
	in.applyRich(m, w.now)
	if !m.ExpiresAt.IsZero() {
		w.wake = true
	}
	if err := w.tx.InsertMessage(ctx, m); err != nil {
		return nil, err
	}
	if len(atts) > 0 {
		if err := w.tx.AttachFiles(ctx, m.ID, in.Files); err != nil {
			return nil, err
		}
	}
	th.LastSeq, th.NumChats, th.UpdatedAt = seq, th.NumChats+1, w.now
	if au.signedIn() {
		if !slices.Contains(th.Participants, au.user.ID) {
			if err := w.tx.AddParticipants(ctx, th.ID, []UserID{au.user.ID}, w.now); err != nil {
				return nil, err
			}
			th.Participants = append(th.Participants, au.user.ID)
			slices.Sort(th.Participants)
		}
		rs := &ReadState{UserID: au.user.ID, ThreadID: th.ID, LastReadSeq: seq, LastReadID: m.ID, UpdatedAt: w.now}
		if prev, err := w.tx.ReadState(ctx, au.user.ID, th.ID); err == nil {
			rs.MutedUntil = prev.MutedUntil
		} else if !isNotFound(err) {
			return nil, err
		}
		if err := w.tx.UpsertReadState(ctx, rs); err != nil {
			return nil, err
		}
	}
	return m, w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventMessageCreated, ActorID: m.AuthorID, ThreadID: th.ID,
		Message: m, Thread: th, Topics: threadTopics(th)})
}

// PostMessage adds a message to a thread the actor can write in. NotFound
// when the actor cannot read the thread, Forbidden when it can read but not
// write. With a ClientMsgID, a retry returns the original message and stores
// nothing new.
func (s *Service) PostMessage(ctx context.Context, a Actor, in NewMessage) (*Message, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var msg *Message
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if _, msg, err = s.replayed(ctx, w.tx, au, in.ClientMsgID); err != nil || msg != nil {
			return err
		}
		th, acc, err := visibleThread(ctx, w.tx, au, in.ThreadID)
		if err != nil {
			return err
		}
		if !acc.CanWrite() {
			return Errorf(Forbidden, "You cannot post in this thread.")
		}
		if in.ReplyTo != 0 {
			if r, err := w.tx.MessageByID(ctx, a.OrgID, in.ReplyTo); err != nil || r.ThreadID != th.ID {
				return Invalidf("reply_to", "The message replied to is not in this thread.")
			}
		}
		msg, err = s.post(ctx, w, au, th, in)
		return err
	})
	if ErrorReason(err) == ConflictClientMsgID {
		err = s.view(ctx, func(tx ReadTx) error {
			au, err := loadAuthority(ctx, tx, a)
			if err != nil {
				return err
			}
			_, msg, err = s.replayed(ctx, tx, au, in.ClientMsgID)
			return err
		})
	}
	return msg, err
}

// visibleMessage loads a message, not deleted, in a thread the actor can
// read. NotFound otherwise.
func visibleMessage(ctx context.Context, tx ReadTx, au *authority, id MessageID) (*Message, *Thread, Access, error) {
	m, err := tx.MessageByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) || err == nil && m.Deleted {
		return nil, nil, 0, notFound("Chat")
	}
	if err != nil {
		return nil, nil, 0, err
	}
	th, acc, err := visibleThread(ctx, tx, au, m.ThreadID)
	if isNotFound(err) {
		return nil, nil, 0, notFound("Chat")
	}
	return m, th, acc, err
}

// Message returns one message with its reactions. NotFound when the actor
// cannot read it.
func (s *Service) Message(ctx context.Context, a Actor, id MessageID) (*Message, error) {
	var msg *Message
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		msg, _, _, err = visibleMessage(ctx, tx, au, id)
		if err == nil && msg.Expired(s.Now()) {
			msg, err = nil, notFound("Chat")
		}
		return err
	})
	return msg, err
}

// Messages pages a thread's messages newest first: Limit of them (default 50)
// with ids below Before. NotFound when the actor cannot read the thread.
func (s *Service) Messages(ctx context.Context, a Actor, f MessageFilter) ([]*Message, error) {
	f.Limit = clampLimit(f.Limit, 50)
	var msgs []*Message
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if _, _, err := visibleThread(ctx, tx, au, f.ThreadID); err != nil {
			return err
		}
		msgs, err = tx.Messages(ctx, f)
		msgs = unexpired(msgs, s.Now())
		return err
	})
	return msgs, err
}

// EditMessage replaces the text of the actor's own message, keeping the
// previous text in its edit history. NotFound when the actor cannot read it;
// Forbidden when it is not the author.
func (s *Service) EditMessage(ctx context.Context, a Actor, in MessageEdit) (*Message, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var msg *Message
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, _, err := visibleMessage(ctx, w.tx, au, in.ID)
		if err != nil {
			return err
		}
		if in.ThreadID != 0 && in.ThreadID != m.ThreadID {
			return Invalidf("thread_id", "The chat is not in that thread.")
		}
		if !canEditMessage(au, m) {
			return Errorf(Forbidden, "Only the author can edit a chat.")
		}
		if m.Text == in.Text {
			msg = m
			return nil
		}
		if err := w.tx.InsertEdit(ctx, m.ID, m.Text, w.now); err != nil {
			return err
		}
		m.Text, m.Edited, m.UpdatedAt = in.Text, true, w.now
		if err := w.tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		msg = m
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventMessageEdited, ActorID: au.userID(), ThreadID: th.ID, Message: m, Topics: threadTopics(th)})
	})
	return msg, err
}

// DeleteMessage deletes a message: its author or a moderator may. The text
// is erased; the message stays as a tombstone so sequence numbers hold.
func (s *Service) DeleteMessage(ctx context.Context, a Actor, id MessageID) (*Message, error) {
	return s.DeleteThreadMessage(ctx, a, MessageRef{MessageID: id})
}

// DeleteThreadMessage is DeleteMessage for a message named with its thread:
// Invalid when the message is in another thread.
func (s *Service) DeleteThreadMessage(ctx context.Context, a Actor, ref MessageRef) (*Message, error) {
	if err := ref.check(); err != nil {
		return nil, err
	}
	var msg *Message
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, _, err := visibleMessageIn(ctx, w.tx, au, ref, w.now)
		if err != nil {
			return err
		}
		if !canDeleteMessage(au, m) {
			return Errorf(Forbidden, "Only the author or a moderator can delete a chat.")
		}
		msg = m
		return tombstone(ctx, w, au, m, th)
	})
	return msg, err
}

// tombstone deletes m: its text is erased and it stays so sequence numbers
// hold.
func tombstone(ctx context.Context, w *work, au *authority, m *Message, th *Thread) error {
	m.Deleted, m.Text, m.UpdatedAt = true, "", w.now
	if err := w.tx.UpdateMessage(ctx, m); err != nil {
		return err
	}
	if err := w.tx.AdjustThread(ctx, th.ID, -1, w.now); err != nil {
		return err
	}
	return w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventMessageDeleted, ActorID: au.userID(), ThreadID: th.ID, Message: m, Topics: threadTopics(th)})
}

// React sets or removes the actor's reaction on a message: a blind,
// idempotent write. NotFound when the actor cannot read the message,
// Forbidden when it cannot write in its thread.
func (s *Service) React(ctx context.Context, a Actor, in ReactionInput) error {
	if err := in.normalize(); err != nil {
		return err
	}
	return s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, acc, err := visibleMessageIn(ctx, w.tx, au, MessageRef{ThreadID: in.ThreadID, MessageID: in.MessageID}, w.now)
		if err != nil {
			return err
		}
		if !acc.CanWrite() {
			return Errorf(Forbidden, "You cannot react in this thread.")
		}
		r := Reaction{MessageID: m.ID, UserID: au.user.ID, Name: in.Name}
		typ := EventReactionSet
		var changed bool
		if in.Remove {
			typ = EventReactionUnset
			changed, err = w.tx.DeleteReaction(ctx, r)
		} else {
			changed, err = w.tx.SetReaction(ctx, r, w.now)
		}
		if err != nil || !changed {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: typ, ActorID: au.user.ID, ThreadID: th.ID, Reaction: &r, Topics: threadTopics(th)})
	})
}
