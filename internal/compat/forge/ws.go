package forge

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
)

// Limits of one /chat/ws connection.
const (
	wsMaxFrame     = 16 << 10
	wsWriteTimeout = 10 * time.Second
	wsPingEvery    = 25 * time.Second
	// wsPresenceEvery keeps an open socket's user active in the core's
	// presence, well within chat.PresenceAway.
	wsPresenceEvery = chat.PresenceAway / 4
	// wsMaxThreads bounds the per-connection cache of conversations.
	wsMaxThreads = 1024
)

// serveWS is GET /chat/ws?token=<jwt>: ConvoForge's socket. It pushes, as
// JSON text frames, what the user may see of the core's event log as it
// commits (whichever surface made the change): MessageDTOs for new messages,
// EDIT_MESSAGE and DELETE_MESSAGE, TYPING, UPDATE_USERS when someone comes
// online or goes away, and UPDATE_STATUS when channels, roles, grants or
// users change. Client frames other than pings and close are ignored.
func (s *server) serveWS(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("token") {
		writeText(w, http.StatusBadRequest, "Token is required")
		return
	}
	a, err := s.chat.Authenticate(r.Context(), q.Get("token"))
	if err != nil {
		writeText(w, http.StatusBadRequest, "Invalid token")
		return
	}
	sub, err := s.chat.Subscribe(r.Context(), a, chat.SubscribeOptions{})
	if err != nil {
		writeError(w, r, s.log, texts{string(chat.Unauthenticated): fail(http.StatusBadRequest, "Invalid token")}.of(err))
		return
	}
	defer sub.Close()
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"*"}})
	if err != nil {
		return // Accept wrote the error response
	}
	conn.SetReadLimit(wsMaxFrame)
	c := &wsConn{s: s, conn: conn, sub: sub, actor: a, threads: map[chat.ThreadID]*chat.Thread{}}
	c.run(r.Context())
}

// wsConn is one /chat/ws connection. run owns three goroutines besides its
// own (the reader, the pinger and the presence keeper) and waits for them.
type wsConn struct {
	s     *server
	conn  *websocket.Conn
	sub   *chat.Subscription
	actor chat.Actor

	// threads caches the threads of events, to tell their conversation;
	// only the goroutine running pump uses it.
	threads map[chat.ThreadID]*chat.Thread
}

func (c *wsConn) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); defer cancel(); c.read(ctx) }()
	go func() { defer wg.Done(); c.ping(ctx) }()
	go func() { defer wg.Done(); c.keepPresent(ctx) }()
	status, reason := c.pump(ctx)
	// Close before cancelling: a read whose context ends drops the
	// connection without the close frame that tells the client why.
	c.conn.Close(status, reason)
	cancel()
	wg.Wait()
}

// pump writes the subscription's events until it or the connection ends,
// and returns how to close.
func (c *wsConn) pump(ctx context.Context) (websocket.StatusCode, string) {
	for {
		ev, err := c.sub.Next(ctx)
		switch {
		case errors.Is(err, chat.ErrSlowConsumer):
			return websocket.StatusTryAgainLater, "too slow: reconnect"
		case errors.Is(err, chat.ErrFeedClosed):
			return websocket.StatusServiceRestart, "server restarting: reconnect"
		case chat.ErrorCode(err) == chat.Unauthenticated:
			return websocket.StatusPolicyViolation, "Invalid token"
		case errors.Is(err, chat.ErrResumeExpired):
			continue
		case err != nil:
			return websocket.StatusGoingAway, ""
		}
		b, err := c.frame(ctx, ev)
		if err != nil || b == nil {
			continue // nothing ConvoForge shows, or no longer visible
		}
		if err := c.write(ctx, b); err != nil {
			return websocket.StatusGoingAway, ""
		}
	}
}

// frame renders an event as ConvoForge's frame, or nil when ConvoForge has
// none for it. The bytes depend only on the event, so they are encoded once
// for every connection that receives it.
func (c *wsConn) frame(ctx context.Context, ev *chat.Event) ([]byte, error) {
	if ev.Type == chat.EventTyping && ev.UserID == c.actor.UserID {
		// A DM's typer is not told; in a channel everyone is, as before.
		if th, err := c.thread(ctx, ev.ThreadID); err != nil || th.Kind == chat.KindDirect {
			return nil, err
		}
	}
	b, err := ev.Encoded("forge", func(ev *chat.Event) ([]byte, error) {
		v, err := c.render(ctx, ev)
		if err != nil || v == nil {
			return []byte("null"), err
		}
		return json.Marshal(v)
	})
	if err != nil || string(b) == "null" {
		return nil, err
	}
	return b, nil
}

// render translates an event into ConvoForge's frame value, or nil.
func (c *wsConn) render(ctx context.Context, ev *chat.Event) (any, error) {
	switch ev.Type {
	case chat.EventMessageCreated, chat.EventMessageEdited, chat.EventMessageDeleted:
		th := ev.Thread
		if th == nil {
			var err error
			if th, err = c.thread(ctx, ev.ThreadID); err != nil {
				return nil, err
			}
		}
		ref, ok := chat.ConversationOf(th, ev.Message.AuthorID)
		if !ok {
			return nil, nil
		}
		typ := typeMessage
		switch ev.Type {
		case chat.EventMessageEdited:
			typ = typeEdit
		case chat.EventMessageDeleted:
			typ = typeDelete
		}
		return toMessage(ev.Message, ref, typ), nil
	case chat.EventTyping:
		th, err := c.thread(ctx, ev.ThreadID)
		if err != nil {
			return nil, err
		}
		ref, ok := chat.ConversationOf(th, ev.UserID)
		if !ok {
			return nil, nil
		}
		rt, rid := recipient(ref)
		return typingDTO{MessageType: "TYPING", UserID: formatID(kindUser, int64(ev.UserID)), ReferenceID: rid, RecipientType: rt}, nil
	case chat.EventPresence:
		return signalDTO{MessageType: "UPDATE_USERS"}, nil
	case chat.EventChannelCreated, chat.EventChannelUpdated, chat.EventChannelDeleted, chat.EventRolesChanged, chat.EventUserUpdated:
		return signalDTO{MessageType: "UPDATE_STATUS"}, nil
	}
	return nil, nil
}

// thread returns an event's thread, from the cache or the core.
func (c *wsConn) thread(ctx context.Context, id chat.ThreadID) (*chat.Thread, error) {
	if th := c.threads[id]; th != nil {
		return th, nil
	}
	th, err := c.s.chat.ConversationThread(ctx, c.actor, id)
	if err != nil {
		return nil, err
	}
	if len(c.threads) >= wsMaxThreads {
		clear(c.threads)
	}
	c.threads[id] = th
	return th, nil
}

func (c *wsConn) write(ctx context.Context, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, b)
}

// read consumes client frames (the library answers pings) until the
// connection ends; ConvoForge ignored text and binary frames.
func (c *wsConn) read(ctx context.Context) {
	for {
		if _, _, err := c.conn.Read(ctx); err != nil {
			return
		}
	}
}

func (c *wsConn) ping(ctx context.Context) {
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
			err := c.conn.Ping(pctx)
			cancel()
			if err != nil {
				c.conn.Close(websocket.StatusGoingAway, "ping timeout")
				return
			}
		}
	}
}

// keepPresent marks the user active now and while the socket stays open, so
// GET /presence/ lists them; becoming active is announced to the org
// (UPDATE_USERS).
func (c *wsConn) keepPresent(ctx context.Context) {
	t := time.NewTicker(wsPresenceEvery)
	defer t.Stop()
	for {
		if err := c.s.chat.TouchPresence(ctx, c.actor); err != nil && ctx.Err() == nil {
			c.s.log.Warn("presence", "user", c.actor.UserID, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
