package files

import (
	"context"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/parley-chat/parley/internal/chat"
)

// DefaultContentType is stored when Put is given an empty content type.
const DefaultContentType = "application/octet-stream"

// Limits on keys and content types. MaxKeyLen is S3's limit on object
// names (before any prefix); MaxSegmentLen is the usual file-name limit.
const (
	MaxKeyLen         = 1024
	MaxSegmentLen     = 255
	MaxContentTypeLen = 255
)

// CheckKey reports whether key is a valid object key and returns an Invalid
// error when it is not. A key is one or more slash-separated segments of
// valid UTF-8 without control characters or backslashes; a segment is never
// empty and never starts with a dot, which rules out "." and ".." and
// reserves dot names for the backends' own bookkeeping. So a key is never
// absolute, never has a trailing slash, and cannot climb out of a directory.
func CheckKey(key string) error {
	switch {
	case key == "":
		return invalidKey(key, "is empty")
	case len(key) > MaxKeyLen:
		return invalidKey(key, "is too long")
	case !utf8.ValidString(key):
		return invalidKey(key, "is not valid UTF-8")
	case strings.ContainsRune(key, '\\'):
		return invalidKey(key, "contains a backslash")
	}
	for _, c := range key {
		if c < 0x20 || c == 0x7f {
			return invalidKey(key, "contains a control character")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return invalidKey(key, "has an empty segment")
		case seg[0] == '.':
			return invalidKey(key, "has a segment that starts with a dot")
		case len(seg) > MaxSegmentLen:
			return invalidKey(key, "has a segment that is too long")
		}
	}
	return nil
}

func invalidKey(key, problem string) error {
	return chat.Invalidf("key", "File key %q %s.", key, problem)
}

// ContentType returns the content type to store for ct: DefaultContentType
// when ct is empty, otherwise ct itself. It returns an Invalid error when ct
// is longer than MaxContentTypeLen or holds anything but printable ASCII,
// since it must survive as an HTTP header and a line in a file.
func ContentType(ct string) (string, error) {
	if ct == "" {
		return DefaultContentType, nil
	}
	if len(ct) > MaxContentTypeLen {
		return "", chat.Invalidf("content_type", "The content type is too long.")
	}
	for i := 0; i < len(ct); i++ {
		if ct[i] < 0x20 || ct[i] > 0x7e {
			return "", chat.Invalidf("content_type", "The content type has characters that are not printable ASCII.")
		}
	}
	return ct, nil
}

// CheckSize returns an Invalid error when size is negative.
func CheckSize(size int64) error {
	if size < 0 {
		return chat.Invalidf("size", "The file size must not be negative.")
	}
	return nil
}

// The errors a Body returns when its source does not hold exactly the
// declared number of bytes.
var (
	ErrShortBody = chat.Errorf(chat.Invalid, "The upload ended before its declared size.").WithReason("short_body")
	ErrLongBody  = chat.Errorf(chat.Invalid, "The upload is longer than its declared size.").WithReason("long_body")
)

// Body wraps the reader given to Put. It yields exactly the declared number
// of bytes and then io.EOF. It fails with ErrShortBody when the source ends
// early, with ErrLongBody when the source holds more, and with ctx.Err() on
// the first Read after ctx ends. Cancellation is noticed between reads: a
// source that blocks forever must be unblocked by its owner (an HTTP request
// body is, when the client goes away).
//
// The last declared bytes are only handed on after Body has checked that
// the source ends there and that ctx is still live. So when Body fails, the
// consumer has never received a complete body, and an upload built on it
// (an HTTP PUT with a Content-Length) cannot complete by accident.
//
// Backends pass a Body to whatever consumes the bytes and, when that fails,
// report Body.Err in preference to the consumer's error, because a client
// library may not keep the cause when it gives up.
//
// A Body is not safe for concurrent use.
type Body struct {
	ctx  context.Context
	r    io.Reader
	left int64
	done bool // all bytes delivered and the end checked
	err  error
}

// NewBody returns a Body that reads size bytes from r.
func NewBody(ctx context.Context, r io.Reader, size int64) *Body {
	return &Body{ctx: ctx, r: r, left: size}
}

// Read implements io.Reader.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.done {
		return 0, io.EOF
	}
	if err := b.ctx.Err(); err != nil {
		return 0, b.fail(err)
	}
	if b.left == 0 {
		if err := b.checkEnd(); err != nil {
			return 0, b.fail(err)
		}
		b.done = true
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	switch {
	case err != nil && err != io.EOF:
		return n, b.fail(err)
	case b.left > 0 && err == io.EOF:
		return n, b.fail(ErrShortBody)
	case b.left > 0:
		return n, nil
	}
	// These are the last bytes: hold them back unless all is well.
	if err != io.EOF {
		if err := b.checkEnd(); err != nil {
			return 0, b.fail(err)
		}
	}
	if err := b.ctx.Err(); err != nil {
		return 0, b.fail(err)
	}
	b.done = true
	return n, nil
}

// checkEnd reads one byte past the declared end. It returns nil when the
// source is at its end, ErrLongBody when it is not, or the read error.
func (b *Body) checkEnd() error {
	var probe [1]byte
	_, err := io.ReadFull(b.r, probe[:])
	switch err {
	case io.EOF:
		return nil
	case nil:
		return ErrLongBody
	}
	return err
}

func (b *Body) fail(err error) error {
	b.err = err
	return err
}

// Err returns the error the Body failed with, or nil when it has not failed
// (reaching the declared end is not a failure).
func (b *Body) Err() error {
	return b.err
}
