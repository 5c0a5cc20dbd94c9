package chat

import (
	"context"
	"strings"
	"time"
)

// Authenticate turns a bearer token into an Actor. It returns Unauthenticated
// for a bad or expired token. Whether the user still exists is checked by each
// use case when it loads the actor's authority.
func (s *Service) Authenticate(ctx context.Context, token string) (Actor, error) {
	c, err := s.tokens.Parse(token)
	if err != nil {
		return Actor{}, err
	}
	if c.OrgID == 0 || c.UserID == 0 {
		return Actor{}, ErrUnauthenticated
	}
	return MemberActor(c.OrgID, c.UserID), nil
}

// IssueToken returns a bearer token for u.
func (s *Service) IssueToken(u *User) (string, error) {
	tok, _, err := s.issueSession(u.OrgID, u.ID, u.Username, s.cfg.TokenTTL)
	return tok, err
}

// issueSession issues a token that lives ttl, and returns it with its expiry.
func (s *Service) issueSession(org OrgID, user UserID, username string, ttl time.Duration) (string, time.Time, error) {
	now := s.Now()
	exp := now.Add(ttl)
	tok, err := s.tokens.Issue(Claims{OrgID: org, UserID: user, Username: username, IssuedAt: now, ExpiresAt: exp})
	return tok, exp, err
}

// ProvisionOrg creates an org on behalf of the operator, who proves itself
// with the client secret (POST /auth/organization). Unauthenticated for a
// wrong secret.
func (s *Service) ProvisionOrg(ctx context.Context, clientSecret string) (*Org, error) {
	if err := s.CheckClientSecret(clientSecret); err != nil {
		return nil, err
	}
	var org *Org
	err := s.update(ctx, func(w *work) error {
		var err error
		org, err = s.insertOrg(ctx, w, NewOrg{})
		return err
	})
	return org, err
}

func (s *Service) insertOrg(ctx context.Context, w *work, in NewOrg) (*Org, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	o := &Org{
		Slug: newUUID(), Name: in.Name, Title: in.Title, Description: in.Description, Hostname: in.Hostname,
		JoinSecret: randomText(), Flags: map[string]bool{}, CreatedAt: w.now, UpdatedAt: w.now,
	}
	if err := w.tx.InsertOrg(ctx, o); err != nil {
		return nil, err
	}
	return o, nil
}

// ProvisionUser gets or creates the user named username in the org whose slug
// is given, on behalf of the operator (POST /auth/secret), and returns it with
// a token. The display name is used only when the user is created; a deleted
// user is enabled again. The first user of an org is its owner.
// Unauthenticated for a wrong secret; NotFound when no org has the slug.
func (s *Service) ProvisionUser(ctx context.Context, clientSecret, slug, username, displayName string) (*User, string, error) {
	if err := s.CheckClientSecret(clientSecret); err != nil {
		return nil, "", err
	}
	username = strings.TrimSpace(username)
	if err := checkLen("username", username, 1, MaxUsernameLen); err != nil {
		return nil, "", err
	}
	var user *User
	err := s.update(ctx, func(w *work) error {
		org, err := w.tx.OrgBySlug(ctx, strings.ToLower(strings.TrimSpace(slug)))
		if isNotFound(err) {
			return notFound("Organization").WithReason("org_not_found")
		}
		if err != nil {
			return err
		}
		u, err := w.tx.UserByUsername(ctx, org.ID, username)
		switch {
		case err == nil && u.Deleted:
			u.Deleted = false
			u.UpdatedAt = w.now
			if err := w.tx.UpdateUser(ctx, u); err != nil {
				return err
			}
			user = u
			return w.emit(ctx, &Event{OrgID: org.ID, Type: EventUserUpdated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(org.ID)}})
		case err == nil:
			user = u
			return nil
		case !isNotFound(err):
			return err
		}
		user, err = s.addUser(ctx, w, org, NewUser{Username: username, Name: displayName})
		return err
	})
	if err != nil {
		return nil, "", err
	}
	tok, err := s.IssueToken(user)
	return user, tok, err
}

// addUser inserts a user into org: the first user of an org is its owner, and
// every new user joins the org's auto-join channels.
func (s *Service) addUser(ctx context.Context, w *work, org *Org, in NewUser) (*User, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	n, err := w.tx.CountUsers(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		in.Level = LevelOwner
	}
	u := &User{
		OrgID: org.ID, Username: in.Username, Name: in.Name, Email: in.Email, Level: in.Level, Bot: in.Bot,
		XID: in.XID, CreatedAt: w.now, UpdatedAt: w.now,
	}
	if err := w.tx.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	chans, err := w.tx.AutoJoinChannels(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	for _, ch := range chans {
		if _, err := w.tx.AddChannelMember(ctx, ch, u.ID, w.now); err != nil {
			return nil, err
		}
	}
	return u, w.emit(ctx, &Event{OrgID: org.ID, Type: EventUserCreated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(org.ID)}})
}

// JoinOrg adds a member to the org whose join secret is given (the join
// link) and returns it with a token. NotFound for an unknown or rotated-out
// secret.
func (s *Service) JoinOrg(ctx context.Context, joinSecret string, in NewUser) (*User, string, error) {
	joinSecret = strings.TrimSpace(joinSecret)
	if joinSecret == "" {
		return nil, "", Invalidf("join_secret", "The join_secret is required.")
	}
	in.Level = LevelMember
	in.Bot = false
	var user *User
	err := s.update(ctx, func(w *work) error {
		org, err := w.tx.OrgByJoinSecret(ctx, joinSecret)
		if isNotFound(err) {
			return &Error{Code: NotFound, Message: "This join link is not valid (it may have been replaced).", Reason: "join_secret"}
		}
		if err != nil {
			return err
		}
		user, err = s.addUser(ctx, w, org, in)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	tok, err := s.IssueToken(user)
	return user, tok, err
}

// OrgRef names an org for a request without a token: by id, hostname or slug.
type OrgRef struct {
	ID       OrgID
	Hostname string
	Slug     string
}

// ResolveOrg finds the org a tokenless request is about. NotFound when none.
func (s *Service) ResolveOrg(ctx context.Context, ref OrgRef) (*Org, error) {
	var org *Org
	err := s.view(ctx, func(tx ReadTx) error {
		var err error
		switch {
		case ref.ID != 0:
			org, err = tx.OrgByID(ctx, ref.ID)
		case ref.Slug != "":
			org, err = tx.OrgBySlug(ctx, strings.ToLower(ref.Slug))
		case ref.Hostname != "":
			org, err = tx.OrgByHostname(ctx, strings.ToLower(ref.Hostname))
		default:
			err = ErrNotFound
		}
		return err
	})
	if isNotFound(err) {
		return nil, notFound("Organization")
	}
	return org, err
}
