package chat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
)

// Bots are users with the bot flag. The bot platform (Botyard's model) adds a
// key to each bot, commands, chats with users, a webhook and an update queue.

// Limits on bot fields (Botyard's).
const (
	MaxBotNameLen        = 32
	MaxBotDescriptionLen = 512
	MaxBotAvatarLen      = 256
	// BotTokenLen is the length of a bot key's token.
	BotTokenLen = 26
)

// Events of the bot platform. Their audience is the org for what every user
// sees (commands) and the bot itself for its secrets (no secret is ever in an
// event).
const (
	EventBotKeyRotated      EventType = "bot.key_rotated"
	EventBotCommandsChanged EventType = "bot.commands_changed"
	EventBotWebhookChanged  EventType = "bot.webhook_changed"
	EventFileUploaded       EventType = "file.uploaded"
)

// Reasons of the bot platform's validation errors: a surface whose product
// had its own wording for a rule renders that from the reason.
const (
	ReasonBotNameEmpty       = "bot_name_empty"
	ReasonBotNameTooLong     = "bot_name_too_long"
	ReasonBotNameSymbols     = "bot_name_symbols"
	ReasonBotDescTooLong     = "bot_description_too_long"
	ReasonInvalidURL         = "invalid_url"
	ReasonURLTooLong         = "url_too_long"
	ReasonBotKey             = "bot_key"
	ReasonKeyUnrecoverable   = "key_unrecoverable"
	ReasonNicknameTooShort   = "nickname_too_short"
	ReasonNicknameTooLong    = "nickname_too_long"
	ReasonNicknameSymbols    = "nickname_symbols"
	ReasonSignUpClosed       = "sign_up_closed"
	ReasonNotABot            = "not_a_bot"
	ReasonAliasEmpty         = "command_alias_empty"
	ReasonAliasTooLong       = "command_alias_too_long"
	ReasonAliasSymbols       = "command_alias_symbols"
	ReasonCommandDescTooLong = "command_description_too_long"
	ReasonForeignCommand     = "foreign_command"
	ReasonWebhookURLEmpty    = "webhook_url_empty"
	ReasonWebhookURLTooLong  = "webhook_url_too_long"
	ReasonWebhookSecretLong  = "webhook_secret_too_long"
	ReasonWebhookSet         = "webhook_set"
	ReasonTooManyChats       = "too_many_chats"
	ReasonForeignChat        = "foreign_chat"
	ReasonChatIDRequired     = "chat_id_required"
	ReasonBodyTooLong        = "body_too_long"
	ReasonTooManyAttachments = "too_many_attachments"
	ReasonNoFiles            = "no_files"
	ReasonTooManyFiles       = "too_many_files"
	ReasonFileTooLarge       = "file_too_large"
	ReasonUnknownContentType = "unknown_content_type"
	ReasonInvalidContentType = "invalid_content_type"
)

var botNameRE = regexp.MustCompile(`^[a-zA-Z0-9 \-]+$`)

func invalid(reason, format string, args ...any) *Error {
	return &Error{Code: Invalid, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// Lengths are counted in bytes, as Botyard did.
func checkBotName(name string) error {
	switch {
	case name == "":
		return invalid(ReasonBotNameEmpty, "The bot name must not be empty.")
	case len(name) > MaxBotNameLen:
		return invalid(ReasonBotNameTooLong, "The bot name must be at most %d characters.", MaxBotNameLen)
	case !botNameRE.MatchString(name):
		return invalid(ReasonBotNameSymbols, "The bot name may hold only English letters, digits, spaces and dashes.")
	}
	return nil
}

func checkBotDescription(d string) error {
	if len(d) > MaxBotDescriptionLen {
		return invalid(ReasonBotDescTooLong, "The bot description must be at most %d characters.", MaxBotDescriptionLen)
	}
	return nil
}

// checkHTTPURL accepts an absolute http or https URL with a host.
func checkHTTPURL(s string, maxLen int) error {
	if len(s) > maxLen {
		return invalid(ReasonURLTooLong, "The URL must be at most %d characters.", maxLen)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(ReasonInvalidURL, "The URL %q is not a valid http or https URL.", s)
	}
	return nil
}

// NewBot is the input for creating a bot.
type NewBot struct {
	Name        string
	Description string
	Avatar      string // an http(s) URL, or empty
}

func (in *NewBot) validate() error {
	if err := checkBotName(in.Name); err != nil {
		return err
	}
	if err := checkBotDescription(in.Description); err != nil {
		return err
	}
	if in.Avatar != "" {
		return checkHTTPURL(in.Avatar, MaxBotAvatarLen)
	}
	return nil
}

// BotChange edits a bot's profile; nil fields stay.
type BotChange struct {
	Name        *string
	Description *string
	Avatar      *string
}

func (in *BotChange) validate() error {
	if in.Name != nil {
		if err := checkBotName(*in.Name); err != nil {
			return err
		}
	}
	if in.Description != nil {
		if err := checkBotDescription(*in.Description); err != nil {
			return err
		}
	}
	if in.Avatar != nil && *in.Avatar != "" {
		return checkHTTPURL(*in.Avatar, MaxBotAvatarLen)
	}
	return nil
}

// errInvalidBotKey is every failure of a bot key, so that a caller learns
// nothing about which part was wrong.
var errInvalidBotKey = &Error{Code: Unauthenticated, Reason: ReasonBotKey, Message: "Invalid bot key."}

// botKeyAlphabet is the alphabet of bot tokens (Botyard's).
const botKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// deriveBotToken returns the token of a bot's key: BotTokenLen characters
// drawn from HMAC-SHA256 keyed with the operator's secret over the bot and a
// salt. Only the salt and the token's hash are stored, so the database alone
// never reveals a key, while the operator (who holds the secret) can be shown
// it again, as Botyard's admin API allows. Bytes of 248 and above are
// skipped so that every character is equally likely.
func deriveBotToken(secret string, org OrgID, bot UserID, salt string) string {
	out := make([]byte, 0, BotTokenLen)
	for block := 0; len(out) < BotTokenLen; block++ {
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "parley bot key\x00%d\x00%d\x00%s\x00%d", org, bot, salt, block)
		for _, b := range mac.Sum(nil) {
			if b < 248 && len(out) < BotTokenLen {
				out = append(out, botKeyAlphabet[int(b)%len(botKeyAlphabet)])
			}
		}
	}
	return string(out)
}

// hashBotToken is what the store keeps of a token.
func hashBotToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// newBotKey returns a fresh salt and the token it gives. Without an operator
// secret the token is random and cannot be shown again.
func (s *Service) newBotKey(org OrgID, bot UserID) (salt, token string) {
	salt = randomText()
	secret := s.cfg.ClientSecret
	if secret == "" {
		secret = randomText()
	}
	return salt, deriveBotToken(secret, org, bot, salt)
}

// CreateBot adds a bot to the actor's org and returns it with the token of
// its key. The operator, admins and user managers may (Forbidden otherwise).
// Invalid names, descriptions and avatars are Invalid errors.
func (s *Service) CreateBot(ctx context.Context, a Actor, in NewBot) (*User, string, error) {
	if err := in.validate(); err != nil {
		return nil, "", err
	}
	var bot *User
	var token string
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageBots(au) {
			return Errorf(Forbidden, "Only an admin can create bots.")
		}
		bot = &User{OrgID: a.OrgID, Name: in.Name, Description: in.Description, ProfileImage: in.Avatar, Level: LevelMember, Bot: true,
			CreatedAt: w.now, UpdatedAt: w.now}
		if err := s.insertMember(ctx, w, bot); err != nil {
			return err
		}
		// A new bot's updates start now: the events before it cannot be
		// about it.
		_, last, err := w.tx.EventBounds(ctx)
		if err != nil {
			return err
		}
		var salt string
		salt, token = s.newBotKey(a.OrgID, bot.ID)
		return w.tx.InsertBotState(ctx, &BotState{BotID: bot.ID, OrgID: a.OrgID, KeySalt: salt, KeyHash: hashBotToken(token),
			Position: last, CreatedAt: w.now, UpdatedAt: w.now})
	})
	if err != nil {
		return nil, "", err
	}
	return bot, token, nil
}

// insertMember stores a new member (a person or a bot) of an org and
// announces it. Unlike addUser it never makes the org's first user its owner:
// bot platform users are strangers sharing an org.
func (s *Service) insertMember(ctx context.Context, w *work, u *User) error {
	if err := w.tx.InsertUser(ctx, u); err != nil {
		return err
	}
	return w.emit(ctx, &Event{OrgID: u.OrgID, Type: EventUserCreated, UserID: u.ID, User: publicUser(u), Topics: []string{TopicOrg(u.OrgID)}})
}

// botOf loads a bot of the actor's org: NotFound ("Bot not found.") for a
// missing or deleted user, one of another org, or a user that is no bot.
func botOf(ctx context.Context, tx ReadTx, org OrgID, id UserID) (*User, error) {
	u, err := tx.UserByID(ctx, org, id)
	if isNotFound(err) || err == nil && (!u.Bot || u.Deleted) {
		return nil, notFound("Bot")
	}
	return u, err
}

// Bots lists the bots of the actor's org, oldest first. Anyone in the org,
// signed in or not, may.
func (s *Service) Bots(ctx context.Context, a Actor) ([]*User, error) {
	var bots []*User
	err := s.view(ctx, func(tx ReadTx) error {
		if _, err := loadAuthority(ctx, tx, a); err != nil {
			return err
		}
		var err error
		bots, err = tx.Bots(ctx, a.OrgID)
		for i, b := range bots {
			bots[i] = publicUser(b)
		}
		return err
	})
	return bots, err
}

// Bot returns one bot of the actor's org. NotFound otherwise.
func (s *Service) Bot(ctx context.Context, a Actor, id UserID) (*User, error) {
	var bot *User
	err := s.view(ctx, func(tx ReadTx) error {
		if _, err := loadAuthority(ctx, tx, a); err != nil {
			return err
		}
		var err error
		if bot, err = botOf(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		bot = publicUser(bot)
		return nil
	})
	return bot, err
}

// requireBot returns Forbidden unless a bot acts.
func requireBot(au *authority) error {
	if err := requireMember(au); err != nil {
		return err
	}
	if !actsAsBot(au) {
		return &Error{Code: Forbidden, Reason: ReasonNotABot, Message: "Only a bot can do that."}
	}
	return nil
}

// UpdateBot changes the acting bot's profile. Forbidden unless a bot acts.
func (s *Service) UpdateBot(ctx context.Context, a Actor, in BotChange) (*User, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	var bot *User
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := requireBot(au); err != nil {
			return err
		}
		bot = au.user
		if in.Name != nil {
			bot.Name = *in.Name
		}
		if in.Description != nil {
			bot.Description = *in.Description
		}
		if in.Avatar != nil {
			bot.ProfileImage = *in.Avatar
		}
		bot.UpdatedAt = w.now
		if err := w.tx.UpdateUser(ctx, bot); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: bot.OrgID, Type: EventUserUpdated, UserID: bot.ID, User: publicUser(bot), Topics: []string{TopicOrg(bot.OrgID)}})
	})
	return bot, err
}

// DeleteBot deletes a bot of the actor's org: the user is marked deleted and
// its key, webhook and commands are removed, so it can no longer sign in or
// receive anything. Its chats stay with their users. Managers only.
func (s *Service) DeleteBot(ctx context.Context, a Actor, id UserID) error {
	return s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageBots(au) {
			return Errorf(Forbidden, "Only an admin can delete bots.")
		}
		bot, err := botOf(ctx, w.tx, a.OrgID, id)
		if err != nil {
			return err
		}
		bot.Deleted, bot.UpdatedAt = true, w.now
		if err := w.tx.UpdateUser(ctx, bot); err != nil {
			return err
		}
		if err := w.tx.DeleteBotState(ctx, a.OrgID, bot.ID); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: bot.OrgID, Type: EventUserUpdated, UserID: bot.ID, User: publicUser(bot), Topics: []string{TopicOrg(bot.OrgID)}})
	})
}

// botState loads a bot's platform record within org: NotFound ("Key not
// found.") when the bot has none.
func botState(ctx context.Context, tx ReadTx, org OrgID, bot UserID) (*BotState, error) {
	st, err := tx.BotState(ctx, bot)
	if isNotFound(err) || err == nil && st.OrgID != org {
		return nil, notFound("Key")
	}
	return st, err
}

// BotKey shows the token of a bot's current key again. Managers only.
// Conflict when it cannot be derived any more (the operator's secret changed
// since it was issued): issue a new one with RotateBotKey.
func (s *Service) BotKey(ctx context.Context, a Actor, id UserID) (string, error) {
	var token string
	err := s.view(ctx, func(tx ReadTx) error {
		au, err := loadAuthority(ctx, tx, a)
		if err != nil {
			return err
		}
		if !canManageBots(au) {
			return Errorf(Forbidden, "Only an admin can see bot keys.")
		}
		if _, err := botOf(ctx, tx, a.OrgID, id); err != nil {
			return err
		}
		st, err := botState(ctx, tx, a.OrgID, id)
		if err != nil {
			return err
		}
		token = deriveBotToken(s.cfg.ClientSecret, st.OrgID, st.BotID, st.KeySalt)
		if s.cfg.ClientSecret == "" || subtle.ConstantTimeCompare([]byte(hashBotToken(token)), []byte(st.KeyHash)) != 1 {
			return &Error{Code: Conflict, Reason: ReasonKeyUnrecoverable,
				Message: "This key cannot be shown again (the server secret changed); issue a new one."}
		}
		return nil
	})
	return token, err
}

// RotateBotKey gives a bot a new key and returns its token; the old key
// stops working at once. Managers only.
func (s *Service) RotateBotKey(ctx context.Context, a Actor, id UserID) (string, error) {
	var token string
	err := s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if !canManageBots(au) {
			return Errorf(Forbidden, "Only an admin can change bot keys.")
		}
		bot, err := botOf(ctx, w.tx, a.OrgID, id)
		if err != nil {
			return err
		}
		if _, err := botState(ctx, w.tx, a.OrgID, id); err != nil {
			return err
		}
		var salt string
		salt, token = s.newBotKey(a.OrgID, bot.ID)
		if err := w.tx.SetBotKey(ctx, a.OrgID, bot.ID, salt, hashBotToken(token), w.now); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventBotKeyRotated, UserID: bot.ID, Topics: []string{TopicUser(bot.ID)}})
	})
	return token, err
}

// AuthenticateBot checks a bot key (the bot and its token) and returns the
// bot's actor. Every failure, including a bot that has no key (which
// Botyard let through), is the same Unauthenticated error.
func (s *Service) AuthenticateBot(ctx context.Context, bot UserID, token string) (Actor, error) {
	if bot <= 0 || len(token) != BotTokenLen {
		return Actor{}, errInvalidBotKey
	}
	var actor Actor
	err := s.view(ctx, func(tx ReadTx) error {
		st, err := tx.BotState(ctx, bot)
		if isNotFound(err) {
			return errInvalidBotKey
		}
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare([]byte(hashBotToken(token)), []byte(st.KeyHash)) != 1 {
			return errInvalidBotKey
		}
		u, err := tx.UserByID(ctx, st.OrgID, bot)
		if isNotFound(err) || err == nil && (!u.Bot || u.Deleted) {
			return errInvalidBotKey
		}
		if err != nil {
			return err
		}
		actor = MemberActor(st.OrgID, bot)
		return nil
	})
	return actor, err
}
