// Package s3test gives tests an S3-compatible server: an in-process fake, or
// the real one the environment names (.ci/s3-server starts one and sets the
// PARLEY_TEST_S3_* variables).
package s3test

import (
	"net/http/httptest"
	"os"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/parley-chat/parley/internal/files/s3"
)

// ServerOptions returns Options for the server named by the environment.
// It skips the test when PARLEY_TEST_S3_ENDPOINT is unset, unless
// PARLEY_TEST_REQUIRE_S3=1, in which case it fails it.
func ServerOptions(tb testing.TB) s3.Options {
	tb.Helper()
	opts := s3.Options{
		Endpoint:        os.Getenv("PARLEY_TEST_S3_ENDPOINT"),
		Bucket:          os.Getenv("PARLEY_TEST_S3_BUCKET"),
		AccessKeyID:     os.Getenv("PARLEY_TEST_S3_ACCESS_KEY"),
		SecretAccessKey: os.Getenv("PARLEY_TEST_S3_SECRET_KEY"),
		Region:          os.Getenv("PARLEY_TEST_S3_REGION"),
		PathStyle:       true,
	}
	if opts.Endpoint == "" || opts.Bucket == "" || opts.AccessKeyID == "" || opts.SecretAccessKey == "" {
		const msg = "PARLEY_TEST_S3_ENDPOINT, _BUCKET, _ACCESS_KEY and _SECRET_KEY are not all set (eval \"$(.ci/s3-server)\" starts a server and sets them)"
		if os.Getenv("PARLEY_TEST_REQUIRE_S3") == "1" {
			tb.Fatal(msg + ", but PARLEY_TEST_REQUIRE_S3=1")
		}
		tb.Skip(msg)
	}
	return opts
}

// NewFakeServer starts a gofakes3 server and returns Options for it, with a
// fresh bucket created by Open, and the server (closed when the test ends;
// close it sooner to make the store fail). It serves TLS: over TLS minio-go
// sends unsigned payloads with a trailing checksum, which gofakes3 handles;
// over plain HTTP it signs each chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD),
// and gofakes3 v1.2.0 refuses such a PUT of zero bytes with
// MissingContentLength. Real servers (versitygw, MinIO) accept both.
func NewFakeServer(tb testing.TB) (s3.Options, *httptest.Server) {
	tb.Helper()
	faker := gofakes3.New(s3mem.New(), gofakes3.WithLogger(gofakes3.DiscardLog()))
	srv := httptest.NewTLSServer(faker.Server())
	tb.Cleanup(srv.Close)
	return s3.Options{
		Endpoint:        srv.URL,
		Region:          "us-east-1",
		Bucket:          "parley-test",
		AccessKeyID:     "test-access-key",
		SecretAccessKey: "test-secret-key",
		PathStyle:       true,
		CreateBucket:    true,
		Transport:       srv.Client().Transport,
	}, srv
}
