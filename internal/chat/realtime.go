package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Hub delivers events live. It is implemented by realtime.Hub, which reads
// the event log in order and fans events out to every node's subscribers.
type Hub interface {
	Publisher
	// Follow returns org's events with update ids above since, in order:
	// first those already in the log, then live ones as they commit, with
	// no gap and no duplicate at the seam. A negative since means "from
	// now". Ephemeral events (typing, presence) are interleaved as they
	// happen.
	Follow(org OrgID, since int64) (EventFeed, error)
}

// EventFeed is one follower's stream of an org's events.
type EventFeed interface {
	// Next blocks until the next event. It returns ErrResumeExpired once
	// when the requested position is older than the log keeps (the feed
	// then continues from now), ErrSlowConsumer when the follower fell so
	// far behind that its queue overflowed (the feed is over; resume from
	// the last id seen), or ctx's error.
	Next(ctx context.Context) (*Event, error)
	// Close ends the feed; a blocked Next returns.
	Close()
}

// Errors of live delivery.
var (
	ErrResumeExpired = &Error{Code: Conflict, Reason: "resume_expired", Message: "That position is older than the event log keeps; fetch the current state."}
	ErrSlowConsumer  = &Error{Code: Unavailable, Reason: "slow_consumer", Message: "The connection fell too far behind; reconnect and resume."}
	ErrFeedClosed    = &Error{Code: Unavailable, Reason: "feed_closed", Message: "The server is restarting; reconnect and resume."}
)

// PresenceAway is how long without a presence ping marks a user away.
const PresenceAway = 10 * time.Minute

// SubscribeOptions shape a subscription.
type SubscribeOptions struct {
	// Resume replays every event after Since that the subscriber may see
	// before going live. Without it the subscription starts from now.
	Resume bool
	Since  int64
	// Threads limits the subscription to these threads (each must be
	// readable): a per-thread stream, such as a comment page's.
	Threads []ThreadID
	// pendingKey waits for the thread with this key to be created (see
	// SubscribeComments).
	pendingKey string
}

// Subscription is one subscriber's live, filtered view of its org's events.
// It is used by one goroutine at a time.
type Subscription struct {
	svc     *Service
	actor   Actor
	feed    EventFeed
	threads []ThreadID
	topics  map[string]bool
	// pendingKey, when set, is the key of a thread not created yet: the
	// subscription shows nothing until that thread's creation, and then
	// follows it if the actor may read it.
	pendingKey string
	// LastID is the update id of the last durable event returned.
	LastID int64

	closeOnce sync.Once
}

// Subscribe starts a live subscription to what the actor may see. With
// Resume, it first replays the events after Since (ErrResumeExpired comes
// from Next when Since is too old). Unavailable when the server has no hub.
func (s *Service) Subscribe(ctx context.Context, a Actor, opts SubscribeOptions) (*Subscription, error) {
	if s.hub == nil {
		return nil, Errorf(Unavailable, "Live updates are not available on this server.")
	}
	if opts.Resume && opts.Since < 0 {
		return nil, Invalidf("since", "since must not be negative.")
	}
	if err := s.holdConn(a); err != nil {
		return nil, err
	}
	sub := &Subscription{svc: s, actor: a, threads: dedupe(opts.Threads), pendingKey: opts.pendingKey, LastID: opts.Since}
	ok := false
	defer func() {
		if !ok {
			s.releaseConn(a)
		}
	}()
	if err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if a.Kind == Anonymous && a.OrgID == 0 {
			return notFound("Organization")
		}
		if sub.pendingKey != "" {
			sub.topics = map[string]bool{}
			return nil
		}
		sub.topics, err = topicsFor(ctx, tx, au, sub.threads)
		return err
	}); err != nil {
		return nil, err
	}
	since := int64(-1)
	if opts.Resume {
		since = opts.Since
	}
	feed, err := s.hub.Follow(a.OrgID, since)
	if err != nil {
		return nil, err
	}
	sub.feed = feed
	ok = true
	return sub, nil
}

// holdConn counts a live subscription against the user's cap.
func (s *Service) holdConn(a Actor) error {
	if !a.IsMember() {
		return nil
	}
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	if s.subs[a.UserID] >= s.cfg.MaxConnsPerUser {
		return &Error{Code: RateLimited, Reason: "too_many_connections",
			Message: fmt.Sprintf("Too many live connections for this user (at most %d); close some.", s.cfg.MaxConnsPerUser)}
	}
	s.subs[a.UserID]++
	return nil
}

func (s *Service) releaseConn(a Actor) {
	if !a.IsMember() {
		return
	}
	s.subsMu.Lock()
	defer s.subsMu.Unlock()
	if s.subs[a.UserID]--; s.subs[a.UserID] <= 0 {
		delete(s.subs, a.UserID)
	}
}

// topicsFor computes the topics of what au may see: its own user topic, the
// org topic for members, every channel it can read; or, for a per-thread
// subscription, those threads (which must be readable).
func topicsFor(ctx context.Context, tx ReadTx, au *authority, threads []ThreadID) (map[string]bool, error) {
	topics := map[string]bool{}
	if len(threads) > 0 {
		for _, id := range threads {
			if _, _, err := visibleThread(ctx, tx, au, id); err != nil {
				return nil, err
			}
			topics[TopicThread(id)] = true
		}
		return topics, nil
	}
	if au.signedIn() {
		topics[TopicUser(au.user.ID)] = true
		topics[TopicOrg(au.actor.OrgID)] = true
	}
	if err := au.loadChannelAccess(ctx, tx); err != nil {
		return nil, err
	}
	chans, err := tx.Channels(ctx, au.actor.OrgID)
	if err != nil {
		return nil, err
	}
	for _, id := range au.scope(chans).Channels {
		topics[TopicChannel(id)] = true
	}
	return topics, nil
}

// Actor returns the subscriber.
func (sub *Subscription) Actor() Actor { return sub.actor }

// Next returns the next event the subscriber may see. Errors are those of
// EventFeed.Next; after ErrResumeExpired the subscription goes on from now.
func (sub *Subscription) Next(ctx context.Context) (*Event, error) {
	for {
		ev, err := sub.feed.Next(ctx)
		if err != nil {
			return nil, err
		}
		ok, err := sub.admit(ctx, ev)
		if err != nil {
			return nil, err
		}
		if ev.ID != 0 {
			sub.LastID = ev.ID
		}
		if ok {
			return ev, nil
		}
	}
}

// admit decides whether the subscriber sees ev. An event that may change
// what the subscriber sees makes it recompute its topics first, so the event
// after it is judged by the new rights; the change itself is shown to
// everyone who could see the thing before or after it.
func (sub *Subscription) admit(ctx context.Context, ev *Event) (bool, error) {
	if ev.OrgID != sub.actor.OrgID {
		return false, nil
	}
	if ev.Type == EventUserUpdated && ev.UserID == sub.actor.UserID && ev.User != nil && ev.User.Deleted {
		return false, ErrUnauthenticated
	}
	if sub.pendingKey != "" {
		return sub.admitPending(ctx, ev)
	}
	if ev.Type.Membership() && len(sub.threads) == 0 {
		before := sub.topics
		err := sub.svc.view(ctx, func(tx ReadTx) error {
			au, err := loadAuthority(ctx, tx, sub.actor)
			if err != nil {
				return err
			}
			sub.topics, err = topicsFor(ctx, tx, au, nil)
			return err
		})
		if err != nil {
			return false, err
		}
		return matches(before, ev) || matches(sub.topics, ev), nil
	}
	return matches(sub.topics, ev), nil
}

// admitPending waits for the creation of the thread with the pending key;
// once the subscriber may read it, the subscription follows that thread.
func (sub *Subscription) admitPending(ctx context.Context, ev *Event) (bool, error) {
	if ev.Type != EventThreadCreated || ev.Thread == nil || ev.Thread.Key != sub.pendingKey {
		return false, nil
	}
	err := sub.svc.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, sub.actor)
		if err != nil {
			return err
		}
		_, _, err = visibleThread(ctx, tx, au, ev.ThreadID)
		return err
	})
	if isNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	sub.pendingKey, sub.threads = "", []ThreadID{ev.ThreadID}
	sub.topics = map[string]bool{TopicThread(ev.ThreadID): true}
	return true, nil
}

func matches(topics map[string]bool, ev *Event) bool {
	if len(ev.Topics) > len(topics) && len(ev.Topics) > 8 {
		// A big audience: look the subscriber's few topics up in the
		// event's index rather than the event's many in the subscriber's.
		for t := range topics {
			if ev.HasTopic(t) {
				return true
			}
		}
		return false
	}
	for _, t := range ev.Topics {
		if topics[t] {
			return true
		}
	}
	return false
}

// Close ends the subscription. It may be called more than once.
func (sub *Subscription) Close() {
	sub.closeOnce.Do(func() {
		sub.feed.Close()
		sub.svc.releaseConn(sub.actor)
	})
}

// Typing announces that the actor is typing in a thread it can write in, to
// the thread's other readers. It is ephemeral: nothing is stored.
func (s *Service) Typing(ctx context.Context, a Actor, thread ThreadID) error {
	return s.announceTyping(ctx, a, thread, EventTyping)
}

// TouchPresence marks the actor active now. When it was away (or never
// seen), its org's members are told it is active.
func (s *Service) TouchPresence(ctx context.Context, a Actor) error {
	var wasAway bool
	err := s.store.Update(ctx, func(tx Tx) error {
		_, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		wasAway, err = tx.TouchPresence(ctx, a.OrgID, a.UserID, s.Now())
		return err
	})
	if err != nil {
		return err
	}
	if wasAway {
		s.publish(presenceEvent(a.OrgID, "active", []UserID{a.UserID}, s.Now()))
	}
	return nil
}

// ActiveUsers lists the org's users seen in the last PresenceAway.
func (s *Service) ActiveUsers(ctx context.Context, a Actor) ([]UserID, error) {
	var ids []UserID
	err := s.view(ctx, func(tx ReadTx) error {
		_, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		ids, err = tx.ActiveUsers(ctx, a.OrgID, s.Now().Add(-PresenceAway))
		return err
	})
	return ids, err
}

// ExpirePresence marks away the users not seen since PresenceAway before now
// and tells their orgs. Several nodes may run it at once: each user is marked
// by exactly one of them. It returns how many users went away.
func (s *Service) ExpirePresence(ctx context.Context, now time.Time) (int, error) {
	var gone map[OrgID][]UserID
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		gone, err = tx.ExpirePresence(ctx, now.Add(-PresenceAway))
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for org, users := range gone {
		slices.Sort(users)
		n += len(users)
		s.publish(presenceEvent(org, "away", users, now))
	}
	return n, nil
}

func presenceEvent(org OrgID, status string, users []UserID, at time.Time) *Event {
	return &Event{OrgID: org, Type: EventPresence, At: at, Presence: &Presence{Status: status, UserIDs: users}, Topics: []string{TopicOrg(org)}}
}

// PruneEvents deletes events older than before from the log and returns how
// many. Resume cursors older than what remains get ErrResumeExpired.
func (s *Service) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		n, err = tx.PruneEvents(ctx, before)
		return err
	})
	return n, err
}

// publish hands ephemeral events to the publisher.
func (s *Service) publish(events ...*Event) {
	if s.pub != nil {
		s.pub.Publish(events...)
	}
}

// ephemeral is the wire form of an ephemeral event between nodes.
type ephemeral struct {
	OrgID    OrgID
	Type     EventType
	ActorID  UserID
	UserID   UserID
	ThreadID ThreadID
	At       time.Time
	Topics   []string
	Presence *Presence
}

// EncodeEphemeral encodes a typing or presence event for other nodes.
func EncodeEphemeral(e *Event) ([]byte, error) {
	if e.Type.Durable() {
		return nil, fmt.Errorf("encode ephemeral: %s is durable", e.Type)
	}
	return json.Marshal(ephemeral{OrgID: e.OrgID, Type: e.Type, ActorID: e.ActorID, UserID: e.UserID, ThreadID: e.ThreadID,
		At: e.At, Topics: e.Topics, Presence: e.Presence})
}

// DecodeEphemeral decodes what EncodeEphemeral made.
func DecodeEphemeral(b []byte) (*Event, error) {
	var p ephemeral
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("decode ephemeral event: %w", err)
	}
	if p.Type.Durable() {
		return nil, fmt.Errorf("decode ephemeral event: %s is durable", p.Type)
	}
	return &Event{OrgID: p.OrgID, Type: p.Type, ActorID: p.ActorID, UserID: p.UserID, ThreadID: p.ThreadID, At: p.At,
		Topics: p.Topics, Presence: p.Presence}, nil
}
