// Package realtime delivers Parley's events live, on one node or many.
//
// # Model
//
// The event log in the database is the source of truth. Each node's Hub
// tails it in update-id order (ids are assigned in commit order, see
// sqlstore) and hands every event to the Feeds of the event's org. A Feed is
// one subscriber's bounded queue; chat.Subscription filters it down to what
// the subscriber may see. Nodes tell each other only that the log advanced
// (and carry ephemeral events: typing, presence) through a Broker; nothing
// but the database holds history, which is why a client can resume on any
// node.
//
// # Guarantees
//
//   - A Feed returns an org's durable events in update-id order, each once:
//     on resume, the events already in the log up to the hub's position are
//     read from the log, and live events after it follow, with no gap and no
//     duplicate at the seam.
//   - Publishing never blocks on a subscriber. A Feed whose queue exceeds its
//     byte or count bound is closed with chat.ErrSlowConsumer; its client
//     reconnects with its last update id and loses nothing.
//   - Ephemeral events are delivered at most once, in arrival order, to the
//     feeds that exist when they arrive.
//   - A node that misses a broker notification still catches up: the tailer
//     also polls the log every PollInterval.
//
// # Concurrency
//
// Hub.mu guards the feed index and the tail position. Each Feed has its own
// mutex for its queue. Lock order: Hub.mu, then Feed.mu; never the reverse.
// The tailer goroutine and the broker listener are owned by Hub.Run, which
// waits for both.
package realtime
