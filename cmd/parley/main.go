// Command parley is the Parley chat server: one binary serving the native
// /v1 API and the ConvoForge, Botyard, Convo and Allo surfaces over one core.
//
// Usage:
//
//	parley [serve] [flags]   serve (the default)
//	parley migrate [flags]   apply database migrations and exit
//	parley backup FILE       write a consistent copy of the SQLite database to FILE,
//	                         online (for PostgreSQL it says how to use pg_dump)
//	parley version           print the version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "parley: %v\n", err)
		os.Exit(1)
	}
}

// run is the whole program, callable from tests: it returns when ctx ends
// (or on SIGINT/SIGTERM) after a graceful shutdown.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := "serve"
	if len(args) > 0 && (args[0] == "serve" || args[0] == "migrate" || args[0] == "backup" || args[0] == "version") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "parley", version())
		return nil
	}
	var target string
	if cmd == "backup" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return errors.New("usage: parley backup FILE [flags]")
		}
		target, args = args[0], args[1:]
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	if cmd == "backup" {
		return backup(ctx, cfg, target, stdout)
	}
	if cmd == "migrate" {
		return migrate(ctx, cfg, stdout)
	}
	return serve(ctx, cfg, stdout, stderr)
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
