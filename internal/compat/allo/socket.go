package allo

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/socketio"
)

// Limits of one Socket.IO connection.
const (
	// opTimeout bounds one operation.
	opTimeout = 15 * time.Second
	// eventRate and eventBurst limit the events a socket may send.
	eventRate  = 20
	eventBurst = 40
)

// conn is one Allo socket: its user's live subscription, filtered to the
// conversations the socket joined.
//
// Goroutines: handlers run on the session's dispatch goroutine (one at a
// time, in the client's order). The pump goroutine, started by connect,
// turns the subscription's events into emits; it ends when the socket's
// context does, and the socket's OnDisconnect callback waits for it before
// closing the subscription.
type conn struct {
	s     *surface
	so    *socketio.Socket
	actor chat.Actor
	sub   *chat.Subscription
	limit *rate.Limiter
	done  chan struct{} // closed when the pump returns

	mu    sync.Mutex // guards rooms
	rooms map[chat.ThreadID]bool
}

// ackDoc is the acknowledgement of an event, for clients that ask for one
// (the original sent none): the operation's reply, or its error.
type ackDoc struct {
	OK    bool      `json:"ok"`
	Data  any       `json:"data,omitempty"`
	Error *errorDoc `json:"error,omitempty"`
}

// connect sets up a socket that authenticateSocket accepted: its
// subscription, the connected emit, a handler per operation, and the pump.
func (s *surface) connect(so *socketio.Socket) {
	a, _ := so.Data().(chat.Actor)
	sub, err := s.chat.Subscribe(so.Context(), a, chat.SubscribeOptions{})
	if err != nil {
		_, doc := s.errorFor(so.Context(), "connect", err)
		_ = so.Emit(emitError, doc)
		so.Disconnect()
		return
	}
	c := &conn{s: s, so: so, actor: a, sub: sub, limit: rate.NewLimiter(eventRate, eventBurst), done: make(chan struct{}),
		rooms: map[chat.ThreadID]bool{}}
	for _, name := range Events() {
		so.On(name, c.handler(name, s.ops[name]))
	}
	_ = so.Emit(emitConnected, connectedDoc{UserID: userID(a.UserID)})
	go c.pump()
	so.OnDisconnect(func(string) {
		<-c.done
		c.sub.Close()
	})
}

// handler serves one operation as a Socket.IO event: the payload is the
// event's first argument; failures become an error emit.
func (c *conn) handler(name string, op operation) socketio.Handler {
	return func(args []json.RawMessage, ack socketio.AckFunc) {
		if !c.limit.Allow() {
			c.fail(name, &chat.Error{Code: chat.RateLimited, Message: "Slow down: too many events."}, ack)
			return
		}
		var payload json.RawMessage
		if len(args) > 0 {
			payload = args[0]
		}
		ctx, cancel := context.WithTimeout(c.so.Context(), opTimeout)
		res, err := op(ctx, c.actor, payload)
		cancel()
		if err != nil {
			c.fail(name, err, ack)
			return
		}
		if res.join != 0 {
			c.join(res.join)
		}
		if res.direct != "" {
			_ = c.so.Emit(res.direct, res.reply)
		}
		_ = ack(ackDoc{OK: true, Data: res.reply})
	}
}

// fail tells the client an operation failed: an error emit, as the
// original sent, and the acknowledgement when one was asked for.
func (c *conn) fail(name string, err error, ack socketio.AckFunc) {
	_, doc := c.s.errorFor(c.so.Context(), name, err)
	_ = c.so.Emit(emitError, doc)
	_ = ack(ackDoc{Error: &doc})
}

// join adds a conversation's room to the socket.
func (c *conn) join(id chat.ThreadID) {
	c.mu.Lock()
	c.rooms[id] = true
	c.mu.Unlock()
	c.so.Join(conversationID(id))
}

func (c *conn) inRoom(id chat.ThreadID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rooms[id]
}

// pump delivers the subscription's events until the socket disconnects. A
// subscription that ends otherwise (the client fell behind, the credential
// stopped working) disconnects the socket with an error emit saying why:
// Allo has no resume, so the client connects again and rejoins its rooms.
func (c *conn) pump() {
	defer close(c.done)
	ctx := c.so.Context()
	for {
		ev, err := c.sub.Next(ctx)
		if errors.Is(err, chat.ErrResumeExpired) {
			continue
		}
		if errors.Is(err, chat.ErrFeedClosed) {
			// The server is shutting down: Surface.Close closes the
			// session, and the client, seeing the transport close,
			// reconnects to another node by itself.
			return
		}
		if err != nil {
			if ctx.Err() == nil {
				_, doc := c.s.errorFor(ctx, "subscription", err)
				_ = c.so.Emit(emitError, doc)
				c.so.Disconnect()
			}
			return
		}
		c.deliver(ev)
	}
}

// deliver emits what ev means to this socket. Payloads are encoded once per
// event for all the sockets that receive it.
func (c *conn) deliver(ev *chat.Event) {
	for _, name := range emitsFor(ev) {
		if ownEcho(name) && ev.ActorID == c.actor.UserID {
			continue
		}
		if !roomless(name) && !c.inRoom(ev.ThreadID) {
			continue
		}
		b, err := ev.Encoded("allo/"+name, func(ev *chat.Event) ([]byte, error) { return json.Marshal(emitPayload(name, ev)) })
		if err != nil {
			c.s.log.Error("allo: encode emit", "emit", name, "event", ev.ID, "err", err)
			continue
		}
		if c.so.Emit(name, json.RawMessage(b)) != nil {
			return
		}
	}
}
