// Package sqlstore implements chat.Store on SQLite (modernc.org/sqlite, pure
// Go) and PostgreSQL (pgx) with one SQL code path.
//
// Queries are written once with ? placeholders and rebound for PostgreSQL when
// first used. Timestamps are BIGINT milliseconds and ids come from identity
// columns on both engines. The few statements that really differ live in
// dialect.go; migrations are per engine under migrations/ and a parity test
// keeps them in step. Driver errors become chat errors in errors.go and
// nowhere else.
//
// # Transactions
//
// Update runs a unit of work in one transaction. On SQLite, writes go
// through a single connection and begin IMMEDIATE, so a write never upgrades
// its lock halfway; reads use a separate pool. On PostgreSQL transactions run
// at READ COMMITTED, and row locks (the thread's counter for NextSeq) order
// conflicting writes.
//
// The event log's ids are assigned as the last statement before COMMIT, by
// incrementing the single row of event_counter. That row lock is held until
// the commit, so ids are handed out in commit order on both engines: a
// reader that has seen id N will never later find a committed id below N.
package sqlstore
