package chat

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
)

// This file holds the use cases of comment threads with members: a
// conversation thread (KindGroup) with a key, a title (Subject), a
// description (Summary), a URL, keywords (Tags), read/write public flags,
// members (Participants) and moderators. Who may do what is decided in
// policy.go (canAddThreadMembers, canManageThread).

// Errors of comment threads, in The Convo Space's words.
var (
	ErrThreadParams    = &Error{Code: Invalid, Reason: "thread_params", Message: "Invalid/Insufficient params."}
	ErrThreadExists    = &Error{Code: Conflict, Reason: ConflictThreadKey, Message: "Thread already exists."}
	ErrThreadMissing   = &Error{Code: NotFound, Reason: "thread_missing", Message: "Thread does not exist."}
	ErrNotThreadMember = &Error{Code: Forbidden, Reason: "not_thread_member", Message: "signerAddress not a part of the Thread"}
	ErrNotThreadMod    = &Error{Code: Forbidden, Reason: "not_thread_moderator", Message: "signerAddress not an Admin or a Moderator of the Thread."}
)

// DefaultThreadURL is the URL of a thread created without one.
const DefaultThreadURL = "https://theconvo.space/"

// MaxThreadPage is the largest page of threads a listing returns.
const MaxThreadPage = 50

// NewCommentThread is the input for creating a comment thread.
type NewCommentThread struct {
	// Key is the thread id; empty means a random one.
	Key         string
	Subject     string
	Summary     string
	URL         string // decoded; empty means DefaultThreadURL
	ReadPublic  bool
	WritePublic bool
	// Members and Moderators are wallet accounts; anything else is
	// dropped. Moderators are members too.
	Members    []string
	Moderators []string
	Keywords   []string
	Metadata   json.RawMessage
}

func (in *NewCommentThread) normalize() error {
	in.Key = strings.TrimSpace(in.Key)
	if in.Key == "" {
		in.Key = randomAlnum(26)
	}
	if len(in.Key) > MaxThreadKeyLen || strings.TrimSpace(in.Subject) == "" || strings.TrimSpace(in.Summary) == "" {
		return ErrThreadParams
	}
	if checkLen("title", in.Subject, 1, MaxSubjectLen) != nil || checkLen("description", in.Summary, 1, MaxSummaryLen) != nil {
		return ErrThreadParams
	}
	if len(in.Members)+len(in.Moderators) > MaxParticipants {
		return ErrThreadParams
	}
	if in.URL == "" {
		in.URL = DefaultThreadURL
	}
	if !pageURL(in.URL) {
		return ErrThreadParams
	}
	tags, err := normalizeTags(in.Keywords)
	if err != nil {
		return ErrThreadParams
	}
	in.Keywords = tags
	if in.Metadata, err = normalizeMetadata(in.Metadata); err != nil {
		return ErrThreadParams
	}
	return nil
}

// CommentThreadView is a comment thread with its people named by username.
type CommentThreadView struct {
	Thread     *Thread
	Creator    string
	Members    []string
	Moderators []string
}

// CreateCommentThread creates a comment thread whose creator (the actor) is
// a member and moderator. Conflict (ErrThreadExists) when the key is taken;
// Invalid (ErrThreadParams) for a blank title or description, a bad URL or
// keywords.
func (s *Service) CreateCommentThread(ctx context.Context, a Actor, in NewCommentThread) (*CommentThreadView, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var view *CommentThreadView
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		members, err := s.walletUsers(ctx, w, a.OrgID, append(slices.Clone(in.Members), in.Moderators...))
		if err != nil {
			return err
		}
		mods, err := s.walletUsers(ctx, w, a.OrgID, in.Moderators)
		if err != nil {
			return err
		}
		th := &Thread{OrgID: a.OrgID, Kind: KindGroup, Key: in.Key, Subject: in.Subject, Summary: in.Summary, URL: in.URL,
			Metadata: in.Metadata, Tags: in.Keywords, AuthorID: au.user.ID, ReadPublic: in.ReadPublic, WritePublic: in.WritePublic,
			CreatedAt: w.now, UpdatedAt: w.now, ChannelIDs: []ChannelID{}}
		th.Participants = sortedIDs(append(members, au.user.ID))
		th.Moderators = sortedIDs(append(mods, au.user.ID))
		if err := w.tx.InsertThread(ctx, th); err != nil {
			if ErrorReason(err) == ConflictThreadKey {
				return ErrThreadExists
			}
			return err
		}
		if th, err = w.tx.ThreadByID(ctx, a.OrgID, th.ID); err != nil {
			return err
		}
		if err := w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventThreadCreated, ActorID: au.user.ID, ThreadID: th.ID, Thread: th, Topics: threadTopics(th)}); err != nil {
			return err
		}
		view, err = commentThreadView(ctx, w.tx, th)
		return err
	})
	return view, err
}

// walletUsers returns the org's users of the wallet accounts given (dropping
// anything that is not one), creating members for accounts never seen.
func (s *Service) walletUsers(ctx context.Context, w *work, org OrgID, accounts []string) ([]UserID, error) {
	var ids []UserID
	for _, acc := range accounts {
		signer, chain, ok := s.walletAccount(acc)
		if !ok {
			continue
		}
		u, err := s.walletUser(ctx, w, org, signer, walletXID+chain)
		if ErrorCode(err) == Conflict || ErrorCode(err) == Unauthenticated {
			continue // a non-wallet or deleted user of that name: not a wallet member
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}

func sortedIDs(ids []UserID) []UserID {
	ids = dedupe(ids)
	slices.Sort(ids)
	return ids
}

// ThreadChange is one change to a comment thread; the fields that are set
// apply.
type ThreadChange struct {
	AddMembers        []string
	RemoveMembers     []string
	AddModerators     []string
	RemoveModerators  []string
	Subject           *string
	Summary           *string
	ToggleReadPublic  bool
	ToggleWritePublic bool
}

// ChangeCommentThread applies a change to a comment thread the actor can
// read. Members and moderators may add members; moderators (and the
// creator) may do the rest. Moderators added become members; members
// removed stop being moderators.
//
// NotFound (ErrThreadMissing) when the actor cannot read the thread;
// Forbidden (ErrNotThreadMember, ErrNotThreadMod) per policy; Invalid
// (ErrThreadParams) for a bad title or description.
func (s *Service) ChangeCommentThread(ctx context.Context, a Actor, ref ThreadRef, c ThreadChange) error {
	if len(c.AddMembers)+len(c.RemoveMembers)+len(c.AddModerators)+len(c.RemoveModerators) > MaxParticipants ||
		c.Subject != nil && checkLen("title", *c.Subject, 0, MaxSubjectLen) != nil ||
		c.Summary != nil && checkLen("description", *c.Summary, 0, MaxSummaryLen) != nil {
		return ErrThreadParams
	}
	return s.update(ctx, func(w *work) error {
		au, th, err := s.commentThreadFor(ctx, w.tx, a, ref)
		if err != nil {
			return err
		}
		manages := len(c.RemoveMembers)+len(c.AddModerators)+len(c.RemoveModerators) > 0 ||
			c.Subject != nil || c.Summary != nil || c.ToggleReadPublic || c.ToggleWritePublic
		switch {
		case manages && !canManageThread(au, th):
			return ErrNotThreadMod
		case !manages && !canAddThreadMembers(au, th):
			return ErrNotThreadMember
		}
		add, err := s.walletUsers(ctx, w, a.OrgID, append(slices.Clone(c.AddMembers), c.AddModerators...))
		if err != nil {
			return err
		}
		if err := w.tx.AddParticipants(ctx, th.ID, add, w.now); err != nil {
			return err
		}
		mods, err := s.walletUsers(ctx, w, a.OrgID, c.AddModerators)
		if err != nil {
			return err
		}
		for _, id := range mods {
			if err := w.tx.SetModerator(ctx, th.ID, id, true); err != nil {
				return err
			}
		}
		if err := w.tx.RemoveParticipants(ctx, th.ID, s.knownUsers(ctx, w.tx, a.OrgID, c.RemoveMembers)); err != nil {
			return err
		}
		for _, id := range s.knownUsers(ctx, w.tx, a.OrgID, c.RemoveModerators) {
			if err := w.tx.SetModerator(ctx, th.ID, id, false); err != nil {
				return err
			}
		}
		if c.Subject != nil {
			th.Subject = *c.Subject
		}
		if c.Summary != nil {
			th.Summary = *c.Summary
		}
		th.ReadPublic = th.ReadPublic != c.ToggleReadPublic
		th.WritePublic = th.WritePublic != c.ToggleWritePublic
		if err := w.tx.UpdateThread(ctx, th); err != nil {
			return err
		}
		if th, err = w.tx.ThreadByID(ctx, a.OrgID, th.ID); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: th.OrgID, Type: EventThreadUpdated, ActorID: au.userID(), ThreadID: th.ID, Thread: th, Topics: threadTopics(th)})
	})
}

// knownUsers returns the ids of the existing users of the wallet accounts
// given; the rest are ignored.
func (s *Service) knownUsers(ctx context.Context, tx ReadTx, org OrgID, accounts []string) []UserID {
	var ids []UserID
	for _, acc := range accounts {
		signer, _, ok := s.walletAccount(acc)
		if !ok {
			continue
		}
		if u, err := tx.UserByUsername(ctx, org, signer); err == nil {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// commentThreadFor loads the actor's authority and a thread it can read.
// NotFound (ErrThreadMissing) otherwise.
func (s *Service) commentThreadFor(ctx context.Context, tx ReadTx, a Actor, ref ThreadRef) (*authority, *Thread, error) {
	if ref.empty() {
		return nil, nil, ErrThreadParams
	}
	au, err := loadAuthority(ctx, tx, a)
	if err != nil {
		return nil, nil, err
	}
	if err := requireMember(au); err != nil {
		return nil, nil, err
	}
	th, err := resolveThread(ctx, tx, a.OrgID, ref)
	if isNotFound(err) {
		return nil, nil, ErrThreadMissing
	}
	if err != nil {
		return nil, nil, err
	}
	acc, err := accessToThread(ctx, tx, au, th)
	if err != nil {
		return nil, nil, err
	}
	if !acc.CanRead() {
		return nil, nil, ErrThreadMissing
	}
	return au, th, nil
}

// DeleteCommentThread deletes a comment thread with all its comments (each
// deletion announced) and frees its key. Moderators and the creator only
// (Forbidden, ErrNotThreadMod); NotFound (ErrThreadMissing) when the actor
// cannot read it.
func (s *Service) DeleteCommentThread(ctx context.Context, a Actor, ref ThreadRef) error {
	return s.update(ctx, func(w *work) error {
		au, th, err := s.commentThreadFor(ctx, w.tx, a, ref)
		if err != nil {
			return err
		}
		if !canManageThread(au, th) {
			return ErrNotThreadMod
		}
		for {
			msgs, err := w.tx.Comments(ctx, CommentFilter{OrgID: a.OrgID, ThreadID: th.ID, Limit: MaxPage})
			if err != nil {
				return err
			}
			if len(msgs) == 0 {
				break
			}
			for _, m := range msgs {
				if err := s.tombstone(ctx, w, au, m); err != nil {
					return err
				}
			}
		}
		if err := w.tx.ReleaseThreadKey(ctx, th.ID); err != nil {
			return err
		}
		th.Key, th.Deleted = "", true
		return s.saveThread(ctx, w, au, th)
	})
}

// CommentThreadQuery selects comment threads the actor may read. Unless
// AllPublic, at least one of Thread, Creator, Subject and Member is needed.
type CommentThreadQuery struct {
	// AllPublic lists the newest read-public threads (other filters are
	// ignored).
	AllPublic   bool
	Thread      ThreadRef
	Creator     string
	Member      string
	URL         string
	Subject     string
	ReadPublic  *bool
	WritePublic *bool
	Keywords    []string
	NewestFirst bool
	// Page (0-based) of PageSize threads (at most MaxThreadPage, the
	// default).
	Page, PageSize int
}

// threadFilter resolves q for au; ok is false when q names a thread or
// person that does not exist.
func (s *Service) threadFilter(ctx context.Context, tx ReadTx, scope ThreadScope, q CommentThreadQuery) (ThreadFilter, bool, error) {
	f := ThreadFilter{Scope: scope, Kind: KindGroup, URL: q.URL, Subject: q.Subject, ReadPublic: q.ReadPublic, WritePublic: q.WritePublic,
		NewestFirst: q.NewestFirst}
	size := MaxThreadPage
	if q.PageSize > 0 {
		size = min(q.PageSize, MaxThreadPage)
	}
	if q.Page < 0 {
		return f, false, ErrCommentParams
	}
	f.Limit, f.Offset = size, q.Page*size
	if q.AllPublic {
		yes := true
		return ThreadFilter{Scope: scope, Kind: KindGroup, ReadPublic: &yes, NewestFirst: true, Limit: DefaultCommentPage}, true, nil
	}
	if q.Thread.empty() && q.Creator == "" && q.Member == "" && q.Subject == "" {
		return f, false, ErrCommentParams
	}
	tags, err := normalizeTags(q.Keywords)
	if err != nil {
		return f, false, nil // no thread has such a keyword
	}
	f.Tags = tags
	if !q.Thread.empty() {
		th, err := resolveThread(ctx, tx, scope.OrgID, q.Thread)
		if isNotFound(err) {
			return f, false, nil
		}
		if err != nil {
			return f, false, err
		}
		f.Key = th.Key
		if f.Key == "" {
			return f, false, nil
		}
	}
	for _, p := range []struct {
		account string
		id      *UserID
	}{{q.Creator, &f.AuthorID}, {q.Member, &f.Member}} {
		if p.account == "" {
			continue
		}
		u, err := tx.UserByUsername(ctx, scope.OrgID, s.canonicalSigner(p.account))
		if isNotFound(err) {
			return f, false, nil
		}
		if err != nil {
			return f, false, err
		}
		*p.id = u.ID
	}
	return f, true, nil
}

// CommentThreads lists the comment threads that match q among those the
// actor may read. Invalid (ErrCommentParams) for a query without filters.
func (s *Service) CommentThreads(ctx context.Context, a Actor, q CommentThreadQuery) ([]*CommentThreadView, error) {
	views := []*CommentThreadView{}
	err := s.view(ctx, func(tx ReadTx) error {
		_, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		f, ok, err := s.threadFilter(ctx, tx, scope, q)
		if err != nil || !ok {
			return err
		}
		threads, err := tx.FindThreads(ctx, f)
		if err != nil {
			return err
		}
		for _, th := range threads {
			v, err := commentThreadView(ctx, tx, th)
			if err != nil {
				return err
			}
			views = append(views, v)
		}
		return nil
	})
	return views, err
}

// CountCommentThreads counts the threads CommentThreads would list, without
// paging.
func (s *Service) CountCommentThreads(ctx context.Context, a Actor, q CommentThreadQuery) (int, error) {
	var n int
	err := s.view(ctx, func(tx ReadTx) error {
		_, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		f, ok, err := s.threadFilter(ctx, tx, scope, q)
		if err != nil || !ok {
			return err
		}
		n, err = tx.CountThreads(ctx, f)
		return err
	})
	return n, err
}

// CommentThreadsByRef returns the threads named (at most MaxPage) that the
// actor may read, in the order given; the others are left out.
func (s *Service) CommentThreadsByRef(ctx context.Context, a Actor, refs []ThreadRef) ([]*CommentThreadView, error) {
	if len(refs) > MaxPage {
		return nil, ErrCommentParams
	}
	views := []*CommentThreadView{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		for _, ref := range refs {
			th, err := resolveThread(ctx, tx, a.OrgID, ref)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			acc, err := accessToThread(ctx, tx, au, th)
			if err != nil {
				return err
			}
			if !acc.CanRead() {
				continue
			}
			v, err := commentThreadView(ctx, tx, th)
			if err != nil {
				return err
			}
			views = append(views, v)
		}
		return nil
	})
	return views, err
}

// UserThreads are the comment threads, among those the asker may read, in
// which an account is a member or a moderator.
type UserThreads struct {
	Account    string
	Member     []*Thread
	Moderator  []*Thread
	KnownToOrg bool
}

// UserCommentThreads lists the comment threads a wallet account is a member
// and a moderator of, among those the actor may read. Invalid for something
// that is not a wallet account; KnownToOrg is false (and the lists empty)
// for an account the org has never seen.
func (s *Service) UserCommentThreads(ctx context.Context, a Actor, account string) (*UserThreads, error) {
	signer, _, ok := s.walletAccount(account)
	if !ok {
		return nil, &Error{Code: Invalid, Reason: "account", Message: "Invalid address."}
	}
	out := &UserThreads{Account: signer, Member: []*Thread{}, Moderator: []*Thread{}}
	err := s.view(ctx, func(tx ReadTx) error {
		_, scope, err := actorScope(ctx, tx, a)
		if err != nil {
			return err
		}
		u, err := tx.UserByUsername(ctx, a.OrgID, signer)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		out.KnownToOrg = true
		if out.Member, err = tx.FindThreads(ctx, ThreadFilter{Scope: scope, Kind: KindGroup, Member: u.ID, Limit: MaxPage}); err != nil {
			return err
		}
		out.Moderator, err = tx.FindThreads(ctx, ThreadFilter{Scope: scope, Kind: KindGroup, Moderator: u.ID, Limit: MaxPage})
		return err
	})
	return out, err
}

// commentThreadView names a thread's creator, members and moderators.
func commentThreadView(ctx context.Context, tx ReadTx, th *Thread) (*CommentThreadView, error) {
	v := &CommentThreadView{Thread: th, Members: []string{}, Moderators: []string{}}
	names := map[UserID]string{}
	name := func(id UserID) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		u, err := tx.UserByID(ctx, th.OrgID, id)
		if isNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		names[id] = u.Username
		return u.Username, nil
	}
	var err error
	if v.Creator, err = name(th.AuthorID); err != nil {
		return nil, err
	}
	for _, set := range []struct {
		ids []UserID
		out *[]string
	}{{th.Participants, &v.Members}, {th.Moderators, &v.Moderators}} {
		for _, id := range set.ids {
			n, err := name(id)
			if err != nil {
				return nil, err
			}
			if n != "" {
				*set.out = append(*set.out, n)
			}
		}
	}
	return v, nil
}
