// Package convo serves The Convo Space's API (seed 003, reference/convo.md)
// over Parley's core, under /api: comment threads keyed by an id or a page
// URL, wallet sign-in (Ethereum personal_sign, Sign-In with Ethereum, NEAR),
// votes, API keys, a live stream of a page's comments, and an embeddable
// comments widget. Every handler translates The Convo Space's wire format,
// calls one chat use case and translates back; the rules (signed texts,
// timestamp freshness, SIWE statement, expiry and nonces, who may do what in
// a thread) live in package chat.
//
// # Model
//
// An API key belongs to an org: it names the tenant of every request that
// carries it. A Convo thread is a core conversation thread (chat.KindGroup)
// whose Key is the thread id and whose URL is the page; title, description,
// keywords, isReadPublic, isWritePublic, members and moderators are the
// thread's Subject, Summary, Tags, ReadPublic, WritePublic, Participants and
// Moderators, enforced by the core's one policy. A comment is a message in
// it: tag1 and tag2 are its Tags, metadata its Metadata, replyTo its ReplyTo,
// upvotes and downvotes the users who reacted "upvote" and "downvote", and
// editHistory its edit history. A signer is a user of the org whose username
// is the EIP-55 address or the NEAR account id.
//
// Ids: comment ids are Parley's integer ids in base 62, left-padded with '0'
// to 24 characters; thread ids are the thread's key, or for a thread without
// one its id rendered the same way to 26 characters (translate.go).
//
// # Covered
//
//   - GET/POST /api/apikey with a wallet token (the signer's keys, rotation,
//     monthly usage in "data"), and with the Client-Secret header so an
//     operator mints or lists an org's keys without a wallet (POST mints a key
//     for ?org=<slug> or body {"org"}, or for a new org when none is named).
//   - API keys as ?apikey= or x-api-key on every route below but /api/ping,
//     /api/apikey and /api/widget.js; monthly counters with
//     X-Rate-Limit-Limit and X-Rate-Limit-Remaining, 429 "Rate limit
//     exceeded" past 1,000,000 requests a month; CORS for every origin.
//   - POST /api/auth (ethereum, near), /api/authV2 (SIWE), /api/validateAuth.
//   - GET /api/comments with threadId, url, author, tag1, tag2, replyTo,
//     latestFirst, page/pageSize (0-based), countOnly, airdrop (JSON or
//     airdropMode=csv with airdropAmount); GET /api/comment; POST, PATCH and
//     DELETE (with deleteAll) /api/comments; POST /api/vote.
//   - GET /api/threads (allPublic, threadId, creator, member, title, url,
//     isReadPublic, isWritePublic, keyword1..3, latestFirst, page, pageSize,
//     countOnly), GET /api/threads/{ids}, GET /api/threads/user/{address},
//     POST /api/threads with create, addMembers, removeMembers,
//     addModerators, removeModerators, updateTitle, updateDescription,
//     togglePublicRead, toggleWritePublic (and the SDK's togglePublicWrite),
//     DELETE /api/threads.
//   - GET /api/subscribe?threadId=&apikey= instead of Ably: a WebSocket of
//     {"name":"commentCreate"|"commentUpdate"|"commentDelete"|"toggleUpvote"|
//     "toggleDownvote","data":<comment>} from the event log. A page with no
//     comment yet can be followed: the stream starts with its first comment.
//   - GET /api/ping; GET /api/widget.js, the comments widget (widget.js).
//
// # Deviations from the original, on purpose
//
//   - Permission checks follow their evident intent, not the original's
//     inverted or broken conditions: members and moderators may add members;
//     moderators and the creator remove members, manage moderators, retitle,
//     toggle the public flags and delete a thread. Comments honour the
//     thread's flags: a thread that is not read-public is shown only to its
//     members, and commenting on one that is not write-public needs
//     membership (401 "This thread is not write-public and signerAddress is
//     not a member of it."); the original checked neither. The first comment
//     on a thread id no thread has opens it as a public page; a thread that
//     must be private is created before its first comment ("Thread already
//     exists." afterwards, so nobody can take over a busy page).
//   - create stores the moderators it is given (the original copied the
//     members) and the booleans it is given (the original stored
//     `x == 'true'`, turning true into false); "true"/"false" strings are
//     accepted too. DELETE /api/threads deletes the thread by id (the
//     original matched a field threads do not have), with all its comments,
//     each announced as commentDelete, and frees the id.
//   - SIWE: the nonce is accepted once per signer and org (the original kept
//     no nonces): a replay gets 400 "This sign-in message was already used;
//     sign a new one.". A message without an Expiration Time expires a day
//     after its Issued At; Not Before is honoured. A message that does not
//     parse is 400 with "message", not the original's 500.
//   - /api/auth refuses timestamps more than five minutes in the future (the
//     original refused only those over a day old, so a future timestamp made
//     a signature usable for ever). Ethereum signers are compared and stored
//     in EIP-55 form, so one address in any case is one user; tokens are
//     bound to that form (the original compared the token's user to the
//     signerAddress as sent, case-sensitively). A NEAR account is bound to
//     the first public key it signs in with; another key is refused (the
//     original checked no key against the account, so anyone could sign in
//     as any account). Chains other than ethereum and near (solana, flow)
//     get "Invalid Chain".
//   - Auth status: a write without a valid token is 401 {"success":false,
//     "error":"Invalid Auth"}, as the current original; the seed's docs and
//     the first versions said 503, which means "unavailable" to every HTTP
//     client and proxy. /api/vote keeps its own 400 "signerAddress or token
//     is missing/invalid.".
//   - Tokens are Parley's HS256 JWTs valid for one day, not Iron-sealed
//     JWTs; clients treat them as opaque strings.
//   - countOnly counts every match, not the length of the returned page.
//     tag1, tag2 and replyTo are matched as given (the original passed them
//     through getAddress, a 500 for anything not an address). /api/threads
//     applies member (the original ignored it), takes pageSize as a page size
//     capped at 50 (the original used max(pageSize, 50)), and allPublic
//     lists the ten newest read-public threads.
//   - Keywords are the thread's tags: lowercased, one word each, unordered
//     (keyword1..3 render them in alphabetical order, and a keyword filter
//     matches any position).
//   - A comment's url is its thread's URL, decoded before it is stored and
//     matched; the original stored each comment's url as sent.
//   - authorENS is always false: Parley makes no outside calls, so no ENS
//     lookup. The literal key "CONVO" is not accepted: a key must name an
//     org. /api/getAblyAuth, the bridges (/discord, /slack, /telegram),
//     /identity, /urlmeta and /offset are not served.
//   - A comment's author deletes it; so can an org moderator (the core's
//     rule for every surface). Votes need write access to the thread.
//   - Live frames carry the comment as it is when the frame is sent, and
//     commentDelete carries its tombstone (text ""); the original documented
//     commentDelete but never sent it.
//
// API keys, their usage counters and the SIWE nonces are credentials and
// metering, not chat state: like presence, they append no event.
package convo
