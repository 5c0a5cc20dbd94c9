package socketio

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// ErrDisconnected is returned by Socket methods that send once the socket
// is disconnected, whatever the reason (including a slow-client close caused
// by the send itself).
var ErrDisconnected = errors.New("socketio: socket disconnected")

// AckFunc acknowledges an event. It sends args (each encoded with
// encoding/json) back to the client as the event's acknowledgement. Only
// the first call sends; later calls, and every call for an event the client
// sent without asking for an acknowledgement, do nothing and return nil. It
// returns an encoding error, or ErrDisconnected. It is safe to call from any
// goroutine, during or after the handler.
type AckFunc func(args ...any) error

// Handler handles one event from the client. args are the event's
// arguments, each the raw JSON the client sent. ack is never nil (see
// AckFunc).
//
// Handlers of one session run one at a time on that session's dispatch
// goroutine, in the order the client sent the events, so a handler that
// blocks delays that client's later events. Its heartbeat and the
// acknowledgements awaited by EmitWithAck are not delayed, until the client
// is 16 packets ahead of its handlers: then reading from the client pauses,
// pongs included. Long work belongs on a goroutine the application owns,
// bounded by Socket.Context. A handler must not call Server.Close, which
// waits for it.
type Handler func(args []json.RawMessage, ack AckFunc)

// Socket is one client's connection to one namespace. A client has at most
// one Socket per namespace on each Engine.IO session. Its methods are safe
// for concurrent use.
type Socket struct {
	sess *session
	id   string
	nsp  string
	data any

	ctx    context.Context
	cancel context.CancelFunc

	mu           sync.Mutex // guards the fields below
	handlers     map[string]Handler
	onDisconnect []func(reason string)
	acks         map[int64]chan []json.RawMessage
	nextAck      int64
	reason       string // set once disconnected
	callbacksRun bool   // OnDisconnect callbacks have run

	// rooms and left are guarded by Server.roomsMu.
	rooms map[string]struct{}
	left  bool // removed from every room for good
}

func newSocket(s *session, nsp string, data any) *Socket {
	ctx, cancel := context.WithCancel(s.ctx)
	return &Socket{
		sess:     s,
		id:       newID(),
		nsp:      nsp,
		data:     data,
		ctx:      ctx,
		cancel:   cancel,
		handlers: make(map[string]Handler),
		acks:     make(map[int64]chan []json.RawMessage),
		rooms:    make(map[string]struct{}),
	}
}

// ID returns the socket's identifier, sent to the client in the CONNECT
// reply (socket.id on the client). Every socket is in the room of this name.
func (so *Socket) ID() string { return so.id }

// Namespace returns the namespace the socket is connected to, "/" for the
// main one.
func (so *Socket) Namespace() string { return so.nsp }

// Data returns what Options.Authenticate returned for this socket, or nil.
func (so *Socket) Data() any { return so.data }

// Context returns a context cancelled when the socket disconnects, for any
// reason. It carries the values of the request that opened the session.
func (so *Socket) Context() context.Context { return so.ctx }

// On sets the handler for event, replacing any previous one; a nil h removes
// it. Events without a handler are dropped (and their acknowledgement never
// sent). Register handlers in Options.OnConnect so that none of the
// client's first events is missed.
func (so *Socket) On(event string, h Handler) {
	so.mu.Lock()
	defer so.mu.Unlock()
	if h == nil {
		delete(so.handlers, event)
		return
	}
	so.handlers[event] = h
}

// OnDisconnect adds fn to the functions called once, with one of the Reason
// constants, when the socket disconnects. They run on the session's
// dispatch goroutine after the socket's last handler has returned, in the
// order they were added. If the socket has already disconnected and its
// callbacks have run, fn is called at once on the caller's goroutine.
func (so *Socket) OnDisconnect(fn func(reason string)) {
	so.mu.Lock()
	if !so.callbacksRun {
		so.onDisconnect = append(so.onDisconnect, fn)
		so.mu.Unlock()
		return
	}
	reason := so.reason
	so.mu.Unlock()
	fn(reason)
}

// Emit sends event with args, each encoded with encoding/json, to the
// client. It queues the packet and returns without waiting for the network.
// It returns an encoding error (including for a reserved event name such as
// "connect" or "disconnect") or ErrDisconnected.
func (so *Socket) Emit(event string, args ...any) error {
	if so.ctx.Err() != nil {
		return ErrDisconnected
	}
	pkt, err := encodeEvent(so.nsp, -1, event, args)
	if err != nil {
		return err
	}
	if so.sess.send(pkt) != nil {
		return ErrDisconnected
	}
	return nil
}

// EmitWithAck sends event with args like Emit and waits for the client to
// acknowledge it, returning the acknowledgement's arguments as raw JSON. It
// returns ctx.Err() when ctx ends first and ErrDisconnected when the socket
// disconnects first. It may be called from a Handler: acknowledgements do
// not wait for the dispatch goroutine.
func (so *Socket) EmitWithAck(ctx context.Context, event string, args ...any) ([]json.RawMessage, error) {
	if so.ctx.Err() != nil {
		return nil, ErrDisconnected
	}
	ch := make(chan []json.RawMessage, 1)
	so.mu.Lock()
	id := so.nextAck
	so.nextAck++
	so.acks[id] = ch
	so.mu.Unlock()
	defer func() {
		so.mu.Lock()
		delete(so.acks, id)
		so.mu.Unlock()
	}()
	pkt, err := encodeEvent(so.nsp, id, event, args)
	if err != nil {
		return nil, err
	}
	if so.sess.send(pkt) != nil {
		return nil, ErrDisconnected
	}
	select {
	case reply := <-ch:
		return reply, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-so.ctx.Done():
		return nil, ErrDisconnected
	}
}

// Join adds the socket to room (in its namespace). Joining twice is the same
// as once; joining after the socket disconnected does nothing.
func (so *Socket) Join(room string) { so.sess.srv.join(so, room) }

// Leave removes the socket from room; leaving a room it is not in does
// nothing.
func (so *Socket) Leave(room string) { so.sess.srv.leave(so, room) }

// Rooms returns the rooms the socket is in, sorted, including the one named
// by its ID; none once it has disconnected.
func (so *Socket) Rooms() []string {
	srv := so.sess.srv
	srv.roomsMu.RLock()
	rooms := make([]string, 0, len(so.rooms))
	for r := range so.rooms {
		rooms = append(rooms, r)
	}
	srv.roomsMu.RUnlock()
	slices.Sort(rooms)
	return rooms
}

// To returns a Broadcast to the sockets of this socket's namespace that are
// in any of rooms (all of them when rooms is empty), except this socket.
func (so *Socket) To(rooms ...string) Broadcast {
	return Broadcast{srv: so.sess.srv, nsp: so.nsp, rooms: slices.Clone(rooms), except: so}
}

// Disconnect disconnects the socket from the server side: the client is sent
// a DISCONNECT packet (its socket sees "io server disconnect" and does not
// reconnect by itself), the socket leaves every room, and its OnDisconnect
// callbacks run with ReasonServerDisconnect. The Engine.IO session stays
// open for the client's other namespaces. Disconnecting twice does nothing.
func (so *Socket) Disconnect() {
	so.sess.detach(so, ReasonServerDisconnect, true)
}

// handleEvent runs the handler for an EVENT on the dispatch goroutine.
func (so *Socket) handleEvent(p sioPacket) {
	so.mu.Lock()
	h := so.handlers[p.event]
	so.mu.Unlock()
	if h == nil {
		return
	}
	h(p.args, so.ackFunc(p.id))
}

// ackFunc returns the AckFunc for an event with ack id id (none if id < 0).
func (so *Socket) ackFunc(id int64) AckFunc {
	if id < 0 {
		return func(...any) error { return nil }
	}
	var sent atomic.Bool
	return func(args ...any) error {
		if sent.Swap(true) {
			return nil
		}
		payload, err := marshalArray(nil, args)
		if err != nil {
			sent.Store(false)
			return err
		}
		if so.ctx.Err() != nil || so.sess.send(encodeMessage(sioAck, so.nsp, id, payload)) != nil {
			return ErrDisconnected
		}
		return nil
	}
}

// deliverAck hands the arguments of an ACK to the EmitWithAck waiting for
// it; an ACK nobody waits for (unknown, late, or duplicate) is dropped.
func (so *Socket) deliverAck(id int64, args []json.RawMessage) {
	so.mu.Lock()
	ch := so.acks[id]
	delete(so.acks, id)
	so.mu.Unlock()
	if ch != nil {
		ch <- args // capacity 1, and the entry was removed: never blocks
	}
}

// markGone records the disconnection reason and cancels the socket's
// context. Only the first call has an effect.
func (so *Socket) markGone(reason string) {
	so.mu.Lock()
	if so.reason == "" {
		so.reason = reason
	}
	so.mu.Unlock()
	so.cancel()
}

// runDisconnect runs the OnDisconnect callbacks, once.
func (so *Socket) runDisconnect() {
	so.mu.Lock()
	if so.callbacksRun {
		so.mu.Unlock()
		return
	}
	so.callbacksRun = true
	fns := so.onDisconnect
	so.onDisconnect = nil
	reason := so.reason
	so.mu.Unlock()
	for _, fn := range fns {
		fn(reason)
	}
}
