// Package forge serves the ConvoForge API (seed 000, reference/forge.md) over
// Parley's core: root paths such as /auth, /role, /channel and /message,
// UUID ids rendered reversibly from Parley's ids, plain-text error bodies,
// and the Client-Secret header. Every handler translates and calls one chat
// use case; MessageConversation reads which conversation a message is in
// before PATCH and DELETE /message/ edit or delete it, and /media/ routes
// first ask whether media are on, as the original's middleware did.
//
// # Coverage
//
// Every route of reference/forge.md 3.4, with and without its trailing slash:
// /auth/organization and /auth/secret; /organization/ and /organization/all;
// /channel/ (GET, POST, PATCH, DELETE); /role/ (GET, POST, PATCH, DELETE);
// /user-role-access/ and /channel-role-access/ (GET, POST, DELETE); /message/
// (POST, GET, PATCH, DELETE) and /message/search; /presence/ and
// /presence/typing; /media/ (POST, GET, DELETE) and /media/list; /user/,
// /user/channel/{id}, /user/current, /user/purge, /user/name and
// /user/profile-image; /user-channel-view/ and /user-channel-view/unread;
// /seen/ (POST, GET); PUT /flag/; and GET /chat/ws?token= (3.5). Parley adds
// GET /media/o/{org}/{key}/{name}, where media and profile image URLs point.
//
// # How ConvoForge maps onto the core
//
//   - Ids are the core's integers rendered as v4-shaped UUIDs,
//     7061726c-KK00-4000-80II-IIIIIIIIIIII ("parl", the kind, 56 bits of id;
//     translate.go). A UUID of another kind, or one Parley never issued,
//     names nothing: it is answered like any missing id. The org's UUID is
//     its stored slug.
//   - Roles, user role access and channel role access are the core's roles,
//     user roles and channel roles; the permission checks are policy.go's,
//     where a role's flags and a native level meet (an org's first user is
//     its owner, an administrator without any role).
//   - A CHANNEL message is a message in the channel's timeline: one topic
//     thread in the channel, keyed by it and opened on first use, listed in
//     the channel in /v1 like any other thread. A USER message is a message
//     in the direct conversation of the two users, the same thread /v1
//     shows as their DM. ConvoForge channels are created hidden, so only
//     those a role grants (or managers) see them.
//   - Unread (/user-channel-view/) and seen receipts (/seen/) are the core's
//     read markers: viewing moves the viewer's marker to the newest message,
//     a conversation is unread while its last sequence number is past the
//     marker, and a user has seen a message when their marker is at it or
//     later.
//   - Feature flags are the org's flags; media need the org's "s3" flag and
//     are stored in chat.Files (S3-compatible storage when configured).
//   - /chat/ws follows the core's event log through chat.Subscribe, so a
//     change made through any surface (an edit in /v1, a DM started in /v1)
//     reaches ConvoForge sockets, within what the user may see.
//   - Presence is the core's: users active in the last few minutes. An open
//     socket keeps its user active; becoming active or away is the
//     UPDATE_USERS push.
//
// # Deviations from the original
//
// Its bugs, fixed (reference/forge.md calls for the intended behaviour):
//   - Deleted roles and ended role assignments grant nothing (the original's
//     permission check counted them).
//   - Nothing crosses orgs: GET /user-role-access/ and GET
//     /channel-role-access/ list only the caller's org (the original listed
//     every org's), channel role access can only grant a role of the org (it
//     did not check the role), the recipients of channel events are of the
//     org, messages and typing can only address channels and users of the
//     org (USER messages were not checked at all), and GET /seen/ and GET
//     /media/ show only messages the caller may read. Another org's id is
//     answered as a missing one (the original's not-found answer), never
//     with the original's 403 that told it exists.
//   - Feature flags belong to an org (the original's were global), so the
//     s3 check on /media/ reads the token first to know the org: a request
//     without a token gets 401 rather than 403.
//   - A purged user's token stops working (401 "Invalid token"); the
//     original kept honouring it.
//   - GET /media/ for an unknown message answers [] (the original crashed).
//   - page=0 means page 1 (the original's page - 1 underflowed).
//   - A message needs content or media (400 "Content must be at least 1
//     character"); message_type must be "MESSAGE" (400 "Message type must be
//     MESSAGE."), the only type the original ever listed.
//   - Media already attached to a message cannot be attached to another
//     (400 "Media not found"); deleting media also removes it from its
//     message's attachments.
//   - The typing indicator needs write access to the channel (the original
//     sent it anywhere), and is answered like a message.
//   - Message content is at most 40000 characters, the core's limit (400
//     with the core's text); the original had none. Uploaded files must not
//     be empty, and usernames are 1 to 64 characters (400 "Username must be
//     between 1 and 64 characters.").
//
// Differences of form:
//   - Internal failures are 500 "An error occurred" (the original sent 400).
//   - JSON answers carry Content-Type application/json (the original set no
//     content type). Request bodies are read as JSON whatever their content
//     type, as clients such as curl -d send form types.
//   - Request body errors follow serde_json's texts and positions ("Json
//     deserialize error: missing field `name` at line 1 column 12"); UUID
//     errors follow the uuid crate's.
//   - Seen receipts are cumulative (seeing a message sees the ones before
//     it) and include the author, since they are read markers.
//   - A channel the caller cannot see is 404 on PATCH and DELETE /channel/
//     even when the caller also lacks the permission (the original said 403
//     first).
//   - Deleting a channel deletes its timeline and role grants; a channel that
//     also holds /v1 topic threads is refused with 409 until they are moved.
//   - Creating a channel makes its creator a member (the core's rule), which
//     gives them access besides their roles.
//   - Users may have several sockets at once; UPDATE_USERS is sent when a
//     user comes online or goes away, not on every connect and disconnect.
//   - Tokens are Parley's (the same on every surface) and last as configured
//     (30 days by default), not 24 hours.
//   - Media URLs point at Parley (GET /media/o/...), which serves the bytes
//     to whoever holds the URL, as the original's public-read bucket did;
//     the object itself stays private in the bucket.
//   - A request that is not a WebSocket handshake on /chat/ws gets 426.
package forge
