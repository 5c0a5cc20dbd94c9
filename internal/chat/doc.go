// Package chat is Parley's domain: the vocabulary, the rules and the use cases
// that every surface shares. It imports only the standard library.
//
// # Model
//
// An Org is a tenant; everything else belongs to exactly one org and no query
// crosses orgs. A User is a membership of one org, with a Level (owner, admin,
// mod, member) and any number of Roles, each a set of permission flags; bots
// are users with the bot flag. A Channel holds topic threads and has a
// Visibility (members only, anyone, hidden). A Thread is the unit of
// conversation: a topic in one or more channels, or a conversation between
// participants (a direct message, a group, a user-bot chat, a comment page).
// A Message belongs to one thread and carries a per-thread sequence number
// (Seq) taken from a counter in the same transaction; unread counts are the
// thread's last Seq minus the reader's watermark, computed, never counted.
//
// # Conversations
//
// Products that address a message to a channel or to a user (ConvoForge) see
// the same threads through a ConversationRef: a channel's timeline is one
// topic thread in it, keyed by the channel and opened on first use; a user's
// conversation is the direct thread of the two users. Their unread state,
// seen receipts and "last viewed" are the threads' read markers.
//
// # Actors and permissions
//
// Every use case takes the Actor explicitly. An Actor is only an identity (org,
// user, kind); authority is loaded inside the unit of work, and decided by the
// pure functions in policy.go, the one permission policy for every surface.
//
// # Events
//
// Every durable change appends an Event to the event log inside the same
// transaction. The store assigns each event its update id at commit, in commit
// order, so a reader of the log never sees a gap fill in later. Live delivery,
// reconnect-resume, webhooks and bot queues all read the log. The Service
// tells its Publisher about events only after the commit succeeds.
//
// # Bots
//
// The bot platform (bot*.go, Botyard's model) gives bots a key, commands, a
// webhook and an update queue; a bot chat is a group thread of one user and
// one bot. A bot's updates are the messages its users write in its chats,
// read from the event log after the bot's durable position: DeliverWebhook
// (driven by jobs) POSTs them, one node at a time per bot, and BotUpdates
// serves them to a bot that polls. Products without orgs keep their users
// in the default org (EnsureDefaultOrg).
//
// # Rich messages
//
// A message may carry attachments by URL (voice notes, stickers), a poll
// (one vote per user, changeable), an encrypted payload (ciphertext in Text:
// Message.PlainText, the only text a search index, excerpt or preview may
// read, is empty for it), a pin, a forwarded-from link, and a lifetime
// after which ExpireDue deletes it for good, with its copies in the event
// log (as UnsendMessage does). Scheduled messages wait in their own table,
// seen only by their author, until PublishDue posts them; reports wait in
// the org's moderation queue until an admin resolves them. internal/jobs
// decides when the due work runs (DueChanged, NextDue).
//
// # Search and feeds
//
// searchtext.go is the one definition of what text is searchable
// (IndexTokens) and what a query looks for (ParseSearchText): stores index
// exactly those tokens, in the same transaction as each write, and the
// highlighter marks exactly what matched. Filters (Expr) and feeds
// (Feed.Expr) are conditions on threads with a Go Match that stores mirror
// in SQL. Every search and feed runs inside the reader's ThreadScope, the
// policy's answer to what the reader may see.
//
// # Errors
//
// Use cases return *Error values with a Code; each surface renders codes in
// its own format from one table. Errors of any other type are internal.
package chat
