package s3_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/files/filestest"
	"github.com/parley-chat/parley/internal/files/s3"
	"github.com/parley-chat/parley/internal/files/s3/s3test"
)

// TestConformanceFake runs the suite against an in-process gofakes3 server,
// one per subtest.
// fakeOptions returns Options for a fresh in-process fake server.
func fakeOptions(t *testing.T) s3.Options {
	opts, _ := s3test.NewFakeServer(t)
	return opts
}

func TestConformanceFake(t *testing.T) {
	filestest.Run(t, func(t *testing.T) chat.Files {
		return MustOpen(t, fakeOptions(t))
	})
}

// TestConformanceServer runs the suite against the real S3-compatible
// server named by the PARLEY_TEST_S3_* variables (see .ci/s3-server), each
// subtest under its own random prefix, which it empties afterwards.
func TestConformanceServer(t *testing.T) {
	opts := s3test.ServerOptions(t)
	filestest.Run(t, func(t *testing.T) chat.Files {
		return mustOpenPrefix(t, opts)
	})
}

// MustOpenServerPrefix opens a Store on the server named by the
// environment, under a fresh random prefix that is emptied when the test
// ends. It skips or fails as ServerOptions does.
func MustOpenServerPrefix(t *testing.T) *s3.Store {
	t.Helper()
	return mustOpenPrefix(t, s3test.ServerOptions(t))
}

func mustOpenPrefix(t *testing.T, opts s3.Options) *s3.Store {
	t.Helper()
	opts.Prefix = "parley-test/" + strings.ToLower(rand.Text())
	s := MustOpen(t, opts)
	t.Cleanup(func() { MustEmptyPrefix(t, s, opts) })
	return s
}

// TestServerPrivate checks against the real server that a stored object
// cannot be fetched without credentials.
func TestServerPrivate(t *testing.T) {
	opts := s3test.ServerOptions(t)
	opts.Prefix = "parley-test/" + strings.ToLower(rand.Text())
	s := MustOpen(t, opts)
	t.Cleanup(func() { MustEmptyPrefix(t, s, opts) })
	filestest.MustPut(t, s, "org/1/f/private", []byte("secret attachment"), "text/plain")

	url := strings.TrimRight(opts.Endpoint, "/") + "/" + opts.Bucket + "/" + opts.Prefix + "/org/1/f/private"
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusForbidden || bytes.Contains(body, []byte("secret attachment")) {
		t.Errorf("anonymous GET %s = %s, want 403 Forbidden", url, resp.Status)
	}
}

// MustOpen opens a Store and closes it when the test ends.
func MustOpen(tb testing.TB, opts s3.Options) *s3.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	defer cancel()
	s, err := s3.Open(ctx, opts)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// MustEmptyPrefix removes every object under opts.Prefix, so that runs
// against a shared server leave nothing behind.
func MustEmptyPrefix(tb testing.TB, s *s3.Store, opts s3.Options) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(tb.Context()), time.Minute)
	defer cancel()
	client, bucket := s3.ClientOf(s)
	prefix := strings.Trim(opts.Prefix, "/") + "/"
	for obj := range client.ListObjects(ctx, bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			tb.Errorf("list %s: %v", prefix, obj.Err)
			return
		}
		if err := client.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
			tb.Errorf("remove %s: %v", obj.Key, err)
		}
	}
}

func TestPrefix(t *testing.T) {
	opts, _ := s3test.NewFakeServer(t)
	plain := MustOpen(t, opts)
	opts.Prefix = "/tenant/a/"
	prefixed := MustOpen(t, opts)

	filestest.MustPut(t, prefixed, "k/1", []byte("in tenant a"), "text/plain")
	client, bucket := s3.ClientOf(prefixed)
	st, err := client.StatObject(t.Context(), bucket, "tenant/a/k/1", minio.StatObjectOptions{})
	if err != nil {
		t.Fatalf("stat the prefixed object name: %v", err)
	}
	if st.ContentType != "text/plain" || st.Size != int64(len("in tenant a")) {
		t.Errorf("prefixed object = %s, %d bytes; want text/plain, %d bytes", st.ContentType, st.Size, len("in tenant a"))
	}
	filestest.MustBeMissing(t, plain, "k/1")
	if got, _ := filestest.MustRead(t, plain, "tenant/a/k/1"); string(got) != "in tenant a" {
		t.Errorf("unprefixed store reads %q at the full name, want %q", got, "in tenant a")
	}
}

// TestRequests checks what goes over the wire: no ACL (objects stay
// private), the content type as the object's Content-Type, and the declared
// size as the length.
func TestRequests(t *testing.T) {
	opts, _ := s3test.NewFakeServer(t)
	rec := &recorder{next: opts.Transport}
	opts.Transport = rec
	s := MustOpen(t, opts)
	filestest.MustPut(t, s, "org/1/f/1", bytes.Repeat([]byte("x"), 1000), "image/gif")

	rec.mu.Lock()
	defer rec.mu.Unlock()
	var puts int
	for _, r := range rec.reqs {
		for h := range r.Header {
			if strings.HasPrefix(strings.ToLower(h), "x-amz-acl") || strings.HasPrefix(strings.ToLower(h), "x-amz-grant") {
				t.Errorf("%s %s sent %s: %q; objects must stay private", r.Method, r.URL.Path, h, r.Header.Get(h))
			}
		}
		if r.Method == http.MethodPut && r.URL.Path == "/parley-test/org/1/f/1" {
			puts++
			if ct := r.Header.Get("Content-Type"); ct != "image/gif" {
				t.Errorf("PUT Content-Type = %q, want %q", ct, "image/gif")
			}
		}
	}
	if puts != 1 {
		t.Errorf("saw %d PUTs of the object, want 1 (a single streaming PUT)", puts)
	}
}

type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(req.Context()))
	r.mu.Unlock()
	return r.next.RoundTrip(req)
}

// TestMultipart puts an object above minio-go's 16 MiB single-PUT limit, so
// the upload goes in parts, and cancels another one in its second part.
func TestMultipart(t *testing.T) {
	if testing.Short() {
		t.Skip("puts 17 MiB twice")
	}
	t.Run("Fake", func(t *testing.T) {
		t.Parallel()
		opts, _ := s3test.NewFakeServer(t)
		rec := &recorder{next: opts.Transport}
		opts.Transport = rec
		testMultipart(t, MustOpen(t, opts))
		rec.mu.Lock()
		defer rec.mu.Unlock()
		var initiated int
		for _, r := range rec.reqs {
			if r.Method == http.MethodPost && r.URL.Query().Has("uploads") {
				initiated++
			}
		}
		if initiated != 2 {
			t.Errorf("saw %d multipart uploads initiated, want 2", initiated)
		}
	})
	t.Run("Server", func(t *testing.T) {
		t.Parallel()
		testMultipart(t, MustOpenServerPrefix(t))
	})
}

func testMultipart(t *testing.T, s *s3.Store) {
	ctx := t.Context()
	const size = 17<<20 + 7
	h := sha256.New()
	src := io.TeeReader(io.LimitReader(mrand.NewChaCha8([32]byte{9}), size), h)
	if err := s.Put(ctx, "big/one", struct{ io.Reader }{src}, size, "video/mp4"); err != nil {
		t.Fatalf("Put of %d bytes: %v", size, err)
	}
	want := h.Sum(nil)
	rc, info, err := s.Open(ctx, "big/one")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	h.Reset()
	if n, err := io.Copy(h, rc); err != nil || n != size || info.Size != size || !bytes.Equal(h.Sum(nil), want) || info.ContentType != "video/mp4" {
		t.Errorf("read back %d bytes (Size %d, %s), %v, sha256 match %v; want %d bytes, video/mp4",
			n, info.Size, info.ContentType, err, bytes.Equal(h.Sum(nil), want), size)
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &cancelAfter{r: io.LimitReader(mrand.NewChaCha8([32]byte{10}), size), after: 16<<20 + 1<<20, cancel: cancel}
	if err := s.Put(cctx, "big/cancelled", r, size, "video/mp4"); !errors.Is(err, context.Canceled) {
		t.Errorf("Put cancelled in its second part = %v, want context.Canceled", err)
	}
	filestest.MustBeMissing(t, s, "big/cancelled")
}

type cancelAfter struct {
	r      io.Reader
	after  int64
	cancel context.CancelFunc
	n      int64
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n += int64(n); c.n > c.after {
		c.cancel()
	}
	return n, err
}

// TestMissingBucket checks that Open refuses a missing bucket unless told to
// create it, and that a bucket that vanishes later is an internal error,
// not a missing file.
func TestMissingBucket(t *testing.T) {
	opts, _ := s3test.NewFakeServer(t)
	opts.CreateBucket = false
	if s, err := s3.Open(t.Context(), opts); err == nil {
		s.Close()
		t.Fatalf("Open of a missing bucket without CreateBucket succeeded")
	}
	opts.CreateBucket = true
	s := MustOpen(t, opts)
	// A second Open finds the bucket made by the first.
	opts.CreateBucket = false
	MustOpen(t, opts)

	client, bucket := s3.ClientOf(s)
	if err := client.RemoveBucket(t.Context(), bucket); err != nil {
		t.Fatal(err)
	}
	rc, _, err := s.Open(t.Context(), "any/key")
	if err == nil {
		rc.Close()
		t.Fatal("Open in a removed bucket succeeded")
	}
	if code := chat.ErrorCode(err); code != chat.Internal {
		t.Errorf("Open in a removed bucket: %v (code %q), want code %q", err, code, chat.Internal)
	}
}

func TestBadOptions(t *testing.T) {
	good := s3.Options{Endpoint: "http://127.0.0.1:1", Bucket: "b", AccessKeyID: "a", SecretAccessKey: "s"}
	tests := []struct {
		name string
		edit func(o *s3.Options)
	}{
		{"NoBucket", func(o *s3.Options) { o.Bucket = "" }},
		{"OnlyKeyID", func(o *s3.Options) { o.SecretAccessKey = "" }},
		{"OnlySecret", func(o *s3.Options) { o.AccessKeyID = "" }},
		{"Scheme", func(o *s3.Options) { o.Endpoint = "ftp://host" }},
		{"Path", func(o *s3.Options) { o.Endpoint = "http://host/bucket" }},
		{"Query", func(o *s3.Options) { o.Endpoint = "http://host?x=1" }},
		{"NoHost", func(o *s3.Options) { o.Endpoint = "http://" }},
		{"Unreachable", func(o *s3.Options) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.edit(&o)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if s, err := s3.Open(ctx, o); err == nil {
				s.Close()
				t.Errorf("Open(%+v) succeeded, want an error", o)
			}
		})
	}
}
