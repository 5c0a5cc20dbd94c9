package chat

import "context"

// StopTyping announces that the actor stopped typing in a thread it can
// write in (before sending, or on leaving the field). Like Typing it is
// ephemeral: nothing is stored.
func (s *Service) StopTyping(ctx context.Context, a Actor, thread ThreadID) error {
	return s.announceTyping(ctx, a, thread, EventTypingStopped)
}

// announceTyping publishes a typing event of type typ to the thread's
// readers, if the actor can write in it.
func (s *Service) announceTyping(ctx context.Context, a Actor, thread ThreadID, typ EventType) error {
	var th *Thread
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		var acc Access
		if th, acc, err = visibleThread(ctx, tx, au, thread); err != nil {
			return err
		}
		if !acc.CanWrite() {
			return Errorf(Forbidden, "You cannot write in this thread.")
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.publish(&Event{OrgID: a.OrgID, Type: typ, ActorID: a.UserID, UserID: a.UserID, ThreadID: th.ID, At: s.Now(), Topics: threadTopics(th)})
	return nil
}
