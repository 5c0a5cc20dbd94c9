package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// upload stores the multipart field "file". The answer is Struct's, plus the
// url the bytes can be fetched from.
func (s *server) upload(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	ups, err := httpx.ReadUploads(w, r, "file", 1, s.maxUp)
	if err != nil {
		return err
	}
	up := ups[0]
	defer up.Close()
	f, err := s.chat.Upload(r.Context(), a, chat.NewUpload{Name: up.Name, ContentType: up.ContentType, Size: up.Size, Body: up.File})
	if err != nil {
		return err
	}
	h := fileHandle(f.ID)
	return ok(w, http.StatusOK, map[string]any{"ctype": f.ContentType, "fname": f.Name, "handle": h, "size": f.Size,
		"url": s.base(r) + "/v1/files/" + h})
}

// getFile serves an upload to whoever may see it.
func (s *server) getFile(w http.ResponseWriter, r *http.Request, a chat.Actor) error {
	id, err := parseFileHandle("handle", r.PathValue("handle"))
	if err != nil {
		return err
	}
	f, rc, err := s.chat.OpenFile(r.Context(), a, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	httpx.ServeFile(w, f.Name, f.ContentType, f.Size, rc)
	return nil
}
