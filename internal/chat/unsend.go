package chat

import "context"

// UnsendMessage takes back one of the actor's messages for everyone: the
// message is deleted for good (with its reactions, votes and edit history,
// its copies in the event log, and its uploads), leaving a message.unsent
// event that names it and carries nothing of its content. Only the author
// may unsend. NotFound when the actor cannot read the message; Forbidden
// when it is not the author.
func (s *Service) UnsendMessage(ctx context.Context, a Actor, ref MessageRef) (*Message, error) {
	if err := ref.check(); err != nil {
		return nil, err
	}
	var (
		msg  *Message
		keys []string
	)
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, _, err := visibleMessageIn(ctx, w.tx, au, ref, w.now)
		if err != nil {
			return err
		}
		if !canUnsendMessage(au, m) {
			return Errorf(Forbidden, "Only the author can unsend a chat.")
		}
		var found bool
		if keys, found, err = w.tx.PurgeMessage(ctx, a.OrgID, m.ID); err != nil || !found {
			if err == nil {
				err = notFound("Chat")
			}
			return err
		}
		if err := w.tx.AdjustThread(ctx, th.ID, -1, w.now); err != nil {
			return err
		}
		msg = messageStub(m)
		msg.Deleted, msg.UpdatedAt = true, w.now
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventMessageUnsent, ActorID: au.user.ID, ThreadID: th.ID, Message: msg, Topics: threadTopics(th)})
	})
	if err != nil {
		return nil, err
	}
	s.removeFiles(ctx, keys)
	return msg, nil
}

// removeFiles deletes the bytes of files whose records a committed unit of
// work removed. It is best effort: a key left behind is unreachable.
func (s *Service) removeFiles(ctx context.Context, keys []string) {
	ctx = context.WithoutCancel(ctx)
	for _, k := range keys {
		_ = s.files.Delete(ctx, k)
	}
}
