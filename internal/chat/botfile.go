package chat

import (
	"context"
	"fmt"
	"io"
	"mime"
	"path"
	"strings"
)

// The bot platform files uploads by kind, as Botyard did: each kind has its
// own size limit and folder, and a file's path is
// "static/<folder>/<token><extension>", where token is the random part of
// its storage key. The path is the file's capability (see canOpenFileByPath).

// botFileTypes are the content types Botyard sorted into folders, and common
// other ones, with the extension each gets (fixed here, so that paths do not
// depend on the machine's MIME database; other types take the first
// extension the machine knows, as Botyard's did).
var botFileTypes = map[string]struct{ folder, ext string }{
	"text/plain": {"files", ".txt"}, "text/csv": {"files", ".csv"}, "text/html": {"files", ".html"}, "text/markdown": {"files", ".md"},
	"application/pdf": {"files", ".pdf"}, "application/json": {"files", ".json"}, "application/zip": {"files", ".zip"},
	"application/octet-stream": {"files", ".bin"},
	"image/gif":                {"images", ".gif"}, "image/jpeg": {"images", ".jpeg"}, "image/png": {"images", ".png"},
	"image/svg+xml": {"images", ".svg"}, "image/webp": {"images", ".webp"},
	"video/mp4": {"videos", ".mp4"}, "video/webm": {"videos", ".webm"}, "video/ogg": {"videos", ".ogv"},
	"video/quicktime": {"videos", ".mov"}, "video/x-flv": {"videos", ".flv"},
	"audio/mpeg": {"audios", ".mp3"}, "audio/ogg": {"audios", ".ogg"}, "audio/wav": {"audios", ".wav"}, "audio/aac": {"audios", ".aac"},
}

// botFileKind returns the folder and extension of a content type. Invalid
// for a malformed content type, or one with no known extension (Botyard's
// rule: every stored file gets an extension).
func botFileKind(contentType string) (folder, ext string, err error) {
	mt, _, perr := mime.ParseMediaType(contentType)
	if perr != nil {
		return "", "", &Error{Code: Invalid, Reason: ReasonInvalidContentType, Fields: map[string]string{"content_type": perr.Error()},
			Message: fmt.Sprintf("The content type %q is not valid.", contentType)}
	}
	if t, ok := botFileTypes[mt]; ok {
		return t.folder, t.ext, nil
	}
	exts, _ := mime.ExtensionsByType(mt)
	if len(exts) == 0 {
		return "", "", &Error{Code: Invalid, Reason: ReasonUnknownContentType, Fields: map[string]string{"content_type": contentType},
			Message: fmt.Sprintf("No file extension is known for the content type %q.", contentType)}
	}
	return "files", exts[0], nil
}

// maxSizeOf is the limit for a folder.
func (l BotLimits) maxSizeOf(folder string) int64 {
	switch folder {
	case "images":
		return l.MaxImageSize
	case "videos":
		return l.MaxVideoSize
	case "audios":
		return l.MaxAudioSize
	}
	return l.MaxFileSize
}

// BotFilePath returns the path a bot platform file is served at.
func BotFilePath(f *File) string {
	folder, ext, err := botFileKind(f.ContentType)
	if err != nil {
		folder, ext = "files", ""
	}
	return "static/" + folder + "/" + path.Base(f.Key) + ext
}

// fileToken returns the storage token named by the last element of a file
// path ("<token><extension>"), or "" when it holds none.
func fileToken(name string) string {
	token, _, _ := strings.Cut(path.Base(name), ".")
	if len(token) != 26 {
		return ""
	}
	for _, c := range token {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return ""
		}
	}
	return token
}

// UploadBotFiles stores files a signed-in user or bot uploads, all or none:
// every file is checked first (count, content type, the size limit of its
// kind), and when storing one fails, none is kept.
func (s *Service) UploadBotFiles(ctx context.Context, a Actor, ups []NewUpload) ([]*File, error) {
	lim := s.BotLimits()
	switch {
	case len(ups) == 0:
		return nil, invalid(ReasonNoFiles, "No files found to upload.")
	case len(ups) > lim.MaxAttachedFiles:
		return nil, invalid(ReasonTooManyFiles, "Too many files, max allowed amount is %d.", lim.MaxAttachedFiles)
	}
	files := make([]*File, len(ups))
	for i := range ups {
		folder, _, err := botFileKind(ups[i].ContentType)
		if err != nil {
			return nil, err
		}
		if limit := lim.maxSizeOf(folder); ups[i].Size > limit {
			return nil, invalid(ReasonFileTooLarge, "Max allowed size for %s are %d bytes, but got %d.", folder, limit, ups[i].Size)
		}
		if err := ups[i].normalize(0); err != nil {
			return nil, err
		}
		files[i] = &File{OrgID: a.OrgID, Name: ups[i].Name, ContentType: ups[i].ContentType, Size: ups[i].Size,
			Key: fmt.Sprintf("o/%d/%s", a.OrgID, strings.ToLower(randomText()))}
	}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		for _, f := range files {
			f.OwnerID = au.user.ID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	stored := 0
	removeStored := func() {
		for _, f := range files[:stored] {
			// Best effort: the caller's context may be what failed.
			_ = s.files.Delete(context.WithoutCancel(ctx), f.Key)
		}
	}
	for i, f := range files {
		if err := s.files.Put(ctx, f.Key, ups[i].Body, f.Size, f.ContentType); err != nil {
			removeStored()
			return nil, fmt.Errorf("store upload: %w", err)
		}
		stored++
	}
	err = s.update(ctx, func(w *work) error {
		for _, f := range files {
			f.CreatedAt = w.now
			if err := w.tx.InsertFile(ctx, f); err != nil {
				return err
			}
			if err := w.emit(ctx, &Event{OrgID: f.OrgID, Type: EventFileUploaded, ActorID: f.OwnerID, UserID: f.OwnerID,
				Topics: []string{TopicUser(f.OwnerID)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		removeStored()
		return nil, err
	}
	return files, nil
}

// OpenBotFile returns the file of the actor's org served at a bot platform
// path (only its last element, "<token><extension>", matters) and its bytes.
// NotFound ("File not found.") otherwise. The caller closes the reader.
func (s *Service) OpenBotFile(ctx context.Context, a Actor, name string) (*File, io.ReadCloser, error) {
	token := fileToken(name)
	if token == "" {
		return nil, nil, notFound("File")
	}
	var f *File
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		f, err = tx.FileByKey(ctx, a.OrgID, fmt.Sprintf("o/%d/%s", a.OrgID, token))
		if isNotFound(err) || err == nil && !canOpenFileByPath(au, f) {
			return notFound("File")
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	rc, _, err := s.files.Open(ctx, f.Key)
	if err != nil {
		return nil, nil, err
	}
	return f, rc, nil
}
