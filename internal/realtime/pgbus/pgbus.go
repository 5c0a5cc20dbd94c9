// Package pgbus is a realtime.Broker over PostgreSQL LISTEN/NOTIFY: nodes that
// share a database need no other service to tell each other about new
// events.
package pgbus

import (
	"context"
	"fmt"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parley-chat/parley/internal/realtime"
)

// Bus notifies on one channel and listens on it with a dedicated connection.
type Bus struct {
	dsn     string
	channel string
	node    string
	pool    *pgxpool.Pool // for NOTIFY

	mu     sync.Mutex // guards closed
	closed bool
}

var _ realtime.Broker = (*Bus)(nil)

// Open connects to the database of dsn. channel names the NOTIFY channel;
// nodes of one deployment use the same one ("parley" by default).
func Open(ctx context.Context, dsn, channel string) (*Bus, error) {
	if channel == "" {
		channel = "parley"
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgbus: %w", err)
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgbus: %w", err)
	}
	return &Bus{dsn: dsn, channel: channel, node: realtime.NodeID(), pool: pool}, nil
}

func (b *Bus) notify(ctx context.Context, msg []byte) error {
	_, err := b.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, b.channel, string(msg))
	if err != nil {
		return fmt.Errorf("pgbus notify: %w", err)
	}
	return nil
}

// Advanced implements realtime.Broker.
func (b *Bus) Advanced(ctx context.Context, id int64) error {
	return b.notify(ctx, realtime.EncodeMessage(realtime.KindAdvanced, b.node, []byte(strconv.FormatInt(id, 10))))
}

// Ephemeral implements realtime.Broker. Payloads must stay under NOTIFY's
// 8000-byte limit (typing and presence events do).
func (b *Bus) Ephemeral(ctx context.Context, payload []byte) error {
	return b.notify(ctx, realtime.EncodeMessage(realtime.KindEphemeral, b.node, payload))
}

// Listen implements realtime.Broker.
func (b *Bus) Listen(ctx context.Context, onAdvanced func(int64), onEphemeral func([]byte)) error {
	conn, err := pgx.Connect(ctx, b.dsn)
	if err != nil {
		return fmt.Errorf("pgbus listen: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.channel}.Sanitize()); err != nil {
		return fmt.Errorf("pgbus listen: %w", err)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("pgbus wait: %w", err)
		}
		realtime.Dispatch(b.node, []byte(n.Payload), onAdvanced, onEphemeral)
	}
}

// Close implements realtime.Broker.
func (b *Bus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		b.pool.Close()
	}
	return nil
}
