package socketio

import "slices"

// Broadcast addresses the sockets of one namespace that are in any of a set
// of rooms, or every socket of the namespace when the set is empty. It is a
// small value: build it with Server.To, Server.Of or Socket.To, narrow it
// with To, and send with Emit. The zero value addresses nothing.
type Broadcast struct {
	srv    *Server
	nsp    string
	rooms  []string
	except *Socket
}

// To returns a Broadcast to the sockets of the main namespace "/" that are
// in any of rooms; with no rooms, to every socket of the namespace.
func (srv *Server) To(rooms ...string) Broadcast {
	return Broadcast{srv: srv, nsp: "/", rooms: slices.Clone(rooms)}
}

// Of returns a Broadcast to every socket connected to namespace nsp.
func (srv *Server) Of(nsp string) Broadcast {
	return Broadcast{srv: srv, nsp: nsp}
}

// To returns a copy of b that also addresses the sockets in rooms: the
// rooms add up, and a socket in several of them is sent to once.
func (b Broadcast) To(rooms ...string) Broadcast {
	b.rooms = slices.Concat(b.rooms, rooms)
	return b
}

// Emit encodes event and args once, with encoding/json, and queues the same
// bytes to every addressed socket. It never blocks on a client: a socket
// whose session queue is full is disconnected with ReasonSlowClient and the
// others still receive the packet. Sockets that join a room while Emit runs
// may or may not receive it. It returns an encoding error (including for a
// reserved event name), in which case nothing is sent.
func (b Broadcast) Emit(event string, args ...any) error {
	pkt, err := encodeEvent(b.nsp, -1, event, args)
	if err != nil {
		return err
	}
	if b.srv == nil {
		return nil
	}
	for _, so := range b.targets() {
		_ = so.sess.send(pkt) // a closing or slow session drops it; see above
	}
	return nil
}

// targets returns the addressed sockets, each once.
func (b Broadcast) targets() []*Socket {
	srv := b.srv
	srv.roomsMu.RLock()
	defer srv.roomsMu.RUnlock()
	var out []*Socket
	add := func(set map[*Socket]struct{}) {
		for so := range set {
			if so != b.except {
				out = append(out, so)
			}
		}
	}
	switch len(b.rooms) {
	case 0:
		add(srv.members[b.nsp])
	case 1:
		add(srv.rooms[roomKey{b.nsp, b.rooms[0]}])
	default:
		seen := make(map[*Socket]struct{})
		for _, room := range b.rooms {
			for so := range srv.rooms[roomKey{b.nsp, room}] {
				if _, dup := seen[so]; !dup && so != b.except {
					seen[so] = struct{}{}
					out = append(out, so)
				}
			}
		}
	}
	return out
}
