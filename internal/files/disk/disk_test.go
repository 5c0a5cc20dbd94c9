package disk_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/files/disk"
	"github.com/parley-chat/parley/internal/files/filestest"
)

func TestConformance(t *testing.T) {
	filestest.Run(t, func(t *testing.T) chat.Files {
		dir := t.TempDir()
		s := MustOpen(t, dir)
		t.Cleanup(func() { MustHaveNoTemps(t, dir) })
		return s
	})
}

// MustOpen opens a Store in dir and closes it when the test ends.
func MustOpen(tb testing.TB, dir string) *disk.Store {
	tb.Helper()
	s, err := disk.Open(dir)
	if err != nil {
		tb.Fatalf("Open(%q): %v", dir, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// MustHaveNoTemps fails the test if a temporary file is left in dir: every
// Put, failed or not, must clean up after itself.
func MustHaveNoTemps(tb testing.TB, dir string) {
	tb.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, ".tmp"))
	if err != nil {
		tb.Fatalf("read temp dir: %v", err)
	}
	for _, e := range entries {
		tb.Errorf("temporary file %s left behind", e.Name())
	}
}

func TestOpenCreatesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s := MustOpen(t, dir)
	filestest.MustPut(t, s, "k", []byte("v"), "text/plain")
	if _, err := os.Stat(filepath.Join(dir, "k")); err != nil {
		t.Errorf("object file not in the root: %v", err)
	}
	if _, err := disk.Open(""); err == nil {
		t.Errorf(`Open("") succeeded, want an error`)
	}
}

func TestFileFormat(t *testing.T) {
	dir := t.TempDir()
	s := MustOpen(t, dir)
	filestest.MustPut(t, s, "org/5/f/123", []byte("PNG bytes"), "image/png")
	got, err := os.ReadFile(filepath.Join(dir, "org", "5", "f", "123"))
	if err != nil {
		t.Fatal(err)
	}
	want := "parley-file 1\ncontent-type: image/png\n\nPNG bytes"
	if string(got) != want {
		t.Errorf("object file = %q, want %q", got, want)
	}
	st, err := os.Stat(filepath.Join(dir, "org", "5", "f", "123"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm&0o007 != 0 {
		t.Errorf("object file mode = %v, want no access for others", perm)
	}
}

func TestHeaderParsing(t *testing.T) {
	dir := t.TempDir()
	s := MustOpen(t, dir)
	tests := []struct {
		name, file string
		want       string // content type, or "" when Open must fail
		body       string
	}{
		{"NoFields", "parley-file 1\n\nbody", "application/octet-stream", "body"},
		{"UnknownField", "parley-file 1\nx-later: 1\ncontent-type: text/csv\n\na,b", "text/csv", "a,b"},
		{"EmptyBody", "parley-file 1\ncontent-type: a/b\n\n", "a/b", ""},
		{"NoHeader", "plain bytes", "", ""},
		{"Unterminated", "parley-file 1\ncontent-type: a/b\n", "", ""},
		{"Empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, tt.name), []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			rc, info, err := s.Open(t.Context(), tt.name)
			if tt.want == "" {
				if err == nil {
					rc.Close()
					t.Fatalf("Open of file %q succeeded, want an error", tt.file)
				}
				if code := chat.ErrorCode(err); code != chat.Internal {
					t.Errorf("Open of file %q: code %q, want %q", tt.file, code, chat.Internal)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open of file %q: %v", tt.file, err)
			}
			defer rc.Close()
			body, err := io.ReadAll(rc)
			if err != nil || string(body) != tt.body || info.ContentType != tt.want || info.Size != int64(len(tt.body)) {
				t.Errorf("Open of file %q = %q, %v, %+v; want %q, %s", tt.file, body, err, info, tt.body, tt.want)
			}
		})
	}
}

func TestReaderSeeks(t *testing.T) {
	s := MustOpen(t, t.TempDir())
	filestest.MustPut(t, s, "seek", []byte("0123456789"), "text/plain")
	rc, _, err := s.Open(t.Context(), "seek")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		t.Fatalf("Open returned %T, want an io.ReadSeeker", rc)
	}
	if _, err := rs.Seek(-3, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(rs); string(got) != "789" {
		t.Errorf("read after Seek(-3, end) = %q, want %q", got, "789")
	}
}

// TestSymlinkEscape checks that os.Root keeps every operation inside the
// root even when a link inside it points out.
func TestSymlinkEscape(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	s := MustOpen(t, dir)
	ctx := t.Context()

	if rc, _, err := s.Open(ctx, "link/secret"); err == nil {
		rc.Close()
		t.Errorf("Open through a link out of the root succeeded")
	}
	if err := s.Put(ctx, "link/new", strings.NewReader("x"), 1, "text/plain"); err == nil {
		t.Errorf("Put through a link out of the root succeeded")
	}
	if _, err := os.Stat(filepath.Join(outside, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Put wrote outside the root (stat: %v)", err)
	}
	if err := s.Delete(ctx, "link/secret"); err == nil {
		t.Logf("Delete through a link returned no error")
	}
	if _, err := os.Stat(filepath.Join(outside, "secret")); err != nil {
		t.Errorf("Delete removed a file outside the root: %v", err)
	}
	MustHaveNoTemps(t, dir)
}

func TestKeyClash(t *testing.T) {
	dir := t.TempDir()
	s := MustOpen(t, dir)
	ctx := t.Context()
	filestest.MustPut(t, s, "a", []byte("file"), "text/plain")
	if err := s.Put(ctx, "a/b", strings.NewReader("x"), 1, "text/plain"); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf(`Put("a/b") with a file at "a" = %v, want a conflict`, err)
	}
	filestest.MustPut(t, s, "x/y", []byte("file"), "text/plain")
	if err := s.Put(ctx, "x", strings.NewReader("x"), 1, "text/plain"); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf(`Put("x") with a directory at "x" = %v, want a conflict`, err)
	}
	// The directory "x" is not an object, and deleting it is a no-op.
	filestest.MustBeMissing(t, s, "x")
	if err := s.Delete(ctx, "x"); err != nil {
		t.Errorf(`Delete("x") of a directory: %v`, err)
	}
	if got, _ := filestest.MustRead(t, s, "x/y"); string(got) != "file" {
		t.Errorf(`Open("x/y") = %q after Delete("x"), want it intact`, got)
	}
	MustHaveNoTemps(t, dir)
}

func TestStaleTemps(t *testing.T) {
	dir := t.TempDir()
	s := MustOpen(t, dir)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, ".tmp")
	for _, name := range []string{"old", "new"} {
		if err := os.WriteFile(filepath.Join(tmp, name), []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(filepath.Join(tmp, "old"), old, old); err != nil {
		t.Fatal(err)
	}
	MustOpen(t, dir)
	if _, err := os.Stat(filepath.Join(tmp, "old")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a day-old temporary file survived Open (stat: %v)", err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "new")); err != nil {
		t.Errorf("a fresh temporary file, perhaps a running Put's, was removed: %v", err)
	}
}

// TestFailedPutsLeaveNoTemps runs each way a Put can fail and checks that
// the temporary file goes too.
func TestFailedPutsLeaveNoTemps(t *testing.T) {
	dir := t.TempDir()
	s := MustOpen(t, dir)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	puts := []struct {
		name string
		ctx  context.Context
		r    io.Reader
		size int64
	}{
		{"Short", t.Context(), strings.NewReader("abc"), 4},
		{"Long", t.Context(), strings.NewReader("abcde"), 4},
		{"ReadError", t.Context(), io.MultiReader(strings.NewReader("ab"), errReader{}), 4},
		{"Cancelled", ctx, strings.NewReader("abcd"), 4},
	}
	for _, p := range puts {
		if err := s.Put(p.ctx, "k/"+p.name, p.r, p.size, "text/plain"); err == nil {
			t.Errorf("%s: Put succeeded, want an error", p.name)
		}
		filestest.MustBeMissing(t, s, "k/"+p.name)
	}
	MustHaveNoTemps(t, dir)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadAfterDelete(t *testing.T) {
	s := MustOpen(t, t.TempDir())
	data := bytes.Repeat([]byte("z"), 1000)
	filestest.MustPut(t, s, "open/while/deleted", data, "text/plain")
	rc, _, err := s.Open(t.Context(), "open/while/deleted")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if err := s.Delete(t.Context(), "open/while/deleted"); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(rc); err != nil || !bytes.Equal(got, data) {
		t.Errorf("reading an object opened before its Delete = %d bytes, %v; want all %d", len(got), err, len(data))
	}
}
