// Package allo serves Allo's chat API (seed 004, reference/allo.md) over
// Parley's core: the seed's REST endpoints, POST /api/chat/<operation>, and
// the Socket.IO events of the same names that the original server
// answered, at /socket.io/ (Socket.IO v4 over internal/socketio, for the npm
// socket.io-client). Every operation translates its payload, calls one chat
// use case and translates back; REST and Socket.IO share the operations
// (ops.go).
//
// # Model
//
// A conversation is a core thread with participants: createConversation
// starts a group (moderated by its creator, Allo's admins) or, for a
// "private" conversation with one other user, the pair's direct
// conversation, found or created. A message is a chat in that thread, so
// what is sent through Allo is what /v1 and every other surface show, and
// the other way round. Ids are ObjectIds written from the core's integers
// (translate.go): "Parl", the kind, the id, 24 hex digits, reversible.
//
// # Covered
//
// REST (Bearer token, the seed's bodies): joinConversation,
// createConversation, sendMessage, sendSecureMessage, reportMessage,
// editMessage, deleteMessage, forwardMessage, messageRead, pinMessage,
// reactionMessage, scheduleMessage, unsendMessage, sendEphemeralMessage,
// sendVoiceMessage, sendSticker, createPoll, votePoll; and GET /api.
// Socket.IO (auth {token}, the Bearer token): the same events plus typing
// and stopTyping. A socket gets connected {userId} on connect and, for each
// conversation it joined (joinConversation, or createConversation, which
// joins the creator), the emits of reference/allo.md §5.2: message,
// messageEdited, messageDeleted, messageUnsent, messageForwarded,
// messagePinned, messageReaction, messageStatusUpdate, messageReported,
// pollVoted, typing, stopTyping; conversationCreated goes to the creating
// socket and to the other participants' sockets. A failed operation emits
// error {message, code, event}; over REST it is the same object with a 4xx
// status. An event sent with an acknowledgement callback is acknowledged
// with {ok: true, data: <reply>} or {ok: false, error}; the original sent
// no acknowledgements.
//
// The emits come from the core's event log, not from the handler: a
// socket's user holds one chat.Subscription, filtered to the conversations
// the socket joined. So a change made through REST, /v1 or any surface
// reaches the room's sockets exactly as one made over Socket.IO, on any
// node, and a socket never hears of a conversation its user cannot read.
//
// # Deviations from the original, and why
//
//   - Identity: the original trusted the payload's userID as the sender and
//     used socket.id as reporter, reader, pinner and reactor. Here the
//     authenticated user is all of them; userID and owner in payloads are
//     ignored. The token is a real Bearer token (the original compared it
//     with the placeholder "valid-token"); a refused connection gets the
//     original's connect error "Authentication error".
//   - REST exists: the original mounted an empty router, so the seed's
//     endpoints answered 404. Here each one works and answers the
//     operation's reply (201 for what it creates, 202 for a message
//     scheduled for later). joinConversation over REST checks that the
//     caller may read the conversation and returns it: rooms are a socket
//     concept.
//   - A "private" conversation with one other user is the pair's one direct
//     conversation: creating it again returns the existing one (the
//     original created a duplicate each time). Other conversations are
//     groups whose creator is their admin (for "private" ones with several
//     users too; the original gave those no admins). The type is kept in
//     the conversation's metadata and rendered back.
//   - Everything is persisted, including voice messages, stickers and polls
//     (the socket version of the original kept none of them, so votePoll
//     could never find a poll). message is optional for stickers and polls
//     (Mongoose would have refused "").
//   - The message emit carries the stored document with its _id (the
//     original emitted the plain object without one).
//   - Polls: one vote per user, which a new vote replaces (the original
//     counted every vote); a vote for a missing option is an error.
//   - Reactions: one per user and emoji (the original pushed duplicates); a
//     repeated reaction is acknowledged but emits nothing new.
//   - Reports go to a moderation queue that the org's admins list and
//     resolve through /v1 (GET /v1/reports). messageReported is emitted to
//     the reporter and the conversation's admins only, not to the whole
//     room: telling the reported author who reported them invites
//     retaliation. Reporting a message twice returns the first report.
//   - Forwarding posts a copy by the forwarding user (the original copied
//     the original author's userID), and forwardedFrom names the original
//     message (the original stored the source conversation's id). The
//     target room gets message with the copy as well as messageForwarded,
//     since Allo has no way to fetch a message by id. Ephemeral messages
//     cannot be forwarded.
//   - deleteMessage leaves a tombstone (the core keeps sequence numbers
//     whole) and may be done by the author or an org moderator;
//     unsendMessage, by the author only, deletes the message for good, with
//     its copies in the event log (a socket that had not yet been sent the
//     message then only hears messageUnsent).
//   - Ephemeral messages are deleted for good at expiry by internal/jobs
//     (not a Mongo TTL index), and messageDeleted carries the message's id
//     (the original sent createdAt.toString()). expiresIn of zero or less is
//     an error.
//   - Scheduled messages are stored and delivered by internal/jobs at
//     their time, once across nodes and across restarts (the original used
//     an in-memory setTimeout, lost on restart). A time in the past sends
//     now; more than a year ahead is refused. The reply of a message sent
//     now carries scheduledAt; the delivered message does not.
//   - pinMessage: the message's author, the conversation's admins, org
//     moderators, or either party of a private conversation (the original
//     let anyone); pin defaults to true when omitted.
//   - messageRead moves the reader's read marker forward (never back) and
//     messageStatusUpdate also names the reader (userID).
//   - typing and stopTyping carry {user, conversationID}, user being the
//     user's id (the original sent socket.id), and are not echoed to the
//     typing user's own sockets.
//   - Secure messages: the ciphertext is stored and delivered as is, and
//     never indexed for search or copied into report excerpts
//     (chat.Message.PlainText). An encrypted message must name its
//     algorithm.
//   - Error messages say what is wrong in Allo's words ("Conversation not
//     found."), not the original's fixed texts ("Could not forward
//     message").
//
// # Not covered
//
// The original's express-rate-limit and express-slow-down middlewares (a
// socket is limited to 20 events a second instead), csurf (commented out in
// the source), Socket.IO binary attachments (internal/socketio refuses
// them), and the later Allo generations' events (reference/allo.md §5.4).
// Conversation fields the seed-era model had and the core does not keep
// (lastMessage) are not rendered; the conversation's type is kept in its
// metadata.
package allo
