//go:build noweb

package web

import (
	"embed"
	"io/fs"
)

// FS is empty in a build without the client.
var FS fs.FS = embed.FS{}
