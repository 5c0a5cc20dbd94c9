package chat

import "testing"

func TestCanManageRoles(t *testing.T) {
	tests := []struct {
		name string
		au   *authority
		want bool
	}{
		{"member", member(LevelMember, 0), false},
		{"manage_roles role", member(LevelMember, PermManageRoles), true},
		{"administrator role", member(LevelMember, PermAdministrator), true},
		{"manage_channels role only", member(LevelMember, PermManageChannels), false},
		{"mod level", member(LevelMod, 0), false},
		{"admin level", member(LevelAdmin, 0), true},
		{"operator (client secret)", &authority{actor: Actor{Kind: Anonymous, OrgID: 1, Operator: true}, perms: PermAdministrator}, true},
		{"system", &authority{actor: SystemActor(1), perms: PermAdministrator}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canManageRoles(tt.au); got != tt.want {
				t.Errorf("canManageRoles = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCanDeleteFile(t *testing.T) {
	own := &File{ID: 1, OrgID: 1, OwnerID: 10}
	theirs := &File{ID: 2, OrgID: 1, OwnerID: 11}
	tests := []struct {
		name string
		au   *authority
		f    *File
		want bool
	}{
		{"owner", member(LevelMember, 0), own, true},
		{"someone else", member(LevelMember, 0), theirs, false},
		{"manage_channels is not enough", member(LevelMember, PermManageChannels|PermManageUsers), theirs, false},
		{"administrator role", member(LevelMember, PermAdministrator), theirs, true},
		{"owner level", member(LevelOwner, 0), theirs, true},
		{"anonymous", &authority{actor: AnonymousActor(1)}, own, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canDeleteFile(tt.au, tt.f); got != tt.want {
				t.Errorf("canDeleteFile = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConversationOf(t *testing.T) {
	tests := []struct {
		name   string
		th     *Thread
		party  UserID
		want   ConversationRef
		wantOK bool
	}{
		{"timeline", &Thread{Kind: KindTopic, Key: "ch:7", ChannelIDs: []ChannelID{7}}, 1, ConversationRef{ChannelID: 7}, true},
		{"timeline key of another channel", &Thread{Kind: KindTopic, Key: "ch:8", ChannelIDs: []ChannelID{7}}, 1, ConversationRef{}, false},
		{"topic in two channels", &Thread{Kind: KindTopic, Key: "ch:7", ChannelIDs: []ChannelID{7, 8}}, 1, ConversationRef{}, false},
		{"ordinary topic", &Thread{Kind: KindTopic, ChannelIDs: []ChannelID{7}}, 1, ConversationRef{}, false},
		{"direct, lower party", &Thread{Kind: KindDirect, Key: "dm:3:9"}, 3, ConversationRef{UserID: 9}, true},
		{"direct, higher party", &Thread{Kind: KindDirect, Key: "dm:3:9"}, 9, ConversationRef{UserID: 3}, true},
		{"direct with oneself", &Thread{Kind: KindDirect, Key: "dm:4:4"}, 4, ConversationRef{UserID: 4}, true},
		{"direct, outsider", &Thread{Kind: KindDirect, Key: "dm:3:9"}, 5, ConversationRef{}, false},
		{"direct, malformed key", &Thread{Kind: KindDirect, Key: "dm:3"}, 3, ConversationRef{}, false},
		{"direct, negative id", &Thread{Kind: KindDirect, Key: "dm:-3:9"}, 9, ConversationRef{}, false},
		{"group", &Thread{Kind: KindGroup, Key: "dm:3:9"}, 3, ConversationRef{}, false},
		{"nil", nil, 3, ConversationRef{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ConversationOf(tt.th, tt.party)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ConversationOf = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	// The keys the use cases make are the keys ConversationOf reads.
	if ref, ok := ConversationOf(&Thread{Kind: KindDirect, Key: directKey(12, 5)}, 12); !ok || ref.UserID != 5 {
		t.Errorf("ConversationOf(directKey(12, 5)) = %+v, %v", ref, ok)
	}
	if ref, ok := ConversationOf(&Thread{Kind: KindTopic, Key: timelineKey(42), ChannelIDs: []ChannelID{42}}, 1); !ok || ref.ChannelID != 42 {
		t.Errorf("ConversationOf(timelineKey(42)) = %+v, %v", ref, ok)
	}
}

func TestParseFileKey(t *testing.T) {
	for key, want := range map[string]OrgID{
		fileKey(17):   17,
		"o/3/abc":     3,
		"o/0/abc":     0,
		"o/3/":        0,
		"o/3/abc/def": 0,
		"x/3/abc":     0,
		"o/-1/abc":    0,
		"o/three/abc": 0,
		"":            0,
	} {
		got, ok := parseFileKey(key)
		if got != want || ok != (want != 0) {
			t.Errorf("parseFileKey(%q) = %d, %v; want %d", key, got, ok, want)
		}
	}
}
