package allo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/compat/allo"
)

// The reliability matrices: tenant isolation, authorization per level, and
// refused tokens, over every pattern of allo.Patterns() and every event of
// allo.Events().

// level is who calls: the org's owner (its conversations' admin), a member
// taking part in the conversations, an outsider (a member of the org who is
// not in them), a bot by its key, or nobody.
type level string

const (
	levelOwner    level = "owner"
	levelMember   level = "member"
	levelOutsider level = "outsider"
	levelBot      level = "bot"
	levelAnon     level = "anonymous"
)

var levels = []level{levelOwner, levelMember, levelOutsider, levelBot, levelAnon}

// tenant is one org, populated through Allo: two group conversations and
// the owner's direct conversation with the member, messages by both, a
// poll with a vote, a reaction, a pin, a report, a read mark and a
// scheduled message.
type tenant struct {
	s       *server
	tag     string // in every text the org wrote
	tokens  map[level]string
	users   map[level]string // ObjectIds
	names   []string         // usernames but the owner's (every org's owner is "owner") and short ones
	group   string           // the owner's group with the member
	second  string           // another such group
	direct  string           // the owner's private conversation with the member
	msgs    map[level]string // a message by the owner and one by the member, in group
	poll    string
	natives []string // the conversations' native ids, for the snapshot
}

// newTenant populates an org whose owner, member and outsider are given.
func newTenant(t *testing.T, s *server, tag string, owner, member, outsider chat.Actor) *tenant {
	t.Helper()
	ctx := context.Background()
	tn := &tenant{s: s, tag: tag, tokens: map[level]string{}, users: map[level]string{}, msgs: map[level]string{}}
	for l, a := range map[level]chat.Actor{levelOwner: owner, levelMember: member, levelOutsider: outsider} {
		u, err := s.User(ctx, a, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if tn.tokens[l], err = s.IssueToken(u); err != nil {
			t.Fatal(err)
		}
		tn.users[l] = allo.FormatID(chat.KindUser, int64(u.ID))
		if l != levelOwner && len(u.Username) >= 5 {
			// Shorter names ("bob") turn up in random session ids.
			tn.names = append(tn.names, u.Username)
		}
	}
	bot, key, err := s.CreateBot(ctx, owner, chat.NewBot{Name: tag + " bot"})
	if err != nil {
		t.Fatal(err)
	}
	tn.tokens[levelBot] = fmt.Sprintf("%d:%s", bot.ID, key)
	tn.users[levelBot] = allo.FormatID(chat.KindUser, int64(bot.ID))

	must := func(l level, op string, payload any) map[string]any {
		t.Helper()
		status, body := tn.call(t, tn.tokens[l], op, payload)
		if status >= 300 {
			t.Fatalf("%s %s by %s: %d %s", tag, op, l, status, body)
		}
		var m map[string]any
		json.Unmarshal(body, &m)
		return m
	}
	conv := func(typ, topic string) string {
		return must(levelOwner, "createConversation", map[string]any{"participants": []string{tn.users[levelMember]}, "type": typ, "topic": topic})["_id"].(string)
	}
	tn.group, tn.second, tn.direct = conv("group", tag+" plans"), conv("group", tag+" second"), conv("private", "")
	for _, l := range []level{levelOwner, levelMember} {
		tn.msgs[l] = must(l, "sendMessage", map[string]any{"conversationID": tn.group, "message": tag + " said by " + string(l)})["_id"].(string)
	}
	tn.poll = must(levelOwner, "createPoll", map[string]any{"conversationID": tn.group, "question": tag + " poll?", "options": []string{"yes", "no"}})["_id"].(string)
	must(levelMember, "votePoll", map[string]any{"conversationID": tn.group, "messageId": tn.poll, "optionIndex": 0})
	must(levelMember, "reactionMessage", map[string]any{"conversationID": tn.group, "messageId": tn.msgs[levelOwner], "emoji": "👍"})
	must(levelOwner, "pinMessage", map[string]any{"conversationID": tn.group, "messageId": tn.msgs[levelMember], "pin": true})
	must(levelMember, "reportMessage", map[string]any{"conversationID": tn.group, "messageId": tn.msgs[levelOwner], "reason": tag + " reason"})
	must(levelOwner, "messageRead", map[string]any{"conversationID": tn.group, "messageId": tn.msgs[levelMember]})
	must(levelOwner, "sendMessage", map[string]any{"conversationID": tn.direct, "message": tag + " privately"})
	must(levelOwner, "scheduleMessage", map[string]any{"conversationID": tn.second, "message": tag + " later",
		"scheduledTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	for _, c := range []string{tn.group, tn.second, tn.direct} {
		tn.natives = append(tn.natives, native(t, chat.KindThread, c))
	}
	return tn
}

// secrets are the strings of the org that no other org may see.
func (tn *tenant) secrets() []string {
	out := append([]string{tn.tag, tn.group, tn.second, tn.direct, tn.poll}, tn.names...)
	for _, id := range tn.msgs {
		out = append(out, id)
	}
	for _, id := range tn.users {
		out = append(out, id)
	}
	return out
}

// snapshot is the org's state as its owner reads it through /v1.
func (tn *tenant) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, path := range []string{"/v1/reports"} {
		b.WriteString(tn.v1(t, path))
	}
	for _, id := range tn.natives {
		b.WriteString(tn.v1(t, "/v1/threads/"+id))
		b.WriteString(tn.v1(t, "/v1/chats/"+id+"?num=100"))
	}
	return b.String()
}

func (tn *tenant) v1(t *testing.T, path string) string {
	t.Helper()
	status, body := tn.s.send(t, "GET", path, "Bearer "+tn.tokens[levelOwner], nil)
	if status != 200 {
		t.Fatalf("snapshot GET %s: %d %s", path, status, body)
	}
	return path + " " + string(body) + "\n"
}

// call sends POST /api/chat/<op> with token (as a Bearer token when it is
// not empty).
func (tn *tenant) call(t *testing.T, token, op string, payload any) (int, []byte) {
	t.Helper()
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	return tn.s.send(t, "POST", "/api/chat/"+op, auth, payload)
}

// send is one HTTP request; payload is JSON-encoded unless it is nil.
func (s *server) send(t *testing.T, method, path, auth string, payload any) (int, []byte) {
	t.Helper()
	var body io.Reader
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// newTenants returns two populated orgs of one server.
func newTenants(t *testing.T) (*server, *tenant, *tenant) {
	t.Helper()
	s := newServer(t)
	a := newTenant(t, s, "Amethyst", s.actors["alice"], s.actors["bob"], s.actors["carol"])
	orgB, ownerB := s.MustOrg(t)
	b := newTenant(t, s, "Basalt", ownerB, s.MustUser(t, orgB, "bruno", chat.LevelMember), s.MustUser(t, orgB, "berta", chat.LevelMember))
	return s, a, b
}

// opPayload is an operation's payload naming the victim's things, sent by
// the attacker (another org) or, in the authorization matrix, by a level
// of the victim's own org.
type opPayload func(t *testing.T, victim, attacker *tenant) any

// fresh posts a new message in the victim's group as author, for the
// operations that use a message up.
func fresh(t *testing.T, tn *tenant, author level) string {
	t.Helper()
	status, body := tn.call(t, tn.tokens[author], "sendMessage", map[string]any{"conversationID": tn.group, "message": tn.tag + " fresh"})
	if status != 201 {
		t.Fatalf("fresh message: %d %s", status, body)
	}
	var m map[string]any
	json.Unmarshal(body, &m)
	return m["_id"].(string)
}

func inGroup(f func(v *tenant) map[string]any) opPayload {
	return func(_ *testing.T, v, _ *tenant) any {
		m := f(v)
		m["conversationID"] = v.group
		return m
	}
}

// payloads names, for every operation, what it is sent.
var payloads = map[string]opPayload{
	"joinConversation": inGroup(func(v *tenant) map[string]any { return map[string]any{} }),
	"createConversation": func(_ *testing.T, v, _ *tenant) any {
		return map[string]any{"participants": []string{v.users[levelMember], v.users[levelOutsider]}, "type": "group", "topic": "new"}
	},
	"typing":     inGroup(func(v *tenant) map[string]any { return map[string]any{} }),
	"stopTyping": inGroup(func(v *tenant) map[string]any { return map[string]any{} }),
	"sendMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"message": "hello"}
	}),
	"sendSecureMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"message": "c2VjcmV0", "encrypted": true, "encryptionAlgorithm": "AES-256-GCM", "signature": "sig"}
	}),
	"reportMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"messageId": v.msgs[levelOwner], "reason": "spam"}
	}),
	"editMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"messageId": v.msgs[levelMember], "newMessage": "edited"}
	}),
	"deleteMessage": func(t *testing.T, v, a *tenant) any {
		return map[string]any{"conversationID": v.group, "messageId": fresh(t, v, levelMember)}
	},
	"unsendMessage": func(t *testing.T, v, a *tenant) any {
		return map[string]any{"conversationID": v.group, "messageId": fresh(t, v, levelMember)}
	},
	// Forwarding the victim's message into a conversation of the sender
	// (the attacker's own group; for the victim's own levels, the second
	// group).
	"forwardMessage": func(_ *testing.T, v, a *tenant) any {
		return map[string]any{"fromConversationID": v.group, "messageId": v.msgs[levelMember], "toConversationID": a.second}
	},
	"messageRead": inGroup(func(v *tenant) map[string]any { return map[string]any{"messageId": v.msgs[levelMember]} }),
	"pinMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"messageId": v.msgs[levelOwner], "pin": true}
	}),
	"reactionMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"messageId": v.msgs[levelMember], "emoji": "🎉"}
	}),
	"scheduleMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"message": "later", "scheduledTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	}),
	"sendEphemeralMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"message": "soon gone", "expiresIn": 60000}
	}),
	"sendVoiceMessage": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"message": "voice", "voiceUrl": "https://example.com/v.ogg"}
	}),
	"sendSticker": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"stickerUrl": "https://example.com/s.webp"}
	}),
	"createPoll": inGroup(func(v *tenant) map[string]any {
		return map[string]any{"question": "Lunch?", "options": []string{"a", "b"}}
	}),
	"votePoll": inGroup(func(v *tenant) map[string]any { return map[string]any{"messageId": v.poll, "optionIndex": 1} }),
}

// restOp names the operation of a pattern "POST /api/chat/<op>".
func restOp(pattern string) (string, bool) {
	return strings.CutPrefix(pattern, "POST /api/chat/")
}

// assertNoLeak fails if body holds any of secrets.
func assertNoLeak(t *testing.T, what string, body []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && bytes.Contains(body, []byte(s)) {
			t.Errorf("%s reveals %q: %s", what, s, body)
		}
	}
}

// TestTenantIsolation: with another org's credentials and this org's ids,
// no route and no Socket.IO event reads, changes or reveals anything.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	s, a, b := newTenants(t)
	// The non-operation patterns carry no ids: what they answer another
	// org must simply not hold this org's things.
	others := map[string]func(t *testing.T, attacker *tenant) (int, []byte){
		"GET /api": func(t *testing.T, x *tenant) (int, []byte) {
			return s.send(t, "GET", "/api", "Bearer "+x.tokens[levelOwner], nil)
		},
		"GET /socket.io/": func(t *testing.T, x *tenant) (int, []byte) {
			return s.handshake(t, "/socket.io/?EIO=4&transport=polling&token="+x.tokens[levelOwner], "Bearer "+x.tokens[levelOwner])
		},
		"POST /socket.io/": func(t *testing.T, x *tenant) (int, []byte) {
			return s.send(t, "POST", "/socket.io/?EIO=4&transport=polling", "Bearer "+x.tokens[levelOwner], "40")
		},
	}
	okStatus := map[string][]int{"GET /api": {200}, "GET /socket.io/": {200}, "POST /socket.io/": {400}}

	tried := 0
	for _, dir := range []struct{ victim, attacker *tenant }{{a, b}, {b, a}} {
		v, x := dir.victim, dir.attacker
		// The payloads first: some post the victim a message to use up.
		rest, events := map[string]any{}, map[string]any{}
		for op, payload := range payloads {
			rest[op], events[op] = payload(t, v, x), payload(t, v, x)
		}
		before := v.snapshot(t)
		for _, p := range allo.Patterns() {
			var status int
			var body []byte
			want := []int{403, 404}
			if op, ok := restOp(p); ok {
				payload, ok := rest[op]
				if !ok {
					t.Errorf("%s has no case in the tenant matrix", p)
					continue
				}
				status, body = x.call(t, x.tokens[levelOwner], op, payload)
			} else if f, ok := others[p]; ok {
				want = okStatus[p]
				status, body = f(t, x)
			} else {
				t.Errorf("%s has no case in the tenant matrix", p)
				continue
			}
			tried++
			if !slices.Contains(want, status) {
				t.Errorf("%s by %s with %s's ids = %d %s, want one of %v", p, x.tag, v.tag, status, body, want)
			}
			assertNoLeak(t, fmt.Sprintf("%s by %s", p, x.tag), body, v.secrets())
		}
		// Every event over the attacker's socket.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		c, err := dialSocketIO(ctx, s.URL, x.tokens[levelOwner])
		if err != nil {
			t.Fatal(err)
		}
		for i, ev := range allo.Events() {
			payload, ok := events[ev]
			if !ok {
				t.Errorf("event %s has no case in the tenant matrix", ev)
				continue
			}
			ack, seen, err := c.emit(ctx, i, ev, payload)
			if err != nil {
				t.Fatalf("event %s: %v", ev, err)
			}
			tried++
			if !bytes.Contains(ack, []byte(`"ok":false`)) || !(bytes.Contains(ack, []byte(`"not_found"`)) || bytes.Contains(ack, []byte(`"forbidden"`))) {
				t.Errorf("event %s by %s with %s's ids acknowledged %s, want not_found or forbidden", ev, x.tag, v.tag, ack)
			}
			assertNoLeak(t, "event "+ev+" by "+x.tag, seen, v.secrets())
		}
		c.conn.CloseNow()
		cancel()
		if after := v.snapshot(t); after != before {
			t.Errorf("%s's state changed under %s's requests:\nbefore %s\nafter  %s", v.tag, x.tag, before, after)
		}
	}
	t.Logf("routes and events x orgs tried: %d (%d patterns, %d events, 2 directions)", tried, len(allo.Patterns()), len(allo.Events()))
}

// handshake opens an Engine.IO polling session and closes it again (a
// session left open holds Surface.Close until the ping timeout).
func (s *server) handshake(t *testing.T, path, auth string) (int, []byte) {
	t.Helper()
	status, body := s.send(t, "GET", path, auth, nil)
	var open struct {
		SID string `json:"sid"`
	}
	if status == 200 && json.Unmarshal(bytes.TrimPrefix(body, []byte("0")), &open) == nil && open.SID != "" {
		req, _ := http.NewRequest("POST", s.URL+"/socket.io/?EIO=4&transport=polling&sid="+open.SID, strings.NewReader("1"))
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}
	return status, body
}

// emit sends event with payload and an acknowledgement id, and reads until
// the acknowledgement: it returns it and every packet read on the way.
func (c *wsClient) emit(ctx context.Context, id int, event string, payload any) (ack, seen []byte, err error) {
	p, err := json.Marshal([]any{event, payload})
	if err != nil {
		return nil, nil, err
	}
	if err := c.send(ctx, "42"+strconv.Itoa(id)+string(p)); err != nil {
		return nil, nil, err
	}
	prefix := []byte("43" + strconv.Itoa(id) + "[")
	var all bytes.Buffer
	for {
		_, b, err := c.conn.Read(ctx)
		if err != nil {
			return nil, all.Bytes(), err
		}
		if string(b) == "2" {
			if err := c.send(ctx, "3"); err != nil {
				return nil, nil, err
			}
			continue
		}
		all.Write(b)
		all.WriteByte('\n')
		if bytes.HasPrefix(b, prefix) {
			return b, all.Bytes(), nil
		}
	}
}

// TestAuthorizationMatrix: every route against every level, with the
// statuses reference/allo.md and the package documentation give (the
// policy is internal/chat/policy.go). The victim and the caller are the
// same org: the levels are the owner (admin of the conversations), a
// member in them, an outsider of the org who is not, a bot's key (not a
// Bearer token) and nobody.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tn := newTenant(t, s, "Amethyst", s.actors["alice"], s.actors["bob"], s.actors["carol"])
	// want lists the statuses for owner, member, outsider; the bot's key
	// and no credential are 401 on every operation.
	type want [3]int
	table := map[string]want{
		"joinConversation":   {200, 200, 404},
		"createConversation": {201, 201, 201},
		"sendMessage":        {201, 201, 404},
		"sendSecureMessage":  {201, 201, 404},
		"reportMessage":      {201, 201, 404},
		// Only the author edits and unsends; the owner, an org moderator,
		// deletes anyone's message.
		"editMessage":   {403, 200, 404},
		"deleteMessage": {200, 200, 404},
		"unsendMessage": {403, 200, 404},
		// The member's message, into the second group (both are in it).
		"forwardMessage": {201, 201, 404},
		"messageRead":    {200, 200, 404},
		// The owner's message: its author and the conversation's admin
		// pin; a member of a group pins only their own.
		"pinMessage":           {200, 403, 404},
		"reactionMessage":      {200, 200, 404},
		"scheduleMessage":      {202, 202, 404},
		"sendEphemeralMessage": {201, 201, 404},
		"sendVoiceMessage":     {201, 201, 404},
		"sendSticker":          {201, 201, 404},
		"createPoll":           {201, 201, 404},
		"votePoll":             {200, 200, 404},
	}
	// The patterns that are not operations: anyone gets the same answer
	// (Socket.IO authenticates its CONNECT packet: TestTokenMatrix).
	others := map[string]struct {
		method, path string
		body         any
		status       int
	}{
		"GET /api":         {"GET", "/api", nil, 200},
		"GET /socket.io/":  {"GET", "/socket.io/?EIO=4&transport=polling", nil, 200},
		"POST /socket.io/": {"POST", "/socket.io/?EIO=4&transport=polling", "40", 400},
	}
	tried := 0
	for _, p := range allo.Patterns() {
		for _, l := range levels {
			auth := ""
			switch l {
			case levelBot:
				auth = tn.tokens[l] // its key, as Botyard's bot API takes it
			case levelAnon:
			default:
				auth = "Bearer " + tn.tokens[l]
			}
			var status, wantStatus int
			var body []byte
			if op, ok := restOp(p); ok {
				w, ok := table[op]
				if !ok {
					t.Errorf("%s has no case in the authorization matrix", p)
					break
				}
				wantStatus = 401
				if i := slices.Index(levels, l); i < 3 {
					wantStatus = w[i]
				}
				status, body = s.send(t, "POST", "/api/chat/"+op, auth, payloads[op](t, tn, tn))
				if l == levelBot && !strings.HasPrefix(auth, "Bearer ") {
					// The key as a Bearer token too.
					if st, b := s.send(t, "POST", "/api/chat/"+op, "Bearer "+tn.tokens[l], payloads[op](t, tn, tn)); st != 401 {
						t.Errorf("%s with a bot key as Bearer token = %d %s, want 401", p, st, b)
					}
				}
			} else if o, ok := others[p]; ok {
				wantStatus = o.status
				if o.method == "GET" {
					status, body = s.handshake(t, o.path, auth)
				} else {
					status, body = s.send(t, o.method, o.path, auth, o.body)
				}
			} else {
				t.Errorf("%s has no case in the authorization matrix", p)
				break
			}
			tried++
			if status != wantStatus {
				t.Errorf("%s as %s = %d %s, want %d", p, l, status, body, wantStatus)
			}
		}
	}
	t.Logf("routes x levels tried: %d (%d patterns, %d levels)", tried, len(allo.Patterns()), len(levels))
}

// TestTokenMatrix: every authenticated route, and the Socket.IO CONNECT,
// refuses forged, expired and foreign tokens with 401 and Allo's error
// ({"message": "Authentication error"}).
func TestTokenMatrix(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tn := newTenant(t, s, "Amethyst", s.actors["alice"], s.actors["bob"], s.actors["carol"])
	// Forged tokens claim to be alice, the owner, from a member's token.
	bad, control := s.BadTokensFrom(t, tn.tokens[levelMember], map[string]any{"sub": strconv.FormatInt(int64(s.actors["alice"].UserID), 10)})
	if status, body := tn.call(t, control, "joinConversation", map[string]any{"conversationID": tn.group}); status != 200 {
		t.Fatalf("the control token is refused: %d %s", status, body)
	}
	tried := 0
	for _, p := range allo.Patterns() {
		op, ok := restOp(p)
		if !ok {
			continue // no credential: GET /api, and Engine.IO, whose CONNECT is below
		}
		for _, bt := range bad {
			status, body := tn.call(t, bt.Token, op, payloads[op](t, tn, tn))
			tried++
			if status != 401 || !bytes.Contains(body, []byte(`"message":"Authentication error"`)) {
				t.Errorf("%s with %s = %d %s, want 401 Authentication error", p, bt.Name, status, body)
			}
		}
	}
	for _, bt := range bad {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		tried++
		if got := connectError(ctx, s.URL, bt.Token); got != `44{"message":"Authentication error"}` {
			t.Errorf("Socket.IO CONNECT with %s = %s, want the connect error", bt.Name, got)
		}
		cancel()
	}
	t.Logf("routes x tokens tried: %d (%d tokens)", tried, len(bad))
}

// connectError opens an Engine.IO session and returns the answer to a
// CONNECT packet carrying token.
func connectError(ctx context.Context, base, token string) string {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/socket.io/?EIO=4&transport=websocket", nil)
	if err != nil {
		return err.Error()
	}
	defer conn.CloseNow()
	c := &wsClient{conn: conn}
	if _, err := c.expect(ctx, "0{"); err != nil {
		return err.Error()
	}
	auth, _ := json.Marshal(map[string]string{"token": token})
	if err := c.send(ctx, "40"+string(auth)); err != nil {
		return err.Error()
	}
	b, err := c.expect(ctx, "4")
	if err != nil {
		return err.Error()
	}
	return string(b)
}
