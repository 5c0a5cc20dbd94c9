package chat

import (
	"context"
	"strings"
	"time"
)

// Limits on org fields.
const (
	MaxOrgNameLen        = 64
	MaxOrgTitleLen       = 200
	MaxOrgDescriptionLen = 2000
	MaxHostnameLen       = 253
)

// Org is a tenant. Slug is a UUID (the ConvoForge organization id); JoinSecret
// is the secret of the org's join link.
type Org struct {
	ID          OrgID
	Slug        string
	Name        string
	Title       string
	Description string
	Hostname    string
	JoinSecret  string
	OpenJoin    bool            // any member may add users
	Flags       map[string]bool // feature flags, such as "s3"
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Flag reports whether the feature flag name is on.
func (o *Org) Flag(name string) bool { return o.Flags[name] }

// OrgStats are the thread counts GET /v1/org shows.
type OrgStats struct {
	Threads  int // not hidden (and not deleted)
	Valid    int // not hidden, not deleted
	Resolved int
}

// NewOrg is the input for creating an org.
type NewOrg struct {
	Name        string
	Title       string
	Description string
	Hostname    string
}

func (in *NewOrg) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	in.Title = strings.TrimSpace(in.Title)
	in.Hostname = strings.ToLower(strings.TrimSpace(in.Hostname))
	if err := checkLen("name", in.Name, 0, MaxOrgNameLen); err != nil {
		return err
	}
	if err := checkLen("title", in.Title, 0, MaxOrgTitleLen); err != nil {
		return err
	}
	if err := checkLen("description", in.Description, 0, MaxOrgDescriptionLen); err != nil {
		return err
	}
	return checkHostname(in.Hostname)
}

// OrgUpdate changes the fields that are set.
type OrgUpdate struct {
	Name        *string
	Title       *string
	Description *string
	Hostname    *string
	OpenJoin    *bool
}

func (u *OrgUpdate) normalize() error {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
		if err := checkLen("name", *u.Name, 0, MaxOrgNameLen); err != nil {
			return err
		}
	}
	if u.Title != nil {
		if err := checkLen("title", *u.Title, 0, MaxOrgTitleLen); err != nil {
			return err
		}
	}
	if u.Description != nil {
		if err := checkLen("description", *u.Description, 0, MaxOrgDescriptionLen); err != nil {
			return err
		}
	}
	if u.Hostname != nil {
		*u.Hostname = strings.ToLower(strings.TrimSpace(*u.Hostname))
		if err := checkHostname(*u.Hostname); err != nil {
			return err
		}
	}
	return nil
}

func (u *OrgUpdate) apply(o *Org) {
	if u.Name != nil {
		o.Name = *u.Name
	}
	if u.Title != nil {
		o.Title = *u.Title
	}
	if u.Description != nil {
		o.Description = *u.Description
	}
	if u.Hostname != nil {
		o.Hostname = *u.Hostname
	}
	if u.OpenJoin != nil {
		o.OpenJoin = *u.OpenJoin
	}
}

func checkHostname(h string) error {
	if h == "" {
		return nil
	}
	if len(h) > MaxHostnameLen {
		return Invalidf("hostname", "Hostname must be at most %d characters.", MaxHostnameLen)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return Invalidf("hostname", "Hostname %q is not a valid host name.", h)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return Invalidf("hostname", "Hostname %q is not a valid host name.", h)
			}
		}
	}
	return nil
}

// OrgView is an org as one actor sees it.
type OrgView struct {
	Org   *Org
	Stats OrgStats
}

// Org returns the actor's org with its thread counts. The join secret is
// shown only to administrators.
func (s *Service) Org(ctx context.Context, a Actor) (*OrgView, error) {
	var v OrgView
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if v.Org, err = tx.OrgByID(ctx, a.OrgID); err != nil {
			return err
		}
		if !canAdminister(au) {
			v.Org.JoinSecret = ""
		}
		v.Stats, err = tx.OrgStats(ctx, a.OrgID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// UpdateOrg changes the org's description, hostname and other public fields.
// Administrators only (Forbidden); Conflict when the hostname is taken.
func (s *Service) UpdateOrg(ctx context.Context, a Actor, upd OrgUpdate) (*Org, error) {
	if err := upd.normalize(); err != nil {
		return nil, err
	}
	var org *Org
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canAdminister(au) {
			return forbidden(au, "Only an admin can change the org.")
		}
		if org, err = w.tx.OrgByID(ctx, a.OrgID); err != nil {
			return err
		}
		upd.apply(org)
		org.UpdatedAt = w.now
		if err := w.tx.UpdateOrg(ctx, org); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: org.ID, Type: EventOrgUpdated, Topics: []string{TopicOrg(org.ID)}})
	})
	return org, err
}

// RotateJoinSecret replaces the org's join secret, so the old join link stops
// working, and returns the org. Administrators only.
func (s *Service) RotateJoinSecret(ctx context.Context, a Actor) (*Org, error) {
	var org *Org
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canAdminister(au) {
			return forbidden(au, "Only an admin or owner can change the join link.")
		}
		if org, err = w.tx.OrgByID(ctx, a.OrgID); err != nil {
			return err
		}
		org.JoinSecret = randomText()
		org.UpdatedAt = w.now
		return w.tx.UpdateOrg(ctx, org)
	})
	return org, err
}

// CreateOrg creates a new org whose owner is a new membership of the calling
// user (same name, email and username), and returns the org, that user and a
// token for it. The caller must be signed in.
func (s *Service) CreateOrg(ctx context.Context, a Actor, in NewOrg) (*Org, *User, string, error) {
	var org *Org
	var owner *User
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if org, err = s.insertOrg(ctx, w, in); err != nil {
			return err
		}
		owner, err = s.addUser(ctx, w, org, NewUser{Username: au.user.Username, Name: au.user.Name, Email: au.user.Email, Level: LevelOwner})
		return err
	})
	if err != nil {
		return nil, nil, "", err
	}
	tok, err := s.IssueToken(owner)
	return org, owner, tok, err
}
