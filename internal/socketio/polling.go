package socketio

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// writeTimeout bounds one write to a client: a WebSocket frame or a polling
// response.
func (s *session) writeTimeout() time.Duration {
	return s.srv.opts.PingInterval + s.srv.opts.PingTimeout
}

// servePoll answers a polling GET: it waits until packets are queued, the
// session closes, or an upgrade needs the poll released, then responds with
// every queued packet joined by the record separator (a close packet last
// when the session is closing, a lone noop when there is nothing to send).
// A second GET while one is pending, or a GET whose client goes away before
// its response, closes the session with ReasonTransportError, as the
// reference server does.
func (s *session) servePoll(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.transport != "polling" {
		s.mu.Unlock()
		writeError(w, codeBadRequest)
		return
	}
	if s.polling {
		s.mu.Unlock()
		s.close(ReasonTransportError, false)
		writeError(w, codeBadRequest)
		return
	}
	s.polling = true
	for len(s.queue) == 0 && s.reason == "" && !s.upgrading && s.transport == "polling" {
		changed := s.changedLocked()
		s.mu.Unlock()
		select {
		case <-changed:
		case <-r.Context().Done():
			s.mu.Lock()
			s.polling = false
			s.mu.Unlock()
			s.close(ReasonTransportError, false)
			return
		}
		s.mu.Lock()
	}
	var pkts [][]byte
	size := 0
	closing := false
	if s.transport == "polling" {
		// Once upgraded, the queue belongs to the WebSocket writer: a poll
		// still pending then (the client should have paused) gets a noop.
		pkts, size = s.takeLocked()
		closing = s.reason != ""
	}
	s.polling = false
	s.mu.Unlock()

	if closing {
		pkts = append(pkts, []byte{eioClose})
	} else if len(pkts) == 0 {
		pkts = [][]byte{{eioNoop}}
	}
	body := appendPayload(make([]byte, 0, size+2*len(pkts)), pkts)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(s.writeTimeout()))
	stop := context.AfterFunc(s.writeCtx, func() { _ = rc.SetWriteDeadline(time.Now()) })
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body)
	if err == nil {
		err = rc.Flush()
		if errors.Is(err, http.ErrNotSupported) {
			err = nil
		}
	}
	stop()
	s.written(size)
	if err != nil {
		s.close(ReasonTransportError, false)
	}
	if closing {
		s.release()
	}
}

// servePost reads a polling POST: a payload of at most MaxPayload bytes,
// whose packets go to receive in order. It answers "ok", or 400 (and closes
// the session with ReasonParseError) for a malformed payload, or 413 (and
// closes it with ReasonPayloadTooLarge) for an oversized one. Overlapping
// POSTs close the session with ReasonTransportError.
func (s *session) servePost(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	switch {
	case s.reason != "":
		s.mu.Unlock()
		writeError(w, codeUnknownSID)
		return
	case s.transport != "polling":
		s.mu.Unlock()
		writeError(w, codeBadRequest)
		return
	case s.posting:
		s.mu.Unlock()
		s.close(ReasonTransportError, false)
		writeError(w, codeBadRequest)
		return
	}
	s.posting = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.posting = false
		s.mu.Unlock()
	}()

	if r.Header.Get("Content-Type") == "application/octet-stream" {
		// Protocol revision 4 sends binary as base64 text packets.
		s.close(ReasonParseError, false)
		writeError(w, codeBadRequest)
		return
	}
	limit := int64(s.srv.opts.MaxPayload)
	if r.ContentLength > limit {
		s.tooLarge(w)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			s.tooLarge(w)
			return
		}
		s.close(ReasonTransportError, false)
		writeError(w, codeBadRequest)
		return
	}
	for part := range splitPayload(string(body)) {
		p, err := decodeEIOPacket(part)
		if err == nil {
			err = s.receive(p)
		}
		if err != nil {
			s.srv.log.Debug("socketio: protocol error", "sid", s.id, "err", err)
			s.close(ReasonParseError, false)
			writeError(w, codeBadRequest)
			return
		}
		if p.typ == eioClose {
			break
		}
	}
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Content-Length", "2")
	_, _ = io.WriteString(w, "ok")
}

func (s *session) tooLarge(w http.ResponseWriter) {
	s.srv.log.Debug("socketio: payload too large", "sid", s.id)
	s.close(ReasonPayloadTooLarge, false)
	w.Header().Set("Connection", "close")
	writeErrorStatus(w, http.StatusRequestEntityTooLarge, codeBadRequest, "Payload too large")
}
