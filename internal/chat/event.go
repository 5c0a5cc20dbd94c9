package chat

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// EventType names a change. Durable types are written to the event log;
// ephemeral ones (typing, presence) are only fanned out live.
type EventType string

// Durable event types.
const (
	EventMessageCreated EventType = "message.created"
	EventMessageEdited  EventType = "message.edited"
	EventMessageDeleted EventType = "message.deleted"
	EventReactionSet    EventType = "reaction.set"
	EventReactionUnset  EventType = "reaction.unset"
	EventThreadCreated  EventType = "thread.created"
	EventThreadUpdated  EventType = "thread.updated"
	EventReadMoved      EventType = "read.moved"
	EventChannelCreated EventType = "channel.created"
	EventChannelUpdated EventType = "channel.updated"
	EventChannelDeleted EventType = "channel.deleted"
	EventUserCreated    EventType = "user.created"
	EventUserUpdated    EventType = "user.updated"
	EventRolesChanged   EventType = "roles.changed"
	EventOrgUpdated     EventType = "org.updated"

	// Rich message features (pin.go, unsend.go, expire.go, receipt.go,
	// poll.go, report.go, schedule.go).
	EventMessagePinned     EventType = "message.pinned"
	EventMessageUnpinned   EventType = "message.unpinned"
	EventMessageUnsent     EventType = "message.unsent"
	EventMessageExpired    EventType = "message.expired"
	EventMessageRead       EventType = "message.read"
	EventPollVoted         EventType = "poll.voted"
	EventMessageReported   EventType = "message.reported"
	EventReportResolved    EventType = "report.resolved"
	EventMessageScheduled  EventType = "message.scheduled"
	EventScheduledCanceled EventType = "scheduled.canceled"
	EventScheduledFailed   EventType = "scheduled.failed"
)

// Ephemeral event types.
const (
	EventTyping   EventType = "typing"
	EventPresence EventType = "presence"
	// EventTypingStopped: the user stopped typing before sending.
	EventTypingStopped EventType = "typing.stopped"
)

// Durable reports whether events of type t are written to the log.
func (t EventType) Durable() bool {
	return t != EventTyping && t != EventPresence && t != EventTypingStopped
}

// Membership reports whether an event of type t can change what its org's
// users may see, so live subscriptions must recompute their topics.
func (t EventType) Membership() bool {
	switch t {
	case EventChannelCreated, EventChannelUpdated, EventChannelDeleted, EventUserUpdated, EventRolesChanged:
		return true
	}
	return false
}

// Event is one change, as written to the log and fanned out to every surface.
// Events are shared between all recipients: treat them as read-only.
type Event struct {
	ID      int64 // update_id: assigned at commit; zero for ephemeral events
	OrgID   OrgID
	Type    EventType
	ActorID UserID
	At      time.Time
	// Topics is the audience (see Topic*): a subscriber receives the event
	// when it holds any of them.
	Topics []string

	ThreadID  ThreadID
	ChannelID ChannelID
	UserID    UserID // the user a user, read or presence event is about

	Message  *Message
	Thread   *Thread
	Channel  *Channel
	User     *User
	Read     *ReadState
	Reaction *Reaction
	Presence *Presence
	// Vote is the ballot of a poll.voted event; Report the report of a
	// report event; Scheduled the scheduled message of a scheduled event.
	Vote      *Vote
	Report    *Report
	Scheduled *ScheduledMessage

	enc sync.Map // format -> []byte, so each format is encoded once

	// topicSet indexes Topics for events with many of them (a conversation
	// of hundreds reaches as many user topics), built once for all
	// subscribers; see HasTopic.
	topicOnce sync.Once
	topicSet  map[string]struct{}
}

// HasTopic reports whether t is one of the event's topics.
func (e *Event) HasTopic(t string) bool {
	e.topicOnce.Do(func() {
		e.topicSet = make(map[string]struct{}, len(e.Topics))
		for _, x := range e.Topics {
			e.topicSet[x] = struct{}{}
		}
	})
	_, ok := e.topicSet[t]
	return ok
}

// Presence is a presence change: users becoming active or away.
type Presence struct {
	Status  string // "active" or "away"
	UserIDs []UserID
}

// Encoded returns the event rendered by encode, computing it once per format
// for all recipients that share the event.
func (e *Event) Encoded(format string, encode func(*Event) ([]byte, error)) ([]byte, error) {
	if b, ok := e.enc.Load(format); ok {
		return b.([]byte), nil
	}
	b, err := encode(e)
	if err != nil {
		return nil, err
	}
	e.enc.Store(format, b)
	return b, nil
}

// Topic names. A subscriber holds the topics of what it may see.
func TopicOrg(id OrgID) string         { return "o:" + strconv.FormatInt(int64(id), 10) }
func TopicChannel(id ChannelID) string { return "c:" + strconv.FormatInt(int64(id), 10) }
func TopicUser(id UserID) string       { return "u:" + strconv.FormatInt(int64(id), 10) }
func TopicThread(id ThreadID) string   { return "t:" + strconv.FormatInt(int64(id), 10) }

// eventPayload is the stored body of an event: everything but the columns.
type eventPayload struct {
	ActorID   UserID     `json:"a,omitempty"`
	ThreadID  ThreadID   `json:"t,omitempty"`
	ChannelID ChannelID  `json:"c,omitempty"`
	UserID    UserID     `json:"u,omitempty"`
	Message   *Message   `json:"m,omitempty"`
	Thread    *Thread    `json:"th,omitempty"`
	Channel   *Channel   `json:"ch,omitempty"`
	User      *User      `json:"us,omitempty"`
	Read      *ReadState `json:"r,omitempty"`
	Reaction  *Reaction  `json:"re,omitempty"`

	// Rich message features.
	Vote      *Vote             `json:"v,omitempty"`
	Report    *Report           `json:"rp,omitempty"`
	Scheduled *ScheduledMessage `json:"sm,omitempty"`
}

// EncodePayload returns the stored form of e's body. Stores keep it opaque.
func EncodePayload(e *Event) ([]byte, error) {
	return json.Marshal(eventPayload{
		ActorID: e.ActorID, ThreadID: e.ThreadID, ChannelID: e.ChannelID, UserID: e.UserID,
		Message: e.Message, Thread: e.Thread, Channel: e.Channel, User: e.User, Read: e.Read, Reaction: e.Reaction,
		Vote: e.Vote, Report: e.Report, Scheduled: e.Scheduled,
	})
}

// DecodePayload fills e's body from its stored form.
func DecodePayload(e *Event, b []byte) error {
	var p eventPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("decode event %d payload: %w", e.ID, err)
	}
	e.ActorID, e.ThreadID, e.ChannelID, e.UserID = p.ActorID, p.ThreadID, p.ChannelID, p.UserID
	e.Message, e.Thread, e.Channel, e.User, e.Read, e.Reaction = p.Message, p.Thread, p.Channel, p.User, p.Read, p.Reaction
	e.Vote, e.Report, e.Scheduled = p.Vote, p.Report, p.Scheduled
	return nil
}

// AboutMessage returns the message whose content the event carries, or zero.
// Stores index events by it so that a message deleted for good (expired,
// unsent) takes its copies in the log with it.
func (e *Event) AboutMessage() MessageID {
	switch {
	case e.Message != nil:
		return e.Message.ID
	case e.Reaction != nil:
		return e.Reaction.MessageID
	case e.Vote != nil:
		return e.Vote.MessageID
	}
	return 0
}
