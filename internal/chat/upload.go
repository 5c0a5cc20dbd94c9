package chat

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// MaxFileNameLen limits uploaded file names.
const MaxFileNameLen = 255

// File is an uploaded object's record; the bytes live in Files under Key.
type File struct {
	ID          FileID
	OrgID       OrgID
	OwnerID     UserID
	Name        string
	ContentType string
	Size        int64
	Key         string
	MessageID   MessageID // set once attached
	CreatedAt   time.Time
}

// NewUpload is the input for storing an uploaded file.
type NewUpload struct {
	Name        string
	ContentType string
	Size        int64
	Body        io.Reader
}

func (in *NewUpload) normalize(maxSize int64) error {
	in.Name = path.Base(strings.ReplaceAll(strings.TrimSpace(in.Name), "\\", "/"))
	if in.Name == "." || in.Name == ".." || in.Name == "/" || in.Name == "" {
		return Invalidf("file", "The file needs a name.")
	}
	if err := checkLen("file", in.Name, 1, MaxFileNameLen); err != nil {
		return err
	}
	if in.Size <= 0 {
		return Invalidf("file", "The file is empty.")
	}
	if maxSize > 0 && in.Size > maxSize {
		return &Error{Code: TooLarge, Message: "The file is larger than the limit of " + humanBytes(maxSize) + "."}
	}
	if in.ContentType == "" {
		in.ContentType = "application/octet-stream"
	}
	return nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoa(n>>10) + " KiB"
	}
	return itoa(n) + " bytes"
}

// Upload stores a file for the actor and records it. The bytes are written
// first; if recording fails they are removed again, so a failed upload
// leaves nothing behind. TooLarge beyond the size limit.
func (s *Service) Upload(ctx context.Context, a Actor, in NewUpload) (*File, error) {
	if err := in.normalize(s.cfg.MaxUploadSize); err != nil {
		return nil, err
	}
	var au *authority
	err := s.view(ctx, func(tx ReadTx) error {
		var err error
		au, err = loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		return requireMember(au)
	})
	if err != nil {
		return nil, err
	}
	f := &File{OrgID: a.OrgID, OwnerID: au.userID(), Name: in.Name, ContentType: in.ContentType,
		Size: in.Size, Key: fmt.Sprintf("o/%d/%s", a.OrgID, strings.ToLower(randomText()))}
	if err := s.files.Put(ctx, f.Key, in.Body, in.Size, in.ContentType); err != nil {
		return nil, fmt.Errorf("store upload: %w", err)
	}
	err = s.update(ctx, func(w *work) error {
		f.CreatedAt = w.now
		return w.tx.InsertFile(ctx, f)
	})
	if err != nil {
		// Best effort: the caller's context may be what failed.
		_ = s.files.Delete(context.WithoutCancel(ctx), f.Key)
		return nil, err
	}
	return f, nil
}

// OpenFile returns an uploaded file's record and bytes. Its owner may read
// it, and anyone who can read the message it is attached to (handles are
// sequential, so membership of the org alone would open every attachment of
// every private channel and direct conversation). NotFound otherwise. The
// caller closes the reader.
func (s *Service) OpenFile(ctx context.Context, a Actor, id FileID) (*File, io.ReadCloser, error) {
	var f *File
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if f, err = tx.FileByID(ctx, a.OrgID, id); isNotFound(err) {
			return notFound("File")
		} else if err != nil {
			return err
		}
		if ownsFile(au, f) {
			return nil
		}
		if f.MessageID == 0 {
			return notFound("File")
		}
		return canReadAttachment(ctx, tx, au, f.MessageID)
	})
	if err != nil {
		return nil, nil, err
	}
	rc, _, err := s.files.Open(ctx, f.Key)
	if err != nil {
		return nil, nil, err
	}
	return f, rc, nil
}

// Bounds of the search for a readable forwarded copy of a message (see
// canReadAttachment): how many copies of one message, and how many
// forwarding steps away from the original.
const (
	maxForwardsChecked = 100
	maxForwardDepth    = 3
)

// canReadAttachment: a file attached to msg is read by whoever can read msg
// or a forwarded copy of it (a copy refers to the original's uploads, and a
// copy of a copy to the same). NotFound otherwise.
func canReadAttachment(ctx context.Context, tx ReadTx, au *authority, msg MessageID) error {
	frontier := []MessageID{msg}
	for depth := 0; len(frontier) > 0 && depth <= maxForwardDepth; depth++ {
		var next []MessageID
		for _, id := range frontier {
			_, _, _, err := visibleMessage(ctx, tx, au, id)
			if err == nil {
				return nil
			}
			if !isNotFound(err) {
				return err
			}
			if depth == maxForwardDepth {
				continue
			}
			copies, err := tx.ForwardsOf(ctx, au.actor.OrgID, id, maxForwardsChecked)
			if err != nil {
				return err
			}
			next = append(next, copies...)
		}
		frontier = next
	}
	return notFound("File")
}
