package httpapi

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// The rich message features in the native API's style: fields of POST
// /v1/chats (attachments by URL, encrypted payloads, polls, lifetimes), pins,
// forwards, unsend, votes, reports and their moderation queue, and
// scheduled chats.

// richChatRequest holds the optional rich fields of a new chat.
type richChatRequest struct {
	Attachments         []attachmentJSON `json:"attachments"`
	Encrypted           bool             `json:"encrypted"`
	EncryptionAlgorithm string           `json:"encryption_algorithm"`
	Signature           string           `json:"signature"`
	Poll                *pollRequest     `json:"poll"`
	// ExpiresIn makes the chat ephemeral: deleted for good this many
	// seconds after it is posted.
	ExpiresIn *float64 `json:"expires_in"`
}

type pollRequest struct {
	Question string   `json:"question"`
	Options  []string `json:"options"`
}

type attachmentJSON struct {
	Kind  string `json:"kind"`
	URL   string `json:"url"`
	Name  string `json:"name,omitempty"`
	CType string `json:"ctype,omitempty"`
	Size  int64  `json:"size,omitempty"`
}

// applyTo copies the rich fields onto a new message.
func (in richChatRequest) applyTo(m *chat.NewMessage) {
	for _, a := range in.Attachments {
		m.Attachments = append(m.Attachments, chat.Attachment{Kind: a.Kind, URL: a.URL, Name: a.Name, ContentType: a.CType, Size: a.Size})
	}
	m.Encrypted, m.EncryptionAlgorithm, m.Signature = in.Encrypted, in.EncryptionAlgorithm, in.Signature
	if in.Poll != nil {
		m.Poll = &chat.NewPoll{Question: in.Poll.Question, Options: in.Poll.Options}
	}
	if in.ExpiresIn != nil {
		m.Ephemeral = true
		m.ExpiresIn = seconds(*in.ExpiresIn)
	}
}

// seconds converts a JSON number of seconds to a duration, saturating
// instead of overflowing (the core refuses what is out of range).
func seconds(s float64) time.Duration {
	switch {
	case math.IsNaN(s):
		return 0
	case s > float64(math.MaxInt64/int64(time.Second)):
		return math.MaxInt64
	case s < float64(math.MinInt64/int64(time.Second)):
		return math.MinInt64
	}
	return time.Duration(s * float64(time.Second))
}

type pollJSON struct {
	Question string   `json:"question"`
	Options  []string `json:"options"`
	Votes    []int    `json:"votes"`
}

// chatRichJSON is the part of a Chat the rich features add; all of it is
// omitted for a plain chat.
type chatRichJSON struct {
	Attachments         []attachmentJSON `json:"attachments,omitempty"`
	ForwardedFrom       string           `json:"forwarded_from,omitempty"`
	PinnedAt            int64            `json:"pinned_at,omitempty"`
	PinnedBy            string           `json:"pinned_by,omitempty"`
	EncryptionAlgorithm string           `json:"encryption_algorithm,omitempty"`
	Signature           string           `json:"signature,omitempty"`
	Poll                *pollJSON        `json:"poll,omitempty"`
	ExpiresAt           int64            `json:"expires_at,omitempty"`
}

// addRich fills c's rich fields and bits from m.
func addRich(c *chatJSON, m *chat.Message) {
	r := &c.chatRichJSON
	for _, a := range m.Attachments {
		if a.FileID == 0 {
			r.Attachments = append(r.Attachments, attachmentJSON{Kind: a.Kind, URL: a.URL, Name: a.Name, CType: a.ContentType, Size: a.Size})
		}
	}
	if m.ForwardedFrom != 0 {
		r.ForwardedFrom = chatID(m.ForwardedFrom)
		c.Bits["forwarded"] = true
	}
	if m.Pinned {
		r.PinnedAt, r.PinnedBy = unix(m.PinnedAt), userID(m.PinnedBy)
		c.Bits["pinned"] = true
	}
	if m.Encrypted {
		r.EncryptionAlgorithm = m.EncryptionAlgorithm
		c.Bits["encrypted"] = true
	}
	r.Signature = m.Signature
	if m.Poll != nil {
		r.Poll = &pollJSON{Question: m.Poll.Question, Options: m.Poll.Options, Votes: m.Poll.Votes}
	}
	if !m.ExpiresAt.IsZero() {
		r.ExpiresAt = unix(m.ExpiresAt)
		c.Bits["ephemeral"] = true
	}
}

// chatRefRequest names the thread a chat must be in (optional).
type chatRefRequest struct {
	ThreadID string `json:"thread_id"`
}

// chatRef parses the {id} path value and an optional thread_id.
func chatRef(r *http.Request, threadIDText string) (chat.MessageRef, error) {
	id, err := parseChatID("id", r.PathValue("id"))
	if err != nil {
		return chat.MessageRef{}, err
	}
	ref := chat.MessageRef{MessageID: id}
	if threadIDText != "" {
		if ref.ThreadID, err = parseThreadID("thread_id", threadIDText); err != nil {
			return chat.MessageRef{}, err
		}
	}
	return ref, nil
}

// decodeOptional reads a JSON body that may be empty.
func decodeOptional[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	return httpx.Decode[T](w, r, httpx.DecodeOptions{AnyContentType: true, AllowEmpty: true})
}

func (s *server) pinChat(pin bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
		in, err := decodeOptional[chatRefRequest](w, r)
		if err != nil {
			return err
		}
		ref, err := chatRef(r, in.ThreadID)
		if err != nil {
			return err
		}
		m, err := s.chat.PinMessage(r.Context(), a, chat.PinInput{MessageRef: ref, Pin: pin})
		if err != nil {
			return err
		}
		return ok(w, http.StatusOK, s.toChat(s.base(r), m))
	}
}

type forwardRequest struct {
	ThreadID     string `json:"thread_id"`
	FromThreadID string `json:"from_thread_id"`
}

func (s *server) forwardChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[forwardRequest](w, r)
	if err != nil {
		return err
	}
	ref, err := chatRef(r, in.FromThreadID)
	if err != nil {
		return err
	}
	to, err := parseThreadID("thread_id", in.ThreadID)
	if err != nil {
		return err
	}
	m, err := s.chat.ForwardMessage(r.Context(), a, chat.Forward{From: ref, To: to})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "chat_id": chatID(m.ID), "data": s.toChat(s.base(r), m)})
}

func (s *server) unsendChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeOptional[chatRefRequest](w, r)
	if err != nil {
		return err
	}
	ref, err := chatRef(r, in.ThreadID)
	if err != nil {
		return err
	}
	m, err := s.chat.UnsendMessage(r.Context(), a, ref)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, map[string]string{"id": chatID(m.ID), "thread_id": threadID(m.ThreadID)})
}

type voteRequest struct {
	ThreadID string `json:"thread_id"`
	Option   *int   `json:"option"`
}

func (s *server) voteChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[voteRequest](w, r)
	if err != nil {
		return err
	}
	if in.Option == nil {
		return chat.Invalidf("option", "The option (a number from 0) is required.")
	}
	ref, err := chatRef(r, in.ThreadID)
	if err != nil {
		return err
	}
	m, err := s.chat.Vote(r.Context(), a, chat.VoteInput{MessageRef: ref, Option: *in.Option})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, s.toChat(s.base(r), m))
}

type reportRequest struct {
	ThreadID string `json:"thread_id"`
	Reason   string `json:"reason"`
}

type reportJSON struct {
	ID         string `json:"id"`
	ChatID     string `json:"chat_id"`
	ThreadID   string `json:"thread_id"`
	AuthorID   string `json:"author_id"`
	ReporterID string `json:"reporter_id"`
	Reason     string `json:"reason"`
	Excerpt    string `json:"excerpt"`
	CreatedAt  int64  `json:"created_at"`
	Bits       bits   `json:"bits"`
	Resolution string `json:"resolution,omitempty"`
	ResolvedBy string `json:"resolved_by,omitempty"`
	ResolvedAt int64  `json:"resolved_at,omitempty"`
	Note       string `json:"note,omitempty"`
}

func toReport(rp *chat.Report) reportJSON {
	j := reportJSON{ID: formatID(chat.KindReport, int64(rp.ID)), ChatID: chatID(rp.MessageID), ThreadID: threadID(rp.ThreadID),
		AuthorID: userID(rp.AuthorID), ReporterID: userID(rp.ReporterID), Reason: rp.Reason, Excerpt: rp.Excerpt,
		CreatedAt: unix(rp.CreatedAt), Bits: flags("resolved", rp.Resolved), Resolution: string(rp.Resolution), Note: rp.Note}
	if rp.Resolved {
		j.ResolvedBy, j.ResolvedAt = userID(rp.ResolvedBy), unix(rp.ResolvedAt)
	}
	return j
}

func (s *server) reportChat(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[reportRequest](w, r)
	if err != nil {
		return err
	}
	ref, err := chatRef(r, in.ThreadID)
	if err != nil {
		return err
	}
	rp, err := s.chat.ReportMessage(r.Context(), a, chat.NewReport{MessageRef: ref, Reason: in.Reason})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toReport(rp))
}

func (s *server) getReports(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	q := r.URL.Query()
	f := chat.ReportFilter{}
	switch q.Get("status") {
	case "", "open":
	case "resolved":
		f.Status = chat.ReportsResolved
	case "all":
		f.Status = chat.ReportsAll
	default:
		return chat.Invalidf("status", "status is open, resolved or all.")
	}
	if n := q.Get("num"); n != "" {
		var err error
		if f.Limit, err = strconv.Atoi(n); err != nil || f.Limit < 1 {
			return chat.Invalidf("num", "num must be a positive number.")
		}
	}
	if b := q.Get("before"); b != "" {
		id, err := parseID(chat.KindReport, "before", b)
		if err != nil {
			return err
		}
		f.Before = chat.ReportID(id)
	}
	reports, err := s.chat.Reports(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := make([]reportJSON, len(reports))
	for i, rp := range reports {
		out[i] = toReport(rp)
	}
	return ok(w, http.StatusOK, out)
}

type resolveRequest struct {
	Resolution string `json:"resolution"`
	Note       string `json:"note"`
}

func (s *server) resolveReport(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseID(chat.KindReport, "id", r.PathValue("id"))
	if err != nil {
		return err
	}
	in, err := decode[resolveRequest](w, r)
	if err != nil {
		return err
	}
	rp, err := s.chat.ResolveReport(r.Context(), a, chat.ReportResolve{ID: chat.ReportID(id), Resolution: chat.Resolution(in.Resolution), Note: in.Note})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toReport(rp))
}

type scheduleRequest struct {
	ThreadID string   `json:"thread_id"`
	Text     string   `json:"text"`
	ReplyTo  string   `json:"reply_to"`
	SendAt   *float64 `json:"send_at"`
	richChatRequest
}

type scheduledJSON struct {
	ID        string `json:"id"`
	ThreadID  string `json:"thread_id"`
	AuthorID  string `json:"author_id"`
	Text      string `json:"text"`
	SendAt    int64  `json:"send_at"`
	State     string `json:"state"`
	ChatID    string `json:"chat_id"`
	Failure   string `json:"failure,omitempty"`
	CreatedAt int64  `json:"created_at"`
}

func toScheduled(sm *chat.ScheduledMessage) scheduledJSON {
	return scheduledJSON{ID: formatID(chat.KindScheduled, int64(sm.ID)), ThreadID: threadID(sm.ThreadID), AuthorID: userID(sm.AuthorID),
		Text: sm.Message.Text, SendAt: unix(sm.SendAt), State: sm.State.String(), ChatID: chatID(sm.MessageID), Failure: sm.Failure,
		CreatedAt: unix(sm.CreatedAt)}
}

// postScheduled schedules a chat. A send_at already past posts it now: the
// answer is then a scheduled chat with id "0", state "sent" and its chat_id.
func (s *server) postScheduled(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decode[scheduleRequest](w, r)
	if err != nil {
		return err
	}
	tid, err := parseThreadID("thread_id", in.ThreadID)
	if err != nil {
		return err
	}
	if in.SendAt == nil || math.IsNaN(*in.SendAt) || math.IsInf(*in.SendAt, 0) {
		return chat.Invalidf("send_at", "send_at (unix seconds) is required.")
	}
	nm := chat.NewMessage{ThreadID: tid, Text: in.Text}
	if in.ReplyTo != "" {
		if nm.ReplyTo, err = parseChatID("reply_to", in.ReplyTo); err != nil {
			return err
		}
	}
	in.richChatRequest.applyTo(&nm)
	at := time.UnixMilli(int64(math.Max(math.Min(*in.SendAt*1000, 1e15), 1))).UTC()
	sm, m, err := s.chat.ScheduleMessage(r.Context(), a, chat.NewScheduled{Message: nm, SendAt: at})
	if err != nil {
		return err
	}
	if m != nil {
		sm = &chat.ScheduledMessage{ThreadID: m.ThreadID, AuthorID: m.AuthorID, Message: nm, SendAt: m.CreatedAt, State: chat.ScheduledSent,
			MessageID: m.ID, CreatedAt: m.CreatedAt}
	}
	return ok(w, http.StatusOK, toScheduled(sm))
}

func (s *server) getScheduled(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	f := chat.ScheduledFilter{All: r.URL.Query().Get("all") == "true"}
	list, err := s.chat.ScheduledMessages(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := make([]scheduledJSON, len(list))
	for i, sm := range list {
		out[i] = toScheduled(sm)
	}
	return ok(w, http.StatusOK, out)
}

func (s *server) deleteScheduled(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseID(chat.KindScheduled, "id", r.PathValue("id"))
	if err != nil {
		return err
	}
	sm, err := s.chat.CancelScheduled(r.Context(), a, chat.ScheduledID(id))
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, toScheduled(sm))
}

// richEventFrame renders the events of the rich features on /v1/ws.
func (s *server) richEventFrame(base string, ev *chat.Event) any {
	f := wsFrame{Path: "server/event", UpdateID: ev.ID, Event: string(ev.Type)}
	switch ev.Type {
	case chat.EventMessagePinned, chat.EventMessageUnpinned, chat.EventPollVoted:
		f.Data = s.toChat(base, ev.Message)
	case chat.EventMessageUnsent, chat.EventMessageExpired:
		f.Data = map[string]string{"chat_id": chatID(ev.Message.ID), "thread_id": threadID(ev.ThreadID)}
	case chat.EventMessageRead:
		f.Data = map[string]string{"chat_id": chatID(ev.Message.ID), "thread_id": threadID(ev.ThreadID), "user_id": userID(ev.UserID)}
	case chat.EventMessageReported, chat.EventReportResolved:
		f.Data = toReport(ev.Report)
	case chat.EventMessageScheduled, chat.EventScheduledCanceled, chat.EventScheduledFailed:
		f.Data = toScheduled(ev.Scheduled)
	case chat.EventTypingStopped:
		return wsFrame{Path: "/typing", Data: map[string]any{"thread_id": threadID(ev.ThreadID), "user_id": userID(ev.UserID), "stopped": true}}
	default:
		return nil
	}
	return f
}
