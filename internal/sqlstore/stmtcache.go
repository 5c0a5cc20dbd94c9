package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps the prepared statements of one SQLite pool by query text,
// so that a unit of work does not parse its SQL again: parsing was the
// largest part of a send's CPU time. (pgx caches prepared statements per
// connection on its own, so PostgreSQL needs none.)
//
// A statement is prepared on the pool, which needs a free connection; a
// unit of work holds one (the only one, for the writer), so a query seen for
// the first time runs unprepared and is prepared after the unit of work ends.
// A transaction then binds the cached statement to its connection with
// Tx.StmtContext, which reuses what that connection prepared before.
type stmtCache struct {
	db *sql.DB

	mu sync.Mutex
	m  map[string]*sql.Stmt // guarded by mu
}

// maxCachedStmts bounds the cache: queries with IN lists vary in text.
const maxCachedStmts = 1024

func newStmtCache(db *sql.DB) *stmtCache { return &stmtCache{db: db, m: map[string]*sql.Stmt{}} }

// get returns the prepared statement for query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	st := c.m[query]
	c.mu.Unlock()
	return st
}

// prepare prepares the queries a unit of work ran unprepared. It must be
// called with no transaction open on the caller's side of the pool.
func (c *stmtCache) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		c.mu.Lock()
		_, ok := c.m[q]
		full := len(c.m) >= maxCachedStmts
		c.mu.Unlock()
		if ok || full {
			continue
		}
		st, err := c.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it runs unprepared, as before
		}
		c.mu.Lock()
		if _, ok := c.m[q]; ok {
			st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

// close closes every cached statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}
