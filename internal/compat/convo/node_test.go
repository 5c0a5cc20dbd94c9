package convo_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/nodetest"
)

// TestNodeClient runs e2e/node/convo-client.mjs: real ethers, siwe and
// tweetnacl signatures sign in against the surface, then comment, vote and
// edit; forged signatures, a replayed SIWE nonce and stale timestamps are
// refused.
func TestNodeClient(t *testing.T) {
	nodetest.Require(t)
	e := newEnv(t)
	out := nodetest.Run(t, 60*time.Second, []string{"PARLEY_URL=" + e.srv.URL, "PARLEY_APIKEY=" + e.key}, "convo-client.mjs")
	var summary struct {
		OK         bool   `json:"ok"`
		SIWEReplay string `json:"siweReplay"`
	}
	if err := json.Unmarshal(out, &summary); err != nil || !summary.OK {
		t.Fatalf("summary %s: %v", out, err)
	}
	if summary.SIWEReplay == "" {
		t.Error("the replayed SIWE message was not refused with a message")
	}
}
