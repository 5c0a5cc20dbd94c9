package chat

import (
	"context"
	"regexp"
	"time"
)

// nicknameRE is Botyard's rule for nicknames.
var nicknameRE = regexp.MustCompile(`^[A-Za-z0-9 -]+$`)

// checkNickname applies the limits' nickname rule (lengths in bytes).
func checkNickname(l BotLimits, nick string) error {
	switch {
	case len(nick) < l.MinNicknameLen:
		return invalid(ReasonNicknameTooShort, "Nickname must be at least %d characters long.", l.MinNicknameLen)
	case len(nick) > l.MaxNicknameLen:
		return invalid(ReasonNicknameTooLong, "Nickname should not be longer than %d characters.", l.MaxNicknameLen)
	case !nicknameRE.MatchString(nick):
		return invalid(ReasonNicknameSymbols, "Nickname should contain only upper/lower case English letters, spaces, dashes and numbers.")
	}
	return nil
}

// SignUpWithNickname makes a visitor a member with only a nickname, and
// returns the new user with a session token and its expiry. Each call makes
// a new user: nicknames are not unique. Visitors may sign up in the default
// org or an org open to join (Forbidden otherwise).
func (s *Service) SignUpWithNickname(ctx context.Context, a Actor, nickname string) (*User, string, time.Time, error) {
	lim := s.BotLimits()
	if err := checkNickname(lim, nickname); err != nil {
		return nil, "", time.Time{}, err
	}
	var user *User
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		org, err := w.tx.OrgByID(ctx, a.OrgID)
		if err != nil && !isNotFound(err) {
			return err
		}
		if !canSignUpWithNickname(au, org) {
			return &Error{Code: Forbidden, Reason: ReasonSignUpClosed, Message: "Signing up with a nickname is not open here."}
		}
		user = &User{OrgID: a.OrgID, Name: nickname, Level: LevelMember, CreatedAt: w.now, UpdatedAt: w.now}
		return s.insertMember(ctx, w, user)
	})
	if err != nil {
		return nil, "", time.Time{}, err
	}
	tok, exp, err := s.issueSession(user.OrgID, user.ID, "", lim.TokenTTL)
	return user, tok, exp, err
}

// RenewSession checks a session token and returns its actor with a fresh
// token for the same user that lives the bot platform's token lifetime from
// now (a sliding expiry). Unauthenticated for a bad or expired token.
func (s *Service) RenewSession(token string) (Actor, string, time.Time, error) {
	c, err := s.tokens.Parse(token)
	if err != nil {
		return Actor{}, "", time.Time{}, err
	}
	if c.OrgID == 0 || c.UserID == 0 {
		return Actor{}, "", time.Time{}, ErrUnauthenticated
	}
	tok, exp, err := s.issueSession(c.OrgID, c.UserID, c.Username, s.BotLimits().TokenTTL)
	if err != nil {
		return Actor{}, "", time.Time{}, err
	}
	return MemberActor(c.OrgID, c.UserID), tok, exp, nil
}

// Me returns the signed-in user. NotFound ("User not found.") when the user
// is gone.
func (s *Service) Me(ctx context.Context, a Actor) (*User, error) {
	if !a.IsMember() {
		return nil, ErrUnauthenticated
	}
	var user *User
	err := s.view(ctx, func(tx ReadTx) error {
		u, err := tx.UserByID(ctx, a.OrgID, a.UserID)
		if isNotFound(err) || err == nil && u.Deleted {
			return notFound("User")
		}
		user = u
		return err
	})
	return user, err
}
