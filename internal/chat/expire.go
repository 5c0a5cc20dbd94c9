package chat

import (
	"context"
	"time"
)

// expireBatch is how many expired messages one unit of work deletes.
const expireBatch = 100

// ExpireDue deletes for good the messages whose time ran out at now (with
// their reactions, votes, edit history and copies in the event log), and
// announces each with a message.expired event that names it and carries
// nothing of its content. Several nodes may run it at once: each message is
// deleted, and announced, by exactly one of them. It returns how many
// messages it deleted.
func (s *Service) ExpireDue(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		var n, seen int
		var keys []string
		err := s.update(ctx, func(w *work) error {
			n, keys = 0, nil
			due, err := w.tx.DueExpiries(ctx, now, expireBatch)
			if err != nil {
				return err
			}
			seen = len(due)
			for _, m := range due {
				k, found, err := w.tx.PurgeMessage(ctx, m.OrgID, m.ID)
				if err != nil {
					return err
				}
				if !found {
					continue // another node got there first
				}
				keys = append(keys, k...)
				th, err := w.tx.ThreadByID(ctx, m.OrgID, m.ThreadID)
				if err != nil {
					return err
				}
				if !m.Deleted {
					if err := w.tx.AdjustThread(ctx, th.ID, -1, w.now); err != nil {
						return err
					}
				}
				stub := messageStub(m)
				stub.Deleted, stub.UpdatedAt, stub.ExpiresAt = true, w.now, m.ExpiresAt
				if err := w.emit(ctx, &Event{OrgID: m.OrgID, Type: EventMessageExpired, ThreadID: th.ID, Message: stub, Topics: threadTopics(th)}); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		s.removeFiles(ctx, keys)
		total += n
		if seen < expireBatch {
			return total, nil
		}
	}
}
