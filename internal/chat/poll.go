package chat

import "context"

// Vote is one user's ballot in a poll.
type Vote struct {
	MessageID MessageID
	UserID    UserID
	Option    int // index into Poll.Options
}

// VoteInput casts or changes the actor's vote in a poll.
type VoteInput struct {
	MessageRef
	Option int
}

// Vote casts the actor's vote for one option of a poll, replacing its
// earlier vote: each user has one vote per poll. It returns the poll's
// message with the new counts. Voting again for the same option changes
// nothing (no event). Invalid when the message is not a poll or the option
// does not exist; NotFound when the actor cannot read the message;
// Forbidden when it cannot write in the thread.
func (s *Service) Vote(ctx context.Context, a Actor, in VoteInput) (*Message, error) {
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
		if !acc.CanWrite() {
			return Errorf(Forbidden, "You cannot vote in this thread.")
		}
		if m.Poll == nil {
			return Invalidf("chat_id", "That chat is not a poll.")
		}
		if in.Option < 0 || in.Option >= len(m.Poll.Options) {
			return Invalidf("option", "The poll has no option %d: options are numbered 0 to %d.", in.Option, len(m.Poll.Options)-1)
		}
		prev, err := w.tx.PollVote(ctx, m.ID, au.user.ID)
		switch {
		case err == nil && prev == in.Option:
			msg = m
			return nil
		case err != nil && !isNotFound(err):
			return err
		}
		if err := w.tx.Vote(ctx, m.ID, au.user.ID, in.Option, w.now); err != nil {
			return err
		}
		if msg, err = w.tx.MessageByID(ctx, a.OrgID, m.ID); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventPollVoted, ActorID: au.user.ID, ThreadID: th.ID, Message: msg,
			Vote: &Vote{MessageID: m.ID, UserID: au.user.ID, Option: in.Option}, Topics: threadTopics(th)})
	})
	return msg, err
}
