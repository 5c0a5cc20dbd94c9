// Package forge serves the ConvoForge API (seed 000, reference/forge.md) over
// Parley's core: root paths such as /auth, /role, /channel and /message, UUID
// ids rendered reversibly from Parley's ids, plain-text error bodies, and the
// Client-Secret header. Every handler translates and calls one chat use case.
//
// Covered so far: the provisioning flow (/auth/organization, /auth/secret),
// which every surface shares.
package forge
