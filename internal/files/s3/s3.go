package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/files"
)

// Options configures a Store.
type Options struct {
	// Endpoint is the server to talk to: a URL such as
	// "http://127.0.0.1:7070" or "https://minio.example.com", or a bare
	// "host[:port]", which means HTTPS. Empty means AWS S3.
	Endpoint string
	// Region is the bucket's region. When empty, minio-go asks the server
	// for the bucket's location.
	Region string
	// Bucket is the bucket that holds the objects. Required.
	Bucket string
	// AccessKeyID and SecretAccessKey are static credentials. When both
	// are empty, credentials come from the AWS environment variables, then
	// the AWS shared credentials file, then the instance or task role.
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle forces path-style requests (https://host/bucket/key), as
	// MinIO and most self-hosted servers want. Otherwise minio-go picks:
	// virtual-hosted style for AWS and other known providers, path style
	// for the rest.
	PathStyle bool
	// Prefix is prepended, with a slash, to every key, so that Parley can
	// share a bucket. Leading and trailing slashes are ignored.
	Prefix string
	// CreateBucket makes Open create the bucket when it does not exist.
	// Meant for tests and local setups; production buckets are made, with
	// their policies, outside Parley.
	CreateBucket bool
	// Transport is the HTTP transport to use. Nil means minio-go's default
	// for the endpoint's scheme. Tests use it to trust a test server's
	// certificate.
	Transport http.RoundTripper
}

// Store is a chat.Files on an S3 bucket. Its methods are safe for
// concurrent use.
type Store struct {
	client *minio.Client
	bucket string
	prefix string // "" or ends with "/"
	idle   interface{ CloseIdleConnections() }
}

var _ chat.Files = (*Store)(nil)

// Open connects to the store that opts describe and checks that the bucket
// exists, creating it first when opts.CreateBucket is set. It fails when
// the options are incomplete, the server cannot be reached, the
// credentials are refused, or the bucket is missing.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := newStore(opts)
	if err != nil {
		return nil, fmt.Errorf("open s3 store: %w", err)
	}
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open s3 store: check bucket %q: %w", s.bucket, err)
	}
	if !ok {
		if !opts.CreateBucket {
			s.Close()
			return nil, fmt.Errorf("open s3 store: bucket %q does not exist", s.bucket)
		}
		err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: opts.Region})
		if err != nil && !bucketIsOurs(err) {
			s.Close()
			return nil, fmt.Errorf("open s3 store: create bucket %q: %w", s.bucket, err)
		}
	}
	return s, nil
}

// bucketIsOurs reports whether a MakeBucket error means that another
// caller created the bucket first.
func bucketIsOurs(err error) bool {
	return minio.ToErrorResponse(err).Code == "BucketAlreadyOwnedByYou"
}

func newStore(opts Options) (*Store, error) {
	if opts.Bucket == "" {
		return nil, errors.New("no bucket given")
	}
	host, secure, err := parseEndpoint(opts.Endpoint)
	if err != nil {
		return nil, err
	}
	var creds *credentials.Credentials
	switch {
	case opts.AccessKeyID != "" && opts.SecretAccessKey != "":
		creds = credentials.NewStaticV4(opts.AccessKeyID, opts.SecretAccessKey, "")
	case opts.AccessKeyID != "" || opts.SecretAccessKey != "":
		return nil, errors.New("give both an access key ID and a secret access key, or neither")
	default:
		creds = credentials.NewChainCredentials([]credentials.Provider{
			&credentials.EnvAWS{},
			&credentials.FileAWSCredentials{},
			&credentials.IAM{},
		})
	}
	transport := opts.Transport
	if transport == nil {
		t, err := minio.DefaultTransport(secure)
		if err != nil {
			return nil, err
		}
		transport = t
	}
	lookup := minio.BucketLookupAuto
	if opts.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(host, &minio.Options{
		Creds:        creds,
		Secure:       secure,
		Transport:    transport,
		Region:       opts.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, err
	}
	s := &Store{client: client, bucket: opts.Bucket}
	if p := strings.Trim(opts.Prefix, "/"); p != "" {
		s.prefix = p + "/"
	}
	if opts.Transport == nil {
		s.idle, _ = transport.(interface{ CloseIdleConnections() })
	}
	return s, nil
}

// parseEndpoint splits an Options.Endpoint into the host[:port] minio-go
// wants and whether to use TLS.
func parseEndpoint(endpoint string) (host string, secure bool, err error) {
	if endpoint == "" {
		return "s3.amazonaws.com", true, nil
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("endpoint: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", false, fmt.Errorf("endpoint %q: scheme must be http or https", endpoint)
	case u.Host == "":
		return "", false, fmt.Errorf("endpoint %q has no host", endpoint)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return "", false, fmt.Errorf("endpoint %q: only scheme, host and port are allowed", endpoint)
	}
	return u.Host, u.Scheme == "https", nil
}

// Close releases idle connections. The Store must not be used after.
func (s *Store) Close() error {
	if s.idle != nil {
		s.idle.CloseIdleConnections()
	}
	return nil
}

func (s *Store) object(key string) string {
	return s.prefix + key
}

// Put stores exactly size bytes from r under key, replacing any object
// there. It returns an Invalid error for a bad key or content type, a
// negative size, or when r holds fewer or more than size bytes, and
// ctx.Err() when ctx ends first. On those errors no object is created or
// changed (but see the package doc on cancellation at the very end).
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := files.CheckKey(key); err != nil {
		return err
	}
	ct, err := files.ContentType(contentType)
	if err != nil {
		return err
	}
	if err := files.CheckSize(size); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	body := files.NewBody(ctx, r, size)
	_, err = s.client.PutObject(ctx, s.bucket, s.object(key), body, size, minio.PutObjectOptions{ContentType: ct})
	if err != nil {
		// minio-go does not always keep why reading the body failed.
		if berr := body.Err(); berr != nil {
			return fmt.Errorf("put %s: %w", key, berr)
		}
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("put %s: %w", key, cerr)
		}
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Open returns the object's bytes, size, content type and last-modified
// time. It returns an error with code NotFound when there is no object at
// key, and an Invalid error for a bad key. The reader is the body of one
// GET made with ctx, so ctx must stay live until the reader is closed.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, chat.FileInfo, error) {
	if err := files.CheckKey(key); err != nil {
		return nil, chat.FileInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, chat.FileInfo{}, err
	}
	// One GET: its error body tells a missing key from a missing bucket,
	// which a HEAD (as minio.Object.Stat sends) cannot.
	body, st, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, chat.FileInfo{}, fmt.Errorf("open %s: %w", key, mapError(err))
	}
	ct := st.ContentType
	if ct == "" {
		ct = files.DefaultContentType
	}
	return body, chat.FileInfo{Size: st.Size, ContentType: ct, ModTime: st.LastModified}, nil
}

// Delete removes the object at key. Deleting a missing key is not an error.
// It returns an Invalid error for a bad key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := files.CheckKey(key); err != nil {
		return err
	}
	err := s.client.RemoveObject(ctx, s.bucket, s.object(key), minio.RemoveObjectOptions{})
	if err != nil {
		if err := mapError(err); chat.ErrorCode(err) == chat.NotFound {
			return nil
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// mapError gives a missing object the NotFound code and keeps the S3 error
// as the cause. A missing bucket stays an internal error: it is a broken
// deployment, not a missing file.
func mapError(err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || (resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket) {
		return fmt.Errorf("%w (%w)", chat.ErrNotFound, err)
	}
	return err
}
