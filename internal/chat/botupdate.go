package chat

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Bot updates. A bot's update is a message a user sent in one of the bot's
// chats. Updates are not stored anywhere but in the event log: each bot has
// a position in the log (BotState.Position), and its updates are the
// message.created events after it that belong to its chats. A bot receives
// them either through its webhook, POSTed by a delivery job that calls
// DeliverWebhook, or by polling BotUpdates (Telegram's getUpdates), never
// both at once. Either way the position only moves once the bot has its
// updates, so nothing is lost across restarts, and every update arrives at
// least once.

// MinEventRetention is the shortest time the event log may keep events: bot
// updates live in the log, and a bot may collect them up to a day late.
const MinEventRetention = 24 * time.Hour

// Limits of the update queue.
const (
	MaxUpdatesTimeout = 50 * time.Second
	MaxUpdatesLimit   = 100
)

// BotUpdate is one update for a bot: a new message in one of its chats.
type BotUpdate struct {
	ID int64 // the update id: the event's id in the log
	BotMessage
}

// updateCandidate reports whether ev may be an update for bot: a new message
// by someone else in a conversation the bot takes part in. Whether that
// conversation is one of the bot's chats is asked of the store.
func updateCandidate(ev *Event, bot UserID) bool {
	return ev.Type == EventMessageCreated && ev.Message != nil && ev.Message.AuthorID != bot &&
		slices.Contains(ev.Topics, TopicUser(bot))
}

// wakesWatch reports whether ev should wake a watch of bot: it may be an
// update, or the bot's webhook changed (a failing bot set it again: try it
// now rather than at the retry time).
func wakesWatch(ev *Event, bot UserID) bool {
	return updateCandidate(ev, bot) || ev.Type == EventBotWebhookChanged && ev.UserID == bot
}

// isBotUpdate reports whether a message in chat c is an update for bot: the
// chat is the bot's and its user wrote it.
func isBotUpdate(c *BotChat, m *Message, bot UserID) bool {
	return c != nil && m != nil && c.BotID == bot && c.ThreadID == m.ThreadID && m.AuthorID == c.UserID
}

// pendingUpdates reads up to limit updates of bot after position. scanned is
// how far the log was read: every update up to it is in ups, so a caller that
// found none may move the position there. Events that are not updates (the
// bot's own messages, other conversations) are read past, batch by batch,
// until an update or the end of the log.
func pendingUpdates(ctx context.Context, tx ReadTx, org OrgID, bot UserID, position int64, limit int) (ups []*BotUpdate, scanned int64, err error) {
	_, last, err := tx.EventBounds(ctx)
	if err != nil || last <= position {
		return nil, position, err
	}
	for scanned = position; ; {
		evs, err := tx.TopicEvents(ctx, org, TopicUser(bot), EventMessageCreated, scanned, last, limit)
		if err != nil {
			return nil, position, err
		}
		if len(evs) < limit {
			scanned = last
		} else {
			scanned = evs[len(evs)-1].ID
		}
		if ups, err = updatesIn(ctx, tx, org, bot, evs); err != nil || len(ups) > 0 || scanned == last {
			return ups, scanned, err
		}
	}
}

// updatesIn returns the updates for bot among evs.
func updatesIn(ctx context.Context, tx ReadTx, org OrgID, bot UserID, evs []*Event) ([]*BotUpdate, error) {
	var threads []ThreadID
	var cand []*Event
	for _, ev := range evs {
		if updateCandidate(ev, bot) {
			cand = append(cand, ev)
			threads = append(threads, ev.Message.ThreadID)
		}
	}
	if len(cand) == 0 {
		return nil, nil
	}
	chats, err := tx.BotChatsByID(ctx, org, dedupe(threads))
	if err != nil {
		return nil, err
	}
	byThread := make(map[ThreadID]*BotChat, len(chats))
	for _, c := range chats {
		byThread[c.ThreadID] = c
	}
	var msgs []*Message
	var ids []int64
	for _, ev := range cand {
		if isBotUpdate(byThread[ev.Message.ThreadID], ev.Message, bot) {
			msgs = append(msgs, ev.Message)
			ids = append(ids, ev.ID)
		}
	}
	bms, err := withFiles(ctx, tx, org, msgs)
	if err != nil {
		return nil, err
	}
	ups := make([]*BotUpdate, len(bms))
	for i, bm := range bms {
		ups[i] = &BotUpdate{ID: ids[i], BotMessage: *bm}
	}
	return ups, nil
}

// skipGap is how far past a bot's position the log must have been read,
// with nothing for the bot, before the position is moved (a write) so later
// reads start further on.
const skipGap = 256

// BotUpdatesQuery asks for a bot's updates (GET /updates).
type BotUpdatesQuery struct {
	// Offset acknowledges every update below it (Telegram's offset): pass
	// the last update id received plus one. Zero acknowledges nothing.
	Offset int64
	// Timeout is how long to wait for an update when there is none (a long
	// poll); at most MaxUpdatesTimeout.
	Timeout time.Duration
	// Limit is how many updates to return at most, 1 to MaxUpdatesLimit
	// (MaxUpdatesLimit when not positive).
	Limit int
}

// BotUpdates acknowledges the updates below Offset and returns the acting
// bot's next updates, waiting up to Timeout for one to arrive. Unacknowledged
// updates are returned again by the next call. Conflict while the bot has a
// webhook (its updates go there); Invalid for a negative offset or timeout.
func (s *Service) BotUpdates(ctx context.Context, a Actor, q BotUpdatesQuery) ([]*BotUpdate, error) {
	switch {
	case q.Offset < 0:
		return nil, Invalidf("offset", "The offset must not be negative.")
	case q.Timeout < 0:
		return nil, Invalidf("timeout", "The timeout must not be negative.")
	}
	q.Timeout = min(q.Timeout, MaxUpdatesTimeout)
	if q.Limit <= 0 || q.Limit > MaxUpdatesLimit {
		q.Limit = MaxUpdatesLimit
	}
	var position int64
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := requireBot(au); err != nil {
			return err
		}
		st, err := botState(ctx, w.tx, a.OrgID, a.UserID)
		if err != nil {
			return err
		}
		if _, err := w.tx.BotWebhook(ctx, a.OrgID, a.UserID); err == nil {
			return &Error{Code: Conflict, Reason: ReasonWebhookSet, Message: "The bot has a webhook, where its updates go; delete it to poll for updates."}
		} else if !isNotFound(err) {
			return err
		}
		position = st.Position
		if q.Offset-1 > position {
			// An offset beyond the log acknowledges no update yet to come.
			_, last, err := w.tx.EventBounds(ctx)
			if err != nil {
				return err
			}
			if position = min(q.Offset-1, last); position > st.Position {
				return w.tx.AckBotUpdates(ctx, a.OrgID, a.UserID, position, w.now)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(q.Timeout)
	// Watch before reading, so that an update committed after the read
	// wakes the wait below.
	watch := s.WatchBot(a.OrgID, a.UserID)
	defer watch.Close()
	for {
		var ups []*BotUpdate
		var scanned int64
		err := s.view(ctx, func(tx ReadTx) error {
			var err error
			ups, scanned, err = pendingUpdates(ctx, tx, a.OrgID, a.UserID, position, q.Limit)
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(ups) > 0 {
			return ups, nil
		}
		if scanned-position >= skipGap {
			if err := s.skip(ctx, BotRef{OrgID: a.OrgID, BotID: a.UserID}, position, scanned); err != nil {
				return nil, err
			}
		}
		position = scanned
		wait := time.Until(deadline)
		if wait <= 0 {
			return []*BotUpdate{}, nil
		}
		if _, err := watch.Wait(ctx, wait); ctx.Err() != nil {
			return nil, ctx.Err()
		} else if errors.Is(err, ErrFeedClosed) {
			// The server is shutting down: look once more, then answer.
			deadline = time.Now()
		}
	}
}

// skip moves a bot's position over a stretch of the log with nothing for it.
func (s *Service) skip(ctx context.Context, bot BotRef, from, to int64) error {
	return s.store.Update(ctx, func(tx Tx) error {
		_, err := tx.SkipBotUpdates(ctx, bot.OrgID, bot.BotID, from, to, s.Now())
		return err
	})
}

// BotWatch wakes its owner when an update for one bot may have arrived.
type BotWatch struct {
	s    *Service
	org  OrgID
	bot  UserID
	feed EventFeed // nil when there is no hub, or after the feed failed
}

// WatchBot starts watching for a bot's updates. Without a hub Wait only
// sleeps, and callers find updates by reading the log when it returns.
func (s *Service) WatchBot(org OrgID, bot UserID) *BotWatch {
	w := &BotWatch{s: s, org: org, bot: bot}
	w.follow()
	return w
}

func (w *BotWatch) follow() error {
	if w.s.hub == nil {
		return nil
	}
	feed, err := w.s.hub.Follow(w.org, -1)
	if err == nil {
		w.feed = feed
	}
	return err
}

// Wait blocks until an event that may be an update for the bot commits (or
// its webhook changes), d passes, or ctx ends, and reports whether it was woken early. After a lost
// feed (a watcher too slow, a hub that failed) it reports true at once, so
// that the owner reads the log again. While the server shuts down (the hub
// drains its feeds) it returns ErrFeedClosed at once.
func (w *BotWatch) Wait(ctx context.Context, d time.Duration) (bool, error) {
	if w.feed == nil {
		if err := w.follow(); errors.Is(err, ErrFeedClosed) {
			return false, err
		}
		if w.feed == nil {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			return false, nil
		}
	}
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for {
		ev, err := w.feed.Next(wctx)
		switch {
		case err == nil:
			if wakesWatch(ev, w.bot) {
				return true, nil
			}
		case wctx.Err() != nil:
			return false, nil
		default:
			w.feed.Close()
			w.feed = nil
			if errors.Is(err, ErrFeedClosed) {
				return true, err
			}
			return true, nil
		}
	}
}

// Close stops watching.
func (w *BotWatch) Close() {
	if w.feed != nil {
		w.feed.Close()
		w.feed = nil
	}
}
