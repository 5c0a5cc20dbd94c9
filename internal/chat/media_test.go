package chat_test

import (
	"context"
	"io"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

func mustFlag(t *testing.T, env *chattest.Env, a chat.Actor, name string, on bool) {
	t.Helper()
	if _, err := env.SetOrgFlag(context.Background(), a, chattest.ClientSecret, name, on); err != nil {
		t.Fatal(err)
	}
}

func TestMedia(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	up := func(a chat.Actor) (*chat.File, error) {
		return env.UploadMedia(ctx, a, chat.NewUpload{Name: "pic.png", ContentType: "image/png", Size: 4, Body: stringsReader("\x89PNG")})
	}

	t.Run("ErrDisabled", func(t *testing.T) {
		_, err := up(o.reader)
		wantErr(t, "UploadMedia(flag off)", err, chat.Forbidden, chat.ReasonMediaDisabled)
		_, err = env.MediaOf(ctx, o.reader, nil)
		wantErr(t, "MediaOf(flag off)", err, chat.Forbidden, chat.ReasonMediaDisabled)
		_, err = env.DeleteMedia(ctx, o.reader, 1)
		wantErr(t, "DeleteMedia(flag off)", err, chat.Forbidden, chat.ReasonMediaDisabled)
	})
	mustFlag(t, env, o.owner, chat.FlagS3, true)

	f := must[*chat.File](t)(up(o.reader))
	m := must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{ChannelID: o.channel.ID}, Files: []chat.FileID{f.ID}}))
	t.Run("ListByMessage", func(t *testing.T) {
		got := must[[]*chat.File](t)(env.MediaOf(ctx, o.owner, []chat.MessageID{m.ID, 999999}))
		if len(got) != 1 || got[0].ID != f.ID || got[0].MessageID != m.ID {
			t.Errorf("MediaOf = %v", got)
		}
		_, err := env.MediaOf(ctx, o.outsider, []chat.MessageID{m.ID})
		wantErr(t, "MediaOf(outsider)", err, chat.Forbidden, chat.ReasonMessageAccess)
	})
	t.Run("PublicFileByKey", func(t *testing.T) {
		got, rc, err := env.PublicFile(ctx, f.Key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if got.ID != f.ID || string(b) != "\x89PNG" {
			t.Errorf("PublicFile = %v, %q", got, b)
		}
		for _, key := range []string{"o/1/nope", "elsewhere", f.Key + "x"} {
			if _, _, err := env.PublicFile(ctx, key); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("PublicFile(%q) = %v, want not_found", key, err)
			}
		}
	})
	t.Run("Delete", func(t *testing.T) {
		_, err := env.DeleteMedia(ctx, o.outsider, f.ID)
		wantErr(t, "DeleteMedia(someone else's)", err, chat.Forbidden, "")
		_, err = env.DeleteMedia(ctx, o.owner, 999999)
		wantErr(t, "DeleteMedia(unknown)", err, chat.NotFound, chat.ReasonFileNotFound)
		// The org's owner is an administrator and may delete anyone's.
		must[*chat.File](t)(env.DeleteMedia(ctx, o.owner, f.ID))
		if got := must[[]*chat.File](t)(env.MediaOf(ctx, o.owner, []chat.MessageID{m.ID})); len(got) != 0 {
			t.Errorf("deleted media still listed: %v", got)
		}
		msg := must[*chat.Message](t)(env.Message(ctx, o.owner, m.ID))
		if len(msg.Attachments) != 0 {
			t.Errorf("the message still lists the deleted file: %v", msg.Attachments)
		}
		if _, _, err := env.Files.Open(ctx, f.Key); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("the bytes outlived the record: %v", err)
		}
		if _, _, err := env.PublicFile(ctx, f.Key); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("PublicFile(deleted) = %v", err)
		}
	})
	t.Run("ErrOtherOrg", func(t *testing.T) {
		mine := must[*chat.File](t)(up(o.reader))
		_, stranger := env.MustOrg(t)
		mustFlag(t, env, stranger, chat.FlagS3, true)
		_, err := env.DeleteMedia(ctx, stranger, mine.ID)
		wantErr(t, "DeleteMedia(other org's)", err, chat.NotFound, chat.ReasonFileNotFound)
	})
}

func TestSetOrgFlag(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	other, stranger := env.MustOrg(t)

	created, err := env.SetOrgFlag(ctx, owner, chattest.ClientSecret, "s3", true)
	if err != nil || !created {
		t.Fatalf("first SetOrgFlag = %v, %v; want created", created, err)
	}
	created, err = env.SetOrgFlag(ctx, owner, chattest.ClientSecret, "s3", false)
	if err != nil || created {
		t.Fatalf("second SetOrgFlag = %v, %v; want updated", created, err)
	}
	_, err = env.SetOrgFlag(ctx, owner, "wrong", "s3", true)
	wantErr(t, "SetOrgFlag(wrong secret)", err, chat.Unauthenticated, "client_secret")
	_, err = env.SetOrgFlag(ctx, owner, chattest.ClientSecret, "", true)
	wantErr(t, "SetOrgFlag(no name)", err, chat.Invalid, "")

	// Flags are per org.
	must[bool](t)(env.SetOrgFlag(ctx, stranger, chattest.ClientSecret, "s3", true))
	v := must[*chat.OrgView](t)(env.Org(ctx, owner))
	if v.Org.Flag("s3") {
		t.Errorf("org %d's flag turned on by org %d", org.ID, other.ID)
	}
	orgs := must[[]*chat.Org](t)(env.Orgs(ctx, chattest.ClientSecret))
	if len(orgs) != 2 {
		t.Errorf("Orgs = %d orgs, want 2", len(orgs))
	}
	_, err = env.Orgs(ctx, "wrong")
	wantErr(t, "Orgs(wrong secret)", err, chat.Unauthenticated, "")
}
