package chat

import (
	"testing"
	"time"
)

func TestThreadRoles(t *testing.T) {
	th := &Thread{ID: 1, OrgID: 1, Kind: KindGroup, AuthorID: 20, Participants: []UserID{10, 20, 30}, Moderators: []UserID{20, 30}}
	as := func(id UserID, level Level) *authority {
		au := member(level, 0)
		au.actor.UserID, au.user.ID = id, id
		return au
	}
	tests := []struct {
		name        string
		au          *authority
		add, manage bool
	}{
		{"member", as(10, LevelMember), true, false},
		{"creator", as(20, LevelMember), true, true},
		{"moderator", as(30, LevelMember), true, true},
		{"outsider", as(40, LevelMember), false, false},
		{"org moderator", as(40, LevelMod), true, true},
		{"anonymous", &authority{actor: AnonymousActor(1)}, false, false},
		{"system", &authority{actor: SystemActor(1)}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canAddThreadMembers(tt.au, th); got != tt.add {
				t.Errorf("canAddThreadMembers = %v, want %v", got, tt.add)
			}
			if got := canManageThread(tt.au, th); got != tt.manage {
				t.Errorf("canManageThread = %v, want %v", got, tt.manage)
			}
		})
	}
}

func TestValidNEARAccount(t *testing.T) {
	for id, want := range map[string]bool{
		"convo.testnet": true, "alice.near": true, "a1_b-c.near": true, "ab": true,
		"a": false, "": false, "Alice.near": false, ".near": false, "alice..near": false, "alice.": false, "al ice": false,
		"0123456789012345678901234567890123456789012345678901234567890123":  true,
		"01234567890123456789012345678901234567890123456789012345678901234": false,
	} {
		if got := validNEARAccount(id); got != want {
			t.Errorf("validNEARAccount(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestSIWERules(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	stmt, other := SignInStatement, "Sign in."
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	tests := []struct {
		name    string
		m       SIWEMessage
		expires time.Time
		want    int
	}{
		{"valid", SIWEMessage{Statement: &stmt}, later, 0},
		{"expired", SIWEMessage{Statement: &stmt}, earlier, 1},
		{"expires now", SIWEMessage{Statement: &stmt}, now, 1},
		{"no statement", SIWEMessage{}, later, 1},
		{"other statement", SIWEMessage{Statement: &other}, later, 1},
		{"not yet valid", SIWEMessage{Statement: &stmt, NotBefore: &later}, later.Add(time.Hour), 1},
		{"everything wrong", SIWEMessage{Statement: &other, NotBefore: &later}, earlier, 3},
	}
	for _, tt := range tests {
		if got := siweRules(&tt.m, now, tt.expires); len(got) != tt.want {
			t.Errorf("%s: siweRules = %q, want %d broken rules", tt.name, got, tt.want)
		}
	}
}

func TestNewCommentNormalize(t *testing.T) {
	ok := NewComment{Thread: ThreadRef{Key: "p"}, URL: "https://e.com/x", Text: "hi", Tags: []string{"a", ""}}
	if err := ok.normalize(); err != nil || len(ok.Tags) != 1 {
		t.Errorf("normalize = %v, tags %q", err, ok.Tags)
	}
	for name, in := range map[string]NewComment{
		"blank text":   {Thread: ThreadRef{Key: "p"}, URL: "https://e.com", Text: " \n"},
		"no thread":    {URL: "https://e.com", Text: "x"},
		"relative url": {Thread: ThreadRef{Key: "p"}, URL: "/x", Text: "x"},
		"js url":       {Thread: ThreadRef{Key: "p"}, URL: "javascript:alert(1)", Text: "x"},
		"three tags":   {Thread: ThreadRef{Key: "p"}, URL: "https://e.com", Text: "x", Tags: []string{"a", "b", "c"}},
		"bad metadata": {Thread: ThreadRef{Key: "p"}, URL: "https://e.com", Text: "x", Metadata: []byte(`"str"`)},
	} {
		if err := in.normalize(); ErrorReason(err) != ErrCommentParams.Reason {
			t.Errorf("%s: normalize = %v, want %v", name, err, ErrCommentParams)
		}
	}
}
