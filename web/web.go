//go:build !noweb

package web

import (
	"embed"
	"io/fs"
)

//go:embed all:static
var static embed.FS

// FS is the client's files: index.html and assets/.
var FS fs.FS = sub(static, "static")

func sub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic("web: " + err.Error()) // dir is a constant that go:embed checked
	}
	return s
}
