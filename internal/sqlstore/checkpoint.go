package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// SQLite checkpoints. By default the connection whose commit pushes the WAL
// past 1000 pages copies the WAL back into the database and syncs it, inside
// that commit: every thousandth write or so waited hundreds of milliseconds
// (the p99 of W1). The writer turns automatic checkpoints off, and a
// connection of its own checkpoints in the background instead (PASSIVE:
// it never blocks the writer or the readers).

// checkpointEvery is how often the background checkpoint runs.
const checkpointEvery = 500 * time.Millisecond

// checkpointer runs PASSIVE checkpoints on db until quit is closed.
func (s *Store) checkpointer(db *sql.DB) {
	defer s.committers.Done()
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
			db.ExecContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}
