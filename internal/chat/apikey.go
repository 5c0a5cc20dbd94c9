package chat

import (
	"context"
	"crypto/rand"
	"strings"
	"time"
)

// APIKeyID identifies an API key.
type APIKeyID int64

// APIKey names the org a request is about, for surfaces whose clients send
// a key rather than a token (The Convo Space's ?apikey=). A key is
// publishable: it is pasted into web pages with the comments widget, so it
// identifies an org and meters its use but authorizes no write by itself.
type APIKey struct {
	ID    APIKeyID
	OrgID OrgID
	// OwnerID is the member who minted the key, or zero when the operator
	// did (with the client secret).
	OwnerID   UserID
	Key       string
	Active    bool
	CreatedAt time.Time
	RevokedAt time.Time
}

// APIKeyUsage is how many requests a key served in one calendar month
// (Period is "2006-01", UTC).
type APIKeyUsage struct {
	Period string
	Count  int64
}

// APIKeySet is one owner's keys: the active one (nil when none) and those
// it replaced, newest first, with each key's usage.
type APIKeySet struct {
	Active *APIKey
	Past   []*APIKey
	Usage  map[APIKeyID][]APIKeyUsage
}

// Limits of API keys.
const (
	// APIKeyMonthlyLimit is how many requests one key serves per month.
	APIKeyMonthlyLimit = 1_000_000
	// MaxPastAPIKeys is how many replaced keys an owner keeps; rotating
	// once more is refused.
	MaxPastAPIKeys = 5
	apiKeyPrefix   = "CS"
	apiKeyRandLen  = 38
)

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomAlnum returns n random letters and digits.
func randomAlnum(n int) string {
	b := make([]byte, n)
	// 62 does not divide 256: reject the bytes that would bias the draw.
	var buf [64]byte
	for i := 0; i < n; {
		if _, err := rand.Read(buf[:]); err != nil {
			panic(err) // crypto/rand never fails on supported platforms
		}
		for _, c := range buf {
			if c < 248 && i < n {
				b[i] = alnum[int(c)%62]
				i++
			}
		}
	}
	return string(b)
}

// newAPIKeyText returns a key in The Convo Space's format: "CS" and 38
// random letters and digits.
func newAPIKeyText() string { return apiKeyPrefix + randomAlnum(apiKeyRandLen) }

// usagePeriod is the metering period of t.
func usagePeriod(t time.Time) string { return t.UTC().Format("2006-01") }

// Errors of API keys, with reasons surfaces render in their own words.
var (
	ErrAPIKeyMissing = &Error{Code: Unauthenticated, Reason: "api_key_missing", Message: "No API key; send one as ?apikey= or the x-api-key header."}
	ErrAPIKeyInvalid = &Error{Code: Unauthenticated, Reason: "api_key_invalid", Message: "Invalid API key."}
	ErrAPIKeyLimit   = &Error{Code: RateLimited, Reason: "api_key_limit", Message: "Rate limit exceeded."}
	ErrAPIKeyCount   = &Error{Code: Forbidden, Reason: "api_key_count", Message: "Limit of API keys per account exceeded."}
)

// UseAPIKey resolves the org an API key belongs to and counts one request
// against the key's month. It returns the org and how many requests remain
// this month. Unauthenticated (ErrAPIKeyMissing, ErrAPIKeyInvalid) for a
// missing, unknown or revoked key; RateLimited (ErrAPIKeyLimit) once the
// month's requests exceed APIKeyMonthlyLimit.
//
// The count is metering, not chat state: it appends no event.
func (s *Service) UseAPIKey(ctx context.Context, key string) (OrgID, int64, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return 0, 0, ErrAPIKeyMissing
	}
	var org OrgID
	var n int64
	err := s.store.Update(ctx, func(tx Tx) error {
		k, err := tx.APIKeyByKey(ctx, key)
		if isNotFound(err) || err == nil && !k.Active {
			return ErrAPIKeyInvalid
		}
		if err != nil {
			return err
		}
		org = k.OrgID
		n, err = tx.CountAPIKeyUse(ctx, k.ID, usagePeriod(s.Now()))
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	if n > APIKeyMonthlyLimit {
		return org, 0, ErrAPIKeyLimit
	}
	return org, APIKeyMonthlyLimit - n, nil
}

// APIKeys returns the keys the actor minted, with their usage. Signed-in
// members only.
func (s *Service) APIKeys(ctx context.Context, a Actor) (*APIKeySet, error) {
	var set *APIKeySet
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		set, err = apiKeySet(ctx, tx, a.OrgID, au.userID())
		return err
	})
	return set, err
}

// RotateAPIKey mints a new active key for the actor's org, owned by the
// actor, and retires the actor's active key. Forbidden (ErrAPIKeyCount) when
// the actor already retired MaxPastAPIKeys keys.
func (s *Service) RotateAPIKey(ctx context.Context, a Actor) (*APIKeySet, error) {
	var set *APIKeySet
	err := s.store.Update(ctx, func(tx Tx) error {
		au, err := loadMember(ctx, tx, a)
		if err != nil {
			return err
		}
		cur, err := apiKeySet(ctx, tx, a.OrgID, au.userID())
		if err != nil {
			return err
		}
		if cur.Active != nil {
			if len(cur.Past) >= MaxPastAPIKeys {
				return ErrAPIKeyCount
			}
			if err := tx.RevokeAPIKey(ctx, cur.Active.ID, s.Now()); err != nil {
				return err
			}
		}
		k := &APIKey{OrgID: a.OrgID, OwnerID: au.userID(), Key: newAPIKeyText(), Active: true, CreatedAt: s.Now()}
		if err := tx.InsertAPIKey(ctx, k); err != nil {
			return err
		}
		set, err = apiKeySet(ctx, tx, a.OrgID, au.userID())
		return err
	})
	return set, err
}

// ProvisionAPIKey mints an active key on behalf of the operator, who proves
// itself with the client secret: for the org whose slug is given, or for a
// new org when slug is empty. It returns the org and the key.
// Unauthenticated for a wrong secret; NotFound for an unknown slug.
func (s *Service) ProvisionAPIKey(ctx context.Context, clientSecret, slug string) (*Org, *APIKey, error) {
	if err := s.CheckClientSecret(clientSecret); err != nil {
		return nil, nil, err
	}
	var org *Org
	var key *APIKey
	err := s.update(ctx, func(w *work) error {
		var err error
		if slug = strings.ToLower(strings.TrimSpace(slug)); slug == "" {
			org, err = s.insertOrg(ctx, w, NewOrg{})
		} else {
			org, err = w.tx.OrgBySlug(ctx, slug)
			if isNotFound(err) {
				return notFound("Organization").WithReason("org_not_found")
			}
		}
		if err != nil {
			return err
		}
		key = &APIKey{OrgID: org.ID, Key: newAPIKeyText(), Active: true, CreatedAt: w.now}
		return w.tx.InsertAPIKey(ctx, key)
	})
	return org, key, err
}

// OperatorAPIKeys lists the keys the operator minted for the org whose slug
// is given. Unauthenticated for a wrong secret; NotFound for an unknown slug.
func (s *Service) OperatorAPIKeys(ctx context.Context, clientSecret, slug string) (*Org, *APIKeySet, error) {
	if err := s.CheckClientSecret(clientSecret); err != nil {
		return nil, nil, err
	}
	var org *Org
	var set *APIKeySet
	err := s.view(ctx, func(tx ReadTx) error {
		var err error
		org, err = tx.OrgBySlug(ctx, strings.ToLower(strings.TrimSpace(slug)))
		if isNotFound(err) {
			return notFound("Organization").WithReason("org_not_found")
		}
		if err != nil {
			return err
		}
		set, err = apiKeySet(ctx, tx, org.ID, 0)
		return err
	})
	return org, set, err
}

// apiKeySet loads owner's keys in org: the newest active one is Active, the
// rest are Past.
func apiKeySet(ctx context.Context, tx ReadTx, org OrgID, owner UserID) (*APIKeySet, error) {
	keys, err := tx.APIKeys(ctx, org, owner)
	if err != nil {
		return nil, err
	}
	set := &APIKeySet{Past: []*APIKey{}, Usage: map[APIKeyID][]APIKeyUsage{}}
	for _, k := range keys {
		if k.Active && set.Active == nil {
			set.Active = k
		} else {
			set.Past = append(set.Past, k)
		}
		if set.Usage[k.ID], err = tx.APIKeyUsage(ctx, k.ID); err != nil {
			return nil, err
		}
	}
	return set, nil
}
