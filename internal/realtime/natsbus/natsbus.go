// Package natsbus is a realtime.Broker over NATS, for deployments that run it
// for large fan-out. Subjects are "<prefix>.advanced" and
// "<prefix>.ephemeral"; NATS carries only live notifications, never history.
package natsbus

import (
	"context"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"

	"github.com/parley-chat/parley/internal/realtime"
)

// Bus publishes and subscribes on one NATS connection.
type Bus struct {
	nc     *nats.Conn
	prefix string
	node   string
}

var _ realtime.Broker = (*Bus)(nil)

// Open connects to the NATS server at url. prefix scopes the subjects
// ("parley" by default); nodes of one deployment share it.
func Open(url, prefix string) (*Bus, error) {
	if prefix == "" {
		prefix = "parley"
	}
	nc, err := nats.Connect(url, nats.Name("parley"), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("natsbus: %w", err)
	}
	return &Bus{nc: nc, prefix: prefix, node: realtime.NodeID()}, nil
}

// Advanced implements realtime.Broker.
func (b *Bus) Advanced(ctx context.Context, id int64) error {
	return b.nc.Publish(b.prefix+".advanced", realtime.EncodeMessage(realtime.KindAdvanced, b.node, []byte(strconv.FormatInt(id, 10))))
}

// Ephemeral implements realtime.Broker.
func (b *Bus) Ephemeral(ctx context.Context, payload []byte) error {
	return b.nc.Publish(b.prefix+".ephemeral", realtime.EncodeMessage(realtime.KindEphemeral, b.node, payload))
}

// Listen implements realtime.Broker.
func (b *Bus) Listen(ctx context.Context, onAdvanced func(int64), onEphemeral func([]byte)) error {
	ch := make(chan *nats.Msg, 1024)
	sub, err := b.nc.ChanSubscribe(b.prefix+".*", ch)
	if err != nil {
		return fmt.Errorf("natsbus subscribe: %w", err)
	}
	defer sub.Unsubscribe()
	if err := b.nc.Flush(); err != nil {
		return fmt.Errorf("natsbus subscribe: %w", err)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m := <-ch:
			realtime.Dispatch(b.node, m.Data, onAdvanced, onEphemeral)
		}
	}
}

// Close implements realtime.Broker.
func (b *Bus) Close() error {
	b.nc.Close()
	return nil
}
