package chat

import "testing"

func member(level Level, perms Perm, memberOf ...ChannelID) *authority {
	au := &authority{actor: Actor{Kind: Member, OrgID: 1, UserID: 10}, user: &User{ID: 10, OrgID: 1, Level: level},
		perms: levelPerms(level) | perms, members: map[ChannelID]bool{}, grants: map[ChannelID]Access{}}
	for _, c := range memberOf {
		au.members[c] = true
	}
	return au
}

func TestChannelAccess(t *testing.T) {
	anon := &authority{actor: AnonymousActor(1)}
	granted := member(LevelMember, 0)
	granted.grants[5] = AccessRead
	tests := []struct {
		name string
		au   *authority
		ch   *Channel
		want Access
	}{
		{"member of members channel", member(LevelMember, 0, 5), &Channel{ID: 5, OrgID: 1, Visibility: VisibleMembers}, AccessRead | AccessWrite},
		{"non-member of members channel", member(LevelMember, 0), &Channel{ID: 5, OrgID: 1, Visibility: VisibleMembers}, 0},
		{"non-member of public channel", member(LevelMember, 0), &Channel{ID: 5, OrgID: 1, Visibility: VisibleAnyone}, AccessRead | AccessWrite},
		{"anonymous, public channel", anon, &Channel{ID: 5, OrgID: 1, Visibility: VisibleAnyone}, AccessRead},
		{"anonymous, members channel", anon, &Channel{ID: 5, OrgID: 1, Visibility: VisibleMembers}, 0},
		{"role grants read", granted, &Channel{ID: 5, OrgID: 1, Visibility: VisibleHidden}, AccessRead},
		{"mod sees hidden", member(LevelMod, 0), &Channel{ID: 5, OrgID: 1, Visibility: VisibleHidden}, AccessRead | AccessWrite},
		{"manage_channels role", member(LevelMember, PermManageChannels), &Channel{ID: 5, OrgID: 1, Visibility: VisibleHidden}, AccessRead | AccessWrite},
		{"other org", member(LevelOwner, 0), &Channel{ID: 5, OrgID: 2, Visibility: VisibleAnyone}, 0},
		{"deleted", member(LevelOwner, 0, 5), &Channel{ID: 5, OrgID: 1, Visibility: VisibleAnyone, Deleted: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := channelAccess(tt.au, tt.ch); got != tt.want {
				t.Errorf("channelAccess = %b, want %b", got, tt.want)
			}
		})
	}
	if channelListed(member(LevelMember, 0), &Channel{ID: 5, OrgID: 1, Visibility: VisibleHidden}) {
		t.Error("a hidden channel is listed to a non-member")
	}
	if !channelListed(member(LevelMember, 0), &Channel{ID: 5, OrgID: 1, Visibility: VisibleMembers}) {
		t.Error("a members channel is not listed to an org member")
	}
	if canJoinChannel(member(LevelMember, 0), &Channel{ID: 5, OrgID: 1, Visibility: VisibleHidden}) {
		t.Error("a member can join a hidden channel")
	}
}

func TestThreadAccess(t *testing.T) {
	none := func(ChannelID) Access { return 0 }
	rw := func(ChannelID) Access { return AccessRead | AccessWrite }
	tests := []struct {
		name string
		au   *authority
		th   *Thread
		ch   func(ChannelID) Access
		want Access
	}{
		{"topic via channel", member(LevelMember, 0), &Thread{OrgID: 1, Kind: KindTopic, ChannelIDs: []ChannelID{5}}, rw, AccessRead | AccessWrite},
		{"topic without channel access", member(LevelMember, 0), &Thread{OrgID: 1, Kind: KindTopic, ChannelIDs: []ChannelID{5}}, none, 0},
		{"direct, participant", member(LevelMember, 0), &Thread{OrgID: 1, Kind: KindDirect, Participants: []UserID{10, 11}}, none, AccessRead | AccessWrite},
		{"direct, admin not in it", member(LevelOwner, 0), &Thread{OrgID: 1, Kind: KindDirect, Participants: []UserID{11, 12}}, none, 0},
		{"read-public page, anonymous", &authority{actor: AnonymousActor(1)}, &Thread{OrgID: 1, Kind: KindGroup, ReadPublic: true}, none, AccessRead},
		{"write-public page, member", member(LevelMember, 0), &Thread{OrgID: 1, Kind: KindGroup, WritePublic: true}, none, AccessRead | AccessWrite},
		{"hidden, plain member", member(LevelMember, 0), &Thread{OrgID: 1, Kind: KindTopic, Hidden: true, AuthorID: 99, ChannelIDs: []ChannelID{5}}, rw, 0},
		{"hidden, author", member(LevelMember, 0), &Thread{OrgID: 1, Kind: KindTopic, Hidden: true, AuthorID: 10, ChannelIDs: []ChannelID{5}}, rw, AccessRead | AccessWrite},
		{"deleted", member(LevelOwner, 0), &Thread{OrgID: 1, Kind: KindTopic, Deleted: true, ChannelIDs: []ChannelID{5}}, rw, 0},
		{"other org", member(LevelOwner, 0), &Thread{OrgID: 2, Kind: KindGroup, ReadPublic: true}, rw, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := threadAccess(tt.au, tt.th, tt.ch); got != tt.want {
				t.Errorf("threadAccess = %b, want %b", got, tt.want)
			}
		})
	}
}

func TestCanSetLevel(t *testing.T) {
	target := func(l Level) *User { return &User{ID: 20, Level: l} }
	tests := []struct {
		name string
		au   *authority
		u    *User
		to   Level
		want bool
	}{
		{"owner makes owner", member(LevelOwner, 0), target(LevelMember), LevelOwner, true},
		{"owner demotes owner", member(LevelOwner, 0), target(LevelOwner), LevelMember, true},
		{"admin makes admin", member(LevelAdmin, 0), target(LevelMember), LevelAdmin, true},
		{"admin makes owner", member(LevelAdmin, 0), target(LevelMember), LevelOwner, false},
		{"admin demotes owner", member(LevelAdmin, 0), target(LevelOwner), LevelMember, false},
		{"mod makes mod", member(LevelMod, 0), target(LevelMember), LevelMod, false},
		{"member", member(LevelMember, 0), target(LevelMember), LevelMod, false},
		{"self", member(LevelOwner, 0), &User{ID: 10, Level: LevelOwner}, LevelMember, false},
	}
	for _, tt := range tests {
		if got := canSetLevel(tt.au, tt.u, tt.to); got != tt.want {
			t.Errorf("%s: canSetLevel = %v, want %v", tt.name, got, tt.want)
		}
	}
}
