// Package web holds Parley's web client: plain HTML, CSS and JavaScript
// modules under static/, served as they are (there is no build step). The
// native API (internal/httpapi) serves them at / and the client talks only to
// the public /v1 API and /v1/ws, so it is also the reference client.
//
// Build with -tags noweb for a binary without the client: FS is then empty
// and the server says so at /.
package web
