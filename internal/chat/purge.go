package chat

import "context"

// purgeBatch is how many messages PurgeUser tombstones per query.
const purgeBatch = 500

// PurgeUser removes a user from the org: every message they wrote becomes a
// tombstone, their role assignments end, and the user is deleted, so their
// tokens stop working (ConvoForge's purge). Administrators only (Forbidden);
// NotFound (ReasonUserNotFound) for a user missing or deleted in the org.
func (s *Service) PurgeUser(ctx context.Context, a Actor, id UserID) error {
	return s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canAdminister(au) {
			return Errorf(Forbidden, "You do not have permission to manage users.")
		}
		u, err := conversationPeer(ctx, w.tx, au, id)
		if err != nil {
			return err
		}
		threads := map[ThreadID]*Thread{}
		for {
			msgs, err := w.tx.FindMessages(ctx, MessageQuery{OrgID: a.OrgID, AuthorID: u.ID, Limit: purgeBatch})
			if err != nil {
				return err
			}
			for _, m := range msgs {
				th := threads[m.ThreadID]
				if th == nil {
					if th, err = w.tx.ThreadByID(ctx, a.OrgID, m.ThreadID); err != nil {
						return err
					}
					threads[th.ID] = th
				}
				m.Deleted, m.Text, m.UpdatedAt = true, "", w.now
				if err := w.tx.UpdateMessage(ctx, m); err != nil {
					return err
				}
				if err := w.tx.AdjustThread(ctx, th.ID, -1, w.now); err != nil {
					return err
				}
				err = w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventMessageDeleted, ActorID: au.userID(), ThreadID: th.ID, Message: m, Topics: threadTopics(th)})
				if err != nil {
					return err
				}
			}
			if len(msgs) < purgeBatch {
				break
			}
		}
		if err := w.tx.DeleteUserRoles(ctx, a.OrgID, u.ID, 0); err != nil {
			return err
		}
		u.Deleted, u.UpdatedAt = true, w.now
		if err := w.tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventUserUpdated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(a.OrgID)}})
	})
}
