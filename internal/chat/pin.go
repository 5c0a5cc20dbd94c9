package chat

import "context"

// PinInput pins or unpins a message.
type PinInput struct {
	MessageRef
	Pin bool
}

// PinMessage pins a message in its thread, or unpins it: a blind,
// idempotent write (nothing changes and no event is written when the
// message already is as asked). Who may pin is canPinMessage's rule.
// NotFound when the actor cannot read the message; Forbidden when it may
// not pin it.
func (s *Service) PinMessage(ctx context.Context, a Actor, in PinInput) (*Message, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	var msg *Message
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, acc, err := visibleMessageIn(ctx, w.tx, au, in.MessageRef, w.now)
		if err != nil {
			return err
		}
		if !canPinMessage(au, th, m, acc) {
			return Errorf(Forbidden, "Only the thread's moderators and the chat's author can pin it.")
		}
		msg = m
		if m.Pinned == in.Pin {
			return nil
		}
		typ := EventMessagePinned
		if in.Pin {
			m.Pinned, m.PinnedAt, m.PinnedBy = true, w.now, au.user.ID
		} else {
			typ = EventMessageUnpinned
			m.Pinned, m.PinnedAt, m.PinnedBy = false, w.now, au.user.ID
		}
		if err := w.tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: typ, ActorID: au.user.ID, ThreadID: th.ID, Message: m, Topics: threadTopics(th)})
	})
	return msg, err
}
