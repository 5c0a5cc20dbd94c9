package chat_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/chat"
)

func TestFeedMatches(t *testing.T) {
	defaults := chat.DefaultFeeds()
	omni, yours, direct := defaults[0], defaults[1], defaults[2]
	tests := []struct {
		name   string
		feed   *chat.Feed
		reader chat.UserID
		want   []bool // topic, dm, group (see filter_test.go)
	}{
		{"omni", omni, 10, []bool{true, true, true}},
		{"yours truly", yours, 10, []bool{true, true, false}},
		{"yours truly of another reader", yours, 13, []bool{false, false, true}},
		{"yours truly, anonymous", yours, 0, []bool{false, false, false}},
		{"DMs", direct, 10, []bool{false, true, false}},
		{"DMs of another reader", direct, 11, []bool{false, false, true}},
		{"channel", &chat.Feed{ChannelIDs: []chat.ChannelID{5}}, 10, []bool{true, false, false}},
		{"channels are OR'd", &chat.Feed{ChannelIDs: []chat.ChannelID{7, 3}}, 10, []bool{true, false, false}},
		{"users are OR'd", &chat.Feed{UserIDs: []chat.UserID{11, 99}}, 10, []bool{true, false, true}},
		{"channels AND users", &chat.Feed{ChannelIDs: []chat.ChannelID{3}, UserIDs: []chat.UserID{12}}, 10, []bool{false, false, false}},
		{"users AND DM", &chat.Feed{UserIDs: []chat.UserID{12}, DM: true}, 10, []bool{false, true, false}},
		{"users AND DM of a non-participant", &chat.Feed{UserIDs: []chat.UserID{12}, DM: true}, 99, []bool{false, false, false}},
		{"no filters", &chat.Feed{ID: 20, Name: "all"}, 10, []bool{true, true, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, th := range []*chat.Thread{topic, dm, group} {
				if got := tt.feed.Matches(th, tt.reader); got != tt.want[i] {
					t.Errorf("Matches(thread %d, reader %d) = %v, want %v", th.ID, tt.reader, got, tt.want[i])
				}
			}
		})
	}
	for _, f := range defaults {
		if !f.Default() || f.ID >= chat.FirstFeedID {
			t.Errorf("default feed %d is not marked default", f.ID)
		}
	}
	if (&chat.Feed{ID: chat.FirstFeedID}).Default() {
		t.Error("a custom feed counts as default")
	}
}
