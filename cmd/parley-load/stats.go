package main

import (
	"slices"
	"sync"
	"time"
)

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// summary is a latency distribution in milliseconds.
type summary struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

func (l *latencies) summary() summary {
	l.mu.Lock()
	d := slices.Clone(l.d)
	l.mu.Unlock()
	if len(d) == 0 {
		return summary{}
	}
	slices.Sort(d)
	at := func(q float64) float64 {
		i := int(q * float64(len(d)-1))
		return float64(d[i].Microseconds()) / 1000
	}
	return summary{Count: len(d), P50: at(.5), P90: at(.9), P99: at(.99), P999: at(.999), Max: at(1)}
}

// merged pools the latencies of listeners (each keeps its own, so that they
// do not contend for one lock).
func merged(lis []*listener) *latencies {
	out := &latencies{}
	for _, l := range lis {
		l.lat.mu.Lock()
		out.d = append(out.d, l.lat.d...)
		l.lat.mu.Unlock()
	}
	return out
}
