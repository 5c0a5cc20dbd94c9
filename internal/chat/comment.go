package chat

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file holds the comment use cases: a comment page is a conversation
// thread (KindGroup) keyed by a client-chosen id (Thread.Key) and a page
// URL, and a comment is a message in it with a reply-to, positional tags,
// metadata, votes (the reactions VoteUp and VoteDown) and an edit history.

// Vote reactions: a comment's upvotes and downvotes are the users who
// reacted with these names. The two are independent.
const (
	VoteUp   = "upvote"
	VoteDown = "downvote"
)

// Limits on comments.
const (
	MaxCommentTags     = 2
	MaxCommentTagLen   = 200
	MaxThreadKeyLen    = 200
	MaxPageURLLen      = 2000
	MaxMetadataLen     = 16 << 10
	DefaultCommentPage = 10
)

// ErrCommentParams is The Convo Space's answer to incomplete comment input.
var ErrCommentParams = &Error{Code: Invalid, Reason: "comment_params", Message: "Invalid/Incomplete params"}

// ThreadRef names a thread by its key, or by its id for a thread without a
// key (a surface that renders keyless threads by id sets both: the key is
// tried first).
type ThreadRef struct {
	Key string
	ID  ThreadID
}

func (r ThreadRef) empty() bool { return strings.TrimSpace(r.Key) == "" && r.ID == 0 }

// CommentFilter selects messages across threads. Storage applies it as
// given.
type CommentFilter struct {
	OrgID OrgID
	// Scope, when set, restricts the threads to those an actor may read.
	Scope    *ThreadScope
	ThreadID ThreadID
	URL      string
	AuthorID UserID
	// Tags are positional: a non-empty Tags[i] must equal the message's
	// tag at position i.
	Tags        []string
	ReplyTo     MessageID
	NewestFirst bool
	Offset      int
	Limit       int
}

// ThreadFilter selects threads. Storage applies it as given.
type ThreadFilter struct {
	Scope       ThreadScope
	Kind        ThreadKind // zero means any
	Key         string
	AuthorID    UserID
	URL         string
	Subject     string
	ReadPublic  *bool
	WritePublic *bool
	// Tags must all be on the thread.
	Tags        []string
	Member      UserID
	Moderator   UserID
	NewestFirst bool
	Offset      int
	Limit       int
}

// NewComment is the input for commenting on a page.
type NewComment struct {
	Thread ThreadRef
	// URL is the page, already decoded; it must be http or https.
	URL      string
	Text     string
	ReplyTo  MessageID
	Tags     []string // tag1, tag2
	Metadata json.RawMessage
}

func (in *NewComment) normalize() error {
	in.Thread.Key = strings.TrimSpace(in.Thread.Key)
	if in.Thread.empty() || strings.TrimSpace(in.Text) == "" || !pageURL(in.URL) {
		return ErrCommentParams
	}
	if utf8.RuneCountInString(in.Thread.Key) > MaxThreadKeyLen || checkText("comment", in.Text, MaxMessageLen) != nil {
		return ErrCommentParams
	}
	if len(in.Tags) > MaxCommentTags {
		return ErrCommentParams
	}
	for len(in.Tags) > 0 && in.Tags[len(in.Tags)-1] == "" {
		in.Tags = in.Tags[:len(in.Tags)-1]
	}
	for _, t := range in.Tags {
		if utf8.RuneCountInString(t) > MaxCommentTagLen || !utf8.ValidString(t) {
			return ErrCommentParams
		}
	}
	meta, err := normalizeMetadata(in.Metadata)
	in.Metadata = meta
	return err
}

// normalizeMetadata accepts nothing, null or a JSON object of bounded size.
func normalizeMetadata(m json.RawMessage) (json.RawMessage, error) {
	if len(m) == 0 || string(m) == "null" {
		return nil, nil
	}
	var obj map[string]json.RawMessage
	if len(m) > MaxMetadataLen || json.Unmarshal(m, &obj) != nil {
		return nil, ErrCommentParams
	}
	return m, nil
}

// pageURL reports whether s is an absolute http or https URL.
func pageURL(s string) bool {
	if s == "" || len(s) > MaxPageURLLen {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// CommentView is a comment as the reader sees it.
type CommentView struct {
	Comment *Message
	Thread  *Thread
	// Author is the author's username (a wallet address or account).
	Author     string
	Upvoters   []string
	Downvoters []string
	Edits      []Edit // earlier texts, oldest first
}

// resolveThread finds a thread by ref: its key first, then its id.
// NotFound when neither names one of the org's threads.
func resolveThread(ctx context.Context, tx ReadTx, org OrgID, ref ThreadRef) (*Thread, error) {
	if ref.Key != "" {
		th, err := tx.ThreadByKey(ctx, org, ref.Key)
		if !isNotFound(err) {
			return th, err
		}
	}
	if ref.ID != 0 {
		th, err := tx.ThreadByID(ctx, org, ref.ID)
		if !isNotFound(err) {
			return th, err
		}
	}
	return nil, notFound("Thread")
}

// PostComment adds a comment to the page thread ref names. A key no thread
// has yet opens a new comment page: readable by anyone in the org and
// writable by every signed-in user, with the commenter as its creator.
// Commenting does not make the author a member of the thread. A reply must
// be to a comment of the same thread.
//
// Invalid (ErrCommentParams) for a blank text or thread, a URL that is not
// http(s), or a bad reply-to, tags or metadata; NotFound when the actor
// cannot read the thread; Forbidden (reason "thread_not_writable") when it
// may read but not write.
func (s *Service) PostComment(ctx context.Context, a Actor, in NewComment) (*CommentView, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var view *CommentView
	post := func() error {
		return s.update(ctx, func(w *work) error {
			au, err := loadMember(ctx, w.tx, a)
			if err != nil {
				return err
			}
			th, err := resolveThread(ctx, w.tx, a.OrgID, in.Thread)
			if isNotFound(err) {
				th, err = s.openCommentThread(ctx, w, au, in)
			}
			if err != nil {
				return err
			}
			acc, err := accessToThread(ctx, w.tx, au, th)
			if err != nil {
				return err
			}
			switch {
			case !acc.CanRead():
				return notFound("Thread")
			case !acc.CanWrite():
				return &Error{Code: Forbidden, Reason: "thread_not_writable", Message: "You cannot comment in this thread."}
			}
			if in.ReplyTo != 0 {
				r, err := w.tx.MessageByID(ctx, a.OrgID, in.ReplyTo)
				if err != nil || r.ThreadID != th.ID || r.Deleted {
					return ErrCommentParams
				}
			}
			seq, err := w.tx.NextSeq(ctx, th.ID, w.now)
			if err != nil {
				return err
			}
			m := &Message{OrgID: th.OrgID, ThreadID: th.ID, Seq: seq, AuthorID: au.userID(), Text: in.Text, ReplyTo: in.ReplyTo,
				Tags: in.Tags, Metadata: in.Metadata, CreatedAt: w.now, UpdatedAt: w.now}
			if err := w.tx.InsertMessage(ctx, m); err != nil {
				return err
			}
			th.LastSeq, th.NumChats, th.UpdatedAt = seq, th.NumChats+1, w.now
			if err := w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventMessageCreated, ActorID: m.AuthorID, ThreadID: th.ID,
				Message: m, Thread: th, Topics: threadTopics(th)}); err != nil {
				return err
			}
			view = &CommentView{Comment: m, Thread: th, Author: au.user.Username, Upvoters: []string{}, Downvoters: []string{}, Edits: []Edit{}}
			return nil
		})
	}
	err := post()
	if ErrorReason(err) == ConflictThreadKey {
		// A concurrent first comment opened the page: post into it.
		err = post()
	}
	return view, err
}

// openCommentThread creates the public comment page for a first comment.
func (s *Service) openCommentThread(ctx context.Context, w *work, au *authority, in NewComment) (*Thread, error) {
	if in.Thread.Key == "" {
		return nil, notFound("Thread")
	}
	th := &Thread{OrgID: au.actor.OrgID, Kind: KindGroup, Key: in.Thread.Key, URL: in.URL, AuthorID: au.userID(),
		ReadPublic: true, WritePublic: true, CreatedAt: w.now, UpdatedAt: w.now,
		ChannelIDs: []ChannelID{}, Participants: []UserID{}, Moderators: []UserID{}, Tags: []string{}}
	if err := w.tx.InsertThread(ctx, th); err != nil {
		return nil, err
	}
	return th, w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventThreadCreated, ActorID: au.userID(), ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
}

// CommentQuery selects comments the actor may read. At least one of
// Thread, URL and Author is required.
type CommentQuery struct {
	Thread ThreadRef
	URL    string
	// Author is a wallet account (an Ethereum address in any case).
	Author  string
	Tag1    string
	Tag2    string
	ReplyTo MessageID
	// NewestFirst sorts newest first; the default is oldest first.
	NewestFirst bool
	// Paged: Page (0-based) of PageSize comments. Without it the first
	// DefaultCommentPage comments.
	Paged          bool
	Page, PageSize int
}

// commentFilter resolves q into a filter for au; ok is false when q names
// a thread or author that does not exist, so nothing matches.
func (s *Service) commentFilter(ctx context.Context, tx ReadTx, au *authority, scope ThreadScope, q CommentQuery) (CommentFilter, bool, error) {
	f := CommentFilter{OrgID: au.actor.OrgID, Scope: &scope, URL: q.URL, ReplyTo: q.ReplyTo, NewestFirst: q.NewestFirst}
	if q.Thread.empty() && q.URL == "" && strings.TrimSpace(q.Author) == "" {
		return f, false, ErrCommentParams
	}
	if q.Paged && (q.Page < 0 || q.PageSize <= 0) {
		return f, false, ErrCommentParams
	}
	if q.Tag1 != "" || q.Tag2 != "" {
		f.Tags = []string{q.Tag1, q.Tag2}
	}
	if !q.Thread.empty() {
		th, err := resolveThread(ctx, tx, au.actor.OrgID, q.Thread)
		if isNotFound(err) {
			return f, false, nil
		}
		if err != nil {
			return f, false, err
		}
		f.ThreadID = th.ID
	}
	if q.Author != "" {
		u, err := tx.UserByUsername(ctx, au.actor.OrgID, s.canonicalSigner(q.Author))
		if isNotFound(err) {
			return f, false, nil
		}
		if err != nil {
			return f, false, err
		}
		f.AuthorID = u.ID
	}
	f.Limit = DefaultCommentPage
	if q.Paged {
		f.Limit = min(q.PageSize, MaxPage)
		f.Offset = q.Page * f.Limit
	}
	return f, true, nil
}

// Comments lists the comments that match q in threads the actor may read.
// Invalid (ErrCommentParams) when q names neither a thread, a URL nor an
// author.
func (s *Service) Comments(ctx context.Context, a Actor, q CommentQuery) ([]*CommentView, error) {
	views := []*CommentView{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		f, ok, err := s.commentFilter(ctx, tx, au, scope, q)
		if err != nil || !ok {
			return err
		}
		msgs, err := tx.Comments(ctx, f)
		if err != nil {
			return err
		}
		views, err = commentViews(ctx, tx, a.OrgID, msgs)
		return err
	})
	return views, err
}

// CountComments counts all the comments that match q (ignoring paging) in
// threads the actor may read.
func (s *Service) CountComments(ctx context.Context, a Actor, q CommentQuery) (int, error) {
	var n int
	err := s.view(ctx, func(tx ReadTx) error {
		au, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		f, ok, err := s.commentFilter(ctx, tx, au, scope, q)
		if err != nil || !ok {
			return err
		}
		n, err = tx.CountComments(ctx, f)
		return err
	})
	return n, err
}

// Comment returns one comment the actor may read. NotFound otherwise.
func (s *Service) Comment(ctx context.Context, a Actor, id MessageID) (*CommentView, error) {
	var view *CommentView
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		m, _, _, err := visibleMessage(ctx, tx, au, id)
		if err != nil {
			return err
		}
		views, err := commentViews(ctx, tx, a.OrgID, []*Message{m})
		if err != nil {
			return err
		}
		view = views[0]
		return nil
	})
	return view, err
}

// CommentOfEvent returns the comment a message or vote event is about, for
// a subscriber that was shown the event: the message as the event recorded
// it (a deleted one as its tombstone), with its votes as they are now.
// NotFound when the event is about no comment or the actor can no longer
// read its thread (a deleted comment is shown whatever became of its
// thread); Invalid for a reaction that is not a vote.
func (s *Service) CommentOfEvent(ctx context.Context, a Actor, ev *Event) (*CommentView, error) {
	var id MessageID
	switch ev.Type {
	case EventMessageCreated, EventMessageEdited, EventMessageDeleted:
		id = ev.Message.ID
	case EventReactionSet, EventReactionUnset:
		if ev.Reaction.Name != VoteUp && ev.Reaction.Name != VoteDown {
			return nil, Errorf(Invalid, "Not a vote.")
		}
		id = ev.Reaction.MessageID
	default:
		return nil, ErrNotFound
	}
	var view *CommentView
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		m, err := tx.MessageByID(ctx, a.OrgID, id)
		if err != nil {
			return err
		}
		if ev.Type != EventMessageDeleted {
			if _, _, err := visibleThread(ctx, tx, au, m.ThreadID); err != nil {
				return err
			}
		}
		if ev.Message != nil {
			c := *ev.Message
			c.Reactions = m.Reactions
			m = &c
		}
		views, err := commentViews(ctx, tx, a.OrgID, []*Message{m})
		if err == nil {
			view = views[0]
		}
		return err
	})
	return view, err
}

// commentViews completes messages with their threads, authors, voters and
// edit histories, loading each thread and user once.
func commentViews(ctx context.Context, tx ReadTx, org OrgID, msgs []*Message) ([]*CommentView, error) {
	threads := map[ThreadID]*Thread{}
	names := map[UserID]string{}
	name := func(id UserID) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		u, err := tx.UserByID(ctx, org, id)
		if err != nil && !isNotFound(err) {
			return "", err
		}
		if u != nil {
			names[id] = u.Username
		}
		return names[id], nil
	}
	out := make([]*CommentView, 0, len(msgs))
	for _, m := range msgs {
		th, ok := threads[m.ThreadID]
		if !ok {
			var err error
			if th, err = tx.ThreadByID(ctx, org, m.ThreadID); err != nil {
				return nil, err
			}
			threads[m.ThreadID] = th
		}
		v := &CommentView{Comment: m, Thread: th, Upvoters: []string{}, Downvoters: []string{}, Edits: []Edit{}}
		var err error
		if v.Author, err = name(m.AuthorID); err != nil {
			return nil, err
		}
		for _, r := range m.Reactions {
			n, err := name(r.UserID)
			if err != nil {
				return nil, err
			}
			switch r.Name {
			case VoteUp:
				v.Upvoters = append(v.Upvoters, n)
			case VoteDown:
				v.Downvoters = append(v.Downvoters, n)
			}
		}
		if m.Edited {
			if v.Edits, err = tx.Edits(ctx, m.ID); err != nil {
				return nil, err
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// ToggleVote adds the actor's vote (VoteUp or VoteDown) to a comment, or
// takes it back when it is there, and returns the comment. Invalid for
// another vote name; NotFound when the actor cannot read the comment;
// Forbidden when it cannot write in its thread.
func (s *Service) ToggleVote(ctx context.Context, a Actor, id MessageID, vote string) (*CommentView, error) {
	if vote != VoteUp && vote != VoteDown {
		return nil, &Error{Code: Invalid, Reason: "vote_type", Message: "Invalid type."}
	}
	var view *CommentView
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		m, th, acc, err := visibleMessage(ctx, w.tx, au, id)
		if err != nil {
			return err
		}
		if !acc.CanWrite() {
			return &Error{Code: Forbidden, Reason: "thread_not_writable", Message: "You cannot vote in this thread."}
		}
		r := Reaction{MessageID: m.ID, UserID: au.user.ID, Name: vote}
		typ := EventReactionSet
		if slices.Contains(m.Reactions, r) {
			typ = EventReactionUnset
			_, err = w.tx.DeleteReaction(ctx, r)
		} else {
			_, err = w.tx.SetReaction(ctx, r, w.now)
		}
		if err != nil {
			return err
		}
		if err := w.emit(ctx, &Event{OrgID: a.OrgID, Type: typ, ActorID: au.user.ID, ThreadID: th.ID, Reaction: &r, Topics: threadTopics(th)}); err != nil {
			return err
		}
		if m, err = w.tx.MessageByID(ctx, a.OrgID, id); err != nil {
			return err
		}
		views, err := commentViews(ctx, w.tx, a.OrgID, []*Message{m})
		if err == nil {
			view = views[0]
		}
		return err
	})
	return view, err
}

// DeleteAllComments deletes every comment the actor wrote in its org, in
// threads it can still read or not, and returns how many. Each deletion is
// announced.
func (s *Service) DeleteAllComments(ctx context.Context, a Actor) (int, error) {
	n := 0
	err := s.update(ctx, func(w *work) error {
		n = 0
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		for {
			msgs, err := w.tx.Comments(ctx, CommentFilter{OrgID: a.OrgID, AuthorID: au.user.ID, Limit: MaxPage})
			if err != nil || len(msgs) == 0 {
				return err
			}
			for _, m := range msgs {
				if err := s.tombstone(ctx, w, au, m); err != nil {
					return err
				}
				n++
			}
		}
	})
	return n, err
}

// tombstone deletes a message (its text erased, the row kept for the
// sequence) and announces it.
func (s *Service) tombstone(ctx context.Context, w *work, au *authority, m *Message) error {
	th, err := w.tx.ThreadByID(ctx, m.OrgID, m.ThreadID)
	if err != nil {
		return err
	}
	m.Deleted, m.Text, m.UpdatedAt = true, "", w.now
	if err := w.tx.UpdateMessage(ctx, m); err != nil {
		return err
	}
	if err := w.tx.AdjustThread(ctx, th.ID, -1, w.now); err != nil {
		return err
	}
	return w.emit(ctx, &Event{OrgID: m.OrgID, Type: EventMessageDeleted, ActorID: au.userID(), ThreadID: th.ID, Message: m, Topics: threadTopics(th)})
}

// SubscribeComments starts a live subscription to one comment page for the
// actor. A key no thread has yet is watched for: the subscription starts
// showing the page once its first comment opens it (if the actor may read
// it). NotFound when the thread exists and the actor cannot read it.
func (s *Service) SubscribeComments(ctx context.Context, a Actor, ref ThreadRef) (*Subscription, error) {
	if ref.empty() {
		return nil, Invalidf("threadId", "Name the thread to follow.")
	}
	var th *Thread
	err := s.view(ctx, func(tx ReadTx) error {
		var err error
		th, err = resolveThread(ctx, tx, a.OrgID, ref)
		if isNotFound(err) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if th != nil {
		return s.Subscribe(ctx, a, SubscribeOptions{Threads: []ThreadID{th.ID}})
	}
	if ref.Key == "" {
		return nil, notFound("Thread")
	}
	sub, err := s.Subscribe(ctx, a, SubscribeOptions{Threads: nil, pendingKey: ref.Key})
	return sub, err
}
