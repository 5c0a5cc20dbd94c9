package chat

import (
	"context"
	"fmt"
	"strings"
)

// This file holds the profile changes ConvoForge makes: renaming a user to a
// display name no one else in the org has, and replacing the profile image.

// Reasons of the profile use cases' errors.
const (
	ReasonNameTaken = "display_name_taken" // Conflict: another user of the org has that name
)

// RenameUser sets a user's display name, which must be unique in the org.
// Oneself or a user manager may. Errors: Forbidden for anyone else; NotFound
// (ReasonUserNotFound) for a user not in the org; Invalid for an empty name;
// Conflict (ReasonNameTaken) when another user has the name.
func (s *Service) RenameUser(ctx context.Context, a Actor, id UserID, name string) (*User, error) {
	var user *User
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		u, err := w.tx.UserByID(ctx, a.OrgID, id)
		if err == nil && !canUpdateUser(au, u) || isNotFound(err) && !au.has(PermManageUsers) {
			return Errorf(Forbidden, "You do not have permission to update this user's display name.")
		}
		if isNotFound(err) || err == nil && u.Deleted {
			return &Error{Code: NotFound, Reason: ReasonUserNotFound, Message: "User not found."}
		}
		if err != nil {
			return err
		}
		if err := checkLen("display_name", name, 1, MaxUserNameLen); err != nil {
			return err
		}
		holders, err := w.tx.UserIDsByName(ctx, a.OrgID, name)
		if err != nil {
			return err
		}
		for _, h := range holders {
			if h != u.ID {
				return &Error{Code: Conflict, Reason: ReasonNameTaken, Message: "Display name already in use"}
			}
		}
		u.Name, u.UpdatedAt = name, w.now
		if err := w.tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		user = redactFor(au, u)
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventUserUpdated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(a.OrgID)}})
	})
	return user, err
}

// SetProfileImage stores an image as the actor's profile image, replacing
// (and deleting) the previous one, and sets the profile image URL to what
// url says for the stored file. Errors: Invalid (ReasonNotImage) for a file
// that is not an image; TooLarge beyond the upload limit. A failure leaves
// the previous image in place and nothing new behind.
func (s *Service) SetProfileImage(ctx context.Context, a Actor, in NewUpload, url func(*File) string) (*User, error) {
	if err := in.normalize(s.cfg.MaxUploadSize); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.ContentType, "image/") {
		return nil, &Error{Code: Invalid, Reason: ReasonNotImage, Message: "File must be an image", Fields: map[string]string{"file": "not an image"}}
	}
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		return requireMember(au)
	})
	if err != nil {
		return nil, err
	}
	f := &File{OrgID: a.OrgID, OwnerID: a.UserID, Name: in.Name, ContentType: in.ContentType, Size: in.Size, Key: fileKey(a.OrgID)}
	if err := s.files.Put(ctx, f.Key, in.Body, in.Size, in.ContentType); err != nil {
		return nil, fmt.Errorf("store profile image: %w", err)
	}
	var user *User
	var previous *File
	err = s.update(ctx, func(w *work) error {
		previous = nil
		u, err := w.tx.UserByID(ctx, a.OrgID, a.UserID)
		if err != nil {
			return err
		}
		f.CreatedAt = w.now
		if err := w.tx.InsertFile(ctx, f); err != nil {
			return err
		}
		old, err := w.tx.ProfileFile(ctx, a.OrgID, u.ID)
		if err != nil && !isNotFound(err) {
			return err
		}
		if err := w.tx.SetProfileFile(ctx, a.OrgID, u.ID, f.ID, w.now); err != nil {
			return err
		}
		if old != 0 {
			if previous, err = w.tx.FileByID(ctx, a.OrgID, old); err != nil {
				return err
			}
			if err := w.tx.DeleteFile(ctx, a.OrgID, previous.ID); err != nil {
				return err
			}
		}
		u.ProfileImage, u.UpdatedAt = url(f), w.now
		if err := w.tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		user = u
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventUserUpdated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(a.OrgID)}})
	})
	if err != nil {
		// Best effort: the caller's context may be what failed.
		_ = s.files.Delete(context.WithoutCancel(ctx), f.Key)
		return nil, err
	}
	if previous != nil {
		// The record is gone; a leftover object would be unreachable.
		_ = s.files.Delete(context.WithoutCancel(ctx), previous.Key)
	}
	return user, nil
}
