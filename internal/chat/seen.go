package chat

import (
	"context"
	"slices"
)

// Seen receipts are the read state seen from the other side: a user has seen
// a message when their read marker in its thread is at that message or
// later. Marking messages seen moves the marker forward, never back, so no
// per-message rows or counters are kept.

// MaxSeenBatch is how many messages one MarkSeen call may name.
const MaxSeenBatch = 1000

// MarkSeen records that the actor has seen messages: in each of their
// threads the actor's read marker moves forward to the newest of them (never
// back). Messages missing, deleted or unreadable to the actor are skipped.
func (s *Service) MarkSeen(ctx context.Context, a Actor, ids []MessageID) error {
	ids = dedupe(ids)
	if len(ids) > MaxSeenBatch {
		return Invalidf("ids", "Name at most %d messages at once.", MaxSeenBatch)
	}
	return s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		newest := map[ThreadID]*Message{}
		threads := map[ThreadID]*Thread{}
		for _, id := range ids {
			m, th, _, err := visibleMessage(ctx, w.tx, au, id)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			threads[th.ID] = th
			if n := newest[th.ID]; n == nil || m.Seq > n.Seq {
				newest[th.ID] = m
			}
		}
		order := make([]ThreadID, 0, len(newest))
		for id := range newest {
			order = append(order, id)
		}
		slices.Sort(order)
		for _, id := range order {
			m, th := newest[id], threads[id]
			rs, err := readStateOf(ctx, w.tx, au, th)
			if err != nil {
				return err
			}
			if rs.LastReadSeq >= m.Seq {
				continue
			}
			rs.LastReadSeq, rs.LastReadID, rs.UpdatedAt = m.Seq, m.ID, w.now
			rs.NumUnread = unread(th.LastSeq, rs.LastReadSeq)
			if err := w.tx.UpsertReadState(ctx, rs); err != nil {
				return err
			}
			err = w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventReadMoved, ActorID: au.user.ID, ThreadID: th.ID, UserID: au.user.ID,
				Read: rs, Topics: []string{TopicUser(au.user.ID)}})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// SeenBy lists, in id order, the users who have seen a message: those whose
// read marker in its thread is at the message or later (its author has seen
// it). NotFound (ReasonMessageNotFound) when the actor cannot read the
// message or it is deleted.
func (s *Service) SeenBy(ctx context.Context, a Actor, id MessageID) ([]UserID, error) {
	var users []UserID
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		m, _, _, err := visibleMessage(ctx, tx, au, id)
		if isNotFound(err) {
			return &Error{Code: NotFound, Reason: ReasonMessageNotFound, Message: "Message not found."}
		}
		if err != nil {
			return err
		}
		users, err = tx.ThreadReaders(ctx, m.ThreadID, m.Seq)
		return err
	})
	return users, err
}
