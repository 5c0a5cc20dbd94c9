// Package httpapi serves Parley's native API: Struct's /v1 (and /create-org),
// extended in the same style, with its typed-hex ids, its {"ok","data"}
// envelope and unix-second timestamps. Handlers only translate: decode, call
// one chat use case, encode. routes.go lists every route and openapi.yaml
// describes them; a test keeps the two in step.
package httpapi
