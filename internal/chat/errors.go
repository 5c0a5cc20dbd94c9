package chat

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error class. Codes are part of every
// surface's contract: each surface maps them to its own status and body in
// one table, and nothing else decides a status.
type Code string

// The closed set of error codes. Adding one means updating every surface's
// error table (a test checks the native one).
const (
	Internal        Code = "internal"
	Invalid         Code = "invalid"
	Unauthenticated Code = "unauthenticated"
	Forbidden       Code = "forbidden"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	TooLarge        Code = "too_large"
	RateLimited     Code = "rate_limited"
	Unavailable     Code = "unavailable"
)

// Codes lists every Code, for tests that check each surface maps them all.
var Codes = []Code{Internal, Invalid, Unauthenticated, Forbidden, NotFound, Conflict, TooLarge, RateLimited, Unavailable}

// Error is the one domain error type. Its Message is a sentence safe to show
// to end users; wrapped causes are never shown. Reason optionally names the
// precise rule that failed (for example "channel_not_empty"), so that a
// surface whose original product had a distinct text for it can render that.
type Error struct {
	Code    Code
	Message string
	Reason  string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Reason, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithReason returns a copy of e that carries reason.
func (e *Error) WithReason(reason string) *Error {
	c := *e
	c.Reason = reason
	return &c
}

// Invalidf returns an Invalid error about one input field.
func Invalidf(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Invalid, Message: msg, Fields: map[string]string{field: msg}}
}

// Sentinels for the common cases. Compare with errors.Is only for identity;
// use ErrorCode to classify.
var (
	ErrNotFound        = &Error{Code: NotFound, Message: "Not found."}
	ErrUnauthenticated = &Error{Code: Unauthenticated, Message: "Authentication required."}
	ErrForbidden       = &Error{Code: Forbidden, Message: "You are not allowed to do that."}
	ErrUnavailable     = &Error{Code: Unavailable, Message: "The service is busy; try again."}
)

// ErrorCode returns the code of the *Error in err's chain, or Internal.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return Internal
}

// ErrorMessage returns the user-safe message of the *Error in err's chain,
// or a generic one for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorReason returns the Reason of the *Error in err's chain, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// withReason returns err with reason attached when err is an *Error.
func withReason(err error, reason string) error {
	if e := AsError(err); e != nil {
		return e.WithReason(reason)
	}
	return err
}
