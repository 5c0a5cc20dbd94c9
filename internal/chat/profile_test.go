package chat_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
)

func TestRenameUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	org, owner := env.MustOrg(t)
	bob := env.MustUser(t, org, "bob", chat.LevelMember)
	carol := env.MustUser(t, org, "carol", chat.LevelMember)

	u := must[*chat.User](t)(env.RenameUser(ctx, bob, bob.UserID, "Robert"))
	if u.Name != "Robert" {
		t.Errorf("renamed = %+v", u)
	}
	// Keeping one's own name is not a conflict.
	must[*chat.User](t)(env.RenameUser(ctx, bob, bob.UserID, "Robert"))
	_, err := env.RenameUser(ctx, carol, carol.UserID, "Robert")
	wantErr(t, "RenameUser(taken)", err, chat.Conflict, chat.ReasonNameTaken)
	_, err = env.RenameUser(ctx, carol, bob.UserID, "Bobby")
	wantErr(t, "RenameUser(someone else)", err, chat.Forbidden, "")
	_, err = env.RenameUser(ctx, carol, carol.UserID, "")
	wantErr(t, "RenameUser(empty)", err, chat.Invalid, "")
	// The owner manages users; a user of another org does not exist here.
	must[*chat.User](t)(env.RenameUser(ctx, owner, carol.UserID, "Caroline"))
	_, stranger := env.MustOrg(t)
	_, err = env.RenameUser(ctx, owner, stranger.UserID, "Mine now")
	wantErr(t, "RenameUser(other org's user)", err, chat.NotFound, chat.ReasonUserNotFound)
	// The other org may use the same names.
	must[*chat.User](t)(env.RenameUser(ctx, stranger, stranger.UserID, "Robert"))
}

func TestSetProfileImage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	_, owner := env.MustOrg(t)
	url := func(f *chat.File) string { return "https://example.test/media/" + f.Key }
	set := func(ct, body string) (*chat.User, error) {
		return env.SetProfileImage(ctx, owner, chat.NewUpload{Name: "me.png", ContentType: ct, Size: int64(len(body)), Body: stringsReader(body)}, url)
	}

	_, err := set("text/plain", "not an image")
	wantErr(t, "SetProfileImage(text)", err, chat.Invalid, chat.ReasonNotImage)
	first := must[*chat.User](t)(set("image/png", "one"))
	firstKey := first.ProfileImage[len("https://example.test/media/"):]
	second := must[*chat.User](t)(set("image/png", "two"))
	if second.ProfileImage == first.ProfileImage {
		t.Fatal("the profile image did not change")
	}
	if _, _, err := env.Files.Open(ctx, firstKey); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the previous image's bytes remain: %v", err)
	}
	if _, _, err := env.PublicFile(ctx, firstKey); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the previous image is still served: %v", err)
	}
	if _, rc, err := env.PublicFile(ctx, second.ProfileImage[len("https://example.test/media/"):]); err != nil {
		t.Errorf("the new image is not served: %v", err)
	} else {
		rc.Close()
	}
	if got := must[*chat.User](t)(env.User(ctx, owner, owner.UserID)); got.ProfileImage != second.ProfileImage {
		t.Errorf("stored profile image = %q", got.ProfileImage)
	}
}

// failingFiles is a chat.Files whose Put always fails, like an S3 server
// that refuses the upload.
type failingFiles struct{ chat.Files }

func (failingFiles) Put(context.Context, string, io.Reader, int64, string) error {
	return errors.New("s3: connection refused")
}

func TestFailedUploadLeavesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	base := chattest.New(t)
	env := chattest.NewWithFiles(t, failingFiles{base.Files})
	_, owner := env.MustOrg(t)
	mustFlag(t, env, owner, chat.FlagS3, true)
	if _, err := env.UploadMedia(ctx, owner, chat.NewUpload{Name: "a.png", ContentType: "image/png", Size: 1, Body: stringsReader("x")}); err == nil {
		t.Fatal("UploadMedia succeeded with a failing store")
	}
	url := func(f *chat.File) string { return f.Key }
	if _, err := env.SetProfileImage(ctx, owner, chat.NewUpload{Name: "a.png", ContentType: "image/png", Size: 1, Body: stringsReader("x")}, url); err == nil {
		t.Fatal("SetProfileImage succeeded with a failing store")
	}
	err := env.Store.View(ctx, func(tx chat.ReadTx) error {
		for id := chat.FileID(1); id < 5; id++ {
			if _, err := tx.FileByID(ctx, owner.OrgID, id); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("file %d exists after failed uploads: %v", id, err)
			}
		}
		if _, err := tx.ProfileFile(ctx, owner.OrgID, owner.UserID); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("a profile file was recorded: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if u := must[*chat.User](t)(env.User(ctx, owner, owner.UserID)); u.ProfileImage != "" {
		t.Errorf("profile image set to %q after a failed upload", u.ProfileImage)
	}
}

func TestPurgeUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	toChannel := chat.ConversationRef{ChannelID: o.channel.ID}
	m := must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: toChannel, Text: "soon gone"}))
	must[*chat.Message](t)(env.PostTo(ctx, o.reader, chat.ConversationPost{To: chat.ConversationRef{UserID: o.owner.UserID}, Text: "dm, soon gone"}))
	kept := must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: toChannel, Text: "stays"}))

	err := env.PurgeUser(ctx, o.outsider, o.reader.UserID)
	wantErr(t, "PurgeUser(member)", err, chat.Forbidden, "")
	if err := env.PurgeUser(ctx, o.owner, o.reader.UserID); err != nil {
		t.Fatal(err)
	}
	msgs := must[[]*chat.Message](t)(env.ConversationMessages(ctx, o.owner, toChannel, 0, 10))
	if len(msgs) != 1 || msgs[0].ID != kept.ID {
		t.Errorf("channel after purge = %v, want only the owner's", msgs)
	}
	// The purged user is gone, so the DM cannot be named any more.
	_, err = env.ConversationMessages(ctx, o.owner, chat.ConversationRef{UserID: o.reader.UserID}, 0, 10)
	wantErr(t, "ConversationMessages(purged user)", err, chat.NotFound, chat.ReasonUserNotFound)
	if _, err := env.Message(ctx, o.owner, m.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("a purged message is still readable: %v", err)
	}
	if _, err := env.Roles(ctx, o.reader, 0); chat.ErrorCode(err) != chat.Unauthenticated {
		t.Errorf("the purged user's token still works: %v", err)
	}
	if got := must[[]*chat.UserRole](t)(env.UserRoles(ctx, o.owner, o.reader.UserID)); len(got) != 0 {
		t.Errorf("the purged user keeps roles %v", got)
	}
	err = env.PurgeUser(ctx, o.owner, o.reader.UserID)
	wantErr(t, "PurgeUser twice", err, chat.NotFound, chat.ReasonUserNotFound)
	var deleted int
	for _, e := range env.Events.Events() {
		if e.Type == chat.EventMessageDeleted {
			deleted++
		}
	}
	if deleted != 2 {
		t.Errorf("%d message.deleted events, want 2", deleted)
	}
}

func TestSeen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chattest.New(t)
	o := newRolesOrg(t, env)
	toChannel := chat.ConversationRef{ChannelID: o.channel.ID}
	m1 := must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: toChannel, Text: "one"}))
	m2 := must[*chat.Message](t)(env.PostTo(ctx, o.owner, chat.ConversationPost{To: toChannel, Text: "two"}))

	seen := func(id chat.MessageID) []chat.UserID { return must[[]chat.UserID](t)(env.SeenBy(ctx, o.owner, id)) }
	if got := seen(m1.ID); !slices.Equal(got, []chat.UserID{o.owner.UserID}) {
		t.Errorf("seen(m1) before = %v, want the author", got)
	}
	// Unknown, foreign and unreadable ids are skipped.
	if err := env.MarkSeen(ctx, o.reader, []chat.MessageID{m2.ID, 999999}); err != nil {
		t.Fatal(err)
	}
	if err := env.MarkSeen(ctx, o.outsider, []chat.MessageID{m1.ID, m2.ID}); err != nil {
		t.Fatal(err)
	}
	if got := seen(m1.ID); !slices.Equal(got, []chat.UserID{o.owner.UserID, o.reader.UserID}) {
		t.Errorf("seen(m1) = %v: seeing m2 covers m1", got)
	}
	// The marker never moves back.
	if err := env.MarkSeen(ctx, o.reader, []chat.MessageID{m1.ID}); err != nil {
		t.Fatal(err)
	}
	if got := seen(m2.ID); !slices.Equal(got, []chat.UserID{o.owner.UserID, o.reader.UserID}) {
		t.Errorf("seen(m2) = %v", got)
	}
	if got := must[[]chat.ConversationRef](t)(env.Unread(ctx, o.reader)); len(got) != 0 {
		t.Errorf("unread after seeing the newest = %v", got)
	}
	_, err := env.SeenBy(ctx, o.outsider, m1.ID)
	wantErr(t, "SeenBy(outsider)", err, chat.NotFound, chat.ReasonMessageNotFound)
	_, err = env.SeenBy(ctx, o.owner, 999999)
	wantErr(t, "SeenBy(unknown)", err, chat.NotFound, chat.ReasonMessageNotFound)
}
