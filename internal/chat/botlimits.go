package chat

import (
	"context"
	"time"
)

// BotLimits are the bot platform's rules that an operator tunes (Botyard's
// "limits" config section). Zero fields take the defaults.
type BotLimits struct {
	// MinNicknameLen and MaxNicknameLen bound a nickname, in bytes.
	MinNicknameLen int
	MaxNicknameLen int
	// TokenTTL is how long a client's session token lives; every request
	// renews it (a sliding expiry).
	TokenTTL time.Duration
	// MaxBodyLen bounds a message body, in bytes (an empty body is fine).
	MaxBodyLen int
	// MaxAttachedFiles bounds the files of one message and of one upload.
	MaxAttachedFiles int
	// Largest upload per kind of file, in bytes.
	MaxImageSize int64
	MaxAudioSize int64
	MaxVideoSize int64
	MaxFileSize  int64
}

// DefaultBotLimits are Botyard's defaults.
func DefaultBotLimits() BotLimits {
	return BotLimits{
		MinNicknameLen: 3, MaxNicknameLen: 32, TokenTTL: 10080 * time.Minute,
		MaxBodyLen: 4096, MaxAttachedFiles: 10,
		MaxImageSize: 2097152, MaxAudioSize: 5242880, MaxVideoSize: 26214400, MaxFileSize: 10485760,
	}
}

// WithDefaults returns l with every zero or negative field set to its
// default, and a minimum above the maximum lowered to it.
func (l BotLimits) WithDefaults() BotLimits {
	d := DefaultBotLimits()
	pick := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	pick64 := func(v, def int64) int64 {
		if v <= 0 {
			return def
		}
		return v
	}
	l.MinNicknameLen = pick(l.MinNicknameLen, d.MinNicknameLen)
	l.MaxNicknameLen = pick(l.MaxNicknameLen, d.MaxNicknameLen)
	l.MinNicknameLen = min(l.MinNicknameLen, l.MaxNicknameLen)
	if l.TokenTTL <= 0 {
		l.TokenTTL = d.TokenTTL
	}
	l.MaxBodyLen = pick(l.MaxBodyLen, d.MaxBodyLen)
	l.MaxAttachedFiles = pick(l.MaxAttachedFiles, d.MaxAttachedFiles)
	l.MaxImageSize = pick64(l.MaxImageSize, d.MaxImageSize)
	l.MaxAudioSize = pick64(l.MaxAudioSize, d.MaxAudioSize)
	l.MaxVideoSize = pick64(l.MaxVideoSize, d.MaxVideoSize)
	l.MaxFileSize = pick64(l.MaxFileSize, d.MaxFileSize)
	return l
}

// MaxUploadSize is the largest file of any kind the limits allow.
func (l BotLimits) MaxUploadSize() int64 {
	return max(l.MaxImageSize, l.MaxAudioSize, l.MaxVideoSize, l.MaxFileSize)
}

// BotLimits returns the bot platform's limits in force.
func (s *Service) BotLimits() BotLimits {
	if l := s.botLimits.Load(); l != nil {
		return *l
	}
	return s.cfg.Bots.WithDefaults()
}

// ReloadBotLimits replaces the bot platform's limits with what load returns
// (the operator reloads its config file). Only the operator may: Forbidden
// otherwise, decided before load runs. An error of load comes back as it is
// and changes nothing.
func (s *Service) ReloadBotLimits(ctx context.Context, a Actor, load func() (BotLimits, error)) error {
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if !canReloadBotConfig(au) {
			return Errorf(Forbidden, "Only the operator can reload the configuration.")
		}
		return nil
	})
	if err != nil {
		return err
	}
	l, err := load()
	if err != nil {
		return err
	}
	l = l.WithDefaults()
	s.botLimits.Store(&l)
	return nil
}
