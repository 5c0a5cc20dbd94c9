package s3

import "github.com/minio/minio-go/v7"

// ClientOf exposes a Store's client and bucket to tests, which use them to
// look behind the chat.Files interface.
func ClientOf(s *Store) (*minio.Client, string) {
	return s.client, s.bucket
}
