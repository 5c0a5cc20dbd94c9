package chat

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Wallets checks wallet signatures. It is implemented over
// internal/auth/wallet and wired in by cmd/parley; the rules of who may sign
// in with what are here, in the use cases.
//
// Errors are *Error values: Invalid with reason "malformed_address",
// "malformed_signature", "malformed_public_key" or "malformed_siwe" for input
// that cannot be decoded, and Unauthenticated with reason
// "signature_mismatch" for a well-formed signature that was not made by
// that key over that text.
type Wallets interface {
	// EthereumAddress returns an Ethereum address in EIP-55 checksum form.
	EthereumAddress(s string) (string, error)
	// RecoverEthereum returns, in EIP-55 form, the address whose key made
	// signature (hex, EIP-191 personal_sign) over text.
	RecoverEthereum(text, signature string) (string, error)
	// VerifyNEAR checks an ed25519 signature (hex) over the SHA-256 digest
	// of text by publicKey (hex), as near-api-js signMessage makes it.
	VerifyNEAR(publicKey, signature, text string) error
	// ParseSIWE parses an EIP-4361 (Sign-In with Ethereum) message.
	ParseSIWE(text string) (*SIWEMessage, error)
}

// SIWEMessage is the part of a parsed EIP-4361 message the sign-in rules
// read.
type SIWEMessage struct {
	Domain  string
	Address string // as written: EIP-55
	// Statement is nil when the message has none.
	Statement      *string
	URI            string
	ChainID        int64
	Nonce          string
	IssuedAt       time.Time
	ExpirationTime *time.Time
	NotBefore      *time.Time
}

// Wallet chains a signer may sign in with.
const (
	ChainEthereum = "ethereum"
	ChainNEAR     = "near"
)

// Sign-in rules.
const (
	// SignInStatement is the statement a SIWE message must carry.
	SignInStatement = "I allow this site to access my data on The Convo Space."
	// WalletTokenTTL is how long a wallet sign-in's token is valid.
	WalletTokenTTL = 24 * time.Hour
	// SignInMaxAge is how old a signed timestamp (or a SIWE message without
	// an expiration time) may be.
	SignInMaxAge = 24 * time.Hour
	// SignInMaxSkew is how far in the future a signed timestamp may be
	// (clocks differ); beyond it a signature would stay usable for longer
	// than SignInMaxAge.
	SignInMaxSkew = 5 * time.Minute
	// walletXID marks users who sign in with a wallet; for NEAR it is
	// followed by ":" and the public key the account is bound to.
	walletXID = "wallet:"
)

// SignInText is the text a wallet signs to sign in as account at timestamp
// (milliseconds since the epoch).
func SignInText(account string, timestamp int64) string {
	return "I allow this site to access my data on The Convo Space using the account " + account +
		". Timestamp:" + strconv.FormatInt(timestamp, 10)
}

// Errors of wallet sign-in, each with a reason that surfaces render in their
// own words.
var (
	ErrWalletParams      = &Error{Code: Invalid, Reason: "wallet_params", Message: "signerAddress or signature or timestamp is missing/invalid."}
	ErrWalletStale       = &Error{Code: Invalid, Reason: "timestamp_stale", Message: "Request timestamp too old."}
	ErrWalletMismatch    = &Error{Code: Unauthenticated, Reason: "signature_mismatch", Message: "Recovered address from signature doesn't match signerAddress"}
	ErrWalletChain       = &Error{Code: Invalid, Reason: "unknown_chain", Message: "Invalid Chain"}
	ErrWalletKeyBound    = &Error{Code: Unauthenticated, Reason: "signature_mismatch", Message: "This account signs in with another public key."}
	ErrWalletNotWallet   = &Error{Code: Conflict, Reason: "not_wallet_user", Message: "This account name belongs to a user who does not sign in with a wallet."}
	ErrSIWEParams        = &Error{Code: Invalid, Reason: "siwe_params", Message: "signature or message or chain not found."}
	ErrNonceUsed         = &Error{Code: Conflict, Reason: ConflictNonceUsed, Message: "This sign-in message was already used; sign a new one."}
	ErrWalletToken       = &Error{Code: Unauthenticated, Reason: "wallet_token", Message: "Invalid Auth"}
	ErrWalletUnavailable = &Error{Code: Unavailable, Reason: "wallets", Message: "Wallet sign-in is not available on this server."}
)

// WalletSignIn is a signed sign-in request: the wallet signed
// SignInText(account, Timestamp), where account is AccountID on NEAR and
// SignerAddress elsewhere.
type WalletSignIn struct {
	OrgID         OrgID
	Chain         string // "" means ethereum
	SignerAddress string // an Ethereum address, or a NEAR public key in hex
	Signature     string
	AccountID     string // the NEAR account
	Timestamp     int64  // milliseconds since the epoch
}

// SIWESignIn is an EIP-4361 sign-in: the wallet signed Message.
type SIWESignIn struct {
	OrgID     OrgID
	Message   string
	Signature string
	Chain     string
}

// WalletSession is a signed-in wallet user and its token.
type WalletSession struct {
	User  *User
	Token string
	// Signer is the account the token is bound to: an EIP-55 address or a
	// NEAR account id.
	Signer string
}

// SignInWithWallet checks a wallet's signature of the sign-in text and
// returns a token valid for WalletTokenTTL, bound to the signer, for the
// org's user of that signer (created on first sign-in). On NEAR the first
// public key an account signs in with is bound to it; another key is
// refused.
//
// Invalid (ErrWalletParams) for missing or malformed fields, Invalid
// (ErrWalletStale) for a timestamp older than SignInMaxAge or further ahead
// than SignInMaxSkew, Invalid (ErrWalletChain) for an unknown chain,
// Unauthenticated (ErrWalletMismatch) for a signature by anyone else.
func (s *Service) SignInWithWallet(ctx context.Context, in WalletSignIn) (*WalletSession, error) {
	if s.wallets == nil {
		return nil, ErrWalletUnavailable
	}
	chain := in.Chain
	if chain == "" {
		chain = ChainEthereum
	}
	if in.SignerAddress == "" || in.Signature == "" || in.Timestamp <= 0 {
		return nil, ErrWalletParams
	}
	var signer, xid string
	switch chain {
	case ChainEthereum:
		addr, err := s.wallets.EthereumAddress(in.SignerAddress)
		if err != nil {
			return nil, ErrWalletParams
		}
		signer, xid = addr, walletXID+ChainEthereum
	case ChainNEAR:
		if !validNEARAccount(in.AccountID) {
			return nil, ErrWalletParams
		}
		signer, xid = in.AccountID, walletXID+ChainNEAR+":"+strings.ToLower(strings.TrimPrefix(in.SignerAddress, "0x"))
	default:
		return nil, ErrWalletChain
	}
	now := s.Now()
	at := time.UnixMilli(in.Timestamp)
	if now.Sub(at) > SignInMaxAge || at.Sub(now) > SignInMaxSkew {
		return nil, ErrWalletStale
	}
	// The text names the account as the client wrote it.
	account := in.SignerAddress
	if chain == ChainNEAR {
		account = in.AccountID
	}
	text := SignInText(account, in.Timestamp)
	switch chain {
	case ChainEthereum:
		got, err := s.wallets.RecoverEthereum(text, in.Signature)
		if ErrorCode(err) == Invalid {
			return nil, ErrWalletParams
		}
		if err != nil || got != signer {
			return nil, ErrWalletMismatch
		}
	case ChainNEAR:
		err := s.wallets.VerifyNEAR(in.SignerAddress, in.Signature, text)
		if ErrorCode(err) == Invalid {
			return nil, ErrWalletParams
		}
		if err != nil {
			return nil, ErrWalletMismatch
		}
	}
	return s.openWalletSession(ctx, in.OrgID, signer, xid, nil)
}

// SignInWithEthereum checks an EIP-4361 sign-in: the message parses, its
// statement is SignInStatement, it has not expired (a message without an
// expiration time expires SignInMaxAge after it was issued) and is not
// before its Not Before time, the chain is ethereum, the signature recovers
// the message's address, and its nonce was never used by that address in
// the org. The nonce is recorded in the same unit of work that opens the
// session, so a refused request burns nothing.
//
// Invalid (ErrSIWEParams) for a missing field; Invalid reason
// "malformed_siwe" for a text that is not EIP-4361; Invalid reason
// "siwe_rules" listing the broken rules; Invalid (ErrWalletChain);
// Unauthenticated (ErrWalletMismatch); Conflict (ErrNonceUsed) for a replay.
func (s *Service) SignInWithEthereum(ctx context.Context, in SIWESignIn) (*WalletSession, error) {
	if s.wallets == nil {
		return nil, ErrWalletUnavailable
	}
	if in.Message == "" || in.Signature == "" || in.Chain == "" {
		return nil, ErrSIWEParams
	}
	msg, err := s.wallets.ParseSIWE(in.Message)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	expires := msg.IssuedAt.Add(SignInMaxAge)
	if msg.ExpirationTime != nil {
		expires = *msg.ExpirationTime
	}
	if broken := siweRules(msg, now, expires); len(broken) > 0 {
		return nil, &Error{Code: Invalid, Reason: "siwe_rules",
			Message: "Signed message does not follow the rules: \n " + strings.Join(broken, "\n ")}
	}
	if in.Chain != ChainEthereum {
		return nil, ErrWalletChain
	}
	addr, err := s.wallets.EthereumAddress(msg.Address)
	if err != nil {
		return nil, err
	}
	got, err := s.wallets.RecoverEthereum(in.Message, in.Signature)
	if ErrorCode(err) == Invalid {
		return nil, err
	}
	if err != nil || got != addr {
		return nil, ErrWalletMismatch
	}
	return s.openWalletSession(ctx, in.OrgID, addr, walletXID+ChainEthereum, func(w *work) error {
		if _, err := w.tx.PruneNonces(ctx, w.now); err != nil {
			return err
		}
		err := w.tx.InsertNonce(ctx, in.OrgID, addr, msg.Nonce, expires)
		if ErrorReason(err) == ConflictNonceUsed {
			return ErrNonceUsed
		}
		return err
	})
}

// siweRules returns what is wrong with a SIWE message at now, in the
// words of The Convo Space.
func siweRules(m *SIWEMessage, now, expires time.Time) []string {
	var broken []string
	if !now.Before(expires) {
		broken = append(broken, "Signature Expired.")
	}
	if m.NotBefore != nil && now.Before(*m.NotBefore) {
		broken = append(broken, "Signature not yet valid.")
	}
	if m.Statement == nil || *m.Statement != SignInStatement {
		broken = append(broken, "Incorrect statement.")
	}
	return broken
}

// openWalletSession finds or creates the org's user for signer and issues
// its token; extra runs first in the same unit of work.
func (s *Service) openWalletSession(ctx context.Context, org OrgID, signer, xid string, extra func(w *work) error) (*WalletSession, error) {
	var user *User
	err := s.update(ctx, func(w *work) error {
		if extra != nil {
			if err := extra(w); err != nil {
				return err
			}
		}
		var err error
		user, err = s.walletUser(ctx, w, org, signer, xid)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.Now()
	tok, err := s.tokens.Issue(Claims{OrgID: org, UserID: user.ID, Username: user.Username, IssuedAt: now, ExpiresAt: now.Add(WalletTokenTTL)})
	if err != nil {
		return nil, err
	}
	return &WalletSession{User: user, Token: tok, Signer: signer}, nil
}

// walletUser returns the org's user for a wallet signer, creating it (as a
// member) on first use. xid is "wallet:<chain>" or, for a NEAR key,
// "wallet:near:<key>": a NEAR user without a key is bound to this one, and
// one bound to another key is refused.
func (s *Service) walletUser(ctx context.Context, w *work, org OrgID, signer, xid string) (*User, error) {
	u, err := w.tx.UserByUsername(ctx, org, signer)
	switch {
	case isNotFound(err):
		if _, err := w.tx.OrgByID(ctx, org); err != nil {
			return nil, err
		}
		u = &User{OrgID: org, Username: signer, Name: signer, Level: LevelMember, XID: xid, CreatedAt: w.now, UpdatedAt: w.now}
		if err := w.tx.InsertUser(ctx, u); err != nil {
			return nil, err
		}
		return u, w.emit(ctx, &Event{OrgID: org, Type: EventUserCreated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(org)}})
	case err != nil:
		return nil, err
	case u.Deleted:
		return nil, ErrUnauthenticated
	case !strings.HasPrefix(u.XID, walletXID):
		return nil, ErrWalletNotWallet
	case u.XID == xid || !strings.HasPrefix(xid, walletXID+ChainNEAR+":"):
		return u, nil
	case u.XID != walletXID+ChainNEAR:
		return nil, ErrWalletKeyBound
	}
	u.XID, u.UpdatedAt = xid, w.now
	if err := w.tx.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, w.emit(ctx, &Event{OrgID: org, Type: EventUserUpdated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(org)}})
}

// AuthenticateWallet turns a token and the signer it must be bound to into
// an actor of org (of the token's org when org is zero: a request that names
// no org by other means). The signer is compared in canonical form (EIP-55
// for an Ethereum address). Unauthenticated (ErrWalletToken) for a missing,
// forged or expired token, one of another org, or one bound to someone
// else.
func (s *Service) AuthenticateWallet(ctx context.Context, org OrgID, token, signer string) (Actor, error) {
	if token == "" || signer == "" {
		return Actor{}, ErrWalletToken
	}
	c, err := s.tokens.Parse(token)
	if err != nil || org != 0 && c.OrgID != org || c.UserID == 0 || c.Username != s.canonicalSigner(signer) {
		return Actor{}, ErrWalletToken
	}
	return MemberActor(c.OrgID, c.UserID), nil
}

// ValidateWalletToken reports whether token is a valid token of org bound to
// signer, for a user that still exists. Unauthenticated (ErrWalletToken)
// otherwise.
func (s *Service) ValidateWalletToken(ctx context.Context, org OrgID, token, signer string) error {
	a, err := s.AuthenticateWallet(ctx, org, token, signer)
	if err != nil {
		return err
	}
	return s.view(ctx, func(tx ReadTx) error {
		if _, err := loadAuthority(ctx, tx, a); err != nil {
			return ErrWalletToken
		}
		return nil
	})
}

// canonicalSigner returns an Ethereum address in EIP-55 form and any other
// account name as given.
func (s *Service) canonicalSigner(signer string) string {
	signer = strings.TrimSpace(signer)
	if s.wallets != nil && strings.HasPrefix(signer, "0x") {
		if addr, err := s.wallets.EthereumAddress(signer); err == nil {
			return addr
		}
	}
	return signer
}

// walletAccount returns the canonical form of a wallet account (an Ethereum
// address or a NEAR account id) and its chain, or ok false for anything
// else.
func (s *Service) walletAccount(account string) (signer, chain string, ok bool) {
	account = strings.TrimSpace(account)
	if strings.HasPrefix(account, "0x") {
		if s.wallets == nil {
			return "", "", false
		}
		addr, err := s.wallets.EthereumAddress(account)
		return addr, ChainEthereum, err == nil
	}
	return account, ChainNEAR, validNEARAccount(account)
}

// validNEARAccount checks a NEAR account id: 2 to 64 characters, lowercase
// letters and digits in parts separated by single '.', '-' or '_'.
func validNEARAccount(id string) bool {
	if len(id) < 2 || len(id) > 64 {
		return false
	}
	prevSep := true
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			prevSep = false
		case c == '.' || c == '-' || c == '_':
			if prevSep {
				return false
			}
			prevSep = true
		default:
			return false
		}
	}
	return !prevSep
}
