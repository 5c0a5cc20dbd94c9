package httpapi

import (
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/parley-chat/parley/internal/chat"
)

// TestOpenAPIRoutes checks that openapi.yaml describes exactly the routes
// that routes() registers.
func TestOpenAPIRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	var spec []string
	for path, ops := range doc.Paths {
		for method := range ops {
			spec = append(spec, strings.ToUpper(method)+" "+path)
		}
	}
	code := Patterns()
	slices.Sort(spec)
	slices.Sort(code)
	for _, p := range code {
		if !slices.Contains(spec, p) {
			t.Errorf("route %q is not in openapi.yaml", p)
		}
	}
	for _, p := range spec {
		if !slices.Contains(code, p) {
			t.Errorf("openapi.yaml has %q, which no route serves", p)
		}
	}
}

// TestErrorCodes checks that every chat code has a status and is in the
// spec's error enum.
func TestErrorCodes(t *testing.T) {
	for _, c := range chat.Codes {
		if _, ok := statusOf[c]; !ok {
			t.Errorf("code %q has no HTTP status", c)
		}
		if !strings.Contains(string(openAPI), string(c)) {
			t.Errorf("code %q is not in openapi.yaml's error enum", c)
		}
	}
}

func TestIDs(t *testing.T) {
	tests := []struct {
		kind chat.Kind
		id   int64
		want string
	}{
		{chat.KindOrg, 0x4, "5N4"},
		{chat.KindChannel, 0x52, "3M52"},
		{chat.KindUser, 0x6c8, "4L6c8"},
		{chat.KindThread, 0x284a, "2K284a"},
		{chat.KindMessage, 0x1ae93, "1J1ae93"},
		{chat.KindMessage, chat.MaxID, "1Affffffffffffff"},
		{chat.KindFeed, 0, "0"},
		{chat.KindReport, 0x2a, "aM2a"},
		{chat.KindScheduled, 0x7, "bN7"},
	}
	for _, tt := range tests {
		if got := formatID(tt.kind, tt.id); got != tt.want {
			t.Errorf("formatID(%v, %#x) = %q, want %q", tt.kind, tt.id, got, tt.want)
		}
		if tt.id == 0 {
			continue
		}
		got, err := parseID(tt.kind, "id", tt.want)
		if err != nil || got != tt.id {
			t.Errorf("parseID(%q) = %#x, %v; want %#x", tt.want, got, err, tt.id)
		}
	}
	for _, bad := range []string{"", "0", "1", "1N", "1Mf", "1N01", "1NA", "1O", "-N1", "AN1", "1N-1", "1N1 ", "1Affffffffffffff0"} {
		if _, _, err := decodeID(bad); err == nil {
			t.Errorf("decodeID(%q) succeeded", bad)
		}
	}
	if _, err := parseID(chat.KindThread, "id", "1N1"); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("parseID(wrong kind) = %v", err)
	}
}

func FuzzDecodeID(f *testing.F) {
	for _, s := range []string{"1J1ae93", "5N4", "0", "1Affffffffffffff", "2K284a", "zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, kind, err := decodeID(s)
		if err != nil {
			return
		}
		if got := formatID(kind, id); got != s {
			t.Fatalf("decodeID(%q) = %d, %v; formats back as %q", s, id, kind, got)
		}
	})
}
