package filestest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/files"
)

// LargeSize is the size of the object the LargeStream test puts: several
// MiB and not a multiple of any usual buffer size. The test generates and
// checks it as a stream, so neither side holds it in memory.
const LargeSize = 6<<20 + 12345

// Run runs the conformance suite. newFiles is called once per subtest and
// must return an empty store that is not shared with other subtests (a
// fresh directory, or a fresh key prefix); it should register its own
// cleanup with t.Cleanup. Subtests run in parallel.
func Run(t *testing.T, newFiles func(t *testing.T) chat.Files) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, f chat.Files)
	}{
		{"PutOpen", testPutOpen},
		{"Empty", testEmpty},
		{"DefaultContentType", testDefaultContentType},
		{"Missing", testMissing},
		{"Overwrite", testOverwrite},
		{"Delete", testDelete},
		{"LargeStream", testLargeStream},
		{"CancelDuringPut", testCancelDuringPut},
		{"CancelDuringOverwrite", testCancelDuringOverwrite},
		{"CancelledBeforePut", testCancelledBeforePut},
		{"ShortBody", testShortBody},
		{"LongBody", testLongBody},
		{"NestedKeys", testNestedKeys},
		{"InvalidKeys", testInvalidKeys},
		{"InvalidContentType", testInvalidContentType},
		{"ConcurrentPuts", testConcurrentPuts},
		{"ConcurrentOverwrite", testConcurrentOverwrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newFiles(t))
		})
	}
}

func testPutOpen(t *testing.T, f chat.Files) {
	ctx := t.Context()
	const key = "org/5/f/123"
	data := []byte("hello, attachments\n")
	const ct = "text/plain; charset=utf-8"
	before := time.Now()
	MustPut(t, f, key, data, ct)

	got, info := MustRead(t, f, key)
	if !bytes.Equal(got, data) {
		t.Errorf("Open(%q) bytes = %q, want %q", key, got, data)
	}
	if info.Size != int64(len(data)) {
		t.Errorf("Open(%q) Size = %d, want %d", key, info.Size, len(data))
	}
	if info.ContentType != ct {
		t.Errorf("Open(%q) ContentType = %q, want %q", key, info.ContentType, ct)
	}
	// Servers keep their own clock and S3 keeps whole seconds, so only
	// check that ModTime is set and plausible.
	if d := info.ModTime.Sub(before); info.ModTime.IsZero() || d < -time.Hour || d > time.Hour {
		t.Errorf("Open(%q) ModTime = %v, want about %v", key, info.ModTime, before)
	}

	// Opening twice gives independent readers.
	rc1, _, err := f.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc1.Close()
	rc2, _, err := f.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open(%q) again: %v", key, err)
	}
	defer rc2.Close()
	b1, err1 := io.ReadAll(rc1)
	b2, err2 := io.ReadAll(rc2)
	if err1 != nil || err2 != nil || !bytes.Equal(b1, data) || !bytes.Equal(b2, data) {
		t.Errorf("two readers of %q read %q (%v) and %q (%v), want %q each", key, b1, err1, b2, err2, data)
	}
}

func testEmpty(t *testing.T, f chat.Files) {
	const key = "empty/0"
	MustPut(t, f, key, nil, "application/x-empty")
	got, info := MustRead(t, f, key)
	if len(got) != 0 || info.Size != 0 {
		t.Errorf("Open(%q) = %d bytes, Size %d; want 0, 0", key, len(got), info.Size)
	}
	if info.ContentType != "application/x-empty" {
		t.Errorf("Open(%q) ContentType = %q, want %q", key, info.ContentType, "application/x-empty")
	}
}

func testDefaultContentType(t *testing.T, f chat.Files) {
	const key = "untyped"
	MustPut(t, f, key, []byte{0, 1, 2, 3}, "")
	_, info := MustRead(t, f, key)
	if info.ContentType != files.DefaultContentType {
		t.Errorf("Open(%q) after Put with no content type: ContentType = %q, want %q", key, info.ContentType, files.DefaultContentType)
	}
}

func testMissing(t *testing.T, f chat.Files) {
	MustPut(t, f, "a/b/c", []byte("x"), "text/plain")
	for _, key := range []string{"missing", "missing/nested/key", "a/b", "a", "a/b/c/d", "a/b/cc"} {
		MustBeMissing(t, f, key)
	}
}

func testOverwrite(t *testing.T, f chat.Files) {
	const key = "org/1/f/over"
	MustPut(t, f, key, []byte("first version, rather long"), "text/plain")
	MustPut(t, f, key, []byte("second"), "application/json")
	got, info := MustRead(t, f, key)
	if string(got) != "second" || info.Size != 6 || info.ContentType != "application/json" {
		t.Errorf("Open(%q) after overwrite = %q, Size %d, ContentType %q; want %q, 6, %q",
			key, got, info.Size, info.ContentType, "second", "application/json")
	}
}

func testDelete(t *testing.T, f chat.Files) {
	ctx := t.Context()
	const key = "org/1/f/del"
	MustPut(t, f, key, []byte("bye"), "text/plain")
	MustPut(t, f, "org/1/f/keep", []byte("stay"), "text/plain")
	for i := range 2 {
		if err := f.Delete(ctx, key); err != nil {
			t.Fatalf("Delete(%q) #%d: %v", key, i+1, err)
		}
		MustBeMissing(t, f, key)
	}
	if err := f.Delete(ctx, "never/was"); err != nil {
		t.Errorf("Delete of a key that never existed: %v", err)
	}
	if got, _ := MustRead(t, f, "org/1/f/keep"); string(got) != "stay" {
		t.Errorf("neighbour of a deleted key reads %q, want %q", got, "stay")
	}
	// A deleted key can be used again.
	MustPut(t, f, key, []byte("back"), "text/plain")
	if got, _ := MustRead(t, f, key); string(got) != "back" {
		t.Errorf("Open(%q) after delete and put = %q, want %q", key, got, "back")
	}
}

func testLargeStream(t *testing.T, f chat.Files) {
	ctx := t.Context()
	const key = "large/stream.bin"
	h := sha256.New()
	src := io.TeeReader(io.LimitReader(rand.NewChaCha8([32]byte{1}), LargeSize), h)
	// onlyReader hides any io.WriterTo, io.Seeker or io.ReaderAt, so the
	// store has to stream.
	if err := f.Put(ctx, key, onlyReader{src}, LargeSize, "application/octet-stream"); err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, LargeSize, err)
	}
	want := h.Sum(nil)

	rc, info, err := f.Open(ctx, key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	if info.Size != LargeSize {
		t.Errorf("Open(%q) Size = %d, want %d", key, info.Size, LargeSize)
	}
	h.Reset()
	n, err := io.Copy(h, rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	if n != LargeSize || !bytes.Equal(h.Sum(nil), want) {
		t.Errorf("read back %d bytes of %q with sha256 %x, want %d bytes with %x", n, key, h.Sum(nil), LargeSize, want)
	}
}

func testCancelDuringPut(t *testing.T, f chat.Files) {
	const key = "cancel/during"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const size = 4 << 20
	r := &cancelingReader{r: io.LimitReader(rand.NewChaCha8([32]byte{2}), size), after: 1 << 20, cancel: cancel}
	err := f.Put(ctx, key, r, size, "application/octet-stream")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Put with context cancelled after %d of %d bytes = %v, want context.Canceled", r.after, size, err)
	}
	MustBeMissing(t, f, key)
}

func testCancelDuringOverwrite(t *testing.T, f chat.Files) {
	const key = "cancel/overwrite"
	MustPut(t, f, key, []byte("original"), "text/plain")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const size = 2 << 20
	r := &cancelingReader{r: io.LimitReader(rand.NewChaCha8([32]byte{3}), size), after: 256 << 10, cancel: cancel}
	if err := f.Put(ctx, key, r, size, "application/octet-stream"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled overwrite: Put = %v, want context.Canceled", err)
	}
	got, info := MustRead(t, f, key)
	if string(got) != "original" || info.ContentType != "text/plain" {
		t.Errorf("Open(%q) after cancelled overwrite = %q (%s), want the original %q (text/plain)", key, got, info.ContentType, "original")
	}
}

func testCancelledBeforePut(t *testing.T, f chat.Files) {
	const key = "cancel/before"
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := f.Put(ctx, key, strings.NewReader("data"), 4, "text/plain"); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v, want context.Canceled", err)
	}
	MustBeMissing(t, f, key)
}

func testShortBody(t *testing.T, f chat.Files) {
	const key = "short/body"
	data := bytes.Repeat([]byte("s"), 100<<10)
	err := f.Put(t.Context(), key, onlyReader{bytes.NewReader(data)}, int64(len(data))+1, "text/plain")
	if chat.ErrorCode(err) != chat.Invalid || !errors.Is(err, files.ErrShortBody) {
		t.Errorf("Put of %d bytes declared as %d = %v, want files.ErrShortBody (invalid)", len(data), len(data)+1, err)
	}
	MustBeMissing(t, f, key)
}

func testLongBody(t *testing.T, f chat.Files) {
	const key = "long/body"
	data := bytes.Repeat([]byte("l"), 100<<10)
	err := f.Put(t.Context(), key, onlyReader{bytes.NewReader(data)}, int64(len(data))-1, "text/plain")
	if chat.ErrorCode(err) != chat.Invalid || !errors.Is(err, files.ErrLongBody) {
		t.Errorf("Put of %d bytes declared as %d = %v, want files.ErrLongBody (invalid)", len(data), len(data)-1, err)
	}
	MustBeMissing(t, f, key)
}

func testNestedKeys(t *testing.T, f chat.Files) {
	ctx := t.Context()
	keys := []string{"n", "n1/a", "n1/b/c", "n1/b/d/e/f/g", "org/7/f/9", "org/7/f/10", "with space/and-dash_und.erscore"}
	for _, k := range keys {
		MustPut(t, f, k, []byte("content of "+k), "text/plain")
	}
	if err := f.Delete(ctx, "n1/b/c"); err != nil {
		t.Fatalf("Delete(%q): %v", "n1/b/c", err)
	}
	MustBeMissing(t, f, "n1/b/c")
	for _, k := range keys {
		if k == "n1/b/c" {
			continue
		}
		if got, _ := MustRead(t, f, k); string(got) != "content of "+k {
			t.Errorf("Open(%q) = %q, want %q", k, got, "content of "+k)
		}
	}
}

// InvalidKeys lists keys every backend must reject with an Invalid error.
var InvalidKeys = []string{
	"", "/abs", "/", "a/", "a//b", "..", "../x", "a/../b", "a/..", ".", "./a", "a/./b",
	".hidden", "a/.tmp/x", `a\b`, `..\x`, "a\x00b", "a\nb", "\xff",
	strings.Repeat("k", files.MaxKeyLen+1),
}

func testInvalidKeys(t *testing.T, f chat.Files) {
	ctx := t.Context()
	for _, key := range InvalidKeys {
		r := &countingReader{r: strings.NewReader("x")}
		if err := f.Put(ctx, key, r, 1, "text/plain"); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("Put(%q) = %v, want an invalid error", key, err)
		}
		if r.n != 0 {
			t.Errorf("Put(%q) read %d bytes before rejecting the key", key, r.n)
		}
		if rc, _, err := f.Open(ctx, key); chat.ErrorCode(err) != chat.Invalid {
			if rc != nil {
				rc.Close()
			}
			t.Errorf("Open(%q) = %v, want an invalid error", key, err)
		}
		if err := f.Delete(ctx, key); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("Delete(%q) = %v, want an invalid error", key, err)
		}
	}
}

func testInvalidContentType(t *testing.T, f chat.Files) {
	for _, ct := range []string{"text/plain\nX-Evil: 1", "text/plain\r", "caf\u00e9/x", strings.Repeat("a", files.MaxContentTypeLen+1)} {
		if err := f.Put(t.Context(), "bad/ct", strings.NewReader("x"), 1, ct); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("Put with content type %q = %v, want an invalid error", ct, err)
		}
	}
	MustBeMissing(t, f, "bad/ct")
}

func testConcurrentPuts(t *testing.T, f chat.Files) {
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			data := bytes.Repeat([]byte{byte('a' + i)}, 64<<10+i)
			errs[i] = f.Put(t.Context(), fmt.Sprintf("conc/%d/obj", i), bytes.NewReader(data), int64(len(data)), fmt.Sprintf("text/x-%d", i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put #%d: %v", i, err)
		}
	}
	for i := range n {
		key := fmt.Sprintf("conc/%d/obj", i)
		got, info := MustRead(t, f, key)
		want := bytes.Repeat([]byte{byte('a' + i)}, 64<<10+i)
		if !bytes.Equal(got, want) || info.ContentType != fmt.Sprintf("text/x-%d", i) {
			t.Errorf("Open(%q) = %d bytes (%s), want %d bytes of %q (text/x-%d)", key, len(got), info.ContentType, len(want), byte('a'+i), i)
		}
	}
}

// testConcurrentOverwrite puts one key from several goroutines at once. The
// winner is unspecified, but its bytes and content type must arrive whole
// and together.
func testConcurrentOverwrite(t *testing.T, f chat.Files) {
	const key = "race/same"
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			data := bytes.Repeat([]byte{byte('0' + i)}, 32<<10+i)
			errs[i] = f.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), fmt.Sprintf("text/x-%d", i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Put #%d: %v", i, err)
		}
	}
	got, info := MustRead(t, f, key)
	if len(got) == 0 {
		t.Fatalf("Open(%q) after concurrent Puts is empty", key)
	}
	i := int(got[0] - '0')
	want := bytes.Repeat([]byte{got[0]}, 32<<10+i)
	if i < 0 || i >= n || !bytes.Equal(got, want) || info.ContentType != fmt.Sprintf("text/x-%d", i) || info.Size != int64(len(want)) {
		t.Errorf("Open(%q) after concurrent Puts = %d bytes starting %q, Size %d, %s; want one Put's bytes and type intact",
			key, len(got), got[0], info.Size, info.ContentType)
	}
}

// MustPut stores data under key and fails the test on error.
func MustPut(tb testing.TB, f chat.Files, key string, data []byte, contentType string) {
	tb.Helper()
	if err := f.Put(tb.Context(), key, bytes.NewReader(data), int64(len(data)), contentType); err != nil {
		tb.Fatalf("Put(%q, %d bytes): %v", key, len(data), err)
	}
}

// MustRead opens key, reads it whole and checks that the reader delivers
// as many bytes as the FileInfo says. It fails the test on error.
func MustRead(tb testing.TB, f chat.Files, key string) ([]byte, chat.FileInfo) {
	tb.Helper()
	rc, info, err := f.Open(tb.Context(), key)
	if err != nil {
		tb.Fatalf("Open(%q): %v", key, err)
	}
	data, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		tb.Fatalf("read %q: %v", key, err)
	}
	if int64(len(data)) != info.Size {
		tb.Errorf("Open(%q) read %d bytes, but Size = %d", key, len(data), info.Size)
	}
	return data, info
}

// MustBeMissing fails the test unless Open(key) returns a NotFound error.
func MustBeMissing(tb testing.TB, f chat.Files, key string) {
	tb.Helper()
	rc, info, err := f.Open(tb.Context(), key)
	if err == nil {
		rc.Close()
		tb.Errorf("Open(%q) found an object (%+v), want not found", key, info)
		return
	}
	if chat.ErrorCode(err) != chat.NotFound {
		tb.Errorf("Open(%q) = %v (code %q), want code %q", key, err, chat.ErrorCode(err), chat.NotFound)
	}
}

// onlyReader hides every method but Read.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// cancelingReader calls cancel once more than after bytes have been read
// through it, and keeps yielding data: the store must notice the context
// itself.
type cancelingReader struct {
	r      io.Reader
	after  int64
	cancel context.CancelFunc
	n      int64
}

func (c *cancelingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.after {
		c.cancel()
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
