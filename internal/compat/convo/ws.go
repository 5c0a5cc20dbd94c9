package convo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
)

// Limits of one /api/subscribe connection.
const (
	wsWriteTimeout = 10 * time.Second
	wsPingEvery    = 25 * time.Second
	// closeResume asks the client to reconnect and refetch: it fell too far
	// behind or the server is restarting.
	closeResume websocket.StatusCode = 4001
)

// subscribe is GET /api/subscribe?threadId=&apikey=: a WebSocket that
// streams a comment page's changes as {"name": …, "data": <comment>}, the
// frames The Convo Space published on Ably. The stream is read-only; a
// token and signerAddress in the query let a member follow a private page.
func (s *server) subscribe(w http.ResponseWriter, r *http.Request) error {
	a, err := s.reader(r, querySigned(r))
	if err != nil {
		return invalidAuth
	}
	tid := r.URL.Query().Get("threadId")
	if tid == "" {
		return fail(http.StatusBadRequest, "error", "Invalid/Incomplete params")
	}
	sub, err := s.chat.SubscribeComments(r.Context(), a, threadRef(tid))
	if chat.ErrorCode(err) == chat.NotFound {
		return fail(http.StatusNotFound, "error", "Thread does not exist.")
	}
	if err != nil {
		return err
	}
	defer sub.Close()
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"*"}})
	if err != nil {
		return answered // Accept wrote the error response
	}
	ctx := conn.CloseRead(r.Context())
	done := make(chan struct{})
	go func() { defer close(done); ping(ctx, conn) }()
	status, reason := s.pump(ctx, conn, sub)
	conn.Close(status, reason)
	<-done
	return nil
}

// pump writes the page's events until the subscription or the connection
// ends, and says how to close.
func (s *server) pump(ctx context.Context, conn *websocket.Conn, sub *chat.Subscription) (websocket.StatusCode, string) {
	for {
		ev, err := sub.Next(ctx)
		switch {
		case errors.Is(err, chat.ErrResumeExpired):
			continue
		case errors.Is(err, chat.ErrSlowConsumer):
			return closeResume, "too slow: reconnect and refetch"
		case errors.Is(err, chat.ErrFeedClosed):
			return websocket.StatusServiceRestart, "server restarting: reconnect and refetch"
		case err != nil:
			return websocket.StatusGoingAway, ""
		}
		name := eventName(ev)
		if name == "" {
			continue
		}
		b, err := ev.Encoded("convo", func(ev *chat.Event) ([]byte, error) {
			v, err := s.chat.CommentOfEvent(ctx, sub.Actor(), ev)
			if err != nil {
				return nil, err
			}
			return json.Marshal(eventJSON{Name: name, Data: toComment(v)})
		})
		if err != nil {
			continue // the comment is gone from this reader's sight
		}
		wctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
		err = conn.Write(wctx, websocket.MessageText, b)
		cancel()
		if err != nil {
			return websocket.StatusGoingAway, ""
		}
	}
}

// eventName names an event in The Convo Space's stream, or "" for events it
// does not show.
func eventName(ev *chat.Event) string {
	switch ev.Type {
	case chat.EventMessageCreated:
		return eventCreate
	case chat.EventMessageEdited:
		return eventUpdate
	case chat.EventMessageDeleted:
		return eventDelete
	case chat.EventReactionSet, chat.EventReactionUnset:
		switch ev.Reaction.Name {
		case chat.VoteUp:
			return eventUpvote
		case chat.VoteDown:
			return eventDownvote
		}
	}
	return ""
}

func ping(ctx context.Context, conn *websocket.Conn) {
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
			err := conn.Ping(pctx)
			cancel()
			if err != nil {
				conn.Close(websocket.StatusGoingAway, "ping timeout")
				return
			}
		}
	}
}
