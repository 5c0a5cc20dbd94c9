package convo

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

var (
	commentParams = fail(http.StatusBadRequest, "error", chat.ErrCommentParams.Message)
	yes           = true
	no            = false
)

// getComments is GET /api/comments.
func (s *server) getComments(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	a, err := s.reader(r, querySigned(r))
	if err != nil {
		return invalidAuth
	}
	cq := chat.CommentQuery{Author: q.Get("author"), Tag1: q.Get("tag1"), Tag2: q.Get("tag2"), NewestFirst: q.Get("latestFirst") == "true"}
	if v := q.Get("threadId"); v != "" {
		cq.Thread = threadRef(v)
	}
	if v := q.Get("url"); v != "" {
		cq.URL = decodeURL(v)
	}
	if v := q.Get("replyTo"); v != "" {
		id, ok := parseCommentID(v)
		if !ok {
			return httpx.WriteJSON(w, http.StatusOK, []commentJSON{})
		}
		cq.ReplyTo = id
	}
	if q.Get("page") != "" && q.Get("pageSize") != "" {
		page, err1 := strconv.Atoi(q.Get("page"))
		size, err2 := strconv.Atoi(q.Get("pageSize"))
		if err1 != nil || err2 != nil {
			return commentParams
		}
		cq.Paged, cq.Page, cq.PageSize = true, page, size
	}
	if q.Get("countOnly") == "true" {
		n, err := s.chat.CountComments(r.Context(), a, cq)
		if err != nil {
			return commentError(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "count": n})
	}
	views, err := s.chat.Comments(r.Context(), a, cq)
	if err != nil {
		return commentError(err)
	}
	if q.Get("airdrop") == "true" {
		return writeAirdrop(w, views, q.Get("airdropMode"), q.Get("airdropAmount"))
	}
	out := make([]commentJSON, 0, len(views))
	for _, v := range views {
		c := toComment(v)
		c.AuthorENS = &no
		out = append(out, c)
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

// writeAirdrop answers the distinct authors of a page of comments, as JSON
// or as CSV lines "address,amount".
func writeAirdrop(w http.ResponseWriter, views []*chat.CommentView, mode, amount string) error {
	seen := map[string]bool{}
	addrs := []string{}
	for _, v := range views {
		if !seen[v.Author] {
			seen[v.Author] = true
			addrs = append(addrs, v.Author)
		}
	}
	if mode != "csv" {
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "addresses": addrs})
	}
	amt := ""
	if n, err := strconv.ParseInt(strings.TrimSpace(amount), 10, 64); err == nil {
		amt = strconv.FormatInt(n, 10)
	}
	lines := make([]string, len(addrs))
	for i, a := range addrs {
		lines[i] = a + "," + amt
	}
	w.Header().Set("Content-Type", "text/csv")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte(strings.Join(lines, "\n")))
	return err
}

// commentError renders the errors of reading comments.
func commentError(err error) error {
	switch chat.ErrorCode(err) {
	case chat.Invalid:
		return commentParams
	case chat.Unauthenticated:
		return invalidAuth
	}
	return err
}

// getComment is GET /api/comment?commentId=.
func (s *server) getComment(w http.ResponseWriter, r *http.Request) error {
	id, ok := parseCommentID(r.URL.Query().Get("commentId"))
	if !ok {
		return fail(http.StatusBadRequest, "error", "Invalid commentId.")
	}
	a, err := s.reader(r, querySigned(r))
	if err != nil {
		return invalidAuth
	}
	v, err := s.chat.Comment(r.Context(), a, id)
	if chat.ErrorCode(err) == chat.NotFound {
		return fail(http.StatusNotFound, "error", "commentId not found.")
	}
	if err != nil {
		return commentError(err)
	}
	c := toComment(v)
	c.AuthorENS = &no
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// signer authenticates a write: 401 Invalid Auth when the token is not
// valid or not the signer's.
func (s *server) signer(r *http.Request, sig signed) (chat.Actor, error) {
	a, err := s.chat.AuthenticateWallet(r.Context(), orgOf(r), sig.Token, sig.SignerAddress)
	if err != nil {
		return a, invalidAuth
	}
	return a, nil
}

// postComment is POST /api/comments.
func (s *server) postComment(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[commentRequest](w, r, commentParams)
	if err != nil {
		return err
	}
	a, err := s.signer(r, in.signed)
	if err != nil {
		return err
	}
	nc := chat.NewComment{Thread: threadRef(in.ThreadID), URL: decodeURL(in.URL), Text: in.Comment, Metadata: in.Metadata,
		Tags: []string{in.Tag1, in.Tag2}}
	if in.ReplyTo != "" {
		id, ok := parseCommentID(in.ReplyTo)
		if !ok {
			return commentParams
		}
		nc.ReplyTo = id
	}
	v, err := s.chat.PostComment(r.Context(), a, nc)
	switch chat.ErrorCode(err) {
	case "":
	case chat.Forbidden, chat.NotFound:
		return fail(http.StatusUnauthorized, "error", "This thread is not write-public and signerAddress is not a member of it.")
	default:
		return commentError(err)
	}
	c := toComment(v)
	c.Success = &yes
	return httpx.WriteJSON(w, http.StatusOK, c)
}

// patchComment is PATCH /api/comments: the author edits a comment.
func (s *server) patchComment(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[commentRequest](w, r, commentParams)
	if err != nil {
		return err
	}
	a, err := s.signer(r, in.signed)
	if err != nil {
		return err
	}
	if strings.TrimSpace(in.Comment) == "" || strings.TrimSpace(in.CommentID) == "" {
		return commentParams
	}
	id, ok := parseCommentID(in.CommentID)
	if !ok {
		return fail(http.StatusNotFound, "error", "Comment not found.")
	}
	_, err = s.chat.EditMessage(r.Context(), a, chat.MessageEdit{ID: id, Text: in.Comment})
	switch chat.ErrorCode(err) {
	case "":
	case chat.NotFound:
		return fail(http.StatusNotFound, "error", "Comment not found.")
	case chat.Forbidden:
		return fail(http.StatusUnauthorized, "error", "A user can only edit their own comment.")
	default:
		return commentError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "acknowledged": true, "matchedCount": 1,
		"modifiedCount": 1, "upsertedCount": 0, "upsertedId": nil})
}

// deleteComment is DELETE /api/comments: the author deletes a comment, or
// with deleteAll every comment it wrote.
func (s *server) deleteComment(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[commentRequest](w, r, commentParams)
	if err != nil {
		return err
	}
	a, err := s.signer(r, in.signed)
	if err != nil {
		return err
	}
	if in.DeleteAll.value {
		_, err := s.chat.DeleteAllComments(r.Context(), a)
		if err != nil {
			return commentError(err)
		}
		return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true})
	}
	if in.CommentID == "" {
		return commentParams
	}
	id, ok := parseCommentID(in.CommentID)
	if !ok {
		return answer(http.StatusOK, map[string]any{"success": false, "error": "Invalid commentId."})
	}
	_, err = s.chat.DeleteMessage(r.Context(), a, id)
	switch chat.ErrorCode(err) {
	case "":
	case chat.NotFound:
		return answer(http.StatusOK, map[string]any{"success": false, "error": "Invalid commentId."})
	case chat.Forbidden:
		return fail(http.StatusUnauthorized, "error", "A user can only delete their own comment.")
	default:
		return commentError(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true})
}

// vote is POST /api/vote.
func (s *server) vote(w http.ResponseWriter, r *http.Request) error {
	missing := fail(http.StatusBadRequest, "message", "type or commentId is missing.")
	in, err := decode[voteRequest](w, r, missing)
	if err != nil {
		return err
	}
	a, err := s.chat.AuthenticateWallet(r.Context(), orgOf(r), in.Token, in.SignerAddress)
	if err != nil {
		return fail(http.StatusBadRequest, "message", "signerAddress or token is missing/invalid.")
	}
	if in.Type == "" || in.CommentID == "" {
		return missing
	}
	var vote string
	switch strings.ToLower(in.Type) {
	case "toggleupvote":
		vote = chat.VoteUp
	case "toggledownvote":
		vote = chat.VoteDown
	default:
		return fail(http.StatusBadRequest, "message", "Invalid type.")
	}
	id, ok := parseCommentID(in.CommentID)
	if !ok {
		return answer(http.StatusOK, map[string]any{"success": false})
	}
	_, err = s.chat.ToggleVote(r.Context(), a, id, vote)
	switch chat.ErrorCode(err) {
	case "":
	case chat.NotFound:
		return answer(http.StatusOK, map[string]any{"success": false})
	case chat.Forbidden:
		return fail(http.StatusUnauthorized, "message", chat.ErrorMessage(err))
	default:
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, map[string]any{"success": true})
}
