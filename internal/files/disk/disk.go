package disk

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/files"
)

const (
	tmpDir = ".tmp"
	// staleTmpAge is how old a temporary file must be before Open deletes
	// it as left over from a crash. A live Put that takes longer would
	// fail at its rename, not corrupt anything.
	staleTmpAge = 24 * time.Hour

	fileMode = 0o640
	dirMode  = 0o750

	magic          = "parley-file 1\n"
	ctField        = "content-type: "
	maxHeaderBytes = 4096
)

// Store is a chat.Files on the local file system. Its methods are safe for
// concurrent use.
type Store struct {
	root *os.Root
}

var _ chat.Files = (*Store)(nil)

// Open returns a Store rooted at the directory dir, creating it if needed,
// and removes temporary files left over from crashed Puts. Close the Store
// to release the directory.
func Open(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("open file store: no directory given")
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("open file store: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open file store: %w", err)
	}
	s := &Store{root: root}
	if err := root.MkdirAll(tmpDir, dirMode); err != nil {
		root.Close()
		return nil, fmt.Errorf("open file store: %w", err)
	}
	if err := s.removeStaleTemps(time.Now().Add(-staleTmpAge)); err != nil {
		root.Close()
		return nil, fmt.Errorf("open file store: %w", err)
	}
	return s, nil
}

// Close releases the root directory. The Store must not be used after.
func (s *Store) Close() error {
	return s.root.Close()
}

func (s *Store) removeStaleTemps(before time.Time) error {
	d, err := s.root.Open(tmpDir)
	if err != nil {
		return err
	}
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || !info.ModTime().Before(before) {
			continue
		}
		if err := s.root.Remove(path.Join(tmpDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// Put stores exactly size bytes from r under key, replacing any object
// there. It returns an Invalid error for a bad key or content type, a
// negative size, or when r holds fewer or more than size bytes; a Conflict
// error when key's path clashes with another key's directory; and
// ctx.Err() when ctx ends first. On any error no object is created or
// changed.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (err error) {
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

	tmp := path.Join(tmpDir, rand.Text())
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			// Best effort: a leftover is removed by a later Open.
			_ = s.root.Remove(tmp)
		}
	}()

	if _, err := io.WriteString(f, magic+ctField+ct+"\n\n"); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	body := files.NewBody(ctx, r, size)
	if _, err := io.Copy(f, body); err != nil {
		if berr := body.Err(); berr != nil {
			err = berr
		}
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	cerr := f.Close()
	f = nil
	if cerr != nil {
		return fmt.Errorf("put %s: %w", key, cerr)
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	dir := path.Dir(key)
	if dir != "." {
		if err := s.root.MkdirAll(dir, dirMode); err != nil {
			return fmt.Errorf("put %s: %w", key, clash(key, err))
		}
	}
	if err := s.root.Rename(tmp, key); err != nil {
		return fmt.Errorf("put %s: %w", key, clash(key, err))
	}
	// The rename is durable only once the directory entry is.
	if d, err := s.root.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("put %s: sync directory: %w", key, err)
		}
	}
	return nil
}

// clash turns the errors that mean "a file is where a directory must be, or
// the other way round" into a Conflict error that keeps err as its cause.
func clash(key string, err error) error {
	if errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
		return fmt.Errorf("%w (%w)", chat.Errorf(chat.Conflict, "File key %q clashes with another key.", key), err)
	}
	return err
}

// Open returns the object's bytes, size, content type and modification
// time. It returns an error with code NotFound when there is no object at
// key, and an Invalid error for a bad key. The returned reader also
// implements io.Seeker and io.ReaderAt; close it when done.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, chat.FileInfo, error) {
	if err := files.CheckKey(key); err != nil {
		return nil, chat.FileInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, chat.FileInfo{}, err
	}
	f, err := s.root.Open(key)
	if err != nil {
		if missing(err) {
			return nil, chat.FileInfo{}, fmt.Errorf("open %s: %w", key, chat.ErrNotFound)
		}
		return nil, chat.FileInfo{}, fmt.Errorf("open %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, chat.FileInfo{}, fmt.Errorf("open %s: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		// A directory made for longer keys is not an object.
		f.Close()
		return nil, chat.FileInfo{}, fmt.Errorf("open %s: %w", key, chat.ErrNotFound)
	}
	n, ct, err := readHeader(f, st.Size())
	if err != nil {
		f.Close()
		return nil, chat.FileInfo{}, fmt.Errorf("open %s: %w", key, err)
	}
	info := chat.FileInfo{Size: st.Size() - n, ContentType: ct, ModTime: st.ModTime()}
	return &object{SectionReader: io.NewSectionReader(f, n, info.Size), f: f}, info, nil
}

// object is an open object file positioned after its header.
type object struct {
	*io.SectionReader
	f *os.File
}

func (o *object) Close() error { return o.f.Close() }

// readHeader parses the header of an object file of the given size and
// returns its length and the content type.
func readHeader(f io.ReaderAt, size int64) (int64, string, error) {
	buf := make([]byte, min(size, maxHeaderBytes))
	if _, err := f.ReadAt(buf, 0); err != nil && err != io.EOF {
		return 0, "", err
	}
	if !bytes.HasPrefix(buf, []byte(magic)) {
		return 0, "", errors.New("not a parley object file")
	}
	// Search from the magic line's own newline, so a header without
	// fields still ends at the first blank line.
	fields := buf[len(magic)-1:]
	end := bytes.Index(fields, []byte("\n\n"))
	if end < 0 {
		return 0, "", errors.New("object file header has no end")
	}
	ct := files.DefaultContentType
	for line := range strings.SplitSeq(string(fields[:end]), "\n") {
		if v, ok := strings.CutPrefix(line, ctField); ok {
			ct = v
		}
	}
	return int64(len(magic) - 1 + end + 2), ct, nil
}

// Delete removes the object at key. Deleting a missing key is not an error.
// It returns an Invalid error for a bad key.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := files.CheckKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	st, err := s.root.Lstat(key)
	if err != nil {
		if missing(err) {
			return nil
		}
		return fmt.Errorf("delete %s: %w", key, err)
	}
	if st.IsDir() {
		return nil
	}
	if err := s.root.Remove(key); err != nil && !missing(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// missing reports whether err means that no file is at the path, including
// when a path element is a file rather than a directory.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
