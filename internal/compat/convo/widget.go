package convo

import (
	_ "embed"
	"net/http"
)

// widgetJS is the comments widget: one script a page includes with
//
//	<script src="https://parley.example/api/widget.js" data-apikey="CS…"
//	        data-thread-id="my-page" async></script>
//
// It renders the page's comments where the script tag is (or into the
// element named by data-target) and keeps them live over /api/subscribe. It
// talks only to the server it was loaded from.
//
//go:embed widget.js
var widgetJS []byte

// widget is GET /api/widget.js.
func (s *server) widget(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(widgetJS)
	}
	return nil
}
