package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// ceilingWorkload measures what the machine allows a durable send, in the
// same run as the workloads it is compared with: SQLite inserts of one row
// per commit (WAL, synchronous FULL and NORMAL) and in batches of 1000, in a
// temporary directory, with the same driver the server uses; and, with
// -pgdsn, PostgreSQL insert-only transactions with 1 and 32 clients.
func ceilingWorkload(ctx context.Context, o options) (any, error) {
	d := o.Duration / 4
	if d > 3*time.Second {
		d = 3 * time.Second
	}
	res := map[string]any{"seconds_each": d.Seconds()}
	dir, err := os.MkdirTemp("", "parley-ceiling-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for _, sync := range []string{"FULL", "NORMAL"} {
		n, err := sqliteInserts(ctx, filepath.Join(dir, sync+".db"), sync, 1, d)
		if err != nil {
			return nil, err
		}
		res["sqlite_one_row_per_commit_"+sync] = n
	}
	n, err := sqliteInserts(ctx, filepath.Join(dir, "batch.db"), "FULL", 1000, d)
	if err != nil {
		return nil, err
	}
	res["sqlite_rows_per_s_batched_1000_FULL"] = n
	if o.PGDSN != "" {
		for _, clients := range []int{1, 32} {
			n, err := pgInserts(ctx, o.PGDSN, clients, d)
			if err != nil {
				return nil, err
			}
			res[fmt.Sprintf("postgres_insert_tps_%d_clients", clients)] = n
		}
	}
	return res, nil
}

// sqliteInserts inserts rows, batch per transaction, for d and returns rows/s.
func sqliteInserts(ctx context.Context, path, synchronous string, batch int, d time.Duration) (float64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous("+synchronous+")&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL, at INTEGER NOT NULL)`); err != nil {
		return 0, err
	}
	ins, err := db.PrepareContext(ctx, `INSERT INTO t (v, at) VALUES (?, ?)`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	rows := 0
	start := time.Now()
	for time.Since(start) < d && ctx.Err() == nil {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		st := tx.StmtContext(ctx, ins)
		for range batch {
			if _, err := st.ExecContext(ctx, "a chat of ordinary length, for the ceiling", time.Now().UnixNano()); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		rows += batch
	}
	return float64(rows) / time.Since(start).Seconds(), nil
}

// pgInserts runs one-row insert transactions from clients connections for d
// and returns transactions/s, on a table of its own that it drops after.
func pgInserts(ctx context.Context, dsn string, clients int, d time.Duration) (float64, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(clients)
	table := fmt.Sprintf("parley_ceiling_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(ctx, `CREATE TABLE `+table+` (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL, at BIGINT NOT NULL)`); err != nil {
		return 0, err
	}
	defer db.ExecContext(context.Background(), `DROP TABLE `+table)
	var n atomic.Int64
	var wg sync.WaitGroup
	var first atomic.Value
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d && ctx.Err() == nil {
				if _, err := db.ExecContext(ctx, `INSERT INTO `+table+` (v, at) VALUES ($1, $2)`, "a chat", time.Now().UnixNano()); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return 0, err
	}
	return float64(n.Load()) / time.Since(start).Seconds(), nil
}
