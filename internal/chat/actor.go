package chat

// ActorKind says what sort of party is acting.
type ActorKind int

// Actor kinds.
const (
	// Anonymous is a visitor with no credential, reading what is public in
	// one org.
	Anonymous ActorKind = iota
	// Member is a signed-in user of an org (a person or a bot).
	Member
	// System is Parley itself (jobs): it may do anything within OrgID.
	System
)

// Actor is who is acting: an identity only. What the actor may do is loaded
// inside each unit of work and decided by the policy, never carried here.
type Actor struct {
	Kind   ActorKind
	OrgID  OrgID
	UserID UserID // zero unless Kind is Member
	// Operator is set when the request also carries the operator's client
	// secret (ConvoForge's Client-Secret header). It grants every permission
	// within OrgID, as the original's bootstrap flow requires.
	Operator bool
}

// SystemActor returns the actor jobs use for org.
func SystemActor(org OrgID) Actor { return Actor{Kind: System, OrgID: org} }

// AnonymousActor returns a visitor of org.
func AnonymousActor(org OrgID) Actor { return Actor{Kind: Anonymous, OrgID: org} }

// MemberActor returns the actor for a signed-in user.
func MemberActor(org OrgID, user UserID) Actor { return Actor{Kind: Member, OrgID: org, UserID: user} }

// IsMember reports whether a signed-in user is acting.
func (a Actor) IsMember() bool { return a.Kind == Member && a.UserID != 0 }
