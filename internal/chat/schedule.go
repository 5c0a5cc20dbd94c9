package chat

import (
	"context"
	"slices"
	"time"
)

// Scheduling limits.
const (
	// MaxScheduleAhead is how far ahead a message may be scheduled.
	MaxScheduleAhead = 365 * 24 * time.Hour
	// scheduleBatch is how many due messages one unit of work delivers.
	scheduleBatch = 50
	// MaxScheduledPending is how many messages one user may have waiting.
	MaxScheduledPending = 1000
)

// ScheduledState is where a scheduled message is in its life.
type ScheduledState int

// Scheduled message states.
const (
	ScheduledPending ScheduledState = iota + 1
	ScheduledSent
	ScheduledFailed
	ScheduledCanceled
)

func (st ScheduledState) String() string {
	switch st {
	case ScheduledPending:
		return "pending"
	case ScheduledSent:
		return "sent"
	case ScheduledFailed:
		return "failed"
	case ScheduledCanceled:
		return "canceled"
	}
	return "unknown"
}

// ScheduledMessage is a message waiting for its time. Nobody but its author
// sees it until it is sent; then it is an ordinary message (MessageID).
type ScheduledMessage struct {
	ID       ScheduledID
	OrgID    OrgID
	ThreadID ThreadID
	AuthorID UserID
	// Message is what will be posted, as the author would post it.
	Message NewMessage
	SendAt  time.Time
	State   ScheduledState
	// MessageID is the message it became, once sent.
	MessageID MessageID
	// Failure says why it could not be sent (the author lost access to the
	// thread, for example).
	Failure string
	// ClaimedBy names the node that sent it (or found it could not).
	ClaimedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewScheduled is the input for scheduling a message.
type NewScheduled struct {
	Message NewMessage
	SendAt  time.Time
}

// ScheduledFilter lists the actor's scheduled messages by send time.
type ScheduledFilter struct {
	// All includes sent, failed and canceled ones; by default only those
	// still pending are listed.
	All   bool
	Limit int
}

// DueChanged is signalled (without blocking; one signal may stand for
// several) after a unit of work committed something with a due time on this
// node: a scheduled or an expiring message. The jobs runner waits on it.
func (s *Service) DueChanged() <-chan struct{} { return s.due }

func (s *Service) signalDue() {
	select {
	case s.due <- struct{}{}:
	default:
	}
}

// ScheduleMessage schedules a message to be posted at SendAt, with the
// actor's rights at that time. A time already past (or now) posts it at
// once and returns the message instead; a time more than MaxScheduleAhead
// ahead is Invalid. The thread must be one the actor can write in now
// (NotFound, Forbidden). Scheduled messages carry no uploads (attach by URL)
// and no client id.
func (s *Service) ScheduleMessage(ctx context.Context, a Actor, in NewScheduled) (*ScheduledMessage, *Message, error) {
	if in.SendAt.IsZero() {
		return nil, nil, Invalidf("send_at", "The time to send at is required.")
	}
	now := s.Now()
	if !in.SendAt.After(now) {
		msg, err := s.PostMessage(ctx, a, in.Message)
		return nil, msg, err
	}
	if in.SendAt.After(now.Add(MaxScheduleAhead)) {
		return nil, nil, Invalidf("send_at", "A chat can be scheduled at most %d days ahead.", int(MaxScheduleAhead/(24*time.Hour)))
	}
	if err := in.Message.normalize(); err != nil {
		return nil, nil, err
	}
	if len(in.Message.Files) > 0 {
		return nil, nil, Invalidf("images", "A scheduled chat cannot carry uploads; attach files by URL.")
	}
	if in.Message.ClientMsgID != "" {
		return nil, nil, Invalidf("client_msg_id", "A scheduled chat has no client_msg_id.")
	}
	var sm *ScheduledMessage
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if _, err := writableThread(ctx, w.tx, au, in.Message); err != nil {
			return err
		}
		n, err := w.tx.CountScheduled(ctx, a.OrgID, au.user.ID)
		if err != nil {
			return err
		}
		if n >= MaxScheduledPending {
			return Errorf(Conflict, "You have %d chats waiting to be sent; cancel some first.", n)
		}
		sm = &ScheduledMessage{OrgID: a.OrgID, ThreadID: in.Message.ThreadID, AuthorID: au.user.ID, Message: in.Message,
			SendAt: in.SendAt.UTC().Truncate(time.Millisecond), State: ScheduledPending, CreatedAt: w.now, UpdatedAt: w.now}
		if err := w.tx.InsertScheduled(ctx, sm); err != nil {
			return err
		}
		w.wake = true
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventMessageScheduled, ActorID: au.user.ID, ThreadID: sm.ThreadID,
			Scheduled: sm, Topics: []string{TopicUser(au.user.ID)}})
	})
	if err != nil {
		return nil, nil, err
	}
	return sm, nil, nil
}

// writableThread loads the thread a new message goes to and checks that the
// actor may write in it and that what it replies to is in it.
func writableThread(ctx context.Context, tx ReadTx, au *authority, in NewMessage) (*Thread, error) {
	th, err := tx.ThreadByID(ctx, au.actor.OrgID, in.ThreadID)
	if isNotFound(err) {
		return nil, notFound("Thread")
	}
	if err != nil {
		return nil, err
	}
	return th, checkWritable(ctx, tx, au, th, in)
}

// checkWritable checks that the actor may write in th (NotFound when it
// cannot even read it) and that what in replies to is in it.
func checkWritable(ctx context.Context, tx ReadTx, au *authority, th *Thread, in NewMessage) error {
	acc, err := accessToThread(ctx, tx, au, th)
	switch {
	case err != nil:
		return err
	case !acc.CanRead():
		return notFound("Thread")
	case !acc.CanWrite():
		return Errorf(Forbidden, "You cannot post in this thread.")
	}
	if in.ReplyTo != 0 {
		if r, err := tx.MessageByID(ctx, au.actor.OrgID, in.ReplyTo); err != nil || r.ThreadID != th.ID {
			return Invalidf("reply_to", "The message replied to is not in this thread.")
		}
	}
	return nil
}

// ScheduledMessages lists the actor's scheduled messages, soonest first.
func (s *Service) ScheduledMessages(ctx context.Context, a Actor, f ScheduledFilter) ([]*ScheduledMessage, error) {
	f.Limit = clampLimit(f.Limit, 100)
	var out []*ScheduledMessage
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		out, err = tx.ScheduledMessages(ctx, a.OrgID, au.user.ID, f)
		return err
	})
	return out, err
}

// CancelScheduled cancels one of the actor's pending scheduled messages.
// NotFound for a scheduled message of someone else; Conflict when it was
// already sent, failed or canceled.
func (s *Service) CancelScheduled(ctx context.Context, a Actor, id ScheduledID) (*ScheduledMessage, error) {
	var sm *ScheduledMessage
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		sm, err = w.tx.ScheduledByID(ctx, a.OrgID, id)
		if isNotFound(err) || err == nil && sm.AuthorID != au.user.ID {
			return notFound("Scheduled chat")
		}
		if err != nil {
			return err
		}
		// Claiming first makes cancel and delivery exclude each other: only
		// one of them changes a pending row.
		ok, err := w.tx.ClaimScheduled(ctx, sm.ID, s.node, w.now)
		if err != nil {
			return err
		}
		if !ok {
			return &Error{Code: Conflict, Message: "That chat was already " + sm.State.String() + ".", Reason: "scheduled_done"}
		}
		sm.State, sm.ClaimedBy, sm.UpdatedAt = ScheduledCanceled, s.node, w.now
		if err := w.tx.UpdateScheduled(ctx, sm); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventScheduledCanceled, ActorID: au.user.ID, ThreadID: sm.ThreadID,
			Scheduled: sm, Topics: []string{TopicUser(au.user.ID)}})
	})
	return sm, err
}

// NextDue returns when the next scheduled message is due or the next
// ephemeral message expires, whichever is sooner; zero when nothing waits.
func (s *Service) NextDue(ctx context.Context) (time.Time, error) {
	var next time.Time
	err := s.view(ctx, func(tx ReadTx) error {
		a, err := tx.NextScheduled(ctx)
		if err != nil {
			return err
		}
		b, err := tx.NextExpiry(ctx)
		if err != nil {
			return err
		}
		switch {
		case a.IsZero():
			next = b
		case b.IsZero() || a.Before(b):
			next = a
		default:
			next = b
		}
		return nil
	})
	return next, err
}

// PublishDue posts the scheduled messages due at now, each exactly once
// even when several nodes run it at once: a row is claimed with a
// conditional update in the same unit of work that posts it, so a claim and
// its message commit together or not at all. A message whose author may no
// longer post it (or that is otherwise refused) is marked failed and its
// author told. It returns how many messages it posted.
func (s *Service) PublishDue(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		var due []*ScheduledMessage
		if err := s.view(ctx, func(tx ReadTx) error {
			var err error
			due, err = tx.DueScheduled(ctx, now, scheduleBatch)
			return err
		}); err != nil {
			return total, err
		}
		if len(due) == 0 {
			return total, nil
		}
		n, err := s.deliver(ctx, due)
		if err != nil {
			if ErrorCode(err) == Unavailable || ctx.Err() != nil {
				return total, err
			}
			// One bad row must not hold up the others: deliver them one by
			// one, and mark failed a row that fails on its own.
			n = 0
			for _, sm := range due {
				k, err := s.deliver(ctx, []*ScheduledMessage{sm})
				if err != nil {
					if ErrorCode(err) == Unavailable || ctx.Err() != nil {
						return total + n, err
					}
					if ferr := s.failScheduled(ctx, sm, err); ferr != nil {
						return total + n, ferr
					}
				}
				n += k
			}
		}
		total += n
		if len(due) < scheduleBatch {
			return total, nil
		}
	}
}

// deliver claims and posts the given scheduled messages in one unit of work.
// A pending row never changes but to leave that state, so the copies read
// before the claim are current once the claim succeeds.
func (s *Service) deliver(ctx context.Context, due []*ScheduledMessage) (int, error) {
	n := 0
	err := s.update(ctx, func(w *work) error {
		n = 0
		b := &batch{authors: map[Actor]*authorityOrErr{}, threads: map[ThreadID]*Thread{}}
		for _, orig := range due {
			ok, err := w.tx.ClaimScheduled(ctx, orig.ID, s.node, w.now)
			if err != nil {
				return err
			}
			if !ok {
				continue // sent, failed or canceled elsewhere
			}
			sm := *orig
			msg, err := s.deliverOne(ctx, w, b, &sm)
			sm.ClaimedBy, sm.UpdatedAt = s.node, w.now
			switch {
			case err == nil:
				sm.State, sm.MessageID = ScheduledSent, msg.ID
				n++
			case refusal(err):
				sm.State, sm.Failure = ScheduledFailed, ErrorMessage(err)
				if err := w.emit(ctx, &Event{OrgID: sm.OrgID, Type: EventScheduledFailed, ActorID: sm.AuthorID, ThreadID: sm.ThreadID,
					Scheduled: &sm, Topics: []string{TopicUser(sm.AuthorID)}}); err != nil {
					return err
				}
			default:
				return err
			}
			if err := w.tx.UpdateScheduled(ctx, &sm); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// refusal reports whether err is the rules refusing a scheduled message
// (which fails it) rather than the system failing (which is retried).
func refusal(err error) bool {
	switch ErrorCode(err) {
	case Invalid, Unauthenticated, Forbidden, NotFound:
		return true
	}
	return false
}

// batch holds what the deliveries of one unit of work share: the authors'
// authorities and the threads, each loaded once. Nothing else writes in the
// unit of work, so they stay current, the threads kept so by post.
type batch struct {
	authors map[Actor]*authorityOrErr
	threads map[ThreadID]*Thread
}

// clone returns a copy of th that shares none of its slices.
func (th *Thread) clone() *Thread {
	c := *th
	c.Tags, c.ChannelIDs = slices.Clone(th.Tags), slices.Clone(th.ChannelIDs)
	c.Participants, c.Moderators = slices.Clone(th.Participants), slices.Clone(th.Moderators)
	return &c
}

type authorityOrErr struct {
	au  *authority
	err error
}

// deliverOne posts sm as its author, with the author's rights now. It
// checks everything before writing, so a refusal leaves nothing written.
func (s *Service) deliverOne(ctx context.Context, w *work, b *batch, sm *ScheduledMessage) (*Message, error) {
	a := MemberActor(sm.OrgID, sm.AuthorID)
	ae := b.authors[a]
	if ae == nil {
		ae = &authorityOrErr{}
		ae.au, ae.err = loadAuthority(ctx, w.tx, a)
		b.authors[a] = ae
	}
	if ae.err != nil {
		return nil, ae.err
	}
	in := sm.Message
	in.ThreadID = sm.ThreadID
	th := b.threads[sm.ThreadID]
	if th == nil || th.OrgID != sm.OrgID {
		var err error
		if th, err = w.tx.ThreadByID(ctx, sm.OrgID, sm.ThreadID); isNotFound(err) {
			return nil, notFound("Thread")
		} else if err != nil {
			return nil, err
		}
		b.threads[sm.ThreadID] = th
	}
	if err := checkWritable(ctx, w.tx, ae.au, th, in); err != nil {
		return nil, err
	}
	// post updates the thread it is given and the event keeps it: each
	// message gets its own copy, which the next one starts from.
	th = th.clone()
	m, err := s.post(ctx, w, ae.au, th, in)
	if err == nil {
		b.threads[sm.ThreadID] = th
	}
	return m, err
}

// failScheduled marks a scheduled message failed after its delivery failed
// on its own with err.
func (s *Service) failScheduled(ctx context.Context, orig *ScheduledMessage, cause error) error {
	return s.update(ctx, func(w *work) error {
		ok, err := w.tx.ClaimScheduled(ctx, orig.ID, s.node, w.now)
		if err != nil || !ok {
			return err
		}
		sm := *orig
		sm.State, sm.Failure, sm.ClaimedBy, sm.UpdatedAt = ScheduledFailed, ErrorMessage(cause), s.node, w.now
		if err := w.tx.UpdateScheduled(ctx, &sm); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: sm.OrgID, Type: EventScheduledFailed, ActorID: sm.AuthorID, ThreadID: sm.ThreadID,
			Scheduled: &sm, Topics: []string{TopicUser(sm.AuthorID)}})
	})
}
