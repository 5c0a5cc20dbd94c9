// Package s3 stores attachment bytes in an S3-compatible object store
// (AWS S3, MinIO, versitygw, Ceph, R2, ...) through minio-go. It implements
// chat.Files.
//
// An object with key "org/5/f/123" is the S3 object Prefix + "/org/5/f/123"
// (or just the key when there is no prefix) in one bucket. The content type
// is the object's Content-Type. Objects are written without an ACL header,
// so they get the bucket's default, which is private; clients download
// attachments through Parley, never from the bucket.
//
// Put sends the bytes as they arrive: a single streaming PUT up to 16 MiB,
// and a multipart upload (one 16 MiB part buffered at a time) above that.
// S3 only creates an object when a PUT or a multipart upload completes, so
// a failed or cancelled Put leaves no object and keeps any older one. The
// one exception S3 cannot rule out: when ctx ends after the last byte was
// sent but before the answer came back, Put returns ctx's error although
// the server may have stored the object. A multipart upload that fails is
// aborted; if even that fails the parts stay until the bucket's lifecycle
// rule for incomplete multipart uploads removes them, so set one.
//
// The tests run the filestest suite against an in-process gofakes3 server
// (over TLS) always, and against a real server when
// the PARLEY_TEST_S3_* variables name one; .ci/s3-server starts versitygw
// and prints them. PARLEY_TEST_REQUIRE_S3=1 turns the skip into a failure.
package s3
