package forge_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/chat/chattest"
	"github.com/parley-chat/parley/internal/files/disk"
	"github.com/parley-chat/parley/internal/files/s3"
	"github.com/parley-chat/parley/internal/files/s3/s3test"
)

// TestMediaStores runs ConvoForge's media and profile images over every file
// store: local disk, an in-process S3 fake, and the real S3-compatible server
// the PARLEY_TEST_S3_* variables name (.ci/s3-server starts versitygw).
func TestMediaStores(t *testing.T) {
	t.Run("disk", func(t *testing.T) {
		t.Parallel()
		files, err := disk.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		testMedia(t, files)
	})
	t.Run("s3fake", func(t *testing.T) {
		t.Parallel()
		opts, _ := s3test.NewFakeServer(t)
		testMedia(t, openS3(t, opts))
	})
	t.Run("s3server", func(t *testing.T) {
		t.Parallel()
		opts := s3test.ServerOptions(t)
		opts.Prefix = "parley-test/forge-" + strings.ToLower(rand.Text())
		st := openS3(t, opts)
		t.Cleanup(func() { emptyPrefix(t, st, opts) })
		testMedia(t, st)
	})
}

func testMedia(t *testing.T, files chat.Files) {
	ctx := context.Background()
	env := chattest.NewWithFiles(t, files)
	srv := newServer(t, env)
	o := srv.bootstrap(t)
	bob := o.member(t, srv, "bob", "")

	// Upload, fetch by URL, attach, list.
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 4096)...)
	media := bob.upload(t, "POST", "/media/", "diagram.png", "image/png", png).want(t, 200).obj(t)
	key := media["key"].(string)
	if rc, _, err := files.Open(ctx, key); err != nil {
		t.Fatalf("the upload is not in the store: %v", err)
	} else {
		rc.Close()
	}
	status, body := srv.send(t, "GET", media["url"].(string), nil, nil)
	if status != 200 || body != string(png) {
		t.Fatalf("GET %s = %d, %d bytes", media["url"], status, len(body))
	}
	msg := bob.do(t, "POST", "/message/", map[string]any{"content": "see", "message_type": "MESSAGE", "recipient_type": "USER",
		"reference_id": o.admin.id, "media_ids": []string{media["id"].(string)}}).want(t, 200).obj(t)
	list := o.admin.do(t, "GET", "/media/?message_id="+msg["id"].(string), nil).want(t, 200).list(t)
	if len(list) != 1 || list[0]["id"] != media["id"] || list[0]["message_id"] != msg["id"] {
		t.Fatalf("media of the message = %v", list)
	}

	// Over 1 MiB: the original's answer, and nothing stored.
	bob.upload(t, "POST", "/media/", "big.bin", "application/octet-stream", make([]byte, 1<<20+1)).want(t, 400, "A payload reached size limit.")
	bob.upload(t, "PATCH", "/user/profile-image", "big.png", "image/png", make([]byte, 1<<20+1)).want(t, 400, "A payload reached size limit.")
	// Exactly 1 MiB is fine.
	full := bob.upload(t, "POST", "/media/", "full.bin", "application/octet-stream", make([]byte, 1<<20)).want(t, 200).obj(t)
	o.admin.do(t, "DELETE", "/media/", map[string]any{"id": full["id"]}).want(t, 200)

	// Deleting removes the object.
	o.admin.do(t, "DELETE", "/media/", map[string]any{"id": media["id"]}).want(t, 200)
	if _, _, err := files.Open(ctx, key); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the deleted media's object remains: %v", err)
	}

	// A new profile image replaces (and removes) the previous one.
	bob.upload(t, "PATCH", "/user/profile-image", "me.png", "image/png", png).want(t, 200, "User profile image updated")
	first := bob.do(t, "GET", "/user/current", nil).want(t, 200).obj(t)["profile_image"].(string)
	bob.upload(t, "PATCH", "/user/profile-image", "me2.gif", "", []byte("GIF89a...")).want(t, 200, "User profile image updated")
	second := bob.do(t, "GET", "/user/current", nil).want(t, 200).obj(t)["profile_image"].(string)
	if status, _ := srv.send(t, "GET", first, nil, nil); status != 404 {
		t.Errorf("the previous profile image is still served (%d)", status)
	}
	if status, body := srv.send(t, "GET", second, nil, nil); status != 200 || body != "GIF89a..." {
		t.Errorf("GET the profile image = %d %q", status, body)
	}
	firstKey := strings.Join(strings.Split(strings.TrimPrefix(first, srv.URL+"/media/"), "/")[:3], "/")
	if _, _, err := files.Open(ctx, firstKey); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("the previous profile image's object remains: %v", err)
	}
}

// TestFailedS3UploadLeavesNoRow checks that when the S3 server fails the
// upload, the request fails and no media record is left.
func TestFailedS3UploadLeavesNoRow(t *testing.T) {
	t.Parallel()
	opts, fake := s3test.NewFakeServer(t)
	env := chattest.NewWithFiles(t, openS3(t, opts))
	srv := newServer(t, env)
	o := srv.bootstrap(t)
	fake.Close() // the S3 server goes away
	o.admin.upload(t, "POST", "/media/", "a.png", "image/png", []byte("\x89PNG")).want(t, http.StatusInternalServerError, "An error occurred")
	o.admin.upload(t, "PATCH", "/user/profile-image", "a.png", "image/png", []byte("\x89PNG")).want(t, http.StatusInternalServerError)
	a := o.admin.actor(t)
	err := env.Store.View(context.Background(), func(tx chat.ReadTx) error {
		for id := chat.FileID(1); id <= 3; id++ {
			if _, err := tx.FileByID(context.Background(), a.OrgID, id); chat.ErrorCode(err) != chat.NotFound {
				t.Errorf("file %d exists after the failed uploads: %v", id, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if u := o.admin.do(t, "GET", "/user/current", nil).want(t, 200).obj(t); u["profile_image"] != nil {
		t.Errorf("profile image set after a failed upload: %v", u["profile_image"])
	}
}

func openS3(t *testing.T, opts s3.Options) *s3.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := s3.Open(ctx, opts)
	if err != nil {
		t.Fatalf("open S3 store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// emptyPrefix removes what a test left under its prefix on a shared server.
func emptyPrefix(t *testing.T, st *s3.Store, opts s3.Options) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client, err := minio.New(strings.TrimPrefix(strings.TrimPrefix(opts.Endpoint, "http://"), "https://"), &minio.Options{
		Creds: credentialsOf(opts), Secure: strings.HasPrefix(opts.Endpoint, "https://"), Region: opts.Region, BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Error(err)
		return
	}
	for obj := range client.ListObjects(ctx, opts.Bucket, minio.ListObjectsOptions{Prefix: opts.Prefix + "/", Recursive: true}) {
		if obj.Err != nil {
			t.Errorf("list: %v", obj.Err)
			return
		}
		if err := client.RemoveObject(ctx, opts.Bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
			t.Errorf("remove %s: %v", obj.Key, err)
		}
	}
}

func credentialsOf(opts s3.Options) *credentials.Credentials {
	return credentials.NewStaticV4(opts.AccessKeyID, opts.SecretAccessKey, "")
}
