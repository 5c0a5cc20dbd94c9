package chat

import (
	"context"
	"io"
	"time"
)

// Files stores attachment bytes. Keys are chosen by chat (never by a user)
// and are slash-separated relative names such as "org/5/f/123".
// Implementations: files/disk (default) and files/s3.
type Files interface {
	// Put stores size bytes read from r under key, replacing any object
	// already there. A failed or cancelled Put leaves no object behind.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Open returns the object's bytes and facts. It returns an error with
	// code NotFound when no object has that key.
	Open(ctx context.Context, key string) (io.ReadCloser, FileInfo, error)
	// Delete removes the object. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// FileInfo describes a stored object.
type FileInfo struct {
	Size        int64
	ContentType string
	ModTime     time.Time
}
