package chat

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Media are uploads meant for messages, behind an org feature flag
// (ConvoForge's /media, refused until the operator turns "s3" on). The bytes
// are in Files like every upload; what media add is the flag, listing by
// message and deletion. Their stored keys are unguessable, so a surface may
// hand out a URL naming the key, as ConvoForge handed out public object URLs.

// FlagS3 is the org feature flag that turns media on.
const FlagS3 = "s3"

// Reasons of the media use cases' errors.
const (
	ReasonMediaDisabled = "media_disabled" // Forbidden: the org's s3 flag is off
	ReasonMessageAccess = "message_access" // Forbidden: a message the actor cannot read
	ReasonNotImage      = "not_image"      // Invalid: a profile image that is not an image
)

// mediaEnabled returns Forbidden (ReasonMediaDisabled) unless org has media
// turned on.
func mediaEnabled(ctx context.Context, tx ReadTx, org OrgID) error {
	o, err := tx.OrgByID(ctx, org)
	if err != nil {
		return err
	}
	if !o.Flag(FlagS3) {
		return &Error{Code: Forbidden, Reason: ReasonMediaDisabled, Message: "S3 is disabled"}
	}
	return nil
}

// fileKey returns a new storage key in org's space: unguessable (130 random
// bits) and naming the org, so that PublicFile can look it up.
func fileKey(org OrgID) string {
	return fmt.Sprintf("o/%d/%s", org, strings.ToLower(randomText()))
}

// parseFileKey returns the org of a key fileKey made.
func parseFileKey(key string) (OrgID, bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 3 || parts[0] != "o" || parts[2] == "" {
		return 0, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return OrgID(id), true
}

// MediaEnabled returns Forbidden (ReasonMediaDisabled) unless the actor's
// org has media turned on.
func (s *Service) MediaEnabled(ctx context.Context, a Actor) error {
	return s.view(ctx, func(tx ReadTx) error {
		_, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		return mediaEnabled(ctx, tx, a.OrgID)
	})
}

// UploadMedia stores a file for the actor as Upload does, once the org has
// media turned on (Forbidden, ReasonMediaDisabled, otherwise).
func (s *Service) UploadMedia(ctx context.Context, a Actor, in NewUpload) (*File, error) {
	if err := s.MediaEnabled(ctx, a); err != nil {
		return nil, err
	}
	return s.Upload(ctx, a, in)
}

// MediaOf lists the files attached to messages, in id order. Messages that
// are missing or deleted are skipped; a message the actor cannot read is
// Forbidden (ReasonMessageAccess). Forbidden (ReasonMediaDisabled) unless
// the org has media turned on.
func (s *Service) MediaOf(ctx context.Context, a Actor, msgs []MessageID) ([]*File, error) {
	msgs = dedupe(msgs)
	if len(msgs) > MaxPage {
		return nil, Invalidf("ids", "Name at most %d messages at once.", MaxPage)
	}
	out := []*File{}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := mediaEnabled(ctx, tx, a.OrgID); err != nil {
			return err
		}
		var readable []MessageID
		for _, id := range msgs {
			m, err := tx.MessageByID(ctx, a.OrgID, id)
			if isNotFound(err) || err == nil && m.Deleted {
				continue
			}
			if err != nil {
				return err
			}
			th, err := tx.ThreadByID(ctx, a.OrgID, m.ThreadID)
			if err != nil {
				return err
			}
			acc, err := accessToThread(ctx, tx, au, th)
			if err != nil {
				return err
			}
			if !acc.CanRead() {
				return &Error{Code: Forbidden, Reason: ReasonMessageAccess, Message: "You do not have permission to view this message."}
			}
			readable = append(readable, id)
		}
		if len(readable) == 0 {
			return nil
		}
		out, err = tx.MessageFiles(ctx, a.OrgID, readable)
		return err
	})
	return out, err
}

// DeleteMedia deletes a file: its record, its place among its message's
// attachments, and then its bytes. Its owner or an administrator may.
// Errors: Forbidden (ReasonMediaDisabled) unless the org has media turned
// on; NotFound (ReasonFileNotFound) for a file not in the org; Forbidden for
// anyone else's file.
func (s *Service) DeleteMedia(ctx context.Context, a Actor, id FileID) (*File, error) {
	var f *File
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := mediaEnabled(ctx, w.tx, a.OrgID); err != nil {
			return err
		}
		f, err = w.tx.FileByID(ctx, a.OrgID, id)
		if isNotFound(err) {
			return &Error{Code: NotFound, Reason: ReasonFileNotFound, Message: "Media not found."}
		}
		if err != nil {
			return err
		}
		if !canDeleteFile(au, f) {
			return Errorf(Forbidden, "You do not have permission to delete this media.")
		}
		if err := w.tx.DeleteFile(ctx, a.OrgID, f.ID); err != nil {
			return err
		}
		return s.detachFile(ctx, w, au, f)
	})
	if err != nil {
		return nil, err
	}
	// The record is gone, so nothing reaches the bytes any more; removing
	// them is best effort (a leftover object is unreachable, not wrong).
	_ = s.files.Delete(context.WithoutCancel(ctx), f.Key)
	return f, nil
}

// detachFile removes a deleted file from its message's attachments.
func (s *Service) detachFile(ctx context.Context, w *work, au *authority, f *File) error {
	if f.MessageID == 0 {
		return nil
	}
	m, err := w.tx.MessageByID(ctx, f.OrgID, f.MessageID)
	if isNotFound(err) || err == nil && m.Deleted {
		return nil
	}
	if err != nil {
		return err
	}
	n := len(m.Attachments)
	m.Attachments = slices.DeleteFunc(m.Attachments, func(at Attachment) bool { return at.FileID == f.ID })
	if len(m.Attachments) == n {
		return nil
	}
	m.UpdatedAt = w.now
	if err := w.tx.UpdateMessage(ctx, m); err != nil {
		return err
	}
	th, err := w.tx.ThreadByID(ctx, f.OrgID, m.ThreadID)
	if err != nil {
		return err
	}
	return w.emit(ctx, &Event{OrgID: f.OrgID, Type: EventMessageEdited, ActorID: au.userID(), ThreadID: th.ID, Message: m, Topics: threadTopics(th)})
}

// PublicFile returns the file stored under key and its bytes, to anyone who
// holds the key: keys are unguessable and are handed out only to those who
// may see the file. NotFound for any other key. The caller closes the
// reader.
func (s *Service) PublicFile(ctx context.Context, key string) (*File, io.ReadCloser, error) {
	org, ok := parseFileKey(key)
	if !ok {
		return nil, nil, notFound("File")
	}
	var f *File
	err := s.view(ctx, func(tx ReadTx) error {
		var err error
		f, err = tx.FileByKey(ctx, org, key)
		if isNotFound(err) {
			return notFound("File")
		}
		return err
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
