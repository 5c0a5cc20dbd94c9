// Package files holds the rules that every chat.Files backend shares, so
// that a key or a Put that one backend accepts behaves the same on the
// others: which keys are valid, how a content type is normalized, and the
// reader that makes Put consume exactly the declared number of bytes and
// stop when its context ends.
//
// The backends are the subpackages disk and s3; filestest is the
// conformance suite both run.
package files
