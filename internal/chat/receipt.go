package chat

import "context"

// ReadMessage records that the actor read a message, and tells the thread's
// readers: a read receipt. The actor's read marker moves forward to the
// message (never back: reading an older message leaves it where it is).
// Unlike MarkRead, whose moves only the reader's own sessions see, the
// receipt goes to everyone who can read the thread. NotFound when the actor
// cannot read the message.
func (s *Service) ReadMessage(ctx context.Context, a Actor, ref MessageRef) (*ReadState, error) {
	if err := ref.check(); err != nil {
		return nil, err
	}
	var rs *ReadState
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, _, err := visibleMessageIn(ctx, w.tx, au, ref, w.now)
		if err != nil {
			return err
		}
		if rs, err = readStateOf(ctx, w.tx, au, th); err != nil {
			return err
		}
		if m.Seq > rs.LastReadSeq {
			rs.LastReadSeq, rs.LastReadID = m.Seq, m.ID
		}
		rs.UpdatedAt = w.now
		rs.NumUnread = unread(th.LastSeq, rs.LastReadSeq)
		if err := w.tx.UpsertReadState(ctx, rs); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventMessageRead, ActorID: au.user.ID, ThreadID: th.ID, UserID: au.user.ID,
			Message: messageStub(m), Read: rs, Topics: threadTopics(th)})
	})
	return rs, err
}
