package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/parley-chat/parley/internal/chat"
)

// Group commit. Concurrent units of work share one database transaction:
// a committer takes every request waiting for it, runs each request's fn in
// a savepoint of one transaction (a fn that fails is rolled back to its
// savepoint and answered with its error, and leaves nothing behind), takes
// the event ids for all the events of the batch from event_counter as the
// last statement, and commits. Each request is answered only after that
// commit, so an acknowledged write is a committed write, and event ids still
// grow in commit order: a batch's events are numbered in the order its units
// of work ran, under the counter's row lock, right before COMMIT.
//
// One commit (and, with synchronous=FULL or on PostgreSQL, one fsync) then
// serves a whole batch, instead of one per write.

// maxBatch bounds the units of work one transaction carries.
const maxBatch = 64

// commitRequest is one Update waiting for a committer.
type commitRequest struct {
	ctx  context.Context
	fn   func(chat.Tx) error
	done chan error // answered once, after the batch committed or failed
}

// committer runs batches until quit is closed.
func (s *Store) committer() {
	defer s.committers.Done()
	batch := make([]*commitRequest, 0, maxBatch)
	lastCheck := time.Now()
	for {
		if s.walPath != "" && time.Since(lastCheck) >= walCheckEvery {
			s.boundWAL()
			lastCheck = time.Now()
		}
		var first *commitRequest
		select {
		case first = <-s.commits:
		case <-s.quit:
			return
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-s.commits:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.runBatch(batch)
	}
}

// The SQLite WAL is kept bounded by the committer. The writer's automatic
// (PASSIVE) checkpoints stop at the oldest reader's snapshot, and SQLite
// starts the log over only when a write transaction begins with the whole
// log checkpointed. With readers always about (the hub tails the log after
// every commit) and batches back to back, that moment never came and the WAL
// grew without bound (hundreds of MB in seconds of W1). So every
// walCheckEvery, between batches, when the WAL file has passed maxWALBytes,
// the committer checkpoints all of it, waits briefly for the readers of
// older snapshots, and truncates it (TRUNCATE). If readers hold on past the
// short busy timeout, it tries again next time.
const (
	walCheckEvery = 100 * time.Millisecond
	maxWALBytes   = 16 << 20
)

func (s *Store) boundWAL() {
	fi, err := os.Stat(s.walPath)
	if err != nil || fi.Size() < maxWALBytes {
		return
	}
	ctx := context.Background()
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	conn.ExecContext(ctx, `PRAGMA busy_timeout = 100`)
	conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	conn.ExecContext(ctx, `PRAGMA busy_timeout = 10000`)
}

// errBatchAborted answers units of work whose batch could not commit for a
// reason not their own: Update runs them again.
var errBatchAborted = fmt.Errorf("%w: the batch this write was part of failed", chat.ErrUnavailable)

// runBatch runs the requests of one batch in one transaction and answers
// each of them.
func (s *Store) runBatch(batch []*commitRequest) {
	ctx := context.Background()
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		err = mapError(fmt.Errorf("begin: %w", err))
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	all := &tx{s: s, tx: sqlTx, stmts: s.writeStmts}
	defer all.done(ctx)
	committed := batch[:0:0]
	abort := func(err error) {
		sqlTx.Rollback()
		for _, e := range all.events {
			e.ID = 0
		}
		for _, r := range committed {
			r.done <- err
		}
	}
	// A unit of work alone in its batch needs no savepoint: if it fails,
	// the transaction is rolled back (on PostgreSQL each savepoint costs
	// two round trips).
	alone := len(batch) == 1
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		if alone {
			t := &tx{s: s, tx: sqlTx, stmts: s.writeStmts, events: all.events}
			err := fn(r, t)
			all.unknown = append(all.unknown, t.unknown...)
			if err != nil {
				sqlTx.Rollback()
				r.done <- err
				return
			}
			all.events = t.events
			committed = append(committed, r)
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT unit`); err != nil {
			r.done <- mapError(err)
			abort(errBatchAborted)
			s.answerRest(batch, r)
			return
		}
		t := &tx{s: s, tx: sqlTx, stmts: s.writeStmts}
		err := fn(r, t)
		all.unknown = append(all.unknown, t.unknown...)
		if err != nil {
			if _, rbErr := sqlTx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT unit`); rbErr != nil {
				// The engine ended the whole transaction (an I/O error, an
				// interrupt): nothing of the batch stands.
				r.done <- err
				abort(errBatchAborted)
				s.answerRest(batch, r)
				return
			}
			sqlTx.ExecContext(ctx, `RELEASE SAVEPOINT unit`)
			r.done <- err
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE SAVEPOINT unit`); err != nil {
			committed = append(committed, r)
			abort(errBatchAborted)
			s.answerRest(batch, r)
			return
		}
		all.events = append(all.events, t.events...)
		committed = append(committed, r)
	}
	if len(committed) == 0 {
		sqlTx.Rollback()
		return
	}
	if err := all.flushEvents(ctx); err != nil {
		abort(errBatchAborted)
		return
	}
	if err := sqlTx.Commit(); err != nil {
		abort(mapError(fmt.Errorf("commit: %w", err)))
		return
	}
	for _, r := range committed {
		r.done <- nil
	}
}

// fn runs a request's unit of work, turning a panic into an error so that a
// bug in one unit of work does not take the committer (and every other
// writer) down with it.
func fn(r *commitRequest, t *tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("unit of work panicked: %v", p)
		}
	}()
	return r.fn(t)
}

// answerRest answers the requests of batch after last, which never ran.
func (s *Store) answerRest(batch []*commitRequest, last *commitRequest) {
	seen := false
	for _, r := range batch {
		if seen {
			r.done <- errBatchAborted
		}
		seen = seen || r == last
	}
}

// errClosed answers writes after Close.
var errClosed = errors.New("sqlstore: closed")

// updateGrouped hands fn to a committer and waits for its answer.
func (s *Store) updateGrouped(ctx context.Context, f func(chat.Tx) error) error {
	r := &commitRequest{ctx: ctx, fn: f, done: make(chan error, 1)}
	select {
	case s.commits <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.quit:
		return errClosed
	}
	return <-r.done // once handed over, wait: the write may commit
}

// updateAlone runs fn in a transaction of its own, outside group commit:
// for long units of work (rebuilding the search index) and for those that
// run before the committers start.
func (s *Store) updateAlone(ctx context.Context, fn func(chat.Tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return mapError(fmt.Errorf("begin: %w", err))
	}
	t := &tx{s: s, tx: sqlTx, stmts: s.writeStmts}
	defer t.done(ctx)
	defer sqlTx.Rollback()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushEvents(ctx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		for _, e := range t.events {
			e.ID = 0
		}
		return mapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}
