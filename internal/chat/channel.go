package chat

import (
	"context"
	"strings"
	"time"
)

// Limits on channel fields.
const (
	MaxChannelNameLen        = 80
	MaxChannelDescriptionLen = 1000
)

// Visibility says who can see a channel's threads.
type Visibility int

// Channel visibilities (Struct's channel bits).
const (
	// VisibleMembers: listed to the org; threads readable by members of the
	// channel (joining is open to org members).
	VisibleMembers Visibility = iota + 1
	// VisibleAnyone: threads readable by anyone, signed in or not.
	VisibleAnyone
	// VisibleHidden: not listed to non-members; joining needs a moderator.
	VisibleHidden
)

func (v Visibility) String() string {
	switch v {
	case VisibleMembers:
		return "member"
	case VisibleAnyone:
		return "anyone"
	case VisibleHidden:
		return "hidden"
	}
	return "unknown"
}

// Channel is a container of topic threads.
type Channel struct {
	ID          ChannelID
	OrgID       OrgID
	Name        string
	Description string
	Visibility  Visibility
	AutoJoin    bool // new members join it
	Deleted     bool
	XID         string
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Loaded with the channel by listings.
	NumThreads int
	Members    []UserID
}

// NewChannel is the input for creating a channel.
type NewChannel struct {
	Name        string
	Description string
	Visibility  Visibility // zero means VisibleMembers
	AutoJoin    bool
	XID         string
}

func (in *NewChannel) normalize() error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Visibility == 0 {
		in.Visibility = VisibleMembers
	}
	if in.Visibility < VisibleMembers || in.Visibility > VisibleHidden {
		return Invalidf("bits", "Unknown channel visibility.")
	}
	if err := checkLen("name", in.Name, 1, MaxChannelNameLen); err != nil {
		return withReason(err, "channel_name")
	}
	return checkLen("description", in.Description, 0, MaxChannelDescriptionLen)
}

// ChannelUpdate changes the fields that are set. Members, when set, replaces
// the channel's member list.
type ChannelUpdate struct {
	Name        *string
	Description *string
	Visibility  *Visibility
	AutoJoin    *bool
	Members     *[]UserID
}

func (u *ChannelUpdate) normalize() error {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
		if err := checkLen("name", *u.Name, 1, MaxChannelNameLen); err != nil {
			return withReason(err, "channel_name")
		}
	}
	if u.Description != nil {
		if err := checkLen("description", *u.Description, 0, MaxChannelDescriptionLen); err != nil {
			return err
		}
	}
	if u.Visibility != nil && (*u.Visibility < VisibleMembers || *u.Visibility > VisibleHidden) {
		return Invalidf("bits", "Unknown channel visibility.")
	}
	if u.Members != nil {
		m := dedupe(*u.Members)
		u.Members = &m
	}
	return nil
}

func (u *ChannelUpdate) apply(c *Channel) {
	if u.Name != nil {
		c.Name = *u.Name
	}
	if u.Description != nil {
		c.Description = *u.Description
	}
	if u.Visibility != nil {
		c.Visibility = *u.Visibility
	}
	if u.AutoJoin != nil {
		c.AutoJoin = *u.AutoJoin
	}
}

// channelTopics is the audience of a change to ch: the org, or only the
// channel's readers when it is hidden.
func channelTopics(ch *Channel) []string {
	if ch.Visibility == VisibleHidden {
		return []string{TopicChannel(ch.ID)}
	}
	return []string{TopicOrg(ch.OrgID)}
}

// Channels lists the channels the actor can see, with thread counts and
// members.
func (s *Service) Channels(ctx context.Context, a Actor) ([]*Channel, error) {
	var out []*Channel
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := au.loadChannelAccess(ctx, tx); err != nil {
			return err
		}
		all, err := tx.Channels(ctx, a.OrgID)
		if err != nil {
			return err
		}
		out = []*Channel{}
		for _, ch := range all {
			if channelListed(au, ch) {
				out = append(out, ch)
			}
		}
		return nil
	})
	return out, err
}

// visibleChannel loads a channel the actor can see; NotFound otherwise.
func visibleChannel(ctx context.Context, tx ReadTx, au *authority, id ChannelID) (*Channel, error) {
	ch, err := tx.ChannelByID(ctx, au.actor.OrgID, id)
	if isNotFound(err) || err == nil && !channelListed(au, ch) {
		return nil, notFound("Channel")
	}
	return ch, err
}

// CreateChannel creates a channel whose sole member is its creator.
// Moderators and up (Forbidden otherwise).
func (s *Service) CreateChannel(ctx context.Context, a Actor, in NewChannel) (*Channel, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	var ch *Channel
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageChannels(au) {
			return forbidden(au, "You do not have permission to manage channels.")
		}
		ch = &Channel{OrgID: a.OrgID, Name: in.Name, Description: in.Description, Visibility: in.Visibility,
			AutoJoin: in.AutoJoin, XID: in.XID, CreatedAt: w.now, UpdatedAt: w.now, Members: []UserID{}}
		if err := w.tx.InsertChannel(ctx, ch); err != nil {
			return err
		}
		if au.signedIn() {
			if _, err := w.tx.AddChannelMember(ctx, ch.ID, au.user.ID, w.now); err != nil {
				return err
			}
			ch.Members = []UserID{au.user.ID}
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventChannelCreated, ChannelID: ch.ID, Channel: ch, Topics: channelTopics(ch)})
	})
	return ch, err
}

// UpdateChannel changes a channel's name, description, bits or members.
// Moderators and up.
func (s *Service) UpdateChannel(ctx context.Context, a Actor, id ChannelID, upd ChannelUpdate) (*Channel, error) {
	if err := upd.normalize(); err != nil {
		return nil, err
	}
	return s.changeChannel(ctx, a, id, canManageChannels, func(w *work, ch *Channel) error {
		upd.apply(ch)
		if upd.Members == nil {
			return nil
		}
		return s.setChannelMembers(ctx, w, ch, *upd.Members)
	})
}

// SetChannelVisibility sets a channel's visibility and auto-join bits
// (PUT /v1/channel-bits). Administrators only.
func (s *Service) SetChannelVisibility(ctx context.Context, a Actor, id ChannelID, v Visibility, autoJoin *bool) (*Channel, error) {
	upd := ChannelUpdate{Visibility: &v, AutoJoin: autoJoin}
	if err := upd.normalize(); err != nil {
		return nil, err
	}
	return s.changeChannel(ctx, a, id, canAdminister, func(w *work, ch *Channel) error {
		upd.apply(ch)
		return nil
	})
}

// DeleteChannel deletes a channel that no thread but its own timeline is in
// any more (Conflict otherwise), together with its timeline and its role
// grants (see retireChannel). Moderators and up.
func (s *Service) DeleteChannel(ctx context.Context, a Actor, id ChannelID) (*Channel, error) {
	return s.changeChannel(ctx, a, id, canManageChannels, func(w *work, ch *Channel) error {
		return s.retireChannel(ctx, w, ch)
	})
}

// changeChannel is the shape shared by the channel updates: load the channel,
// check may, change it, write it, and announce it.
func (s *Service) changeChannel(ctx context.Context, a Actor, id ChannelID, may func(*authority) bool, change func(*work, *Channel) error) (*Channel, error) {
	var ch *Channel
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := au.loadChannelAccess(ctx, w.tx); err != nil {
			return err
		}
		if ch, err = visibleChannel(ctx, w.tx, au, id); err != nil {
			return err
		}
		if !may(au) {
			return forbidden(au, "You do not have permission to manage channels.")
		}
		before := *ch
		if err := change(w, ch); err != nil {
			return err
		}
		ch.UpdatedAt = w.now
		if err := w.tx.UpdateChannel(ctx, ch); err != nil {
			return err
		}
		typ := EventChannelUpdated
		if ch.Deleted {
			typ = EventChannelDeleted
		}
		if ch.Members == nil {
			if ch.Members, err = w.tx.ChannelMembers(ctx, ch.ID); err != nil {
				return err
			}
		}
		// Announce to everyone who could see the channel before or after.
		topics := append(channelTopics(&before), channelTopics(ch)...)
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: typ, ChannelID: ch.ID, Channel: ch, Topics: topics})
	})
	return ch, err
}

func (s *Service) setChannelMembers(ctx context.Context, w *work, ch *Channel, members []UserID) error {
	current, err := w.tx.ChannelMembers(ctx, ch.ID)
	if err != nil {
		return err
	}
	want := map[UserID]bool{}
	for _, id := range members {
		u, err := w.tx.UserByID(ctx, ch.OrgID, id)
		if isNotFound(err) || err == nil && u.Deleted {
			return Invalidf("members", "Every member must be a user of this org.")
		}
		if err != nil {
			return err
		}
		want[id] = true
		if _, err := w.tx.AddChannelMember(ctx, ch.ID, id, w.now); err != nil {
			return err
		}
	}
	for _, id := range current {
		if !want[id] {
			if _, err := w.tx.RemoveChannelMember(ctx, ch.ID, id); err != nil {
				return err
			}
		}
	}
	ch.Members = members
	return nil
}

// JoinChannel adds the actor to a channel it can see and that is open to
// join (any but hidden channels; moderators join any).
func (s *Service) JoinChannel(ctx context.Context, a Actor, id ChannelID) (*Channel, error) {
	return s.membership(ctx, a, id, true)
}

// LeaveChannel removes the actor from a channel.
func (s *Service) LeaveChannel(ctx context.Context, a Actor, id ChannelID) (*Channel, error) {
	return s.membership(ctx, a, id, false)
}

func (s *Service) membership(ctx context.Context, a Actor, id ChannelID, join bool) (*Channel, error) {
	var ch *Channel
	err := s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := au.loadChannelAccess(ctx, w.tx); err != nil {
			return err
		}
		if ch, err = visibleChannel(ctx, w.tx, au, id); err != nil {
			return err
		}
		var changed bool
		if join {
			if !canJoinChannel(au, ch) {
				return Errorf(Forbidden, "This channel is invite-only; ask a moderator to add you.")
			}
			changed, err = w.tx.AddChannelMember(ctx, ch.ID, au.user.ID, w.now)
		} else {
			changed, err = w.tx.RemoveChannelMember(ctx, ch.ID, au.user.ID)
		}
		if err != nil {
			return err
		}
		if ch.Members, err = w.tx.ChannelMembers(ctx, ch.ID); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		topics := append(channelTopics(ch), TopicUser(au.user.ID))
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventChannelUpdated, ChannelID: ch.ID, UserID: au.user.ID, Channel: ch, Topics: topics})
	})
	return ch, err
}
