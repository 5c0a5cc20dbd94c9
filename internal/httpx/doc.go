// Package httpx holds the small HTTP helpers every surface shares: JSON
// decoding that turns every malformed body into a chat.Invalid error, the
// request id, panic recovery, access logging and metrics middleware, and the
// plumbing that carries the authenticated chat.Actor from a surface's auth
// middleware to its handlers.
package httpx
