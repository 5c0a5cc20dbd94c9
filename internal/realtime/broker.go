package realtime

import "context"

// Broker carries notifications between the nodes that share a database.
// Implementations deliver at most once; a lost "advanced" notification only
// delays delivery until the next poll.
type Broker interface {
	// Advanced tells other nodes the event log holds ids up to id.
	Advanced(ctx context.Context, id int64) error
	// Ephemeral carries an encoded ephemeral event to other nodes.
	Ephemeral(ctx context.Context, payload []byte) error
	// Listen calls onAdvanced and onEphemeral for what other nodes send,
	// until ctx ends. It returns ctx's error or a failure of the transport.
	Listen(ctx context.Context, onAdvanced func(id int64), onEphemeral func(payload []byte)) error
	Close() error
}

// Local is the Broker of a single node: there is nobody to tell.
type Local struct{}

var _ Broker = Local{}

func (Local) Advanced(context.Context, int64) error   { return nil }
func (Local) Ephemeral(context.Context, []byte) error { return nil }
func (Local) Listen(ctx context.Context, _ func(int64), _ func([]byte)) error {
	<-ctx.Done()
	return ctx.Err()
}
func (Local) Close() error { return nil }
