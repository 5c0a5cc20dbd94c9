package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// httpClient keeps enough idle connections for many concurrent callers.
var httpClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute},
}

// api calls one JSON endpoint and decodes the answer into out.
func api(ctx context.Context, method, url string, header map[string]string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// session is one provisioned org with its users' tokens.
type session struct {
	base   string
	slug   string
	tokens []string
}

// provision creates an org and n users and returns their tokens.
func provision(ctx context.Context, base, secret string, n int) (*session, error) {
	var org struct{ ID string }
	cs := map[string]string{"Client-Secret": secret}
	if err := api(ctx, "POST", base+"/auth/organization", cs, nil, &org); err != nil {
		return nil, err
	}
	s := &session{base: base, slug: org.ID}
	for i := range n {
		var tok struct{ Token string }
		body := map[string]string{"username": "load-" + strconv.Itoa(i), "display_name": "Load " + strconv.Itoa(i), "slug": org.ID}
		if err := api(ctx, "POST", base+"/auth/secret", cs, body, &tok); err != nil {
			return nil, err
		}
		s.tokens = append(s.tokens, tok.Token)
	}
	return s, nil
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// room creates a public channel and a thread in it, and returns the thread.
func (s *session) room(ctx context.Context, name string) (string, error) {
	var ch struct{ Data struct{ ID string } }
	if err := api(ctx, "POST", s.base+"/v1/channels", bearer(s.tokens[0]),
		map[string]any{"name": name, "bits": map[string]bool{"chan_anyone": true}}, &ch); err != nil {
		return "", err
	}
	var th struct {
		ThreadID string `json:"thread_id"`
	}
	if err := api(ctx, "POST", s.base+"/v1/threads", bearer(s.tokens[0]),
		map[string]any{"text": "room " + name, "xsr_ids": []string{ch.Data.ID}}, &th); err != nil {
		return "", err
	}
	return th.ThreadID, nil
}

// send posts a chat whose text carries the send time, and returns when the
// server acknowledged it.
func send(ctx context.Context, base, tok, thread, tag string) error {
	text := fmt.Sprintf("%s %d", tag, time.Now().UnixNano())
	return api(ctx, "POST", base+"/v1/chats", bearer(tok), map[string]string{"thread_id": thread, "text": text}, nil)
}

// frame is the part of a /v1/ws frame the generator reads.
type frame struct {
	Path     string `json:"path"`
	UpdateID int64  `json:"update_id"`
	Event    string `json:"event"`
	Data     struct {
		Text     string `json:"text"`
		ThreadID string `json:"thread_id"`
	} `json:"data"`
}

// dial opens /v1/ws for tok, resuming after since when since >= 0.
func dial(ctx context.Context, base, tok string, since int64) (*websocket.Conn, error) {
	u := "ws" + strings.TrimPrefix(base, "http") + "/v1/ws?token=" + tok
	if since >= 0 {
		u += "&since=" + strconv.FormatInt(since, 10)
	}
	c, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(1 << 20)
	return c, nil
}

// sentAt parses the send time from a chat text made by send.
func sentAt(text string) (time.Time, bool) {
	i := strings.LastIndexByte(text, ' ')
	if i < 0 {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(text[i+1:], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// serverMemory reads the server's resident memory (from /proc/<pid>/status
// when pid is given, else from /metrics) and its Go heap in use (/metrics).
func serverMemory(ctx context.Context, base string, pid int) (rss, heap float64, err error) {
	rss, heap, err = metricsMemory(ctx, base)
	if err != nil || pid <= 0 {
		return rss, heap, err
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024, heap, nil
		}
	}
	return 0, 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

func metricsMemory(ctx context.Context, base string) (rss, heap float64, err error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	res, err := httpClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "process_resident_memory_bytes":
			rss = v
		case "go_memstats_heap_inuse_bytes":
			heap = v
		}
	}
	return rss, heap, nil
}

// routeHistogram reads the server's latency histogram of one route from
// /metrics: cumulative counts by upper bound in seconds.
func routeHistogram(ctx context.Context, base, route string) (map[float64]float64, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	res, err := httpClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	prefix := `parley_http_request_duration_seconds_bucket{route="` + route + `",le="`
	h := map[float64]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			continue
		}
		le, count, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		bound, err := strconv.ParseFloat(le, 64)
		if le == "+Inf" {
			bound, err = math.Inf(1), nil
		}
		n, err2 := strconv.ParseFloat(count, 64)
		if err == nil && err2 == nil {
			h[bound] = n
		}
	}
	return h, nil
}

// serverLatency is the server-side latency of the requests between two
// snapshots of a route's histogram: the upper bound of the bucket holding
// each quantile, in milliseconds (what the handler took, without the
// network and the generator's own scheduling). -1 means above the largest
// finite bucket.
func serverLatency(before, after map[float64]float64) map[string]float64 {
	bounds := make([]float64, 0, len(after))
	for b := range after {
		bounds = append(bounds, b)
	}
	slices.Sort(bounds)
	total := after[math.Inf(1)] - before[math.Inf(1)]
	out := map[string]float64{"count": total}
	if total <= 0 {
		return out
	}
	for _, q := range []struct {
		name string
		q    float64
	}{{"p50_ms_at_most", .5}, {"p99_ms_at_most", .99}, {"p999_ms_at_most", .999}} {
		for _, b := range bounds {
			if after[b]-before[b] >= q.q*total {
				out[q.name] = b * 1000
				if math.IsInf(b, 1) {
					out[q.name] = -1
				}
				break
			}
		}
	}
	return out
}
