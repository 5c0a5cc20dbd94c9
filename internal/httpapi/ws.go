package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// WebSocket close codes of /v1/ws.
const (
	// closeResume asks the client to reconnect with ?since=<last update_id>:
	// it fell too far behind, and nothing it missed is lost.
	closeResume websocket.StatusCode = 4001
	// closeUnauthenticated: the credential stopped working.
	closeUnauthenticated websocket.StatusCode = 4401
)

// Limits of one /v1/ws connection.
const (
	wsMaxFrame     = 16 << 10
	wsWriteTimeout = 10 * time.Second
	wsPingEvery    = 25 * time.Second
	wsRate         = 20 // client frames per second, sustained
	wsBurst        = 40
	wsMaxRejected  = 100 // frames over the rate before the connection is closed
)

// wsFrame is a server-to-client frame.
type wsFrame struct {
	Path     string `json:"path"`
	UpdateID int64  `json:"update_id,omitempty"`
	Event    string `json:"event,omitempty"`
	ThreadID string `json:"thread_id,omitempty"`
	Action   string `json:"action,omitempty"`
	Data     any    `json:"data,omitempty"`
}

// wsRequest is a client-to-server frame.
type wsRequest struct {
	Path string          `json:"path"`
	Args json.RawMessage `json:"args"`
}

// serveWS is GET /v1/ws: a live stream of what the caller may see, resumable
// with ?since=<update_id>. A missing or bad credential is refused before the
// upgrade.
func (s *server) serveWS(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	if !a.IsMember() {
		return chat.ErrUnauthenticated
	}
	opts := chat.SubscribeOptions{}
	if v := r.URL.Query().Get("since"); v != "" {
		since, err := strconv.ParseInt(v, 10, 64)
		if err != nil || since < 0 {
			return chat.Invalidf("since", "since must be an update_id (a number from 0).")
		}
		opts.Resume, opts.Since = true, since
	}
	sub, err := s.chat.Subscribe(r.Context(), a, opts)
	if err != nil {
		return err
	}
	defer sub.Close()
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"*"}})
	if err != nil {
		return nil // Accept wrote the error response
	}
	conn.SetReadLimit(wsMaxFrame)
	c := &wsConn{s: s, conn: conn, sub: sub, actor: a, base: s.base(r)} // known is made by /feed
	c.run(r.Context())
	return nil
}

// wsConn is one /v1/ws connection. Two goroutines serve it: run (events to
// the client) and the reader (client frames), which run waits for; a timer
// pings the client and cuts a stuck write (wsWatch).
type wsConn struct {
	s     *server
	conn  *websocket.Conn
	sub   *chat.Subscription
	actor chat.Actor
	base  string

	mu    sync.Mutex  // guards feed and known
	feed  chat.FeedID // 0: not watching a feed
	known map[chat.ThreadID]bool

	// writing is when the pump's write in progress started (unix
	// nanoseconds), 0 when none is: the watch closes a connection whose
	// write is stuck.
	writing atomic.Int64
}

func (c *wsConn) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	read := make(chan struct{})
	go func() { defer close(read); defer cancel(); c.read(ctx) }()
	// The pinger is a timer, not a goroutine: an idle connection keeps two
	// goroutines (the pump and the reader), which is most of its memory.
	w := &wsWatch{c: c, ctx: ctx, lastPing: time.Now()}
	w.timer = time.AfterFunc(wsWatchEvery, w.tick)
	status, reason := c.pump(ctx)
	w.stop()
	cancel()
	c.conn.Close(status, reason)
	<-read
}

// pump writes events until the subscription or the connection ends, and
// returns how to close.
func (c *wsConn) pump(ctx context.Context) (websocket.StatusCode, string) {
	for {
		ev, err := c.sub.Next(ctx)
		switch {
		case errors.Is(err, chat.ErrResumeExpired):
			if c.pumpWriteFrame(ctx, wsFrame{Path: "/reset"}) != nil {
				return websocket.StatusGoingAway, ""
			}
			continue
		case errors.Is(err, chat.ErrSlowConsumer):
			return closeResume, "too slow: reconnect with since=" + strconv.FormatInt(c.sub.LastID, 10)
		case errors.Is(err, chat.ErrFeedClosed):
			return websocket.StatusServiceRestart, "server restarting: reconnect with since=" + strconv.FormatInt(c.sub.LastID, 10)
		case chat.ErrorCode(err) == chat.Unauthenticated:
			return closeUnauthenticated, "credential no longer valid"
		case err != nil:
			return websocket.StatusGoingAway, ""
		}
		if err := c.deliver(ctx, ev); err != nil {
			return websocket.StatusGoingAway, ""
		}
	}
}

// deliver sends one event: the common frame, encoded once for everyone, and
// the feed marker when the event moves a thread of the client's feed.
func (c *wsConn) deliver(ctx context.Context, ev *chat.Event) error {
	b, err := ev.Encoded("v1ws|"+c.base, func(ev *chat.Event) ([]byte, error) { return json.Marshal(c.s.eventFrame(c.base, ev)) })
	if err != nil {
		return err
	}
	if b != nil && string(b) != "null" {
		if err := c.pumpWrite(ctx, b); err != nil {
			return err
		}
	}
	if ev.Type == chat.EventMessageCreated {
		return c.feedUpdate(ctx, ev)
	}
	return nil
}

// eventFrame renders an event in the native API's shapes.
func (s *server) eventFrame(base string, ev *chat.Event) any {
	f := wsFrame{Path: "server/event", UpdateID: ev.ID, Event: string(ev.Type)}
	switch ev.Type {
	case chat.EventMessageCreated, chat.EventMessageEdited, chat.EventMessageDeleted:
		f.Data = s.toChat(base, ev.Message)
	case chat.EventReactionSet, chat.EventReactionUnset:
		f.Data = map[string]string{"chat_id": chatID(ev.Reaction.MessageID), "thread_id": threadID(ev.ThreadID),
			"user_id": userID(ev.Reaction.UserID), "name": ev.Reaction.Name}
	case chat.EventThreadCreated, chat.EventThreadUpdated:
		f.Data = s.toThread(base, &chat.ThreadView{Thread: ev.Thread})
	case chat.EventReadMoved:
		f.Data = toRead(ev.Read)
	case chat.EventChannelCreated, chat.EventChannelUpdated, chat.EventChannelDeleted:
		f.Data = toChannel(ev.Channel)
	case chat.EventUserCreated, chat.EventUserUpdated:
		f.Data = toUser(ev.User)
	case chat.EventOrgUpdated, chat.EventRolesChanged:
		f.Data = map[string]string{"org_id": orgID(ev.OrgID)}
	case chat.EventTyping:
		return wsFrame{Path: "/typing", Data: map[string]string{"thread_id": threadID(ev.ThreadID), "user_id": userID(ev.UserID)}}
	case chat.EventPresence:
		return wsFrame{Path: "/presence", Data: map[string]any{"status": ev.Presence.Status, "user_ids": userIDs(ev.Presence.UserIDs)}}
	default:
		return s.richEventFrame(base, ev)
	}
	return f
}

// feedUpdate tells a client watching a feed that a thread moved to its top:
// a marker for a thread it knows, the whole FeedThread for one it does not
// (when the thread belongs to the feed), which it then knows.
func (c *wsConn) feedUpdate(ctx context.Context, ev *chat.Event) error {
	c.mu.Lock()
	feed, known := c.feed, c.known[ev.ThreadID]
	c.mu.Unlock()
	if feed == 0 {
		return nil
	}
	f := wsFrame{Path: "server/feed", UpdateID: ev.ID, ThreadID: threadID(ev.ThreadID), Action: "move_to_top"}
	if !known {
		v, in, err := c.s.chat.FeedThread(ctx, c.actor, feed, ev.ThreadID)
		if err != nil || !in {
			return nil // gone, no longer visible, or not in this feed
		}
		f.Data = c.s.toThread(c.base, v)
		c.mu.Lock()
		c.known[ev.ThreadID] = true
		c.mu.Unlock()
	}
	return c.pumpWriteFrame(ctx, f)
}

func (c *wsConn) pumpWriteFrame(ctx context.Context, f wsFrame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return c.pumpWrite(ctx, b)
}

func (c *wsConn) write(ctx context.Context, f wsFrame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return c.writeRaw(ctx, b)
}

// writeRaw writes one frame from the reader's goroutine.
func (c *wsConn) writeRaw(ctx context.Context, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
	defer cancel()
	return c.conn.Write(ctx, websocket.MessageText, b)
}

// pumpWrite writes one frame from the pump. It runs once per event and
// connection, so it makes no context of its own (a timeout context and the
// websocket library's watch of it were a fifth of the CPU of fan-out): the
// watch closes a connection whose pump write has taken longer than
// wsWriteTimeout, which ends the write.
func (c *wsConn) pumpWrite(ctx context.Context, b []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.writing.Store(time.Now().UnixNano())
	defer c.writing.Store(0)
	return c.conn.Write(context.WithoutCancel(ctx), websocket.MessageText, b)
}

// wsWatchEvery is how often the watch checks for a stuck write.
const wsWatchEvery = wsWriteTimeout / 2

// wsWatch pings the client every wsPingEvery and closes the connection
// when a pump write is stuck, from a timer that fires every wsWatchEvery
// until the pump is done.
type wsWatch struct {
	c        *wsConn
	ctx      context.Context
	lastPing time.Time // owned by tick

	mu      sync.Mutex
	timer   *time.Timer // guarded by mu
	stopped bool        // guarded by mu
}

func (w *wsWatch) tick() {
	now := time.Now()
	if t := w.c.writing.Load(); t != 0 && now.Sub(time.Unix(0, t)) > wsWriteTimeout {
		w.c.conn.CloseNow() // ends the stuck write
		return
	}
	if w.ctx.Err() == nil && now.Sub(w.lastPing) >= wsPingEvery {
		w.lastPing = now
		pctx, cancel := context.WithTimeout(w.ctx, wsWriteTimeout)
		err := w.c.conn.Ping(pctx)
		cancel()
		if err != nil {
			w.c.conn.Close(websocket.StatusGoingAway, "ping timeout")
			return
		}
	}
	w.mu.Lock()
	if !w.stopped {
		w.timer.Reset(wsWatchEvery)
	}
	w.mu.Unlock()
}

func (w *wsWatch) stop() {
	w.mu.Lock()
	w.stopped = true
	w.timer.Stop()
	w.mu.Unlock()
}

// read serves client frames until the connection ends.
func (c *wsConn) read(ctx context.Context) {
	lim := rate.NewLimiter(wsRate, wsBurst)
	rejected := 0
	for {
		typ, b, err := c.conn.Read(ctx)
		if err != nil {
			return
		}
		if !lim.Allow() {
			if rejected++; rejected > wsMaxRejected {
				c.conn.Close(websocket.StatusPolicyViolation, "too many frames")
				return
			}
			c.fail(ctx, "", chat.Errorf(chat.RateLimited, "Too many frames; slow down."))
			continue
		}
		if typ != websocket.MessageText {
			c.fail(ctx, "", chat.Errorf(chat.Invalid, "Frames are JSON text."))
			continue
		}
		var req wsRequest
		if err := httpx.Unmarshal(b, &req, false); err != nil {
			c.fail(ctx, "", err)
			continue
		}
		if err := c.handle(ctx, req); err != nil {
			c.fail(ctx, req.Path, err)
		}
	}
}

// fail answers a client frame with an error frame.
func (c *wsConn) fail(ctx context.Context, path string, err error) {
	c.write(ctx, wsFrame{Path: "/error", Data: map[string]string{"path": path, "code": string(chat.ErrorCode(err)), "message": chat.ErrorMessage(err)}})
}

type presenceArgs struct {
	Users bool `json:"users"`
}

type typingArgs struct {
	ThreadID string `json:"thread_id"`
}

type feedArgs struct {
	FeedID    string   `json:"feed_id"`
	ThreadIDs []string `json:"thread_ids"`
}

func (c *wsConn) handle(ctx context.Context, req wsRequest) error {
	switch req.Path {
	case "/presence":
		var args presenceArgs
		if err := wsArgs(req.Args, &args); err != nil {
			return err
		}
		if err := c.s.chat.TouchPresence(ctx, c.actor); err != nil {
			return err
		}
		if !args.Users {
			return nil
		}
		ids, err := c.s.chat.ActiveUsers(ctx, c.actor)
		if err != nil {
			return err
		}
		return c.write(ctx, wsFrame{Path: "/presence", Data: map[string]any{"status": "active", "user_ids": userIDs(ids)}})
	case "/typing":
		var args typingArgs
		if err := wsArgs(req.Args, &args); err != nil {
			return err
		}
		id, err := parseThreadID("thread_id", args.ThreadID)
		if err != nil {
			return err
		}
		return c.s.chat.Typing(ctx, c.actor, id)
	case "/feed":
		var args feedArgs
		if err := wsArgs(req.Args, &args); err != nil {
			return err
		}
		if args.FeedID == "" {
			args.FeedID = formatID(chat.KindFeed, int64(chat.FeedOmni))
		}
		id, err := parseID(chat.KindFeed, "feed_id", args.FeedID)
		if err != nil {
			return err
		}
		if err := c.s.feedExists(ctx, c.actor, chat.FeedID(id)); err != nil {
			return err
		}
		known := map[chat.ThreadID]bool{}
		for _, s := range args.ThreadIDs {
			id, err := parseThreadID("thread_ids", s)
			if err != nil {
				return err
			}
			known[id] = true
		}
		c.mu.Lock()
		c.feed, c.known = chat.FeedID(id), known
		c.mu.Unlock()
		return nil
	case "":
		return chat.Invalidf("path", "The frame has no path.")
	}
	return chat.Invalidf("path", "Unknown path %q (use /presence, /typing or /feed).", req.Path)
}

func wsArgs(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return httpx.Unmarshal(raw, v, false)
}

// feedExists checks that id is one of the actor's feeds (NotFound otherwise).
func (s *server) feedExists(ctx context.Context, a chat.Actor, id chat.FeedID) error {
	feeds, err := s.chat.Feeds(ctx, a)
	if err != nil {
		return err
	}
	for _, f := range feeds {
		if f.ID == id {
			return nil
		}
	}
	return chat.Errorf(chat.NotFound, "Feed not found.")
}
