package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/sqlstore"
	"github.com/parley-chat/parley/internal/sqlstore/sqlstoretest"
)

// TestGroupCommit: concurrent units of work that share a transaction stay
// independent. One that fails leaves nothing behind and does not fail the
// others; each that returns nil is committed, its events numbered once, in
// increasing order, with no gaps left by the failed ones.
func TestGroupCommit(t *testing.T) {
	sqlstoretest.ForEachEngine(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustOrg(t, s)
		var (
			mu     sync.Mutex
			okIDs  []int64
			boom   = errors.New("boom")
			wg     sync.WaitGroup
			failed = map[string]bool{}
		)
		for i := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := &chat.User{OrgID: org.ID, Username: fmt.Sprintf("gc-%d", i), Name: "G", Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
				e := &chat.Event{OrgID: org.ID, Type: chat.EventOrgUpdated, Topics: []string{chat.TopicOrg(org.ID)}, At: time.Now()}
				err := s.Update(ctx, func(tx chat.Tx) error {
					if err := tx.InsertUser(ctx, u); err != nil {
						return err
					}
					if err := tx.AppendEvent(ctx, e); err != nil {
						return err
					}
					if i%3 == 0 {
						return boom // after writing: all of it must roll back
					}
					return nil
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case i%3 == 0 && errors.Is(err, boom):
					failed[u.Username] = true
				case i%3 != 0 && err == nil:
					okIDs = append(okIDs, e.ID)
				default:
					t.Errorf("unit %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if len(okIDs) != 42 || len(failed) != 22 {
			t.Fatalf("%d committed, %d failed; want 42 and 22", len(okIDs), len(failed))
		}
		slices.Sort(okIDs)
		err := s.View(ctx, func(tx chat.ReadTx) error {
			for name := range failed {
				if _, err := tx.UserByUsername(ctx, org.ID, name); chat.ErrorCode(err) != chat.NotFound {
					t.Errorf("user %s of a failed unit: %v, want not_found", name, err)
				}
			}
			evs, err := tx.OrgEvents(ctx, org.ID, okIDs[0]-1, okIDs[len(okIDs)-1], 1000)
			if err != nil {
				return err
			}
			var got []int64
			for _, e := range evs {
				got = append(got, e.ID)
			}
			if !slices.Equal(got, okIDs) {
				t.Errorf("logged events %v, want %v", got, okIDs)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestWALStaysBounded: under steady concurrent writes (back-to-back group
// commits) the SQLite WAL is checkpointed and restarted, not left to grow.
func TestWALStaysBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.db")
	s, err := sqlstore.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	org := mustOrg(t, s)
	// Readers the whole time, as the hub's tail and history pages are.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s.View(ctx, func(tx chat.ReadTx) error { _, err := tx.EventsAfter(ctx, 0, 10); return err })
			}
		}()
	}
	defer func() { close(stop); readers.Wait() }()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 375 {
				e := &chat.Event{OrgID: org.ID, Type: chat.EventOrgUpdated, Topics: []string{chat.TopicOrg(org.ID)}, At: time.Now()}
				u := &chat.User{OrgID: org.ID, Username: fmt.Sprintf("wal-%d-%d", w, i), Name: strings.Repeat("n", 200), Level: chat.LevelMember, CreatedAt: now(), UpdatedAt: now()}
				if err := s.Update(ctx, func(tx chat.Tx) error {
					if err := tx.InsertUser(ctx, u); err != nil {
						return err
					}
					return tx.AppendEvent(ctx, e)
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 32<<20 { // 16 MB and a little; 50-150 MB when the log never restarts
		t.Errorf("WAL is %d MB after 6,000 small writes; want it checkpointed and reused", fi.Size()>>20)
	}
}
