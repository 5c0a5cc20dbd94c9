package chat

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Limits on the rich parts of a message.
const (
	MaxAttachmentURLLen  = 2048
	MaxAttachmentNameLen = 255
	MaxAlgorithmLen      = 64
	MaxSignatureLen      = 4096
	MaxPollQuestionLen   = 300
	MaxPollOptionLen     = 200
	MinPollOptions       = 2
	MaxPollOptions       = 20
	// MaxMessageTTL bounds how long an ephemeral message may live.
	MaxMessageTTL = 365 * 24 * time.Hour
)

// Attachment kinds. Uploads are images or files by default; a URL
// attachment names its kind.
const (
	AttachImage   = "image"
	AttachVideo   = "video"
	AttachAudio   = "audio"
	AttachFile    = "file"
	AttachVoice   = "voice"
	AttachSticker = "sticker"
)

// AttachmentKinds lists the kinds a URL attachment may have.
var AttachmentKinds = []string{AttachImage, AttachVideo, AttachAudio, AttachFile, AttachVoice, AttachSticker}

// NewPoll is the poll a new message asks.
type NewPoll struct {
	Question string
	Options  []string
}

// PlainText returns the message's text as language: what a search index,
// an excerpt, a preview or a notification may read. An encrypted message's
// Text is ciphertext, so its plain text is empty; so is a deleted message's.
func (m *Message) PlainText() string {
	if m.Encrypted || m.Deleted {
		return ""
	}
	return m.Text
}

// Expired reports whether the message's time ran out at now: it is gone for
// readers even before the job deletes it for good.
func (m *Message) Expired(now time.Time) bool {
	return !m.ExpiresAt.IsZero() && !now.Before(m.ExpiresAt)
}

// hasContent reports whether the message has something besides its text, so
// that the text may be empty (a sticker, a poll, a picture).
func (in *NewMessage) hasContent() bool {
	return len(in.Files) > 0 || len(in.Attachments) > 0 || in.Poll != nil
}

// normalizeRich checks the rich parts of a new message (richmessage.go).
func (in *NewMessage) normalizeRich() error {
	if len(in.Files)+len(in.Attachments) > MaxAttachments {
		return Invalidf("attachments", "A message can have at most %d attachments.", MaxAttachments)
	}
	for i := range in.Attachments {
		if err := in.Attachments[i].normalize(); err != nil {
			return err
		}
	}
	in.EncryptionAlgorithm = strings.TrimSpace(in.EncryptionAlgorithm)
	switch {
	case in.Encrypted && in.EncryptionAlgorithm == "":
		return Invalidf("encryption_algorithm", "An encrypted message names its encryption algorithm.")
	case !in.Encrypted && in.EncryptionAlgorithm != "":
		return Invalidf("encryption_algorithm", "An encryption algorithm is only given for an encrypted message.")
	case in.Encrypted && in.Poll != nil:
		return Invalidf("poll", "A poll cannot be encrypted.")
	case in.Encrypted && strings.TrimSpace(in.Text) == "":
		return Invalidf("text", "An encrypted message carries its ciphertext as its text.")
	}
	if err := checkLen("encryption_algorithm", in.EncryptionAlgorithm, 0, MaxAlgorithmLen); err != nil {
		return err
	}
	if err := checkLen("signature", in.Signature, 0, MaxSignatureLen); err != nil {
		return err
	}
	if in.Poll != nil {
		if err := in.Poll.normalize(); err != nil {
			return err
		}
	}
	switch {
	case in.ExpiresIn < 0 || in.ExpiresIn == 0 && in.Ephemeral:
		return Invalidf("expires_in", "An ephemeral message needs a positive lifetime.")
	case in.ExpiresIn > MaxMessageTTL:
		return Invalidf("expires_in", "A message can live at most %d days.", int(MaxMessageTTL/(24*time.Hour)))
	case in.ExpiresIn > 0 && in.ExpiresIn < time.Millisecond:
		return Invalidf("expires_in", "An ephemeral message lives at least a millisecond.")
	case in.ExpiresIn > 0 && len(in.Files) > 0:
		return Invalidf("expires_in", "An ephemeral message cannot carry uploads; attach them by URL.")
	}
	return nil
}

func (a *Attachment) normalize() error {
	a.Kind = strings.ToLower(strings.TrimSpace(a.Kind))
	a.URL = strings.TrimSpace(a.URL)
	if !slices.Contains(AttachmentKinds, a.Kind) {
		return Invalidf("attachments", "Unknown attachment type %q; use one of %s.", a.Kind, strings.Join(AttachmentKinds, ", "))
	}
	if a.FileID != 0 {
		return Invalidf("attachments", "Attach uploads by their handle, not as a URL attachment.")
	}
	if a.URL == "" {
		return Invalidf("attachments", "A %s attachment needs its URL.", a.Kind)
	}
	if len(a.URL) > MaxAttachmentURLLen {
		return Invalidf("attachments", "An attachment URL must be at most %d characters.", MaxAttachmentURLLen)
	}
	u, err := url.Parse(a.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Invalidf("attachments", "The %s URL must be an absolute http or https URL.", a.Kind)
	}
	if err := checkLen("attachments", a.Name, 0, MaxAttachmentNameLen); err != nil {
		return err
	}
	if a.Size < 0 {
		return Invalidf("attachments", "An attachment's size cannot be negative.")
	}
	return nil
}

func (p *NewPoll) normalize() error {
	p.Question = strings.TrimSpace(p.Question)
	if err := checkLen("question", p.Question, 1, MaxPollQuestionLen); err != nil {
		return err
	}
	if len(p.Options) < MinPollOptions || len(p.Options) > MaxPollOptions {
		return Invalidf("options", "A poll has from %d to %d options.", MinPollOptions, MaxPollOptions)
	}
	seen := make(map[string]bool, len(p.Options))
	for i, o := range p.Options {
		o = strings.TrimSpace(o)
		if err := checkLen("options", o, 1, MaxPollOptionLen); err != nil {
			return err
		}
		if seen[strings.ToLower(o)] {
			return Invalidf("options", "The option %q appears twice.", o)
		}
		seen[strings.ToLower(o)] = true
		p.Options[i] = o
	}
	return nil
}

// checkBody checks a message's text: it may be empty when the message has
// other content, and is never longer than MaxMessageLen.
func (in *NewMessage) checkBody() error {
	if in.hasContent() {
		return checkLen("text", in.Text, 0, MaxMessageLen)
	}
	return checkText("text", in.Text, MaxMessageLen)
}

// applyRich copies the rich parts of in onto a message being posted at now.
func (in *NewMessage) applyRich(m *Message, now time.Time) {
	if src := in.forwardOf; src != nil {
		// The copy refers to the original's attachments, uploads included:
		// a file stays attached to the message it was uploaded for.
		m.ForwardedFrom = src.ID
		m.Attachments = append(m.Attachments, src.Attachments...)
	}
	m.Attachments = append(m.Attachments, in.Attachments...)
	m.Encrypted, m.EncryptionAlgorithm, m.Signature = in.Encrypted, in.EncryptionAlgorithm, in.Signature
	if in.Poll != nil {
		m.Poll = &Poll{Question: in.Poll.Question, Options: slices.Clone(in.Poll.Options), Votes: make([]int, len(in.Poll.Options))}
	}
	if in.ExpiresIn > 0 {
		m.ExpiresAt = now.Add(in.ExpiresIn).Truncate(time.Millisecond)
		if !m.ExpiresAt.After(now) {
			m.ExpiresAt = now.Add(time.Millisecond)
		}
	}
}
