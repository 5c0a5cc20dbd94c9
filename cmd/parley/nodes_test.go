package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// TestTwoNodesWS runs two real servers on one database: a client on node 1
// sees a chat sent through node 2 live, then resumes on node 2 after missing
// events, over /v1/ws.
func TestTwoNodesWS(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"PARLEY_ADDR": "127.0.0.1:0", "PARLEY_DATA_DIR": dir, "PARLEY_BROKER_CHANNEL": fmt.Sprintf("n%d", time.Now().UnixNano())}
	if sqlstoretest.Engine() == "postgres" {
		env["DATABASE_URL"] = sqlstoretest.DSN(t) // nodes meet over LISTEN/NOTIFY
	} else {
		ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
		if err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		if !ns.ReadyForConnections(10 * time.Second) {
			t.Fatal("nats did not start")
		}
		defer ns.Shutdown()
		env["NATS_URL"] = ns.ClientURL()
		env["DATABASE_URL"] = filepath.Join(dir, "shared.db")
	}
	a := mustRun(t, env)
	b := mustRun(t, env)
	secret := a.Secret
	cs := map[string]string{"Client-Secret": secret}
	_, org := call(t, "POST", a.URL+"/auth/organization", cs, "")
	_, tok := call(t, "POST", b.URL+"/auth/secret", cs, `{"username":"ada","display_name":"Ada","slug":"`+org["id"].(string)+`"}`)
	bearer := map[string]string{"Authorization": "Bearer " + tok["token"].(string)}
	_, ch := call(t, "POST", a.URL+"/v1/channels", bearer, `{"name":"general","bits":{"chan_anyone":true}}`)
	chID := ch["data"].(map[string]any)["id"].(string)
	_, th := call(t, "POST", a.URL+"/v1/threads", bearer, `{"text":"hi","xsr_ids":["`+chID+`"]}`)
	thID := th["thread_id"].(string)

	ws := dialWS(t, a.URL, tok["token"].(string), -1)
	time.Sleep(100 * time.Millisecond)
	call(t, "POST", b.URL+"/v1/chats", bearer, `{"thread_id":"`+thID+`","text":"from node 2"}`)
	f := ws.next(t)
	if f.Event != "message.created" || !strings.Contains(string(f.Data), "from node 2") {
		t.Fatalf("node 1 got %+v", f)
	}
	cursor := f.UpdateID
	ws.Close(websocket.StatusNormalClosure, "")
	for i := range 10 {
		call(t, "POST", a.URL+"/v1/chats", bearer, fmt.Sprintf(`{"thread_id":"%s","text":"missed %d"}`, thID, i))
	}
	again := dialWS(t, b.URL, tok["token"].(string), cursor)
	for i := range 10 {
		f := again.next(t)
		if f.UpdateID != cursor+int64(i)+1 || !strings.Contains(string(f.Data), fmt.Sprintf("missed %d", i)) {
			t.Fatalf("resumed event %d on node 2: %+v %s", i, f, f.Data)
		}
	}
}

type wsConn struct{ *websocket.Conn }

type wsFrame struct {
	Path     string          `json:"path"`
	UpdateID int64           `json:"update_id"`
	Event    string          `json:"event"`
	Data     json.RawMessage `json:"data"`
}

func dialWS(t *testing.T, base, token string, since int64) wsConn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + "/v1/ws?token=" + token
	if since >= 0 {
		u += fmt.Sprintf("&since=%d", since)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return wsConn{c}
}

// next returns the next server/event frame.
func (c wsConn) next(t *testing.T) wsFrame {
	t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, b, err := c.Read(ctx)
		cancel()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var f wsFrame
		json.Unmarshal(b, &f)
		if f.Path == "server/event" {
			return f
		}
	}
}
