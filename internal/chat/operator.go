package chat

import (
	"context"
	"maps"
	"strings"
)

// This file holds what only the operator may do, proving itself with the
// client secret (ConvoForge's Client-Secret): list the orgs, and turn an
// org's feature flags on and off.

// MaxFlagNameLen limits feature flag names.
const MaxFlagNameLen = 64

// Orgs lists every org, oldest first, to the operator. Unauthenticated for
// a wrong client secret.
func (s *Service) Orgs(ctx context.Context, clientSecret string) ([]*Org, error) {
	if err := s.CheckClientSecret(clientSecret); err != nil {
		return nil, err
	}
	orgs := []*Org{}
	err := s.view(ctx, func(tx ReadTx) error {
		all, err := tx.Orgs(ctx)
		if all != nil {
			orgs = all
		}
		return err
	})
	return orgs, err
}

// SetOrgFlag turns a feature flag of the actor's org on or off, on behalf
// of the operator, and reports whether the flag was new. The actor must be a
// member of the org and the request must carry the client secret
// (Unauthenticated, reason "client_secret", otherwise). Invalid for an empty
// or overlong name.
func (s *Service) SetOrgFlag(ctx context.Context, a Actor, clientSecret, name string, enabled bool) (created bool, err error) {
	err = s.update(ctx, func(w *work) error {
		au, err := loadMember(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := s.CheckClientSecret(clientSecret); err != nil {
			return err
		}
		if strings.TrimSpace(name) == "" {
			return Invalidf("name", "The flag needs a name.")
		}
		if err := checkLen("name", name, 1, MaxFlagNameLen); err != nil {
			return err
		}
		org, err := w.tx.OrgByID(ctx, a.OrgID)
		if err != nil {
			return err
		}
		was, known := org.Flags[name]
		created = !known
		if known && was == enabled {
			return nil
		}
		org.Flags = maps.Clone(org.Flags)
		if org.Flags == nil {
			org.Flags = map[string]bool{}
		}
		org.Flags[name] = enabled
		org.UpdatedAt = w.now
		if err := w.tx.UpdateOrg(ctx, org); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: org.ID, Type: EventOrgUpdated, ActorID: au.userID(), Topics: []string{TopicOrg(org.ID)}})
	})
	return created, err
}
