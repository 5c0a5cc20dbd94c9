package httpx_test

import (
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/httpx"
)

// FuzzReadUploads feeds arbitrary multipart bodies to ReadUploads: it
// never panics, fails only with Invalid or TooLarge, never hands back more
// than the limit allows, and leaves no temporary file behind.
func FuzzReadUploads(f *testing.F) {
	const boundary = "XX"
	part := func(name, filename, ctype, body string) string {
		h := "--XX\r\nContent-Disposition: form-data; name=\"" + name + "\""
		if filename != "" {
			h += "; filename=\"" + filename + "\""
		}
		if ctype != "" {
			h += "\r\nContent-Type: " + ctype
		}
		return h + "\r\n\r\n" + body + "\r\n"
	}
	for _, s := range []string{
		part("file", "a.txt", "text/plain", "hello") + "--XX--\r\n",
		part("file", "../../etc/passwd", "", "root") + part("file", "b.png", "image/png", "\x89PNG\r\n\x1a\n") + "--XX--\r\n",
		part("other", "x", "", "y") + "--XX--\r\n",
		part("file", "nul\x00.txt", "text/html", "<script>") + "--XX--\r\n",
		part("file", "big.bin", "application/octet-stream", strings.Repeat("z", 5000)) + "--XX--\r\n",
		part("file", "a", "", "1") + part("file", "b", "", "2") + part("file", "c", "", "3") + part("file", "d", "", "4") + "--XX--\r\n",
		"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''%e2%80%ae.txt\r\n\r\nx\r\n--XX--\r\n",
		"--XX\r\n\r\n", "--XX--", "", "garbage", "--XX\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno end",
	} {
		f.Add([]byte(s))
	}
	tmp := f.TempDir()
	// The spool directory, checked for leftovers. (F has no Setenv.)
	old, had := os.LookupEnv("TMPDIR")
	os.Setenv("TMPDIR", tmp)
	f.Cleanup(func() {
		if had {
			os.Setenv("TMPDIR", old)
		} else {
			os.Unsetenv("TMPDIR")
		}
	})
	f.Fuzz(func(t *testing.T, body []byte) {
		const maxBytes = 4096
		req := httptest.NewRequest("POST", "/upload", bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		ups, err := httpx.ReadUploads(httptest.NewRecorder(), req, "file", 3, maxBytes)
		if err != nil {
			if c := chat.ErrorCode(err); c != chat.Invalid && c != chat.TooLarge {
				t.Fatalf("error %v (code %q)", err, c)
			}
			if ups != nil {
				t.Fatal("uploads returned with an error")
			}
		}
		if len(ups) > 3 {
			t.Fatalf("%d uploads, at most 3", len(ups))
		}
		var total int64
		for _, u := range ups {
			b, err := io.ReadAll(u.File)
			if err != nil || int64(len(b)) != u.Size {
				t.Fatalf("upload %q: %d bytes read, size %d, %v", u.Name, len(b), u.Size, err)
			}
			total += u.Size
			if u.ContentType == "" {
				t.Fatalf("upload %q has no content type", u.Name)
			}
			rec := httptest.NewRecorder()
			u.File.Seek(0, io.SeekStart)
			httpx.ServeFile(rec, u.Name, u.ContentType, u.Size, u.File)
			h := rec.Result().Header
			ct := h.Get("Content-Type")
			if h.Get("X-Content-Type-Options") != "nosniff" || (strings.Contains(ct, "html") || strings.Contains(ct, "svg") || strings.Contains(ct, "xml")) {
				t.Fatalf("upload %q of type %q served as %q", u.Name, u.ContentType, ct)
			}
			if cd := h.Get("Content-Disposition"); cd == "" || strings.ContainsAny(cd, "\r\n") {
				t.Fatalf("upload %q served with Content-Disposition %q", u.Name, cd)
			}
			u.Close()
		}
		if total > maxBytes {
			t.Fatalf("%d bytes accepted over a limit of %d", total, maxBytes)
		}
		if left, _ := os.ReadDir(tmp); len(left) != 0 {
			t.Fatalf("temporary files left behind: %v", left)
		}
	})
}

// TestServeFileActiveTypes: HTML, SVG and XML are never served inline or
// under their own type.
func TestServeFileActiveTypes(t *testing.T) {
	for _, ct := range []string{"text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/javascript", "TEXT/HTML; charset=utf-8", "bogus"} {
		rec := httptest.NewRecorder()
		httpx.ServeFile(rec, "x", ct, 1, strings.NewReader("x"))
		h := rec.Result().Header
		if h.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
			h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%q served as %q, %q, nosniff %q", ct, h.Get("Content-Type"), h.Get("Content-Disposition"), h.Get("X-Content-Type-Options"))
		}
	}
}
