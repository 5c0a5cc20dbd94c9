package chat

import "context"

// DefaultOrgSlug is the slug of the org that products without orgs (Botyard)
// keep their users, bots and chats in. It is a valid (nil) UUID, so that the
// ConvoForge surface can name it too.
const DefaultOrgSlug = "00000000-0000-0000-0000-000000000000"

// EnsureDefaultOrg returns the default org, creating it on first use. It is
// idempotent and safe to call from several nodes at once.
func (s *Service) EnsureDefaultOrg(ctx context.Context) (*Org, error) {
	var org *Org
	err := s.view(ctx, func(tx ReadTx) error {
		var err error
		org, err = tx.OrgBySlug(ctx, DefaultOrgSlug)
		return err
	})
	if err == nil || !isNotFound(err) {
		return org, err
	}
	err = s.update(ctx, func(w *work) error {
		org = &Org{Slug: DefaultOrgSlug, Name: "default", Title: "Default", JoinSecret: randomText(), Flags: map[string]bool{},
			CreatedAt: w.now, UpdatedAt: w.now}
		return w.tx.InsertOrg(ctx, org)
	})
	if ErrorCode(err) == Conflict {
		// Another node created it first.
		err = s.view(ctx, func(tx ReadTx) error {
			var err error
			org, err = tx.OrgBySlug(ctx, DefaultOrgSlug)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return org, nil
}

// OperatorActor returns the operator acting in org, once secret proves it is
// the operator's client secret (Unauthenticated otherwise). The operator may
// do anything within org.
func (s *Service) OperatorActor(secret string, org OrgID) (Actor, error) {
	if err := s.CheckClientSecret(secret); err != nil {
		return Actor{}, err
	}
	return Actor{Kind: Anonymous, OrgID: org, Operator: true}, nil
}
