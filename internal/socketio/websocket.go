package socketio

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// serveWebSocket accepts a WebSocket. With s nil it opens a new session on
// it (the open packet is its first frame); otherwise it is an upgrade of the
// polling session s, which must first pass the probe. It returns when the
// connection is done, after its writer goroutine has returned.
func (srv *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, s *session) {
	if s != nil {
		s.mu.Lock()
		ok := s.transport == "polling" && !s.upgrading && s.reason == ""
		s.mu.Unlock()
		if !ok {
			writeError(w, codeBadRequest)
			return
		}
	}
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: srv.opts.OriginPatterns})
	if err != nil {
		srv.log.Debug("socketio: websocket accept", "err", err)
		return // Accept has written the response
	}
	conn.SetReadLimit(int64(srv.opts.MaxPayload))
	if s == nil {
		if s = srv.newSession(r, "websocket"); s == nil {
			_ = conn.Close(websocket.StatusGoingAway, ReasonServerShutdown)
			return
		}
	} else if !s.probe(conn) {
		return
	}
	s.serveConn(conn)
}

// probe runs the upgrade sequence on conn for polling session s: the client
// sends ping "probe", the server answers pong "probe" and releases any
// pending poll with a noop so that the client can pause polling, then the
// client sends upgrade ("5") and the session's transport becomes conn. It
// reports whether the upgrade happened; on failure conn is closed and the
// session goes on polling.
func (s *session) probe(conn *websocket.Conn) bool {
	ctx, cancel := context.WithTimeout(s.ctx, upgradeTimeout)
	defer cancel()
	typ, data, err := conn.Read(ctx)
	if err != nil || typ != websocket.MessageText || string(data) != "2probe" {
		_ = conn.CloseNow()
		return false
	}
	if err := conn.Write(ctx, websocket.MessageText, []byte("3probe")); err != nil {
		_ = conn.CloseNow()
		return false
	}
	s.mu.Lock()
	if s.transport != "polling" || s.reason != "" {
		s.mu.Unlock()
		_ = conn.CloseNow()
		return false
	}
	s.upgrading = true
	s.notifyLocked()
	s.mu.Unlock()

	typ, data, err = conn.Read(ctx)
	s.mu.Lock()
	s.upgrading = false
	ok := err == nil && typ == websocket.MessageText && string(data) == "5" &&
		s.transport == "polling" && s.reason == ""
	if ok {
		s.transport = "websocket"
	}
	s.notifyLocked()
	s.mu.Unlock()
	if !ok {
		_ = conn.CloseNow()
	}
	return ok
}

// serveConn reads the session's packets from conn until it fails or the
// session closes, with a writer goroutine delivering the queue; it waits for
// the writer before returning.
func (s *session) serveConn(conn *websocket.Conn) {
	var writer sync.WaitGroup
	writer.Go(func() { s.writeLoop(conn) })
	defer writer.Wait()
	// Reading stops when the writer closes conn (the session closed) or the
	// server gives up draining; not at the session's ctx, so that a graceful
	// close can still flush.
	for {
		typ, data, err := conn.Read(s.srv.hardCtx)
		if err != nil {
			reason := ReasonTransportClose
			if errors.Is(err, websocket.ErrMessageTooBig) {
				reason = ReasonPayloadTooLarge
			}
			s.close(reason, false)
			return
		}
		var p eioPacket
		if typ == websocket.MessageBinary {
			p = eioPacket{typ: eioMessage, data: string(data), binary: true}
		} else {
			p, err = decodeEIOPacket(string(data))
		}
		if err == nil {
			err = s.receive(p)
		}
		if err != nil {
			s.srv.log.Debug("socketio: protocol error", "sid", s.id, "err", err)
			s.close(ReasonParseError, false)
			return
		}
	}
}

// writeLoop is the session's writer while conn is its transport: it writes
// queued packets, one text frame each, until the session closes. On a
// graceful close it writes what is left and closes conn normally; otherwise
// it closes conn at once.
func (s *session) writeLoop(conn *websocket.Conn) {
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && s.reason == "" {
			changed := s.changedLocked()
			s.mu.Unlock()
			select {
			case <-changed:
			case <-s.writeCtx.Done():
			}
			s.mu.Lock()
			if s.writeCtx.Err() != nil {
				break
			}
		}
		pkts, size := s.takeLocked()
		reason, graceful := s.reason, s.graceful
		s.mu.Unlock()
		if s.writeCtx.Err() != nil || (reason != "" && !graceful) {
			s.written(size)
			_ = conn.CloseNow()
			s.release()
			return
		}
		for _, p := range pkts {
			ctx, cancel := context.WithTimeout(s.writeCtx, s.writeTimeout())
			err := conn.Write(ctx, websocket.MessageText, p)
			cancel()
			if err != nil {
				s.written(size)
				s.close(ReasonTransportError, false)
				_ = conn.CloseNow()
				s.release()
				return
			}
		}
		s.written(size)
		if reason != "" {
			// Graceful and flushed: nothing can be queued after close.
			s.release()
			status := websocket.StatusNormalClosure
			if reason == ReasonServerShutdown {
				status = websocket.StatusGoingAway
			}
			_ = conn.Close(status, "")
			return
		}
	}
}
