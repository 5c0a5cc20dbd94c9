package chat_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

// BenchmarkPostMessage measures the insert path: one chat per unit of work,
// through the whole use case (authority, visibility, sequence, read state,
// event log), on the engine PARLEY_TEST_ENGINE selects.
func BenchmarkPostMessage(b *testing.B) {
	ctx := context.Background()
	env := chattest.New(b)
	_, owner := env.MustOrg(b)
	ch, err := env.CreateChannel(ctx, owner, chat.NewChannel{Name: "bench", Visibility: chat.VisibleAnyone})
	if err != nil {
		b.Fatal(err)
	}
	th, _, err := env.StartThread(ctx, owner, chat.NewThread{Text: "bench", ChannelIDs: []chat.ChannelID{ch.ID}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := env.PostMessage(ctx, owner, chat.NewMessage{ThreadID: th.ID, Text: "a chat of ordinary length, for the benchmark"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkMessagesPage measures reading the newest 100 chats of a thread,
// at two thread sizes: the figure must not grow with the thread.
func BenchmarkMessagesPage(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		b.Run(fmt.Sprintf("chats=%d", n), func(b *testing.B) {
			ctx := context.Background()
			env := chattest.New(b)
			_, owner := env.MustOrg(b)
			ch, _ := env.CreateChannel(ctx, owner, chat.NewChannel{Name: "bench", Visibility: chat.VisibleAnyone})
			th, _, err := env.StartThread(ctx, owner, chat.NewThread{Text: "bench", ChannelIDs: []chat.ChannelID{ch.ID}})
			if err != nil {
				b.Fatal(err)
			}
			for i := 1; i < n; i++ {
				if _, err := env.PostMessage(ctx, owner, chat.NewMessage{ThreadID: th.ID, Text: fmt.Sprintf("chat %d", i)}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				msgs, err := env.Messages(ctx, owner, chat.MessageFilter{ThreadID: th.ID, Limit: 100})
				if err != nil || len(msgs) != 100 {
					b.Fatal(len(msgs), err)
				}
			}
		})
	}
}
