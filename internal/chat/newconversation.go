package chat

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// NewConversation is the input for starting a conversation between users
// without a first message (a chat app's "new conversation").
type NewConversation struct {
	// UserIDs are the other participants; the creator is added.
	UserIDs []UserID
	// Subject is the conversation's topic (may be empty).
	Subject string
	// Direct asks for the direct conversation of a pair: with exactly one
	// other user it is the pair's one conversation, found or created. With
	// more users, or without Direct, a group is created, moderated by its
	// creator.
	Direct bool
	// Metadata is an opaque JSON object the client attaches.
	Metadata json.RawMessage
}

func (in *NewConversation) normalize() error {
	in.UserIDs = dedupe(in.UserIDs)
	in.Subject = strings.TrimSpace(in.Subject)
	if err := checkLen("subject", in.Subject, 0, MaxSubjectLen); err != nil {
		return err
	}
	if len(in.UserIDs) > MaxParticipants {
		return Invalidf("user_ids", "A conversation can have at most %d participants.", MaxParticipants)
	}
	return checkMetadata("metadata", in.Metadata)
}

// checkMetadata checks that raw, when given, is a JSON object of a sensible
// size.
func checkMetadata(field string, raw json.RawMessage) error {
	if len(raw) == 0 {
		return nil
	}
	if len(raw) > MaxMetadataLen {
		return Invalidf(field, "The %s must be at most %d bytes of JSON.", field, MaxMetadataLen)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return Invalidf(field, "The %s must be a JSON object.", field)
	}
	return nil
}

// StartConversation starts a conversation between the actor and other users
// of the org, with no message yet. NotFound for a user that does not exist
// (or is deleted); Invalid when no other user is named.
func (s *Service) StartConversation(ctx context.Context, a Actor, in NewConversation) (*Thread, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var th *Thread
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		others := slices.DeleteFunc(slices.Clone(in.UserIDs), func(id UserID) bool { return id == au.user.ID })
		if len(others) == 0 {
			return Invalidf("participants", "A conversation needs at least one other participant.")
		}
		for _, id := range others {
			u, err := w.tx.UserByID(ctx, a.OrgID, id)
			if isNotFound(err) || err == nil && u.Deleted {
				return notFound("User")
			}
			if err != nil {
				return err
			}
		}
		th = &Thread{OrgID: a.OrgID, Kind: KindGroup, Subject: in.Subject, AuthorID: au.user.ID, Metadata: in.Metadata,
			CreatedAt: w.now, UpdatedAt: w.now, Participants: append([]UserID{au.user.ID}, others...), Tags: []string{}}
		if in.Direct && len(others) == 1 {
			th.Kind, th.Key = KindDirect, directKey(au.user.ID, others[0])
			existing, err := w.tx.ThreadByKey(ctx, a.OrgID, th.Key)
			if err == nil {
				th = existing
				return nil
			}
			if !isNotFound(err) {
				return err
			}
		} else {
			th.Moderators = []UserID{au.user.ID}
		}
		slices.Sort(th.Participants)
		if err := w.tx.InsertThread(ctx, th); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventThreadCreated, ActorID: au.user.ID, ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
	})
	return th, err
}

// Conversation returns a thread the actor can read, without its messages.
// NotFound otherwise.
func (s *Service) Conversation(ctx context.Context, a Actor, id ThreadID) (*Thread, error) {
	var th *Thread
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		th, _, err = visibleThread(ctx, tx, au, id)
		return err
	})
	return th, err
}
