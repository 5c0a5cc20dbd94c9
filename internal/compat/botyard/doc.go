// Package botyard serves Botyard's APIs (seed 002, reference/botyard.md;
// cheatsnake/botyard) over Parley's core: people chat with bots, and bots
// answer through a bot API after a webhook or an update queue tells them
// about a message. Every handler translates Botyard's wire format, calls one
// chat use case and translates back; the rules (nicknames, bot names, command
// aliases, webhooks, file types and sizes, 10 chats per user and bot, who
// reaches which chat) live in internal/chat (bot*.go).
//
// # Covered
//
// All of Botyard's routes, at its paths, with its bodies, statuses and error
// texts ({"message": ...}):
//
//   - /v1/client-api: service-info, bots, bot/:id, user (log in, current
//     user), bot/:id/commands, chat, chats?bot_id, chat/:id (delete),
//     chat/message, chat/:id/messages?page&limit&sender_id&since, files. The
//     session is the cookie "token", a Parley token renewed on every
//     authenticated request (sliding expiry; lifetime from the config).
//   - /v1/bot-api ("Authorization: <bot id>:<token>"): bot (get, edit),
//     bot/commands, bot/command/:id, bot/webhook (set, get, delete), chats?
//     user_id, chat/:id/messages, chat/message/:id, chat/message, files; and
//     Parley's updates?offset&timeout&limit.
//   - /v1/admin-api ("Authorization: <client secret>"): bot (create,
//     delete), bot/:id/key (show, rotate), config (reload).
//   - /static/<folder>/<name>: the files, at the path the upload answered.
//
// Bots are users with the bot flag (their avatar is the profile image); a
// chat is a group thread of a user and a bot; messages, attachments and
// uploads are the core's. Ids are Botyard's lowercase ULIDs, rendered from
// Parley's ids and their kind (translate.go): valid ULIDs, reversible, and
// refused when malformed, of another kind or not made by this server (400
// "Invalid chat ID: ..."; Botyard answered 404 for any unknown string).
//
// Which org: Botyard has none. Its users, bots and chats live in Parley's
// default org (chat.DefaultOrgSlug, created at start), unless the credential
// names another: a session token or an admin's Parley token carries its
// user's org, and a bot key its bot's.
//
// The config file (PARLEY_CONFIG) holds Botyard's "service" and "limits"
// sections (other sections are ignored); the limits go to chat
// (chat.BotLimits) and PUT /v1/admin-api/config reloads both.
//
// # Webhooks and the update queue
//
// A user's message in a bot chat is an update for its bot. Updates are read
// from the event log with a durable position per bot, by the delivery job
// (internal/jobs, one worker per bot with a webhook) or by the bot polling
// GET /v1/bot-api/updates; never inside the user's request. A delivery is
// Botyard's: POST of the PreparedMessage JSON (WebhookBody) with
// "Authorization: <secret>" when the webhook has one, plus these headers:
//
//	X-Parley-Update-Id   the update id (deliveries are at least once:
//	                     remember the ids handled to act once)
//	X-Parley-Timestamp   Unix seconds when it was signed
//	X-Parley-Signature   sha256=<hex HMAC-SHA256(signingSecret,
//	                     timestamp + "." + body)>
//
// The signing secret is made by Parley when the webhook is first set and is
// shown as "signingSecret" by POST and GET /v1/bot-api/bot/webhook. A bot
// verifies a delivery by computing the HMAC of the X-Parley-Timestamp value,
// a dot and the raw body with it, comparing in constant time with the
// signature's hex, and refusing timestamps more than a few minutes from its
// clock (examples/echobot does). Any answer but 2xx (redirects are not
// followed; no answer within 10s) is a failure: the bot's next attempt waits
// 1s, 2s, 4s ... up to 60s (±10%), only that bot's updates wait, and setting
// the webhook again tries at once. Updates reach a bot in order, one at a
// time, at least once (X-Parley-Update-Id tells repeats apart). With several
// nodes, one at a time delivers a bot's updates: it holds a lease in the
// database while it delivers, and another node takes over within 30s when it
// dies.
//
// GET /v1/bot-api/updates?offset=&timeout=&limit= is Telegram's getUpdates:
// it returns [{"updateId": n, "message": PreparedMessage}], waits up to
// timeout seconds (at most 50) for one, and offset acknowledges every update
// below it (pass the last updateId + 1). It answers 409 while the bot has a
// webhook. Updates stay in the event log at least 24 hours
// (chat.MinEventRetention; the default retention is 7 days); a bot that
// collects them later than the retention loses the older ones.
//
// # Deviations from Botyard
//
//   - A bot id with no stored key passed Botyard's auth (VerifyKeyData
//     returned nil when the lookup failed); here it is 403 "Invalid bot
//     key.", like every other bad key. Keys are stored as a salt and the
//     SHA-256 of the token, compared in constant time; the token is derived
//     from the operator's secret and the salt, so the admin API can still
//     show it (409 if the secret changed since).
//   - Webhooks were POSTed synchronously inside the user's request (6s
//     timeout, errors ignored, so a down bot lost the message). They are now
//     durable: delivered from the event log by a job, retried with bounded
//     backoff, at least once, surviving restarts, one node at a time per
//     bot, and signed. Bots that cannot take webhooks poll the update queue.
//   - A bot could read any message by id and a deleted bot kept working
//     with its key; now a bot reads only its own chats' messages, and
//     deleting a bot removes its key, webhook and commands.
//   - Commands were stored one by one, so a bad one left the earlier ones
//     saved; now a batch is all or none, and an alias the bot has replaces
//     its description. Uploads too are all or none.
//   - Creating a chat with an unknown bot id was accepted (foreign keys
//     off); it is 404 "Bot not found.". Create-bot rejected nothing but the
//     name (a bad description or avatar was dropped silently); it now
//     answers the same 400 texts as editing the bot.
//   - Attachment ids that name no file of the sender (or one already
//     attached) are dropped, as Botyard dropped unknown ids; a file is
//     attached to one message.
//   - Message timestamps strictly grow within a chat, so the web client's
//     poll with since (strictly after its message) never misses a reply
//     written in the same millisecond.
//   - The cookie gets Path=/ (so it reaches /static), HttpOnly and
//     SameSite=Lax. Files are served at /static/<folder>/<token><ext>,
//     where token is the random part of the file's storage key: the path is
//     the capability, as Botyard's unguessable public file names were, but
//     within the org of the request (session, bot key or default org).
//   - page and limit are clamped to at least 1 and at most 500.
//   - PUT /v1/admin-api/config answers 400 (not 500) for a file that does
//     not parse, and keeps the configuration in force. The admin API also
//     takes an org admin's Parley token, acting in that org.
//   - Unknown paths answer 404 {"message":"Cannot GET /path"} (Fiber's
//     text); /static serves only uploads (Parley's web client is elsewhere),
//     and no CORS headers are sent (serve the web client from the same
//     origin).
package botyard
