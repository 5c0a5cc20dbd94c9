package httpapi

import (
	"net/http"

	"github.com/parley-chat/parley/internal/chat"
)

// The pseudonym pool for anonymous users: for each surname, the surname
// followed by each NATO alphabet word, keyed by its first pseudonym.
var (
	anonSurnames = []string{"adams", "baker", "clark", "davis", "evans", "fisher", "garcia", "hughes", "irwin", "jones",
		"king", "lewis", "moore", "nash", "owens", "parker", "quinn", "reed", "smith", "turner", "underwood", "vance",
		"walker", "xavier", "young", "zimmer"}
	natoWords = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett", "kilo",
		"lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango", "uniform", "victor", "whiskey",
		"xray", "yankee", "zulu"}
	anons = func() map[string][]string {
		m := make(map[string][]string, len(anonSurnames))
		for _, s := range anonSurnames {
			names := make([]string, len(natoWords))
			for i, w := range natoWords {
				names[i] = s + "-" + w
			}
			m[names[0]] = names
		}
		return m
	}()
)

func (s *server) getAnons(w http.ResponseWriter, r *http.Request, _ chat.Actor) error {
	return ok(w, http.StatusOK, anons)
}
