package chat

import (
	"context"
	"slices"
)

// This file is the one permission policy. Every decision about who may see or
// do what is a pure function here over data loaded by the use case, so it is
// table-tested without a database, and no surface decides anything itself.

// Access is what an actor may do in a channel or thread.
type Access uint8

// Access bits. Write implies read.
const (
	AccessRead Access = 1 << iota
	AccessWrite
)

// CanRead reports whether a grants reading.
func (a Access) CanRead() bool { return a&(AccessRead|AccessWrite) != 0 }

// CanWrite reports whether a grants writing.
func (a Access) CanWrite() bool { return a&AccessWrite != 0 }

// authority is what an actor may do in its org, loaded once per unit of work.
type authority struct {
	actor Actor
	user  *User // nil for anonymous and system actors
	perms Perm  // from the level and the roles

	// Loaded on first use by channelAccess.
	members map[ChannelID]bool
	grants  map[ChannelID]Access
}

// levelPerms maps a native level onto the permission flags, so that a
// ConvoForge role and a Struct level meet in the same checks.
func levelPerms(l Level) Perm {
	switch l {
	case LevelOwner, LevelAdmin:
		return PermAdministrator
	case LevelMod:
		return PermManageChannels
	}
	return 0
}

// has reports whether the authority holds p (administrator holds all).
func (au *authority) has(p Perm) bool {
	return au.perms&PermAdministrator != 0 || au.perms&p == p
}

// signedIn reports whether a member (not anonymous, not system) acts.
func (au *authority) signedIn() bool { return au.user != nil }

func (au *authority) userID() UserID {
	if au.user == nil {
		return 0
	}
	return au.user.ID
}

func (au *authority) level() Level {
	switch {
	case au.actor.Kind == System:
		return LevelOwner
	case au.user == nil:
		return 0
	}
	return au.user.Level
}

// loadAuthority resolves an actor's user and permissions. A member actor whose
// user is gone or deleted is Unauthenticated: the credential no longer works.
func loadAuthority(ctx context.Context, tx ReadTx, a Actor) (*authority, error) {
	au := &authority{actor: a}
	switch a.Kind {
	case System:
		au.perms = PermAdministrator
		return au, nil
	case Anonymous:
		if a.Operator {
			au.perms = PermAdministrator
		}
		return au, nil
	}
	u, err := tx.UserByID(ctx, a.OrgID, a.UserID)
	if ErrorCode(err) == NotFound || err == nil && u.Deleted {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	au.user = u
	perms, err := tx.UserPerms(ctx, a.OrgID, u.ID)
	if err != nil {
		return nil, err
	}
	au.perms = levelPerms(u.Level) | perms
	if a.Operator {
		au.perms |= PermAdministrator
	}
	return au, nil
}

// forbidden is the answer when a permission check refuses au: an anonymous
// visitor (not the operator) is told to sign in (Unauthenticated, as on every
// route that needs a member), a member is Forbidden.
func forbidden(au *authority, format string, args ...any) error {
	if au.actor.Kind == Anonymous && !au.actor.Operator {
		return ErrUnauthenticated
	}
	return Errorf(Forbidden, format, args...)
}

// loadMember is loadAuthority for the use cases that need a signed-in
// user (or the system): Unauthenticated for anyone else.
func loadMember(ctx context.Context, tx ReadTx, a Actor) (*authority, error) {
	au, err := loadAuthority(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	if err := requireMember(au); err != nil {
		return nil, err
	}
	return au, nil
}

// requireMember returns nil if a signed-in user (or the system) acts,
// Unauthenticated otherwise.
func requireMember(au *authority) error {
	if au.actor.Kind == System || au.signedIn() {
		return nil
	}
	return ErrUnauthenticated
}

// loadChannelAccess loads the actor's channel memberships and role grants.
func (au *authority) loadChannelAccess(ctx context.Context, tx ReadTx) error {
	if au.members != nil || !au.signedIn() {
		return nil
	}
	ids, err := tx.MemberChannels(ctx, au.actor.OrgID, au.user.ID)
	if err != nil {
		return err
	}
	au.members = make(map[ChannelID]bool, len(ids))
	for _, id := range ids {
		au.members[id] = true
	}
	au.grants, err = tx.ChannelGrants(ctx, au.actor.OrgID, au.user.ID)
	return err
}

// channelAccess decides what au may do with a channel's threads. Call
// loadChannelAccess first.
func channelAccess(au *authority, ch *Channel) Access {
	if ch == nil || ch.Deleted || ch.OrgID != au.actor.OrgID {
		return 0
	}
	if au.actor.Kind == System || au.has(PermManageChannels) {
		return AccessRead | AccessWrite
	}
	var acc Access
	if au.signedIn() {
		if au.members[ch.ID] {
			acc |= AccessRead | AccessWrite
		}
		acc |= au.grants[ch.ID]
	}
	if ch.Visibility == VisibleAnyone {
		acc |= AccessRead
		if au.signedIn() {
			acc |= AccessWrite
		}
	}
	if acc.CanWrite() {
		acc |= AccessRead
	}
	return acc
}

// channelListed reports whether au sees that ch exists (in channel lists).
func channelListed(au *authority, ch *Channel) bool {
	switch {
	case ch.Deleted:
		return false
	case channelAccess(au, ch) != 0:
		return true
	case ch.Visibility == VisibleHidden:
		return false
	}
	return au.signedIn()
}

// canJoinChannel reports whether au may add itself to ch.
func canJoinChannel(au *authority, ch *Channel) bool {
	return au.signedIn() && !ch.Deleted && (ch.Visibility != VisibleHidden || au.has(PermManageChannels))
}

// threadAccess decides what au may do in a thread, given the access it has to
// each of the thread's channels.
func threadAccess(au *authority, th *Thread, chAccess func(ChannelID) Access) Access {
	if th == nil || th.OrgID != au.actor.OrgID || th.Deleted {
		return 0
	}
	if au.actor.Kind == System {
		return AccessRead | AccessWrite
	}
	if th.Hidden && !au.has(PermManageChannels) && (au.userID() == 0 || au.userID() != th.AuthorID) {
		return 0
	}
	var acc Access
	if th.Kind == KindTopic {
		for _, id := range th.ChannelIDs {
			acc |= chAccess(id)
		}
		return acc
	}
	if au.signedIn() && slices.Contains(th.Participants, au.user.ID) {
		acc |= AccessRead | AccessWrite
	}
	if th.ReadPublic {
		acc |= AccessRead
	}
	if th.WritePublic && au.signedIn() {
		acc |= AccessRead | AccessWrite
	}
	return acc
}

// canEditMessage: only the author edits a message.
func canEditMessage(au *authority, m *Message) bool {
	return au.signedIn() && m.AuthorID == au.user.ID && !m.Deleted
}

// canDeleteMessage: the author, or a moderator of the thread's channels.
func canDeleteMessage(au *authority, m *Message) bool {
	return au.actor.Kind == System || au.signedIn() && m.AuthorID == au.user.ID || au.has(PermManageChannels)
}

// canAddUser: admins, or any member when the org is open to join.
func canAddUser(au *authority, org *Org) bool {
	return au.has(PermManageUsers) || au.signedIn() && org.OpenJoin
}

// canSetLevel decides a role change: an owner can make owners; an owner or
// admin can make admins and mods and can demote anyone below themselves (an
// owner can demote an owner). Nobody changes their own level.
func canSetLevel(au *authority, target *User, to Level) bool {
	if au.actor.Kind == System {
		return true
	}
	if !au.signedIn() || au.user.ID == target.ID {
		return false
	}
	me := au.user.Level
	if au.actor.Operator {
		me = LevelOwner
	}
	switch {
	case me == LevelOwner:
		return true
	case me == LevelAdmin:
		return to < LevelOwner && target.Level < LevelOwner
	}
	return false
}

// canUpdateUser: oneself, or a user manager.
func canUpdateUser(au *authority, target *User) bool {
	return au.has(PermManageUsers) || au.signedIn() && au.user.ID == target.ID
}

// canManageChannels: moderators and up, or a role with manage_channels.
func canManageChannels(au *authority) bool { return au.has(PermManageChannels) }

// canAdminister: admins and owners, or an administrator role.
func canAdminister(au *authority) bool { return au.has(PermAdministrator) }

// canManageRoles: admins and owners, or a role with manage_roles.
func canManageRoles(au *authority) bool { return au.has(PermManageRoles) }

// ownsFile: the file's uploader (and the system). Others read a file
// through the message it is attached to.
func ownsFile(au *authority, f *File) bool {
	return au.actor.Kind == System || au.signedIn() && f.OwnerID == au.user.ID
}

// canDeleteFile: the file's owner, or an administrator.
func canDeleteFile(au *authority, f *File) bool {
	return au.has(PermAdministrator) || au.signedIn() && f.OwnerID == au.user.ID
}

// canSetTags: the thread's author or a moderator.
func canSetTags(au *authority, th *Thread) bool {
	return au.has(PermManageChannels) || au.signedIn() && th.AuthorID == au.user.ID
}

// isThreadModerator: the thread's creator or one of its moderators, or an
// org moderator.
func isThreadModerator(au *authority, th *Thread) bool {
	if au.actor.Kind == System || au.has(PermManageChannels) {
		return true
	}
	return au.signedIn() && (th.AuthorID == au.user.ID || slices.Contains(th.Moderators, au.user.ID))
}

// canAddThreadMembers: a conversation's members (and its moderators) may
// invite others into it.
func canAddThreadMembers(au *authority, th *Thread) bool {
	return isThreadModerator(au, th) || au.signedIn() && slices.Contains(th.Participants, au.user.ID)
}

// canManageThread: a conversation's moderators and creator remove members,
// appoint moderators, retitle it, switch its public flags and delete it.
func canManageThread(au *authority, th *Thread) bool { return isThreadModerator(au, th) }

// scope builds the ThreadScope of what au may see among channels.
func (au *authority) scope(channels []*Channel) ThreadScope {
	s := ThreadScope{OrgID: au.actor.OrgID, Participant: au.userID(), Hidden: au.has(PermManageChannels)}
	for _, ch := range channels {
		if channelAccess(au, ch).CanRead() {
			s.Channels = append(s.Channels, ch.ID)
		}
	}
	return s
}

// The bot platform (bot.go, botchat.go and their neighbours).

// canManageBots: the operator, admins and user managers create, delete and
// re-key bots.
func canManageBots(au *authority) bool { return au.has(PermManageUsers) }

// canReloadBotConfig: only the operator (the client secret) changes the
// server-wide limits of the bot platform.
func canReloadBotConfig(au *authority) bool { return au.actor.Operator }

// actsAsBot reports whether a bot acts (through its key).
func actsAsBot(au *authority) bool { return au.signedIn() && au.user.Bot }

// canChatWithBot: a person (not a bot) may open chats with a bot of its org.
func canChatWithBot(au *authority, bot *User) bool {
	return au.signedIn() && !au.user.Bot && bot != nil && bot.Bot && !bot.Deleted && bot.OrgID == au.actor.OrgID
}

// canSignUpWithNickname: a visitor becomes a member with only a nickname in
// the org bot platforms share by default, or in an org open to join.
func canSignUpWithNickname(au *authority, org *Org) bool {
	return au.actor.Kind == Anonymous && org != nil && org.ID == au.actor.OrgID && (org.Slug == DefaultOrgSlug || org.OpenJoin)
}

// chatRelation is how an actor stands to a bot chat.
type chatRelation int

const (
	// chatHidden: the chat does not exist for the actor (another org).
	chatHidden chatRelation = iota
	// chatForeign: the chat is someone else's in the actor's org. Botyard
	// answers "Chat is not related to current user." (403).
	chatForeign
	// chatOwn: the actor is the chat's user or its bot.
	chatOwn
)

// botChatAccess decides how au stands to a bot chat: only its user (as a
// person) and its bot (as a bot) use it.
func botChatAccess(au *authority, c *BotChat) chatRelation {
	switch {
	case c == nil || c.OrgID != au.actor.OrgID || !au.signedIn():
		return chatHidden
	case au.user.Bot && au.user.ID == c.BotID, !au.user.Bot && au.user.ID == c.UserID:
		return chatOwn
	}
	return chatForeign
}

// canOpenFileByPath: a bot platform file path is a capability (it holds the
// file's random storage token, as Botyard's public static URLs were
// unguessable names): whoever has it, in the file's org, may read the file.
func canOpenFileByPath(au *authority, f *File) bool { return f != nil && f.OrgID == au.actor.OrgID }

// isConversationAdmin reports whether au moderates th itself (a
// conversation's admins).
func isConversationAdmin(au *authority, th *Thread) bool {
	return au.signedIn() && slices.Contains(th.Moderators, au.user.ID)
}

// canPinMessage: in a thread the actor can write in, the thread's
// moderators, the org's channel moderators, the chat's author, and either
// party of a direct conversation.
func canPinMessage(au *authority, th *Thread, m *Message, acc Access) bool {
	if !acc.CanWrite() || m.Deleted {
		return false
	}
	return au.actor.Kind == System || th.Kind == KindDirect || isConversationAdmin(au, th) || au.has(PermManageChannels) ||
		au.signedIn() && m.AuthorID == au.user.ID
}

// canUnsendMessage: only the author takes a message back.
func canUnsendMessage(au *authority, m *Message) bool {
	return au.signedIn() && m.AuthorID == au.user.ID && !m.Deleted
}

// canForwardMessage: any readable message but an ephemeral one, whose copy
// would outlive it.
func canForwardMessage(m *Message) bool { return !m.Deleted && m.ExpiresAt.IsZero() }

// canReviewReports: admins and owners, or an administrator role.
func canReviewReports(au *authority) bool { return canAdminister(au) }
