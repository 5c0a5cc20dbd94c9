package chat

import (
	"context"
	"time"
)

// ReadState is one user's position in one thread.
type ReadState struct {
	UserID      UserID
	ThreadID    ThreadID
	LastReadSeq int64
	LastReadID  MessageID
	MutedUntil  time.Time
	UpdatedAt   time.Time
	// NumUnread is computed: the thread's last Seq minus LastReadSeq.
	NumUnread int64
}

// ReadInput moves a user's read marker in a thread to a message.
type ReadInput struct {
	ThreadID   ThreadID
	MessageID  MessageID // zero marks the whole thread unread
	MutedUntil *time.Time
}

// unread computes the unread count of a thread for a watermark.
func unread(lastSeq, readSeq int64) int64 {
	if n := lastSeq - readSeq; n > 0 {
		return n
	}
	return 0
}

// readStateOf returns the reader's state in th with its unread count, or a
// fresh one (everything unread) when the reader never read it; nil for
// anonymous readers.
func readStateOf(ctx context.Context, tx ReadTx, au *authority, th *Thread) (*ReadState, error) {
	if !au.signedIn() {
		return nil, nil
	}
	rs, err := tx.ReadState(ctx, au.user.ID, th.ID)
	if isNotFound(err) {
		rs, err = &ReadState{UserID: au.user.ID, ThreadID: th.ID}, nil
	}
	if err != nil {
		return nil, err
	}
	rs.NumUnread = unread(th.LastSeq, rs.LastReadSeq)
	return rs, nil
}

// MarkRead moves the actor's read marker in a thread to a message of it (or
// to the start, with no message) and returns the new state. NotFound when
// the actor cannot read the thread; Invalid when the message is not in it.
func (s *Service) MarkRead(ctx context.Context, a Actor, in ReadInput) (*ReadState, error) {
	var rs *ReadState
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		th, _, err := visibleThread(ctx, w.tx, au, in.ThreadID)
		if err != nil {
			return err
		}
		if rs, err = readStateOf(ctx, w.tx, au, th); err != nil {
			return err
		}
		rs.LastReadSeq, rs.LastReadID = 0, 0
		if in.MessageID != 0 {
			m, err := w.tx.MessageByID(ctx, a.OrgID, in.MessageID)
			if isNotFound(err) || err == nil && m.ThreadID != th.ID {
				return Invalidf("chat_id", "The chat is not in this thread.")
			}
			if err != nil {
				return err
			}
			rs.LastReadSeq, rs.LastReadID = m.Seq, m.ID
		}
		if in.MutedUntil != nil {
			rs.MutedUntil = in.MutedUntil.UTC().Truncate(time.Millisecond)
		}
		rs.UpdatedAt = w.now
		rs.NumUnread = unread(th.LastSeq, rs.LastReadSeq)
		if err := w.tx.UpsertReadState(ctx, rs); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventReadMoved, ActorID: au.user.ID, ThreadID: th.ID, UserID: au.user.ID,
			Read: rs, Topics: []string{TopicUser(au.user.ID)}})
	})
	return rs, err
}
