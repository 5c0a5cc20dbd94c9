package chat

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Limits on user fields.
const (
	MaxUsernameLen = 64
	MaxUserNameLen = 100
	MaxEmailLen    = 254
)

// Level is a user's rank in the org. Higher levels include lower ones.
type Level int

// Levels, lowest first.
const (
	LevelMember Level = iota + 1
	LevelMod
	LevelAdmin
	LevelOwner
)

func (l Level) String() string {
	switch l {
	case LevelMember:
		return "member"
	case LevelMod:
		return "mod"
	case LevelAdmin:
		return "admin"
	case LevelOwner:
		return "owner"
	}
	return "unknown"
}

// User is one membership of one org: a person or a bot.
type User struct {
	ID           UserID
	OrgID        OrgID
	Username     string // unique in the org when set (sign-in name, wallet address, ...)
	Name         string // display name
	Email        string // unique in the org when set
	Level        Level
	Bot          bool
	Deleted      bool
	ProfileImage string
	Description  string // a bot's description
	XID          string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// NewUser is the input for adding a user to an org.
type NewUser struct {
	Username string
	Name     string
	Email    string
	Level    Level // zero means member
	Bot      bool
	XID      string
}

func (in *NewUser) normalize() error {
	in.Username = strings.TrimSpace(in.Username)
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	if in.Level == 0 {
		in.Level = LevelMember
	}
	if in.Level < LevelMember || in.Level > LevelOwner {
		return Invalidf("level", "Unknown user level.")
	}
	if err := checkLen("username", in.Username, 0, MaxUsernameLen); err != nil {
		return err
	}
	if err := checkLen("name", in.Name, 0, MaxUserNameLen); err != nil {
		return err
	}
	if in.Name == "" {
		in.Name = in.Username
	}
	if in.Name == "" && in.Email == "" {
		return Invalidf("name", "A user needs a name.")
	}
	return checkEmail(in.Email)
}

// UserUpdate changes the fields that are set.
type UserUpdate struct {
	Name         *string
	Email        *string
	Level        *Level // role change; see canSetLevel
	ProfileImage *string
}

func (u *UserUpdate) normalize() error {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
		if err := checkLen("name", *u.Name, 1, MaxUserNameLen); err != nil {
			return err
		}
	}
	if u.Email != nil {
		*u.Email = strings.ToLower(strings.TrimSpace(*u.Email))
		if err := checkEmail(*u.Email); err != nil {
			return err
		}
	}
	if u.Level != nil && (*u.Level < LevelMember || *u.Level > LevelOwner) {
		return Invalidf("bits", "Unknown user level.")
	}
	return nil
}

func checkEmail(e string) error {
	if e == "" {
		return nil
	}
	if len(e) > MaxEmailLen {
		return Invalidf("email", "Email must be at most %d characters.", MaxEmailLen)
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e {
		return Invalidf("email", "Email %q is not a valid address.", e)
	}
	return nil
}

// redactFor hides fields other members may not see: only the user and user
// managers see an email address.
func redactFor(au *authority, u *User) *User {
	if au.has(PermManageUsers) || au.userID() == u.ID || u.Email == "" {
		return u
	}
	return publicUser(u)
}

// publicUser returns u as everyone in the org may see it (events go to the
// whole org).
func publicUser(u *User) *User {
	c := *u
	c.Email = ""
	return &c
}

// Users lists the org's users, oldest first. Signed-in members only.
func (s *Service) Users(ctx context.Context, a Actor, offset, limit int) ([]*User, error) {
	var users []*User
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		if users, err = tx.Users(ctx, a.OrgID, max(offset, 0), clampLimit(limit, MaxPage)); err != nil {
			return err
		}
		for i, u := range users {
			users[i] = redactFor(au, u)
		}
		return nil
	})
	return users, err
}

// User returns one user of the actor's org. NotFound for a user of another
// org or a deleted one.
func (s *Service) User(ctx context.Context, a Actor, id UserID) (*User, error) {
	var user *User
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		u, err := tx.UserByID(ctx, a.OrgID, id)
		if isNotFound(err) || err == nil && u.Deleted {
			return notFound("User")
		}
		if err != nil {
			return err
		}
		user = redactFor(au, u)
		return nil
	})
	return user, err
}

// AddUser adds a user to the actor's org: admins may, and any member when the
// org is open to join (Forbidden otherwise). Conflict when the email or
// username is taken. A level above member needs the right to grant it.
func (s *Service) AddUser(ctx context.Context, a Actor, in NewUser) (*User, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var user *User
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		org, err := w.tx.OrgByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if !canAddUser(au, org) {
			return forbidden(au, "Only an admin can add users to this org.")
		}
		if in.Level > LevelMember && !canSetLevel(au, &User{}, in.Level) {
			return Errorf(Forbidden, "You cannot give a new user the %s level.", in.Level)
		}
		user, err = s.addUser(ctx, w, org, in)
		return err
	})
	return user, err
}

// UpdateUser changes a user: oneself or a user manager may change the name,
// email and profile image; a level change follows canSetLevel, and the last
// owner cannot be demoted. NotFound for a user of another org.
func (s *Service) UpdateUser(ctx context.Context, a Actor, id UserID, upd UserUpdate) (*User, error) {
	if err := upd.normalize(); err != nil {
		return nil, err
	}
	var user *User
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		u, err := w.tx.UserByID(ctx, a.OrgID, id)
		if isNotFound(err) || err == nil && u.Deleted {
			return notFound("User")
		}
		if err != nil {
			return err
		}
		if (upd.Name != nil || upd.Email != nil || upd.ProfileImage != nil) && !canUpdateUser(au, u) {
			return Errorf(Forbidden, "You can only change your own profile.")
		}
		if upd.Level != nil && *upd.Level != u.Level {
			if !canSetLevel(au, u, *upd.Level) {
				return Errorf(Forbidden, "You cannot change this user's level to %s.", *upd.Level)
			}
			if u.Level == LevelOwner {
				n, err := w.tx.CountOwners(ctx, a.OrgID)
				if err != nil {
					return err
				}
				if n <= 1 {
					return Errorf(Conflict, "The org's last owner cannot be demoted.")
				}
			}
			u.Level = *upd.Level
		}
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.Email != nil {
			u.Email = *upd.Email
		}
		if upd.ProfileImage != nil {
			u.ProfileImage = *upd.ProfileImage
		}
		u.UpdatedAt = w.now
		if err := w.tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		user = redactFor(au, u)
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventUserUpdated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(a.OrgID)}})
	})
	return user, err
}
