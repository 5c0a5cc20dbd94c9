package files_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/files"
	"github.com/parley-chat/parley/internal/files/filestest"
)

func TestCheckKey(t *testing.T) {
	valid := []string{"a", "org/5/f/123", "a.b/c..d/e.", "x/y-z_1", "with space", "ünïcode/ключ", strings.Repeat("s", files.MaxSegmentLen)}
	for _, key := range valid {
		if err := files.CheckKey(key); err != nil {
			t.Errorf("CheckKey(%q) = %v, want nil", key, err)
		}
	}
	invalid := append([]string{strings.Repeat("s", files.MaxSegmentLen+1), "a\x7fb"}, filestest.InvalidKeys...)
	for _, key := range invalid {
		err := files.CheckKey(key)
		if chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("CheckKey(%q) = %v, want an invalid error", key, err)
		}
	}
}

func TestContentType(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", files.DefaultContentType},
		{"image/png", "image/png"},
		{"text/plain; charset=utf-8", "text/plain; charset=utf-8"},
		{"text/plain\n", ""},
		{"a\tb", ""},
		{"é", ""},
		{strings.Repeat("x", files.MaxContentTypeLen+1), ""},
	}
	for _, tt := range tests {
		got, err := files.ContentType(tt.in)
		if tt.want == "" {
			if chat.ErrorCode(err) != chat.Invalid {
				t.Errorf("ContentType(%q) = %q, %v; want an invalid error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ContentType(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if err := files.CheckSize(-1); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("CheckSize(-1) = %v, want an invalid error", err)
	}
}

func TestBody(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		src     io.Reader
		size    int64
		wantN   int   // bytes a consumer receives
		wantErr error // nil means a clean io.EOF at size
	}{
		{"Exact", t.Context(), strings.NewReader("hello"), 5, 5, nil},
		{"Zero", t.Context(), strings.NewReader(""), 0, 0, nil},
		{"OneByteReads", t.Context(), iotest.OneByteReader(strings.NewReader("hello")), 5, 5, nil},
		{"DataWithEOF", t.Context(), iotest.DataErrReader(strings.NewReader("hello")), 5, 5, nil},
		{"Short", t.Context(), strings.NewReader("hell"), 5, 4, files.ErrShortBody},
		{"ShortZero", t.Context(), strings.NewReader(""), 1, 0, files.ErrShortBody},
		// The last bytes are held back, so a consumer never sees a body of
		// the declared size.
		{"Long", t.Context(), strings.NewReader("hello!"), 5, 0, files.ErrLongBody},
		{"LongZero", t.Context(), strings.NewReader("x"), 0, 0, files.ErrLongBody},
		{"LongOneByteReads", t.Context(), iotest.OneByteReader(strings.NewReader("hello!")), 5, 4, files.ErrLongBody},
		{"Cancelled", cancelled, strings.NewReader("hello"), 5, 0, context.Canceled},
		{"ReadError", t.Context(), iotest.ErrReader(iotest.ErrTimeout), 5, 0, iotest.ErrTimeout},
		{"TimeoutAfterData", t.Context(), iotest.TimeoutReader(iotest.HalfReader(strings.NewReader("hello"))), 5, 3, iotest.ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := files.NewBody(tt.ctx, tt.src, tt.size)
			got, err := io.ReadAll(b)
			if len(got) != tt.wantN {
				t.Errorf("read %d bytes (%q), want %d", len(got), got, tt.wantN)
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("ReadAll error = %v, want %v", err, tt.wantErr)
			}
			if !errors.Is(b.Err(), tt.wantErr) || (tt.wantErr == nil) != (b.Err() == nil) {
				t.Errorf("Err() = %v, want %v", b.Err(), tt.wantErr)
			}
			// A failed or finished Body stays that way.
			if n, err2 := b.Read(make([]byte, 8)); n != 0 || (tt.wantErr == nil && err2 != io.EOF) || (tt.wantErr != nil && !errors.Is(err2, tt.wantErr)) {
				t.Errorf("Read after the end = %d, %v", n, err2)
			}
		})
	}
}

func TestBodyCancelMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	b := files.NewBody(ctx, strings.NewReader("0123456789"), 10)
	buf := make([]byte, 4)
	if n, err := b.Read(buf); n != 4 || err != nil {
		t.Fatalf("first Read = %d, %v", n, err)
	}
	cancel()
	if n, err := b.Read(buf); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Read after cancel = %d, %v; want 0, context.Canceled", n, err)
	}
}
