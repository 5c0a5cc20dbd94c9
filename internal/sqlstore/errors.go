package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parley-chat/parley/internal/chat"
)

// uniques maps each unique index to the chat conflict reason it stands for.
// SQLite names the columns of a violated index, PostgreSQL the index.
var uniques = []struct {
	index   string
	columns string
	reason  string
	message string
}{
	{"users_username", "users.org_id, users.username", chat.ConflictUsername, "That username is taken."},
	{"users_email", "users.org_id, users.email", chat.ConflictEmail, "A user with that email already exists."},
	{"orgs_hostname", "orgs.hostname", chat.ConflictHostname, "That hostname is used by another org."},
	{"messages_client_msg_id", "messages.author_id, messages.client_msg_id", chat.ConflictClientMsgID, "A chat with that client_msg_id exists."},
	{"threads_key", "threads.org_id, threads.key", chat.ConflictThreadKey, "That thread already exists."},
	{"api_keys_key", "api_keys.key", chat.ConflictAPIKey, "That API key exists."},
	{"wallet_nonces_pkey", "wallet_nonces.org_id, wallet_nonces.signer, wallet_nonces.nonce", chat.ConflictNonceUsed, "That nonce was used."},
	{"reports_reporter", "reports.message_id, reports.reporter_id", chat.ConflictReport, "You already reported that chat."},
}

// mapError turns driver errors into chat errors. It is called on every error
// leaving the package; nothing above it inspects driver errors.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	if chat.AsError(err) != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", chat.ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return conflict(err, pgErr.ConstraintName)
		case "23503":
			return fmt.Errorf("%w: %w", chat.ErrNotFound, err)
		case "40001", "40P01", "55P03", "57014":
			return fmt.Errorf("%w: %w", chat.ErrUnavailable, err)
		}
		return err
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return conflict(err, sqErr.Error())
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", chat.ErrNotFound, err)
		}
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %w", chat.ErrUnavailable, err)
		}
	}
	return err
}

// conflict builds the Conflict error for a violated unique index, described
// by the index name (PostgreSQL) or the driver's message (SQLite).
func conflict(err error, what string) error {
	for _, u := range uniques {
		if what == u.index || strings.Contains(what, u.columns) || strings.Contains(what, "'"+u.index+"'") {
			return fmt.Errorf("%w: %w", &chat.Error{Code: chat.Conflict, Message: u.message, Reason: u.reason}, err)
		}
	}
	return fmt.Errorf("%w: %w", &chat.Error{Code: chat.Conflict, Message: "That already exists."}, err)
}
