package httpx

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/parley-chat/parley/internal/chat"
)

// Upload is one uploaded file spooled to a temporary file, so that its size
// is known before it is stored and nothing large sits in memory.
type Upload struct {
	Name        string
	ContentType string // as declared, or sniffed when absent or generic
	Size        int64
	File        *os.File // positioned at the start; removed by Close
}

// Close removes the temporary file.
func (u *Upload) Close() error {
	name := u.File.Name()
	return errors.Join(u.File.Close(), os.Remove(name))
}

// ReadUploads reads the multipart body of r and spools every part named
// field, at most max parts and maxBytes in total. Invalid for a body that is
// not multipart or has no such part, TooLarge beyond maxBytes. The caller
// closes each Upload.
func ReadUploads(w http.ResponseWriter, r *http.Request, field string, max int, maxBytes int64) ([]*Upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, chat.Invalidf(field, "Send the file as multipart/form-data in the field %q.", field)
	}
	var out []*Upload
	fail := func(err error) ([]*Upload, error) {
		for _, u := range out {
			u.Close()
		}
		return nil, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(bodyError(err, maxBytes))
		}
		if part.FormName() != field {
			part.Close()
			continue
		}
		if len(out) == max {
			return fail(&chat.Error{Code: chat.Invalid, Reason: "too_many_files", Message: fmt.Sprintf("Too many files; at most %d.", max)})
		}
		u, err := spool(part, maxBytes)
		if err != nil {
			return fail(bodyError(err, maxBytes))
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, &chat.Error{Code: chat.Invalid, Reason: "no_file", Message: fmt.Sprintf("No file was sent in the field %q.", field),
			Fields: map[string]string{field: "required"}}
	}
	return out, nil
}

func bodyError(err error, maxBytes int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &chat.Error{Code: chat.TooLarge, Message: "The upload is larger than " + strconv.FormatInt(maxBytes, 10) + " bytes."}
	}
	if chat.AsError(err) != nil {
		return err
	}
	return chat.Errorf(chat.Invalid, "The multipart body is malformed.")
}

func spool(part *multipart.Part, maxBytes int64) (*Upload, error) {
	f, err := os.CreateTemp("", "parley-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	u := &Upload{Name: part.FileName(), File: f}
	n, err := io.Copy(f, io.LimitReader(part, maxBytes+1))
	if err == nil && n > maxBytes {
		err = &http.MaxBytesError{Limit: maxBytes}
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		u.Close()
		return nil, err
	}
	u.Size = n
	u.ContentType = sniff(part.Header.Get("Content-Type"), f)
	return u, nil
}

// sniff keeps a declared specific type and sniffs the first bytes otherwise.
func sniff(declared string, f *os.File) string {
	if mt, _, err := mime.ParseMediaType(declared); err == nil && mt != "application/octet-stream" {
		return mt
	}
	buf := make([]byte, 512)
	n, _ := io.ReadFull(f, buf)
	f.Seek(0, io.SeekStart)
	mt, _, _ := mime.ParseMediaType(http.DetectContentType(buf[:n]))
	return mt
}

// inline lists the types served inline; they cannot run script in a page.
var inline = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true, "image/avif": true,
	"audio/mpeg": true, "audio/ogg": true, "audio/wav": true, "audio/aac": true, "audio/webm": true,
	"video/mp4": true, "video/webm": true, "video/ogg": true, "text/plain": true, "application/pdf": true,
}

// ServeFile writes a stored file safely: never sniffed (nosniff), inline only
// for inert types, and as a download with a neutral type otherwise (HTML and
// SVG can carry script).
func ServeFile(w http.ResponseWriter, name, contentType string, size int64, body io.Reader) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "application/octet-stream"
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=86400")
	disposition := "inline"
	if !inline[mt] {
		mt, disposition = "application/octet-stream", "attachment"
	}
	if mt == "text/plain" {
		mt += "; charset=utf-8"
	}
	h.Set("Content-Type", mt)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": strings.ToValidUTF8(name, "_")}))
	if size >= 0 {
		h.Set("Content-Length", strconv.FormatInt(size, 10))
	}
	w.WriteHeader(http.StatusOK)
	io.Copy(w, body)
}
