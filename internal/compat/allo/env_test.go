package allo_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/compat/allo"
	"github.com/parley-chat/parley/internal/conntest"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpx"
	"github.com/parley-chat/parley/internal/jobs"
)

// server is a real Parley with the Allo surface and the native API mounted,
// the jobs running, and an org with alice (its owner), bob and carol, plus
// mallory in another org.
type server struct {
	*chattest.Env
	URL    string
	ln     *conntest.Listener // the server's listener
	org    *chat.Org
	actors map[string]chat.Actor
	tokens map[string]string
}

func testLogger() *slog.Logger {
	w := io.Discard
	if os.Getenv("PARLEY_ALLO_DEBUG") != "" {
		w = os.Stderr
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newServer(t testing.TB) *server {
	t.Helper()
	s := &server{Env: chattest.New(t), actors: map[string]chat.Actor{}, tokens: map[string]string{}}
	var alice chat.Actor
	s.org, alice = s.MustOrg(t)
	s.actors["alice"] = alice
	for _, name := range []string{"bob", "carol"} {
		s.actors[name] = s.MustUser(t, s.org, name, chat.LevelMember)
	}
	_, s.actors["mallory"] = s.MustOrg(t)
	for name, a := range s.actors {
		u, err := s.User(context.Background(), a, a.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if s.tokens[name], err = s.IssueToken(u); err != nil {
			t.Fatal(err)
		}
	}
	log := testLogger()
	mux := http.NewServeMux()
	surface := allo.Mount(mux, allo.Deps{Chat: s.Service, Logger: log})
	httpapi.Mount(mux, httpapi.Deps{Chat: s.Service, Logger: log})
	hs := httptest.NewUnstartedServer(httpx.Middleware(mux, log, nil))
	s.ln = conntest.NewListener(hs.Listener)
	hs.Listener = s.ln
	hs.Start()
	s.URL = hs.URL

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	runner := jobs.New(s.Service, jobs.Options{DueIdle: 200 * time.Millisecond, Logger: log})
	go func() { done <- runner.Run(ctx) }()
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := surface.Close(cctx); err != nil {
			t.Errorf("Surface.Close: %v", err)
		}
		hs.Close()
		stop()
		<-done
	})
	return s
}

// oid renders a user's id as Allo does.
func (s *server) oid(name string) string {
	return allo.FormatID(chat.KindUser, int64(s.actors[name].UserID))
}
