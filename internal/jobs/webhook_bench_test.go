package jobs_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

// sendAll sends n messages round-robin over the world's chats from workers
// goroutines and returns when each was sent, by text.
func sendAll(b *testing.B, w *world, n, workers int, prefix string) map[string]time.Time {
	sent := make(map[string]time.Time, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				text := fmt.Sprint(prefix, i)
				mu.Lock()
				sent[text] = time.Now()
				mu.Unlock()
				if _, err := w.env.SendBotChatMessage(context.Background(), w.user,
					chat.NewBotChatMessage{ChatID: w.chats[i%len(w.chats)].ThreadID, Body: text}); err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return sent
}

// latencies returns, for every text sent, how long until its bot's webhook
// had it, and whether all arrived exactly once.
func latencies(w *world, sent map[string]time.Time) (lat []time.Duration, missing, dups int) {
	seen := map[string]int{}
	for _, h := range w.hooks {
		h.mu.Lock()
		for i, d := range h.got {
			if t0, ok := sent[d.Text]; ok {
				if seen[d.Text] == 0 {
					lat = append(lat, h.gotAt[i].Sub(t0))
				}
				seen[d.Text]++
			}
		}
		h.mu.Unlock()
	}
	for text := range sent {
		switch seen[text] {
		case 0:
			missing++
		case 1:
		default:
			dups++
		}
	}
	slices.Sort(lat)
	return lat, missing, dups
}

func pct(lat []time.Duration, p float64) float64 {
	if len(lat) == 0 {
		return 0
	}
	return float64(lat[int(float64(len(lat)-1)*p)]) / float64(time.Millisecond)
}

func waitDelivered(b *testing.B, w *world, sent map[string]time.Time, within time.Duration) {
	deadline := time.Now().Add(within)
	for {
		if _, missing, _ := latencies(w, sent); missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			_, missing, _ := latencies(w, sent)
			b.Fatalf("%d of %d messages not delivered", missing, len(sent))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BenchmarkWebhookDelivery100Bots: 100 bots with webhooks (real HTTP
// servers); a user writes 1000 messages round-robin (8 writers). Reported:
// deliveries per second from the first send to the last delivery, and the
// latency from a message's send to its webhook receiving it.
func BenchmarkWebhookDelivery100Bots(b *testing.B) {
	env := chattest.New(b)
	w := newWorld(b, env, 100)
	run(b, env, "n1", 10*time.Second, 30*time.Second)
	time.Sleep(200 * time.Millisecond) // the workers start
	const n = 1000
	var all []time.Duration
	var total, sending time.Duration
	round := 0
	for b.Loop() {
		start := time.Now()
		sent := sendAll(b, w, n, 8, fmt.Sprintf("r%d-", round))
		sending += time.Since(start)
		waitDelivered(b, w, sent, time.Minute)
		total += time.Since(start)
		lat, _, dups := latencies(w, sent)
		if dups > 0 {
			b.Errorf("%d duplicate deliveries", dups)
		}
		all = append(all, lat...)
		round++
	}
	slices.Sort(all)
	b.ReportMetric(float64(n*round)/total.Seconds(), "deliveries/s")
	b.ReportMetric(float64(n*round)/sending.Seconds(), "sends/s")
	b.ReportMetric(pct(all, 0.5), "p50-ms")
	b.ReportMetric(pct(all, 0.99), "p99-ms")
	b.ReportMetric(pct(all, 1), "max-ms")
}

// BenchmarkWebhookOutage: one of 100 bots has its webhook down for 5
// minutes while users keep writing to all of them. The clock is scaled down
// 100 times: backoff 10ms to 600ms stands for 1s to 60s, and the outage
// lasts 3s. Reported: attempts at the down webhook during the outage, the
// time from its recovery to its backlog being delivered (scaled back up, in
// seconds), and the other bots' p99 latency meanwhile. Nothing may be lost
// or duplicated.
func BenchmarkWebhookOutage(b *testing.B) {
	const scale = 100
	for b.Loop() {
		env := chattest.New(b)
		w := newWorld(b, env, 100)
		stop := runScaled(b, env, "n1", 10*time.Millisecond, 600*time.Millisecond)
		down := w.hooks[0]
		down.setDown(true)
		outage := 5 * time.Minute / scale
		start := time.Now()
		var sent map[string]time.Time
		var round int
		all := map[string]time.Time{}
		for time.Since(start) < outage {
			sent = sendAll(b, w, 200, 4, fmt.Sprintf("o%d-", round))
			for k, v := range sent {
				all[k] = v
			}
			round++
		}
		attempts := down.numAttempts()
		down.setDown(false)
		back := time.Now()
		waitDelivered(b, w, all, time.Minute)
		recovery := time.Since(back)
		lat, missing, dups := latencies(w, all)
		if missing > 0 || dups > 0 {
			b.Fatalf("missing %d, duplicated %d", missing, dups)
		}
		// The other bots' latency: all deliveries but the down bot's.
		var others []time.Duration
		for _, h := range w.hooks[1:] {
			h.mu.Lock()
			for j, d := range h.got {
				others = append(others, h.gotAt[j].Sub(all[d.Text]))
			}
			h.mu.Unlock()
		}
		slices.Sort(others)
		stop()
		b.ReportMetric(float64(attempts), "attempts-while-down")
		b.ReportMetric(recovery.Seconds()*scale, "recovery-s(scaled)")
		b.ReportMetric(pct(others, 0.99), "others-p99-ms")
		b.ReportMetric(float64(len(lat)), "delivered")
	}
}
