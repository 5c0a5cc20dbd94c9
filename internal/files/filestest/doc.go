// Package filestest is the conformance suite for chat.Files
// implementations, in the style of Litestream's replica client tests: every
// backend runs the same Run, so they agree on the contract that chat relies
// on.
//
// Run checks: bytes, size, content type and modification time read back
// as written (and the default content type for an empty one); empty
// objects; NotFound for missing keys, including a key that is only a
// "directory" of another; overwrite; delete, delete twice and delete of a
// key that never existed; a LargeSize object streamed in and out without
// being held in memory; a Put cancelled midway, or before it starts, or
// while overwriting, leaves nothing (or the old object); a body shorter or
// longer than its declared size is an Invalid error and leaves nothing;
// nested keys; InvalidKeys and bad content types rejected as Invalid by
// Put, Open and Delete alike; concurrent Puts of different keys; and
// concurrent Puts of one key, of which one must win whole.
//
// The Must helpers are exported for backends' own extra tests.
package filestest
