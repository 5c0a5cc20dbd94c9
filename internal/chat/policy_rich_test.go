package chat

import (
	"testing"
	"time"
)

func TestCanPinMessage(t *testing.T) {
	group := &Thread{OrgID: 1, Kind: KindGroup, Participants: []UserID{10, 11, 12}, Moderators: []UserID{12}}
	moderated := &Thread{OrgID: 1, Kind: KindGroup, Participants: []UserID{10, 11}, Moderators: []UserID{10}}
	direct := &Thread{OrgID: 1, Kind: KindDirect, Participants: []UserID{10, 11}}
	rw := AccessRead | AccessWrite
	theirs := &Message{AuthorID: 11}
	mine := &Message{AuthorID: 10}
	tests := []struct {
		name string
		au   *authority
		th   *Thread
		m    *Message
		acc  Access
		want bool
	}{
		{"author in a group", member(LevelMember, 0), group, mine, rw, true},
		{"member, someone else's message", member(LevelMember, 0), group, theirs, rw, false},
		{"thread moderator", member(LevelMember, 0), moderated, theirs, rw, true},
		{"channel moderator", member(LevelMod, 0), group, theirs, rw, true},
		{"manage_channels role", member(LevelMember, PermManageChannels), group, theirs, rw, true},
		{"either party of a direct conversation", member(LevelMember, 0), direct, theirs, rw, true},
		{"reader only", member(LevelOwner, 0), group, mine, AccessRead, false},
		{"deleted message", member(LevelMember, 0), group, &Message{AuthorID: 10, Deleted: true}, rw, false},
		{"system", &authority{actor: SystemActor(1)}, group, theirs, rw, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canPinMessage(tt.au, tt.th, tt.m, tt.acc); got != tt.want {
				t.Errorf("canPinMessage = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCanUnsendAndForward(t *testing.T) {
	tests := []struct {
		name string
		au   *authority
		m    *Message
		want bool
	}{
		{"author", member(LevelMember, 0), &Message{AuthorID: 10}, true},
		{"owner, not the author", member(LevelOwner, 0), &Message{AuthorID: 11}, false},
		{"anonymous", &authority{actor: AnonymousActor(1)}, &Message{AuthorID: 0}, false},
		{"already deleted", member(LevelMember, 0), &Message{AuthorID: 10, Deleted: true}, false},
	}
	for _, tt := range tests {
		if got := canUnsendMessage(tt.au, tt.m); got != tt.want {
			t.Errorf("%s: canUnsendMessage = %v, want %v", tt.name, got, tt.want)
		}
	}
	for _, tt := range []struct {
		name string
		m    *Message
		want bool
	}{
		{"plain", &Message{}, true},
		{"encrypted", &Message{Encrypted: true}, true},
		{"ephemeral", &Message{ExpiresAt: time.Unix(1, 0)}, false},
		{"deleted", &Message{Deleted: true}, false},
	} {
		if got := canForwardMessage(tt.m); got != tt.want {
			t.Errorf("%s: canForwardMessage = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCanReviewReports(t *testing.T) {
	for _, tt := range []struct {
		name string
		au   *authority
		want bool
	}{
		{"owner", member(LevelOwner, 0), true},
		{"admin", member(LevelAdmin, 0), true},
		{"administrator role", member(LevelMember, PermAdministrator), true},
		{"mod", member(LevelMod, 0), false},
		{"member", member(LevelMember, 0), false},
		{"anonymous", &authority{actor: AnonymousActor(1)}, false},
	} {
		if got := canReviewReports(tt.au); got != tt.want {
			t.Errorf("%s: canReviewReports = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPlainTextAndExpiry(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		m         *Message
		plain     string
		expiredAt bool
	}{
		{&Message{Text: "hi"}, "hi", false},
		{&Message{Text: "b64:AAEC", Encrypted: true}, "", false},
		{&Message{Text: "x", Deleted: true}, "", false},
		{&Message{Text: "brief", ExpiresAt: at}, "brief", true},
		{&Message{Text: "later", ExpiresAt: at.Add(time.Millisecond)}, "later", false},
	} {
		if got := tt.m.PlainText(); got != tt.plain {
			t.Errorf("PlainText(%+v) = %q, want %q", tt.m, got, tt.plain)
		}
		if got := tt.m.Expired(at); got != tt.expiredAt {
			t.Errorf("Expired(%+v) = %v, want %v", tt.m, got, tt.expiredAt)
		}
	}
}

func TestMatches(t *testing.T) {
	many := &Event{Topics: []string{TopicThread(1)}}
	for i := range 100 {
		many.Topics = append(many.Topics, TopicUser(UserID(i+1)))
	}
	few := &Event{Topics: []string{TopicThread(1), TopicUser(7)}}
	for _, tt := range []struct {
		topics map[string]bool
		ev     *Event
		want   bool
	}{
		{map[string]bool{TopicUser(50): true, TopicOrg(1): true}, many, true},
		{map[string]bool{TopicUser(500): true, TopicOrg(1): true}, many, false},
		{map[string]bool{TopicUser(7): true}, few, true},
		{map[string]bool{TopicUser(8): true}, few, false},
		{map[string]bool{}, many, false},
	} {
		if got := matches(tt.topics, tt.ev); got != tt.want {
			t.Errorf("matches(%v, %d topics) = %v, want %v", tt.topics, len(tt.ev.Topics), got, tt.want)
		}
	}
}
