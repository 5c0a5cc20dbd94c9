package auth

import (
	"errors"

	"github.com/parley-chat/parley/internal/auth/wallet"
	"github.com/parley-chat/parley/internal/chat"
)

// Wallets implements chat.Wallets over package wallet, turning its
// sentinel errors into chat errors: Invalid for what cannot be decoded,
// Unauthenticated for a signature by someone else.
type Wallets struct{}

var _ chat.Wallets = Wallets{}

// EthereumAddress implements chat.Wallets.
func (Wallets) EthereumAddress(s string) (string, error) {
	addr, err := wallet.ParseAddress(s)
	if err != nil {
		return "", walletError(err)
	}
	return wallet.ChecksumAddress(addr), nil
}

// RecoverEthereum implements chat.Wallets.
func (Wallets) RecoverEthereum(text, signature string) (string, error) {
	sig, err := wallet.ParseHexSignature(signature)
	if err != nil {
		return "", walletError(err)
	}
	addr, err := wallet.RecoverPersonalSign([]byte(text), sig)
	if err != nil {
		return "", walletError(err)
	}
	return wallet.ChecksumAddress(addr), nil
}

// VerifyNEAR implements chat.Wallets.
func (Wallets) VerifyNEAR(publicKey, signature, text string) error {
	return walletError(wallet.VerifyNEAR(publicKey, signature, text))
}

// ParseSIWE implements chat.Wallets.
func (Wallets) ParseSIWE(text string) (*chat.SIWEMessage, error) {
	m, err := wallet.ParseSIWE(text)
	if err != nil {
		return nil, walletError(err)
	}
	return &chat.SIWEMessage{Domain: m.Domain, Address: m.Address, Statement: m.Statement, URI: m.URI, ChainID: m.ChainID,
		Nonce: m.Nonce, IssuedAt: m.IssuedAt, ExpirationTime: m.ExpirationTime, NotBefore: m.NotBefore}, nil
}

// walletError maps package wallet's sentinels to chat errors.
func walletError(err error) error {
	var reason, msg string
	code := chat.Invalid
	switch {
	case err == nil:
		return nil
	case errors.Is(err, wallet.ErrMalformedAddress):
		reason, msg = "malformed_address", "The address is not an Ethereum address."
	case errors.Is(err, wallet.ErrMalformedSignature):
		reason, msg = "malformed_signature", "The signature is malformed."
	case errors.Is(err, wallet.ErrMalformedPublicKey):
		reason, msg = "malformed_public_key", "The public key is malformed."
	case errors.Is(err, wallet.ErrMalformedSIWE):
		reason, msg = "malformed_siwe", "The message is not a valid EIP-4361 (Sign-In with Ethereum) message."
	case errors.Is(err, wallet.ErrSignatureMismatch):
		code, reason, msg = chat.Unauthenticated, "signature_mismatch", "The signature does not match."
	default:
		return err
	}
	return &chat.Error{Code: code, Reason: reason, Message: msg}
}
