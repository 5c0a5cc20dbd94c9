package httpapi

import (
	"strings"
	"time"
	"unicode"

	"github.com/parley-chat/parley/internal/chat"
)

// The JSON shapes of the native API, and the converters from chat types.
// Timestamps are unix seconds; bits are objects of true flags ({} when none).

type bits map[string]bool

func flags(pairs ...any) bits {
	b := bits{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1].(bool) {
			b[pairs[i].(string)] = true
		}
	}
	return b
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

type imageJSON struct {
	Handle string `json:"handle"`
	URL    string `json:"url"`
	CType  string `json:"ctype"`
	FName  string `json:"fname"`
	Size   int64  `json:"size"`
}

type reactionJSON struct {
	Name    string   `json:"name"`
	Count   int      `json:"count"`
	UserIDs []string `json:"user_ids,omitempty"`
}

type chatJSON struct {
	ID          string         `json:"id"`
	XID         string         `json:"xid"`
	CreatedAt   int64          `json:"created_at"`
	UpdatedAt   int64          `json:"updated_at"`
	Bits        bits           `json:"bits"`
	Text        string         `json:"text"`
	AuthorID    string         `json:"author_id"`
	ThreadID    string         `json:"thread_id"`
	Images      []imageJSON    `json:"images"`
	Reactions   []reactionJSON `json:"reactions"`
	ReplyTo     string         `json:"reply_to,omitempty"`
	ClientMsgID string         `json:"client_msg_id,omitempty"`
	chatRichJSON
}

func (s *server) toChat(base string, m *chat.Message) chatJSON {
	c := chatJSON{
		ID: chatID(m.ID), XID: m.XID, CreatedAt: unix(m.CreatedAt), UpdatedAt: unix(m.UpdatedAt),
		Bits: flags("deleted", m.Deleted, "edited", m.Edited), Text: m.Text, AuthorID: userID(m.AuthorID),
		ThreadID: threadID(m.ThreadID), ClientMsgID: m.ClientMsgID,
	}
	if m.ReplyTo != 0 {
		c.ReplyTo = chatID(m.ReplyTo)
	}
	for _, a := range m.Attachments {
		if a.FileID == 0 {
			continue // attached by URL: see addRich
		}
		h := fileHandle(a.FileID)
		c.Images = append(c.Images, imageJSON{Handle: h, URL: base + "/v1/files/" + h, CType: a.ContentType, FName: a.Name, Size: a.Size})
	}
	c.Reactions = messageReactions(m.Reactions)
	addRich(&c, m)
	return c
}

// messageReactions groups a message's reactions by name, in first-use order,
// with the ids of the users who reacted.
func messageReactions(rs []chat.Reaction) []reactionJSON {
	var out []reactionJSON
	idx := map[string]int{}
	for _, r := range rs {
		i, ok := idx[r.Name]
		if !ok {
			i = len(out)
			idx[r.Name] = i
			out = append(out, reactionJSON{Name: r.Name})
		}
		out[i].Count++
		out[i].UserIDs = append(out[i].UserIDs, userID(r.UserID))
	}
	return out
}

type readJSON struct {
	ID         string `json:"id"`
	UserID     string `json:"user_id"`
	ThreadID   string `json:"thread_id"`
	ChatID     string `json:"chat_id"`
	NumUnread  int64  `json:"num_unread"`
	MutedUntil int64  `json:"muted_until"`
}

func toRead(r *chat.ReadState) *readJSON {
	if r == nil {
		return nil
	}
	return &readJSON{ID: "0", UserID: userID(r.UserID), ThreadID: threadID(r.ThreadID), ChatID: chatID(r.LastReadID),
		NumUnread: r.NumUnread, MutedUntil: unix(r.MutedUntil)}
}

type threadJSON struct {
	ID          string         `json:"id"`
	XID         string         `json:"xid"`
	CreatedAt   int64          `json:"created_at"`
	UpdatedAt   int64          `json:"updated_at"`
	Bits        bits           `json:"bits"`
	Subject     string         `json:"subject"`
	Summary     string         `json:"summary"`
	Tags        []string       `json:"tags"`
	OrgID       string         `json:"org_id"`
	AuthorID    string         `json:"author_id"`
	XsrIDs      []string       `json:"xsr_ids"`
	UserIDs     []string       `json:"user_ids"`
	NumChats    int            `json:"num_chats"`
	Reactions   []reactionJSON `json:"reactions"`
	URLPath     string         `json:"url_path"`
	Read        *readJSON      `json:"read"`
	Chats       []chatJSON     `json:"chats"`
	JoinChatURL string         `json:"join_chat_url,omitempty"`
	// Highlight is set on search results: field -> where the query matched.
	Highlight map[string]highlightJSON `json:"highlight,omitempty"`
	// Similar is set by GET /v1/threads/{id}.
	Similar *[]threadJSON `json:"similar,omitempty"`
}

type highlightJSON struct {
	MatchedTokens []string `json:"matched_tokens"`
	Snippet       string   `json:"snippet"`
}

func (s *server) toThread(base string, v *chat.ThreadView) threadJSON {
	th := v.Thread
	t := threadJSON{
		ID: threadID(th.ID), XID: th.XID, CreatedAt: unix(th.CreatedAt), UpdatedAt: unix(th.UpdatedAt),
		Bits: flags("resolved", th.Resolved, "hidden", th.Hidden, "deleted", th.Deleted, "direct", th.Kind == chat.KindDirect,
			"group", th.Kind == chat.KindGroup),
		Subject: th.Subject, Summary: th.Summary, Tags: th.Tags, OrgID: orgID(th.OrgID), AuthorID: userID(th.AuthorID),
		XsrIDs: channelIDs(th.ChannelIDs), UserIDs: userIDs(th.Participants), NumChats: th.NumChats,
		URLPath: slug(th.Subject) + "/" + threadID(th.ID), Read: toRead(v.Read),
	}
	if len(t.Tags) == 0 {
		t.Tags = nil
	}
	for _, r := range v.Reactions {
		t.Reactions = append(t.Reactions, reactionJSON{Name: r.Name, Count: r.Count})
	}
	for _, m := range v.Chats {
		t.Chats = append(t.Chats, s.toChat(base, m))
	}
	if len(v.Highlights) > 0 {
		t.Highlight = map[string]highlightJSON{}
		for _, h := range v.Highlights {
			t.Highlight[h.Field] = highlightJSON{MatchedTokens: h.MatchedTokens, Snippet: h.Snippet}
		}
	}
	return t
}

// slug turns a subject into a URL path segment: lowercase words joined by
// dashes, letters and digits of any script kept.
func slug(subject string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(subject) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 80 {
			break
		}
	}
	return b.String()
}

type channelJSON struct {
	ID          string   `json:"id"`
	XID         string   `json:"xid"`
	CreatedAt   int64    `json:"created_at"`
	UpdatedAt   int64    `json:"updated_at"`
	Bits        bits     `json:"bits"`
	DoneUntil   int64    `json:"done_until"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	OrgIDs      []string `json:"org_ids"`
	NumThreads  int      `json:"num_threads"`
	Members     []string `json:"members"`
}

func toChannel(c *chat.Channel) channelJSON {
	return channelJSON{
		ID: channelID(c.ID), XID: c.XID, CreatedAt: unix(c.CreatedAt), UpdatedAt: unix(c.UpdatedAt),
		Bits: flags("chan_member", c.Visibility == chat.VisibleMembers, "chan_anyone", c.Visibility == chat.VisibleAnyone,
			"chan_hidden", c.Visibility == chat.VisibleHidden, "chan_auto_join", c.AutoJoin, "deleted", c.Deleted),
		Name: c.Name, Description: c.Description, OrgIDs: []string{orgID(c.OrgID)}, NumThreads: c.NumThreads, Members: userIDs(c.Members),
	}
}

// channelBits reads the channel bits of a request: at most one visibility
// bit (chan_member, chan_anyone, chan_hidden) and chan_auto_join.
func channelBits(b bits, required bool) (chat.Visibility, *bool, error) {
	var v chat.Visibility
	n := 0
	for name, vis := range map[string]chat.Visibility{"chan_member": chat.VisibleMembers, "chan_anyone": chat.VisibleAnyone, "chan_hidden": chat.VisibleHidden} {
		if b[name] {
			v = vis
			n++
		}
	}
	for name := range b {
		switch name {
		case "chan_member", "chan_anyone", "chan_hidden", "chan_auto_join", "deleted":
		default:
			return 0, nil, chat.Invalidf("bits", "Unknown channel bit %q.", name)
		}
	}
	switch {
	case n > 1:
		return 0, nil, chat.Invalidf("bits", "Set exactly one of chan_member, chan_anyone and chan_hidden.")
	case n == 0 && required:
		return 0, nil, chat.Invalidf("bits", "One of chan_member, chan_anyone or chan_hidden is required.")
	}
	var auto *bool
	if v, ok := b["chan_auto_join"]; ok {
		auto = &v
	}
	return v, auto, nil
}

type userJSON struct {
	ID           string `json:"id"`
	XID          string `json:"xid"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
	Bits         bits   `json:"bits"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Username     string `json:"username"`
	OrgID        string `json:"org_id"`
	ProfileImage string `json:"profile_image"`
}

func toUser(u *chat.User) userJSON {
	return userJSON{
		ID: userID(u.ID), XID: u.XID, CreatedAt: unix(u.CreatedAt), UpdatedAt: unix(u.UpdatedAt),
		Bits: flags("owner", u.Level == chat.LevelOwner, "admin", u.Level == chat.LevelAdmin, "mod", u.Level == chat.LevelMod,
			"bot", u.Bot, "deleted", u.Deleted),
		Email: u.Email, Name: u.Name, Username: u.Username, OrgID: orgID(u.OrgID), ProfileImage: u.ProfileImage,
	}
}

type orgJSON struct {
	ID          string `json:"id"`
	Slug        string `json:"slug"`
	CreatedAt   int64  `json:"created_at"`
	UpdatedAt   int64  `json:"updated_at"`
	Bits        bits   `json:"bits"`
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Hostname    string `json:"hostname"`
	JoinSecret  string `json:"join_secret,omitempty"`
	NumThreads  *int   `json:"num_threads,omitempty"`
	NumValid    *int   `json:"num_valid,omitempty"`
	NumResolved *int   `json:"num_resolved,omitempty"`
}

func toOrg(o *chat.Org, st *chat.OrgStats) orgJSON {
	j := orgJSON{
		ID: orgID(o.ID), Slug: o.Slug, CreatedAt: unix(o.CreatedAt), UpdatedAt: unix(o.UpdatedAt), Bits: flags("org_open_join", o.OpenJoin),
		Name: o.Name, Title: o.Title, Description: o.Description, Hostname: o.Hostname, JoinSecret: o.JoinSecret,
	}
	for f, on := range o.Flags {
		if on {
			j.Bits[f] = true
		}
	}
	if st != nil {
		j.NumThreads, j.NumValid, j.NumResolved = &st.Threads, &st.Valid, &st.Resolved
	}
	return j
}
