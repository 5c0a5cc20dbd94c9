// Package nodetest runs the Node.js programs under e2e/node from Go tests, so
// that real third-party clients (socket.io-client, ethers, siwe, tweetnacl,
// playwright-core) exercise Parley.
//
// The packages are installed by `npm ci` in e2e/node (.ci/run does it). When
// they are missing the calling test is skipped, unless PARLEY_TEST_REQUIRE_NODE
// is set, in which case it fails: CI sets it so a missing client never passes
// silently.
package nodetest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Dir returns the absolute path of e2e/node, found by walking up from the
// working directory to the module root.
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "e2e", "node")
		}
		if filepath.Dir(d) == d {
			tb.Fatal("nodetest: go.mod not found above " + wd)
		}
	}
}

// Require skips tb when Node or the e2e/node packages are missing, or fails
// it when PARLEY_TEST_REQUIRE_NODE is set. It returns the e2e/node directory.
func Require(tb testing.TB) string {
	tb.Helper()
	dir := Dir(tb)
	missing := ""
	if _, err := exec.LookPath("node"); err != nil {
		missing = "node is not installed"
	} else if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		missing = "e2e/node/node_modules is missing (run: cd e2e/node && npm ci)"
	}
	if missing != "" {
		if os.Getenv("PARLEY_TEST_REQUIRE_NODE") != "" {
			tb.Fatal("nodetest: " + missing + " and PARLEY_TEST_REQUIRE_NODE is set")
		}
		tb.Skip("nodetest: " + missing)
	}
	return dir
}

// Run runs `node <script> args...` in e2e/node with env added to the
// environment and returns its standard output. A non-zero exit fails tb with
// the program's standard error. Scripts must stop by themselves; Run kills
// one that takes longer than timeout.
func Run(tb testing.TB, timeout time.Duration, env []string, script string, args ...string) []byte {
	tb.Helper()
	dir := Require(tb)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("node %s: %v\nstderr:\n%s\nstdout:\n%s", script, err, stderr.String(), stdout.String())
	}
	return stdout.Bytes()
}

// Chromium returns the browser for the headless tests: PARLEY_TEST_CHROMIUM,
// or /usr/bin/chromium (Debian's package). When there is none it skips tb,
// or fails it when PARLEY_TEST_REQUIRE_CHROMIUM is set (CI sets it).
func Chromium(tb testing.TB) string {
	tb.Helper()
	path := os.Getenv("PARLEY_TEST_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		msg := "chromium not found at " + path + " (apt-get install chromium, or set PARLEY_TEST_CHROMIUM)"
		if os.Getenv("PARLEY_TEST_REQUIRE_CHROMIUM") != "" {
			tb.Fatal(msg + " and PARLEY_TEST_REQUIRE_CHROMIUM is set")
		}
		tb.Skip(msg)
	}
	return path
}
