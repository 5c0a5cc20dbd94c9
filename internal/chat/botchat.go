package chat

import (
	"context"
	"math"
	"slices"
	"time"
)

// MaxBotChats is how many chats one user may have with one bot (Botyard's).
const MaxBotChats = 10

// BotMessage is a message of a bot chat with its attached files.
type BotMessage struct {
	Message *Message
	// Files are the attachments that still exist, in attachment order.
	Files []*File
}

// loadBotChat loads a bot chat the actor takes part in: NotFound ("Chat not
// found.") for a missing or deleted chat or one of another org, Forbidden
// for someone else's chat in the org (Botyard's "Chat is not related to
// current user.").
func loadBotChat(ctx context.Context, tx ReadTx, au *authority, id ThreadID) (*BotChat, *Thread, error) {
	c, err := tx.BotChatByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) {
		return nil, nil, notFound("Chat")
	}
	if err != nil {
		return nil, nil, err
	}
	switch botChatAccess(au, c) {
	case chatHidden:
		return nil, nil, notFound("Chat")
	case chatForeign:
		who := "user"
		if au.user.Bot {
			who = "bot"
		}
		return nil, nil, &Error{Code: Forbidden, Reason: ReasonForeignChat, Message: "Chat is not related to current " + who + "."}
	}
	th, err := tx.ThreadByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) || err == nil && th.Deleted {
		return nil, nil, notFound("Chat")
	}
	if err != nil {
		return nil, nil, err
	}
	return c, th, nil
}

// CreateBotChat opens a new chat between the acting user and a bot of its
// org: a group thread of the two. NotFound when there is no such bot;
// Forbidden for a bot acting; Invalid beyond MaxBotChats chats with one bot
// (counted so that concurrent calls cannot exceed it).
func (s *Service) CreateBotChat(ctx context.Context, a Actor, bot UserID) (*BotChat, error) {
	var chat *BotChat
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		b, err := botOf(ctx, w.tx, a.OrgID, bot)
		if err != nil {
			return err
		}
		if !canChatWithBot(au, b) {
			return Errorf(Forbidden, "Only a person can open a chat with a bot.")
		}
		th := &Thread{OrgID: a.OrgID, Kind: KindGroup, Subject: b.Name, AuthorID: au.user.ID, CreatedAt: w.now, UpdatedAt: w.now,
			Participants: []UserID{au.user.ID, b.ID}}
		slices.Sort(th.Participants)
		if err := w.tx.InsertThread(ctx, th); err != nil {
			return err
		}
		chat = &BotChat{ThreadID: th.ID, OrgID: a.OrgID, UserID: au.user.ID, BotID: b.ID, CreatedAt: w.now}
		n, err := w.tx.InsertBotChat(ctx, chat)
		if err != nil {
			return err
		}
		if n > MaxBotChats {
			return invalid(ReasonTooManyChats, "Cannot create more than %d chat rooms with the same bot.", MaxBotChats)
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventThreadCreated, ActorID: au.user.ID, ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
	})
	return chat, err
}

// BotChats lists, oldest first, the chats between the actor and other: for
// a person, other is a bot of the org (NotFound otherwise); for a bot, other
// is a user (a user it has no chats with gives none).
func (s *Service) BotChats(ctx context.Context, a Actor, other UserID) ([]*BotChat, error) {
	var chats []*BotChat
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		user, bot := au.user.ID, other
		if actsAsBot(au) {
			user, bot = other, au.user.ID
		} else if _, err := botOf(ctx, tx, a.OrgID, bot); err != nil {
			return err
		}
		chats, err = tx.BotChats(ctx, a.OrgID, user, bot)
		return err
	})
	return chats, err
}

// DeleteBotChat deletes a chat of the actor's (see loadBotChat for the
// errors). The thread is marked deleted, so its messages are gone for every
// surface, and it no longer counts towards MaxBotChats.
func (s *Service) DeleteBotChat(ctx context.Context, a Actor, id ThreadID) error {
	return s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		_, th, err := loadBotChat(ctx, w.tx, au, id)
		if err != nil {
			return err
		}
		th.Deleted = true
		if err := w.tx.UpdateThread(ctx, th); err != nil {
			return err
		}
		if err := w.tx.DeleteBotChat(ctx, a.OrgID, th.ID); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventThreadUpdated, ActorID: au.user.ID, ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
	})
}

// NewBotChatMessage is a message sent in a bot chat.
type NewBotChatMessage struct {
	ChatID ThreadID
	Body   string // may be empty
	Files  []FileID
}

func (in *NewBotChatMessage) validate(l BotLimits) error {
	switch {
	case in.ChatID == 0:
		return invalid(ReasonChatIDRequired, "Chat ID is required.")
	case len(in.Body) > l.MaxBodyLen:
		return invalid(ReasonBodyTooLong, "The message body must be at most %d bytes.", l.MaxBodyLen)
	case len(in.Files) > l.MaxAttachedFiles:
		return invalid(ReasonTooManyAttachments, "A message can have at most %d files.", l.MaxAttachedFiles)
	}
	in.Files = dedupe(in.Files)
	return nil
}

// SendBotChatMessage posts a message in a bot chat by its user or its bot.
// Attachment ids that name no file the actor uploaded and has not attached
// yet are dropped, as Botyard dropped unknown ids. Within a chat, message
// timestamps strictly grow, so that polling with "since" misses nothing.
func (s *Service) SendBotChatMessage(ctx context.Context, a Actor, in NewBotChatMessage) (*BotMessage, error) {
	if err := in.validate(s.BotLimits()); err != nil {
		return nil, err
	}
	var out *BotMessage
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		_, th, err := loadBotChat(ctx, w.tx, au, in.ChatID)
		if err != nil {
			return err
		}
		files, err := w.tx.Files(ctx, a.OrgID, in.Files)
		if err != nil {
			return err
		}
		byID := make(map[FileID]*File, len(files))
		for _, f := range files {
			if f.OwnerID == au.user.ID && f.MessageID == 0 {
				byID[f.ID] = f
			}
		}
		// Attachments keep the store's order (by id), as Botyard's
		// "WHERE id IN (...)" did.
		out = &BotMessage{}
		var ids []FileID
		for _, f := range files {
			if byID[f.ID] != nil {
				ids = append(ids, f.ID)
				out.Files = append(out.Files, f)
			}
		}
		if !w.now.After(th.UpdatedAt) {
			w.now = th.UpdatedAt.Add(time.Millisecond)
		}
		out.Message, err = s.post(ctx, w, au, th, NewMessage{ThreadID: th.ID, Text: in.Body, Files: ids})
		return err
	})
	return out, err
}

// BotMessageQuery pages a bot chat's messages as Botyard does: page 1 holds
// the newest Limit messages.
type BotMessageQuery struct {
	ChatID   ThreadID
	SenderID UserID    // zero means anyone
	Since    time.Time // only messages created strictly after; zero means all
	Page     int       // from 1
	Limit    int
}

// BotMessagePage is one page of a bot chat, oldest first within the page.
type BotMessagePage struct {
	Chat     *BotChat
	Total    int // messages matching the query in all
	Page     int
	Limit    int
	Messages []*BotMessage
}

// DefaultBotPageLimit is the page size when none is asked for.
const DefaultBotPageLimit = 20

// BotChatMessages returns a page of a bot chat of the actor's (see
// loadBotChat for the errors). Page is at least 1; Limit is 1 to MaxPage
// (DefaultBotPageLimit when not positive).
func (s *Service) BotChatMessages(ctx context.Context, a Actor, q BotMessageQuery) (*BotMessagePage, error) {
	q.Page = max(q.Page, 1)
	q.Limit = clampLimit(q.Limit, DefaultBotPageLimit)
	offset := math.MaxInt32
	if q.Page-1 < math.MaxInt32/q.Limit {
		offset = (q.Page - 1) * q.Limit
	}
	page := &BotMessagePage{Page: q.Page, Limit: q.Limit, Messages: []*BotMessage{}}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		if page.Chat, _, err = loadBotChat(ctx, tx, au, q.ChatID); err != nil {
			return err
		}
		msgs, total, err := tx.MessagePage(ctx, MessagePageFilter{ThreadID: q.ChatID, AuthorID: q.SenderID, After: q.Since, Offset: offset, Limit: q.Limit})
		if err != nil {
			return err
		}
		page.Total = total
		slices.Reverse(msgs)
		page.Messages, err = withFiles(ctx, tx, a.OrgID, msgs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// withFiles pairs messages with their attached files, in one query.
func withFiles(ctx context.Context, tx ReadTx, org OrgID, msgs []*Message) ([]*BotMessage, error) {
	var ids []FileID
	for _, m := range msgs {
		for _, at := range m.Attachments {
			if at.FileID != 0 {
				ids = append(ids, at.FileID)
			}
		}
	}
	files, err := tx.Files(ctx, org, dedupe(ids))
	if err != nil {
		return nil, err
	}
	byID := make(map[FileID]*File, len(files))
	for _, f := range files {
		byID[f.ID] = f
	}
	out := make([]*BotMessage, len(msgs))
	for i, m := range msgs {
		bm := &BotMessage{Message: m}
		for _, at := range m.Attachments {
			if f := byID[at.FileID]; f != nil {
				bm.Files = append(bm.Files, f)
			}
		}
		out[i] = bm
	}
	return out, nil
}

// BotChatMessage returns one message of a chat of the actor's. NotFound
// ("Message not found.") for any other message: unlike Botyard, a bot
// cannot read messages of chats that are not its own.
func (s *Service) BotChatMessage(ctx context.Context, a Actor, id MessageID) (*Message, error) {
	var msg *Message
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		m, err := tx.MessageByID(ctx, a.OrgID, id)
		if isNotFound(err) || err == nil && m.Deleted {
			return notFound("Message")
		}
		if err != nil {
			return err
		}
		if _, _, err := loadBotChat(ctx, tx, au, m.ThreadID); err != nil {
			if code := ErrorCode(err); code == NotFound || code == Forbidden {
				return notFound("Message")
			}
			return err
		}
		msg = m
		return nil
	})
	return msg, err
}
