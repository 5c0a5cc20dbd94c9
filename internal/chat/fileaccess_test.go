package chat_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

// TestOpenFileAccess: an upload is read by its owner and by whoever can read
// the message it is attached to or a forwarded copy of it, not by every
// member of the org (upload ids are sequential, so that would open every
// private attachment).
func TestOpenFileAccess(t *testing.T) {
	t.Parallel()
	e := chattest.New(t)
	ctx := context.Background()
	org, owner := e.MustOrg(t)
	ann := e.MustUser(t, org, "ann", chat.LevelMember)
	bob := e.MustUser(t, org, "bob", chat.LevelMember)
	admin := e.MustUser(t, org, "adam", chat.LevelAdmin)
	_, stranger := e.MustOrg(t)
	upload := func(a chat.Actor, name string) chat.FileID {
		t.Helper()
		f, err := e.Upload(ctx, a, chat.NewUpload{Name: name, ContentType: "text/plain", Size: 5, Body: strings.NewReader("bytes")})
		if err != nil {
			t.Fatal(err)
		}
		return f.ID
	}
	inDM := upload(owner, "dm.txt")
	dm, first, err := e.StartThread(ctx, owner, chat.NewThread{Text: "for ann only", UserIDs: []chat.UserID{ann.UserID},
		Files: []chat.FileID{inDM}})
	if err != nil {
		t.Fatal(err)
	}
	// Ann forwards the DM's chat into her DM with Carl, and Carl forwards
	// that copy on to Dora: both copies refer to the original upload.
	carl := e.MustUser(t, org, "carl", chat.LevelMember)
	dora := e.MustUser(t, org, "dora", chat.LevelMember)
	forward := func(a chat.Actor, from chat.MessageRef, to chat.UserID) chat.MessageRef {
		t.Helper()
		th, _, err := e.StartThread(ctx, a, chat.NewThread{Text: "look", UserIDs: []chat.UserID{to}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := e.ForwardMessage(ctx, a, chat.Forward{From: from, To: th.ID})
		if err != nil {
			t.Fatal(err)
		}
		return chat.MessageRef{ThreadID: th.ID, MessageID: m.ID}
	}
	copied := forward(ann, chat.MessageRef{ThreadID: dm.ID, MessageID: first.ID}, carl.UserID)
	forward(carl, copied, dora.UserID)
	loose := upload(ann, "draft.txt")
	tests := []struct {
		name  string
		actor chat.Actor
		file  chat.FileID
		want  chat.Code // "" means readable
	}{
		{"uploader, attached", owner, inDM, ""},
		{"the other party of the DM", ann, inDM, ""},
		{"a member outside the DM", bob, inDM, chat.NotFound},
		{"an admin outside the DM", admin, inDM, chat.NotFound},
		{"a reader of a forwarded copy", carl, inDM, ""},
		{"a reader of a copy of the copy", dora, inDM, ""},
		{"another org", stranger, inDM, chat.NotFound},
		{"anonymous", chat.AnonymousActor(org.ID), inDM, chat.NotFound},
		{"uploader, not attached", ann, loose, ""},
		{"another member, not attached", bob, loose, chat.NotFound},
		{"the system", chat.SystemActor(org.ID), loose, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rc, err := e.OpenFile(ctx, tt.actor, tt.file)
			if err == nil {
				b, _ := io.ReadAll(rc)
				rc.Close()
				if string(b) != "bytes" {
					t.Errorf("read %q", b)
				}
			}
			if got := chat.ErrorCode(err); got != tt.want {
				t.Errorf("OpenFile = %v, want code %q", err, tt.want)
			}
		})
	}
}

// TestAnonymousAskedToSignIn: a permission check that refuses an anonymous
// visitor answers Unauthenticated (sign in), not Forbidden.
func TestAnonymousAskedToSignIn(t *testing.T) {
	t.Parallel()
	e := chattest.New(t)
	ctx := context.Background()
	org, owner := e.MustOrg(t)
	member := e.MustUser(t, org, "mia", chat.LevelMember)
	anon := chat.AnonymousActor(org.ID)
	desc := "x"
	for _, tt := range []struct {
		name string
		call func(a chat.Actor) error
	}{
		{"UpdateOrg", func(a chat.Actor) error {
			_, err := e.UpdateOrg(ctx, a, chat.OrgUpdate{Description: &desc})
			return err
		}},
		{"RotateJoinSecret", func(a chat.Actor) error { _, err := e.RotateJoinSecret(ctx, a); return err }},
	} {
		if got := chat.ErrorCode(tt.call(anon)); got != chat.Unauthenticated {
			t.Errorf("%s as anonymous = %q, want %q", tt.name, got, chat.Unauthenticated)
		}
		if got := chat.ErrorCode(tt.call(member)); got != chat.Forbidden {
			t.Errorf("%s as a member = %q, want %q", tt.name, got, chat.Forbidden)
		}
		if err := tt.call(owner); err != nil {
			t.Errorf("%s as the owner: %v", tt.name, err)
		}
	}
}
