package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// TestAlloEndToEnd runs the real program: a conversation over Allo's REST
// surface, a Socket.IO client on /socket.io/ that the shutdown drains, and a
// message scheduled before a restart that the restarted server sends on
// time.
func TestAlloEndToEnd(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir}
	if sqlstoretest.Engine() == "postgres" {
		env["DATABASE_URL"] = sqlstoretest.DSN(t)
	}
	s := mustRun(t, env)
	cs := map[string]string{"Client-Secret": s.Secret}
	_, org := call(t, "POST", s.URL+"/auth/organization", cs, "")
	slug := org["id"].(string)
	token := func(name string) string {
		_, tok := call(t, "POST", s.URL+"/auth/secret", cs, `{"username":"`+name+`","display_name":"`+name+`","slug":"`+slug+`"}`)
		return tok["token"].(string)
	}
	ada, bob := token("ada"), token("bob")
	adaH, bobH := map[string]string{"Authorization": "Bearer " + ada}, map[string]string{"Authorization": "Bearer " + bob}

	// Bob's Socket.IO client, connected with his Bearer token.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	read := func() string {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("socket.io read: %v", err)
		}
		return string(b)
	}
	if p := read(); !strings.HasPrefix(p, "0{") {
		t.Fatalf("engine.io open packet = %q", p)
	}
	ws.Write(ctx, websocket.MessageText, []byte(`40{"token":"`+bob+`"}`))
	if p := read(); !strings.HasPrefix(p, "40{") {
		t.Fatalf("connect answer = %q", p)
	}
	var connected []any
	if p := read(); !strings.HasPrefix(p, "42") || json.Unmarshal([]byte(p[2:]), &connected) != nil || connected[0] != "connected" {
		t.Fatalf("connected emit = %q", p)
	}
	bobID := connected[1].(map[string]any)["userId"].(string)

	st, conv := call(t, "POST", s.URL+"/api/chat/createConversation", adaH, `{"participants":["`+bobID+`"],"type":"group","topic":"Launch"}`)
	if st != 201 {
		t.Fatalf("createConversation: %d %v", st, conv)
	}
	convID := conv["_id"].(string)
	ws.Write(ctx, websocket.MessageText, []byte(`421["joinConversation","`+convID+`"]`))
	for p := read(); !strings.HasPrefix(p, "431"); p = read() {
	}
	call(t, "POST", s.URL+"/api/chat/sendMessage", adaH, `{"conversationID":"`+convID+`","message":"over REST"}`)
	for p := read(); !strings.Contains(p, "over REST"); p = read() {
		if p == "2" {
			ws.Write(ctx, websocket.MessageText, []byte("3"))
		}
	}

	// A message due after the restart.
	due := time.Now().Add(1500 * time.Millisecond).UTC()
	st, sch := call(t, "POST", s.URL+"/api/chat/scheduleMessage", adaH,
		`{"conversationID":"`+convID+`","message":"after the restart","scheduledTime":"`+due.Format(time.RFC3339Nano)+`"}`)
	if st != 202 {
		t.Fatalf("scheduleMessage: %d %v", st, sch)
	}

	// Shutdown drains the socket: what is queued is flushed, then it is
	// closed, and run returns cleanly.
	closed := make(chan error, 1)
	go func() {
		for {
			if _, _, err := ws.Read(ctx); err != nil {
				closed <- err
				return
			}
		}
	}()
	start := time.Now()
	s.stop(t)
	t.Logf("shutdown took %v", time.Since(start))
	if <-closed; ctx.Err() != nil {
		t.Fatal("the Socket.IO connection outlived the server")
	}

	s2 := mustRun(t, env)
	id, _ := strconv.ParseInt(convID[10:], 16, 64)
	h := strconv.FormatInt(id, 16)
	thread := fmt.Sprintf("2%c%s", 'O'-len(h), h)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, page := call(t, "GET", s2.URL+"/v1/chats/"+thread, bobH, "")
		if data, _ := page["data"].([]any); len(data) > 0 && data[0].(map[string]any)["text"] == "after the restart" {
			at := int64(data[0].(map[string]any)["created_at"].(float64))
			if at < due.Unix() {
				t.Fatalf("sent at %d, before its time %d", at, due.Unix())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scheduled message was not sent after the restart: %v", page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
