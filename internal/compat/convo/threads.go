package convo

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

var threadParams = fail(http.StatusBadRequest, "error", chat.ErrThreadParams.Message)

// getThreads is GET /api/threads.
func (s *server) getThreads(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	a, err := s.reader(r, querySigned(r))
	if err != nil {
		return invalidAuth
	}
	tq := chat.CommentThreadQuery{AllPublic: q.Get("allPublic") == "true", Creator: q.Get("creator"), Member: q.Get("member"),
		Subject: decodeText(q.Get("title")), ReadPublic: queryBool(q.Get("isReadPublic")), WritePublic: queryBool(q.Get("isWritePublic")),
		NewestFirst: q.Get("latestFirst") == "true"}
	if v := q.Get("threadId"); v != "" {
		tq.Thread = threadRef(v)
	}
	if v := q.Get("url"); v != "" {
		tq.URL = decodeURL(v)
	}
	for _, k := range []string{"keyword1", "keyword2", "keyword3", "keyword"} {
		if v := q.Get(k); v != "" {
			tq.Keywords = append(tq.Keywords, v)
		}
	}
	for _, p := range []struct {
		name string
		v    *int
	}{{"page", &tq.Page}, {"pageSize", &tq.PageSize}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return commentParams
			}
			*p.v = n
		}
	}
	if q.Get("countOnly") == "true" {
		n, err := s.chat.CountCommentThreads(r.Context(), a, tq)
		if err != nil {
			return commentError(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "count": n})
	}
	views, err := s.chat.CommentThreads(r.Context(), a, tq)
	if err != nil {
		return commentError(err)
	}
	out := make([]threadJSON, 0, len(views))
	for _, v := range views {
		out = append(out, toThread(v))
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

// getThreadsByID is GET /api/threads/{id1,id2,…}.
func (s *server) getThreadsByID(w http.ResponseWriter, r *http.Request) error {
	a, err := s.reader(r, querySigned(r))
	if err != nil {
		return invalidAuth
	}
	var refs []chat.ThreadRef
	for _, id := range strings.Split(r.PathValue("ids"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			refs = append(refs, threadRef(id))
		}
	}
	views, err := s.chat.CommentThreadsByRef(r.Context(), a, refs)
	if err != nil {
		return commentError(err)
	}
	out := make([]threadJSON, 0, len(views))
	for _, v := range views {
		out = append(out, toThread(v))
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"threads": out, "success": true})
}

// getUserThreads is GET /api/threads/user/{address}.
func (s *server) getUserThreads(w http.ResponseWriter, r *http.Request) error {
	a, err := s.reader(r, querySigned(r))
	if err != nil {
		return invalidAuth
	}
	ut, err := s.chat.UserCommentThreads(r.Context(), a, r.PathValue("address"))
	if chat.ErrorCode(err) == chat.Invalid {
		return fail(http.StatusBadRequest, "error", "Invalid address.")
	}
	if err != nil {
		return err
	}
	if !ut.KnownToOrg {
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{})
	}
	ids := func(ths []*chat.Thread) []string {
		out := make([]string, len(ths))
		for i, th := range ths {
			out[i] = threadID(th)
		}
		return out
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"_id": ut.Account, "member": ids(ut.Member), "moderator": ids(ut.Moderator), "success": true})
}

// postThread is POST /api/threads with an action.
func (s *server) postThread(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[threadRequest](w, r, threadParams)
	if err != nil {
		return err
	}
	a, err := s.signer(r, in.signed)
	if err != nil {
		return err
	}
	if in.Action == "create" {
		return s.createThread(w, r, a, in)
	}
	c, err := threadChange(in)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.ThreadID) == "" {
		return threadParams
	}
	if err := s.chat.ChangeCommentThread(r.Context(), a, threadRef(in.ThreadID), c); err != nil {
		return threadError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true})
}

// threadChange translates an action other than create.
func threadChange(in threadRequest) (chat.ThreadChange, error) {
	var c chat.ThreadChange
	switch in.Action {
	case "addMembers":
		if in.Members == nil {
			return c, threadParams
		}
		c.AddMembers = in.Members
	case "removeMembers":
		if in.Members == nil {
			return c, threadParams
		}
		c.RemoveMembers = in.Members
	case "addModerators":
		if in.Moderators == nil {
			return c, threadParams
		}
		c.AddModerators = in.Moderators
	case "removeModerators":
		if in.Moderators == nil {
			return c, threadParams
		}
		c.RemoveModerators = in.Moderators
	case "updateTitle":
		if in.Title == nil {
			return c, threadParams
		}
		t := decodeText(*in.Title)
		c.Subject = &t
	case "updateDescription":
		if in.Description == nil {
			return c, threadParams
		}
		d := decodeText(*in.Description)
		c.Summary = &d
	case "togglePublicRead":
		c.ToggleReadPublic = true
	case "toggleWritePublic", "togglePublicWrite":
		c.ToggleWritePublic = true
	default:
		return c, fail(http.StatusBadRequest, "error", "Invalid Action.")
	}
	return c, nil
}

// createThread is POST /api/threads {action: "create"}.
func (s *server) createThread(w http.ResponseWriter, r *http.Request, a chat.Actor, in threadRequest) error {
	if in.Title == nil || in.Description == nil || !in.IsReadPublic.set || !in.IsWritePublic.set {
		return threadParams
	}
	v, err := s.chat.CreateCommentThread(r.Context(), a, chat.NewCommentThread{
		Key: in.ThreadID, Subject: decodeText(*in.Title), Summary: decodeText(*in.Description), URL: decodeURL(in.URL),
		ReadPublic: in.IsReadPublic.value, WritePublic: in.IsWritePublic.value, Members: in.Members, Moderators: in.Moderators,
		Keywords: in.Keywords, Metadata: in.Metadata,
	})
	if err != nil {
		return threadError(err)
	}
	t := toThread(v)
	t.Success = &yes
	return httpx.WriteJSON(w, http.StatusOK, t)
}

// deleteThread is DELETE /api/threads.
func (s *server) deleteThread(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[threadRequest](w, r, threadParams)
	if err != nil {
		return err
	}
	a, err := s.signer(r, in.signed)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.ThreadID) == "" {
		return threadParams
	}
	if err := s.chat.DeleteCommentThread(r.Context(), a, threadRef(in.ThreadID)); err != nil {
		return threadError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true})
}

// threadError renders the errors of thread actions: all 400, in the
// original's words.
func threadError(err error) error {
	switch chat.ErrorCode(err) {
	case chat.Invalid, chat.Conflict, chat.Forbidden, chat.NotFound:
		return fail(http.StatusBadRequest, "error", chat.ErrorMessage(err))
	case chat.Unauthenticated:
		return invalidAuth
	}
	return err
}
