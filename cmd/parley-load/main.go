// Command parley-load drives a running Parley over its public API and
// WebSocket and prints what it measured (JSON with -json). Every workload
// provisions its own org with the operator's client secret, is bounded in
// count and time, and talks only to the URLs it is given (keep them on
// loopback or your own hosts).
//
// Workloads:
//
//	send     W1 durable send: closed-loop senders POST /v1/chats; acked/s,
//	         ack latency, and send-to-delivery latency on a listening socket.
//	fanout   W2 fan-out: a fixed-rate publisher into rooms of subscribed
//	         sockets; deliveries/s, lost, latency percentiles.
//	idle     W3 connection density: N idle authenticated sockets; server
//	         memory per socket, connect rate, then a reconnect storm that
//	         resumes with ?since=.
//	history  W4 history: newest page of a thread of N chats, concurrent
//	         readers; reads/s and latency.
//	resume   replay time of N missed events on reconnect.
//	nodes    W5 cross-node delivery: send on -url, receive on -url2.
//	threads  store -chats threads and report the server's memory before and after.
//	ceiling  the machine's own limits for a durable write: SQLite one row per
//	         commit (synchronous FULL and NORMAL) and batched, and with -pgdsn
//	         PostgreSQL insert-only transactions. send -ceiling runs it first,
//	         so that W1 is compared with it in the same run.
//
// Memory is read from /proc/<pid>/status (VmRSS) with -pid, else from the
// server's /metrics (process_resident_memory_bytes).
//
// Example:
//
//	parley-load -url http://127.0.0.1:8080 -secret $CLIENT_SECRET send -senders 16 -duration 30s
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "parley-load: %v\n", err)
		os.Exit(1)
	}
}

// options are the flags shared by every workload.
type options struct {
	URL      string
	URL2     string
	Secret   string
	JSON     bool
	Senders  int
	Duration time.Duration
	Rooms    int
	Subs     int
	Rate     float64
	Conns    int
	Chats    int
	Readers  int
	Events   int
	Page     int
	Storm    int
	Fillers  int
	PID      int
	PGDSN    string
	Ceiling  bool
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := options{}
	fs := flag.NewFlagSet("parley-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "Parley's base URL")
	fs.StringVar(&o.URL2, "url2", "", "a second node's base URL (nodes)")
	fs.StringVar(&o.Secret, "secret", os.Getenv("CLIENT_SECRET"), "the operator's client secret ($CLIENT_SECRET)")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON")
	fs.IntVar(&o.Senders, "senders", 16, "concurrent senders (send)")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "how long to run (send, fanout, history)")
	fs.IntVar(&o.Rooms, "rooms", 1, "rooms, each a thread in its own channel (fanout)")
	fs.IntVar(&o.Subs, "subs", 1000, "subscribed sockets per room (fanout)")
	fs.Float64Var(&o.Rate, "rate", 200, "messages per second in total (fanout)")
	fs.IntVar(&o.Conns, "conns", 1000, "idle sockets (idle)")
	fs.IntVar(&o.Storm, "storm", 0, "sockets to drop and reconnect with resume (idle; default all)")
	fs.IntVar(&o.Chats, "chats", 100000, "chats in the thread (history)")
	fs.IntVar(&o.Readers, "readers", 8, "concurrent readers (history)")
	fs.IntVar(&o.Page, "page", 50, "page size (history)")
	fs.IntVar(&o.Events, "events", 10000, "missed events to replay (resume)")
	fs.IntVar(&o.Fillers, "fillers", 64, "concurrent senders that fill the thread (history)")
	fs.IntVar(&o.PID, "pid", 0, "the server's process id: read its memory from /proc (idle, threads)")
	fs.StringVar(&o.PGDSN, "pgdsn", "", "a PostgreSQL database for the ceiling's insert-only figures (ceiling)")
	fs.BoolVar(&o.Ceiling, "ceiling", false, "measure the machine's ceiling first and report it with the result (send)")
	workload := ""
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		workload, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if workload == "" && fs.NArg() > 0 {
		// Flags may come before and after the workload's name.
		workload = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.Secret == "" && workload != "ceiling" {
		return fmt.Errorf("the client secret is required (-secret or $CLIENT_SECRET)")
	}
	workloads := map[string]func(context.Context, options) (any, error){
		"send": sendWorkload, "fanout": fanoutWorkload, "idle": idleWorkload,
		"history": historyWorkload, "resume": resumeWorkload, "nodes": nodesWorkload, "threads": threadsWorkload,
		"ceiling": ceilingWorkload,
	}
	w, ok := workloads[workload]
	if !ok {
		return fmt.Errorf("unknown workload %q: use send, fanout, idle, history, resume, nodes, threads or ceiling", workload)
	}
	raiseFileLimit()
	res, err := w(ctx, o)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"workload": workload, "result": res})
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	fmt.Fprintf(stdout, "%s: %s\n", workload, b)
	return nil
}

// raiseFileLimit lifts the soft open-files limit to the hard one: every
// socket is a file.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}
