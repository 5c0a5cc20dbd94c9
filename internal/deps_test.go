package internal_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/parley-chat/parley/"

// rule says what one group of packages may import, besides the standard
// library and itself, and why.
type rule struct {
	prefix string            // package path prefix (under the module)
	allow  []string          // allowed import prefixes outside the stdlib
	why    string            // the reason for the rule
	deny   map[string]string // explicitly forbidden prefixes with reasons
}

var rules = []rule{
	{prefix: "internal/chat", allow: []string{}, why: "the domain is pure: standard library only"},
	{prefix: "internal/chat/chattest", allow: []string{"internal/chat", "internal/auth", "internal/files", "internal/sqlstore", "internal/realtime"},
		why: "test helper that wires real parts"},
	{prefix: "internal/sqlstore", allow: []string{"internal/chat", "internal/sqlstore", "github.com/jackc/pgx", "modernc.org/sqlite", "github.com/pressly/goose"},
		why: "the store implements chat.Store and knows no surface"},
	{prefix: "internal/files", allow: []string{"internal/chat", "internal/files", "github.com/minio/minio-go", "github.com/johannesboyne/gofakes3"},
		why: "file stores implement chat.Files"},
	{prefix: "internal/auth", allow: []string{"internal/chat", "internal/auth", "github.com/golang-jwt/jwt", "github.com/decred/dcrd",
		"golang.org/x/crypto", "github.com/mr-tron/base58", "internal/nodetest"}, why: "credentials know only the domain"},
	{prefix: "internal/realtime", allow: []string{"internal/chat", "internal/realtime", "github.com/nats-io", "github.com/jackc/pgx"},
		why: "live delivery implements chat.Hub and knows no surface", deny: map[string]string{"internal/sqlstore": "the hub reads the log through chat.Store"}},
	{prefix: "internal/jobs", allow: []string{"internal/chat"}, why: "jobs decide when; the work is in chat"},
	{prefix: "internal/httpx", allow: []string{"internal/chat", "golang.org/x/time/rate"}, why: "shared HTTP helpers, no surface logic"},
	{prefix: "internal/webhook", allow: []string{"internal/chat"}, why: "outbound webhook HTTP implements chat.WebhookSender and knows no surface"},
	{prefix: "internal/httpapi", allow: []string{"internal/chat", "internal/httpx", "github.com/coder/websocket", "golang.org/x/time/rate", "go.yaml.in/yaml"},
		why: "a surface talks only to chat.Service", deny: map[string]string{"internal/sqlstore": "no SQL in surfaces", "internal/compat": "surfaces are independent"}},
	{prefix: "internal/compat/", allow: []string{"internal/chat", "internal/httpx", "internal/socketio", "github.com/coder/websocket", "golang.org/x/time/rate", "internal/nodetest"},
		why: "a compat surface translates and calls chat.Service", deny: map[string]string{"internal/sqlstore": "no SQL in surfaces", "internal/realtime": "events come through chat"}},
	{prefix: "internal/compat/convo", allow: []string{"internal/chat", "internal/httpx", "github.com/coder/websocket", "internal/nodetest"},
		why:  "The Convo Space's surface translates and calls chat.Service; wallet checks come through chat.Wallets",
		deny: map[string]string{"internal/sqlstore": "no SQL in surfaces", "internal/realtime": "events come through chat", "internal/auth": "signatures are checked behind chat.Wallets"}},
	{prefix: "internal/socketio", allow: []string{"github.com/coder/websocket", "internal/nodetest"}, why: "a protocol library knows nothing of Parley"},
	{prefix: "internal/nodetest", allow: []string{}, why: "test helper"},
	{prefix: "internal/conntest", allow: []string{"github.com/coder/websocket"}, why: "test helper for any surface's connections: knows nothing of Parley"},
	{prefix: "web", allow: []string{}, why: "the embedded client's files; httpapi gets them as an fs.FS from cmd/parley"},
}

type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Standard     bool
}

// TestDependencies enforces the direction of imports (STYLE.md B.2).
func TestDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	std := stdlib(t)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	checked := 0
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rel := strings.TrimPrefix(p.ImportPath, module)
		r := match(rel)
		if r == nil {
			if strings.HasPrefix(rel, "internal/") && !strings.Contains(rel, "/testdata") {
				t.Errorf("package %s has no dependency rule: add one to internal/deps_test.go", rel)
			}
			continue
		}
		checked++
		for _, imp := range p.Imports {
			if std[imp] || strings.HasPrefix(module+rel, imp) && imp == p.ImportPath {
				continue
			}
			short := strings.TrimPrefix(imp, module)
			if strings.HasPrefix(short, rel) {
				continue
			}
			for d, why := range r.deny {
				if strings.HasPrefix(short, d) {
					t.Errorf("%s imports %s: %s", rel, short, why)
				}
			}
			if !allowed(r, short) {
				t.Errorf("%s imports %s; allowed: stdlib, %v (%s)", rel, short, r.allow, r.why)
			}
		}
	}
	if checked < 8 {
		t.Fatalf("only %d packages checked", checked)
	}
}

func match(rel string) *rule {
	var best *rule
	for i := range rules {
		r := &rules[i]
		if rel == r.prefix || strings.HasPrefix(rel, strings.TrimSuffix(r.prefix, "/")+"/") || strings.HasSuffix(r.prefix, "/") && strings.HasPrefix(rel, r.prefix) {
			if best == nil || len(r.prefix) > len(best.prefix) {
				best = r
			}
		}
	}
	return best
}

func allowed(r *rule, imp string) bool {
	for _, a := range r.allow {
		if strings.HasPrefix(imp, a) {
			return true
		}
	}
	return false
}

func stdlib(t *testing.T) map[string]bool {
	out, err := exec.Command("go", "list", "std").Output()
	if err != nil {
		t.Fatalf("go list std: %v", err)
	}
	m := map[string]bool{}
	for _, l := range strings.Fields(string(out)) {
		m[l] = true
	}
	return m
}
