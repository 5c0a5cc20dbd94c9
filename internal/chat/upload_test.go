package chat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

// TestUploadNames: a name is kept only as its last path element, and a name
// that is no file name at all ("..", found by FuzzV1Upload) is refused.
func TestUploadNames(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	_, owner := env.MustOrg(t)
	up := func(name string) (*chat.File, error) {
		return env.Upload(ctx, owner, chat.NewUpload{Name: name, ContentType: "text/plain", Size: 1, Body: strings.NewReader("x")})
	}
	for _, name := range []string{"..", ".", "/", "", "  ", "a/..", `..\..`} {
		if f, err := up(name); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("name %q: %+v, %v; want Invalid", name, f, err)
		}
	}
	for name, want := range map[string]string{"../../etc/passwd": "passwd", `..\..\win.ini`: "win.ini", "/abs/a.txt": "a.txt", "...": "..."} {
		f, err := up(name)
		if err != nil || f.Name != want {
			t.Errorf("name %q: %+v, %v; want stored as %q", name, f, err, want)
		}
	}
}
