package chat

import (
	"context"
	"regexp"
)

// Limits on bot commands (Botyard's).
const (
	MaxCommandAliasLen = 32
	MaxCommandDescLen  = 128
)

var commandAliasRE = regexp.MustCompile(`^[a-z0-9_\-]+$`)

// NewBotCommand is a command a bot adds.
type NewBotCommand struct {
	Alias       string
	Description string
}

func (in NewBotCommand) validate() error {
	switch {
	case in.Alias == "":
		return invalid(ReasonAliasEmpty, "The command alias must not be empty.")
	case len(in.Alias) > MaxCommandAliasLen:
		return invalid(ReasonAliasTooLong, "The command alias must be at most %d characters.", MaxCommandAliasLen)
	case !commandAliasRE.MatchString(in.Alias):
		return invalid(ReasonAliasSymbols, "The command alias may hold only lower case English letters, digits, underscores and dashes.")
	case len(in.Description) > MaxCommandDescLen:
		return invalid(ReasonCommandDescTooLong, "The command description must be at most %d characters.", MaxCommandDescLen)
	}
	return nil
}

// BotCommands lists the commands of a bot of the actor's org, oldest first.
// NotFound when there is no such bot.
func (s *Service) BotCommands(ctx context.Context, a Actor, bot UserID) ([]*BotCommand, error) {
	var cmds []*BotCommand
	err := s.view(ctx, func(tx ReadTx) error {
		if _, err := loadAuthority(ctx, tx, a); err != nil {
			return err
		}
		if _, err := botOf(ctx, tx, a.OrgID, bot); err != nil {
			return err
		}
		var err error
		cmds, err = tx.BotCommands(ctx, a.OrgID, bot)
		return err
	})
	return cmds, err
}

// AddBotCommands adds commands to the acting bot, all or none: the first
// invalid one fails the call and nothing is stored. A command whose alias
// the bot already has replaces that command's description.
func (s *Service) AddBotCommands(ctx context.Context, a Actor, in []NewBotCommand) error {
	for _, c := range in {
		if err := c.validate(); err != nil {
			return err
		}
	}
	return s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := requireBot(au); err != nil {
			return err
		}
		if len(in) == 0 {
			return nil
		}
		for _, c := range in {
			if err := w.tx.UpsertBotCommand(ctx, &BotCommand{OrgID: a.OrgID, BotID: au.user.ID, Alias: c.Alias, Description: c.Description,
				CreatedAt: w.now}); err != nil {
				return err
			}
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventBotCommandsChanged, UserID: au.user.ID, Topics: []string{TopicOrg(a.OrgID)}})
	})
}

// RemoveBotCommand removes one of the acting bot's commands. NotFound when
// there is no such command in the org; Forbidden when it is another bot's.
func (s *Service) RemoveBotCommand(ctx context.Context, a Actor, id BotCommandID) error {
	return s.update(ctx, func(w *work) error {
		au, err := loadAuthority(ctx, w.tx, a)
		if err != nil {
			return err
		}
		if err := requireBot(au); err != nil {
			return err
		}
		c, err := w.tx.BotCommandByID(ctx, a.OrgID, id)
		if isNotFound(err) {
			return notFound("Command")
		}
		if err != nil {
			return err
		}
		if c.BotID != au.user.ID {
			return &Error{Code: Forbidden, Reason: ReasonForeignCommand, Message: "Can't delete a command that belongs to another bot."}
		}
		if err := w.tx.DeleteBotCommand(ctx, a.OrgID, id); err != nil {
			return err
		}
		return w.emit(ctx, &Event{OrgID: a.OrgID, Type: EventBotCommandsChanged, UserID: au.user.ID, Topics: []string{TopicOrg(a.OrgID)}})
	})
}
