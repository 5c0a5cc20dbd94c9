package forge

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// maxMedia is ConvoForge's limit on media and profile images.
const maxMedia = 1 << 20

// multipartSlack is room for the multipart framing around a file at the
// limit.
const multipartSlack = 64 << 10

var errTooLarge = fail(http.StatusBadRequest, "A payload reached size limit.")

var mediaTexts = texts{
	chat.ReasonMediaDisabled: fail(http.StatusForbidden, "S3 is disabled"),
	chat.ReasonMessageAccess: fail(http.StatusForbidden, "You do not have permission to view this message"),
	chat.ReasonFileNotFound:  fail(http.StatusNotFound, "Media not found."),
	string(chat.NotFound):    fail(http.StatusNotFound, "Media not found."),
	string(chat.Forbidden):   fail(http.StatusForbidden, "You do not have permission to delete this media."),
	string(chat.TooLarge):    errTooLarge,
}

// media runs fn once the caller's org has media turned on: ConvoForge's
// media middleware, which answered 403 "S3 is disabled" before reading
// anything. (Its flag was global; Parley's flags are per org, so the token
// is read first to know the org.)
func (s *server) media(fn authedFunc) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
		if err := s.chat.MediaEnabled(r.Context(), a); err != nil {
			return mediaTexts.of(err)
		}
		return fn(w, r, a)
	}
}

// readFile reads the multipart field "file" (at most 1 MiB) as ConvoForge's
// actix-multipart form did.
func readFile(w http.ResponseWriter, r *http.Request) (*httpx.Upload, error) {
	ups, err := httpx.ReadUploads(w, r, "file", 1, maxMedia+multipartSlack)
	switch {
	case chat.ErrorCode(err) == chat.TooLarge:
		return nil, errTooLarge
	case chat.ErrorReason(err) == "too_many_files":
		return nil, fail(http.StatusBadRequest, "Duplicate field found: file")
	case err != nil:
		return nil, fail(http.StatusBadRequest, "No file provided")
	}
	up := ups[0]
	if up.Size > maxMedia {
		up.Close()
		return nil, errTooLarge
	}
	return up, nil
}

// uploadMedia is POST /media/: store a file for a later message.
func (s *server) uploadMedia(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	up, err := readFile(w, r)
	if err != nil {
		return err
	}
	defer up.Close()
	f, err := s.chat.UploadMedia(r.Context(), a, chat.NewUpload{Name: up.Name, ContentType: up.ContentType, Size: up.Size, Body: up.File})
	if err != nil {
		return mediaTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toMedia(f, s.base(r), false))
}

// messageMedia is GET /media/?message_id=: a message's media.
func (s *server) messageMedia(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	q := r.URL.Query()
	if !q.Has("message_id") {
		return fail(http.StatusBadRequest, "Message ID is required")
	}
	id, err := parseID(kindMessage, q.Get("message_id"))
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	return s.writeMedia(w, r, a, []int64{id})
}

// messagesMedia is POST /media/list: the media of several messages.
func (s *server) messagesMedia(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "ids", typ: tUUIDs, kind: kindMessage})
	if err != nil {
		return err
	}
	return s.writeMedia(w, r, a, in.ids("ids"))
}

func (s *server) writeMedia(w http.ResponseWriter, r *http.Request, a chat.Actor, ids []int64) error {
	msgs := make([]chat.MessageID, len(ids))
	for i, id := range ids {
		msgs[i] = chat.MessageID(id)
	}
	files, err := s.chat.MediaOf(r.Context(), a, msgs)
	if err != nil {
		return mediaTexts.of(err)
	}
	out := make([]mediaDTO, len(files))
	for i, f := range files {
		out[i] = toMedia(f, s.base(r), false)
	}
	return writeJSON(w, http.StatusOK, out)
}

// deleteMedia is DELETE /media/: its owner or an administrator deletes a
// file, bytes and all.
func (s *server) deleteMedia(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	in, err := decodeBody(w, r, field{name: "id", typ: tUUID, kind: kindFile})
	if err != nil {
		return err
	}
	f, err := s.chat.DeleteMedia(r.Context(), a, chat.FileID(in.id("id")))
	if err != nil {
		return mediaTexts.of(err)
	}
	return writeJSON(w, http.StatusOK, toMedia(f, s.base(r), true))
}

// serveFile is GET /media/o/{org}/{key}/{name}: the bytes of a media file or
// profile image to whoever holds its URL, as ConvoForge's public object URLs
// were (the key is unguessable).
func (s *server) serveFile(w http.ResponseWriter, r *http.Request) error {
	f, rc, err := s.chat.PublicFile(r.Context(), "o/"+r.PathValue("org")+"/"+r.PathValue("key"))
	if err != nil {
		return texts{string(chat.NotFound): fail(http.StatusNotFound, "Not found")}.of(err)
	}
	defer rc.Close()
	if r.PathValue("name") != f.Name {
		return fail(http.StatusNotFound, "Not found")
	}
	httpx.ServeFile(w, f.Name, f.ContentType, f.Size, rc)
	return nil
}
