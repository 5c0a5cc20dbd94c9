package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
)

// webClient serves the embedded web client (package web): index.html for
// each of the client's own routes, and its files under /assets/.
//
// There is no build step, so asset names carry no hash. Instead the page is
// rendered once at start-up with a version (a content hash) on every asset
// URL: the stylesheet and entry module in index.html get ?v=<hash>, and an
// import map sends every module import to its versioned URL. A request with
// the current version is cached for a year (immutable); any other request for
// an asset, and the page itself, is revalidated with an ETag.
type webClient struct {
	index     []byte // rendered index.html; nil when the build has no client
	indexETag string
	csp       string
	assets    map[string]webAsset // by path under /assets/
}

type webAsset struct {
	body    []byte
	version string
	ctype   string
}

// hostChars matches a Host header that is safe to repeat in the CSP.
var hostChars = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

// importMapMarker is replaced in index.html by the import map.
const importMapMarker = "<!-- parley:importmap -->"

// newWebClient reads files (nil or without index.html: a build without the
// client) and renders the page.
func newWebClient(files fs.FS) (*webClient, error) {
	wc := &webClient{assets: map[string]webAsset{}}
	if files == nil {
		return wc, nil
	}
	index, err := fs.ReadFile(files, "index.html")
	if errors.Is(err, fs.ErrNotExist) {
		return wc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("web client: %w", err)
	}
	err = fs.WalkDir(files, "assets", func(p string, d fs.DirEntry, err error) error {
		if p == "assets" && errors.Is(err, fs.ErrNotExist) {
			return fs.SkipAll // a page without assets
		}
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		wc.assets[strings.TrimPrefix(p, "assets/")] = webAsset{body: b, version: hex.EncodeToString(sum[:6]), ctype: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web client assets: %w", err)
	}
	imports := map[string]string{}
	names := make([]string, 0, len(wc.assets))
	for name := range wc.assets {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		url := "/assets/" + name
		versioned := url + "?v=" + wc.assets[name].version
		if strings.HasSuffix(name, ".js") {
			imports[url] = versioned
		}
		index = bytes.ReplaceAll(index, []byte(`"`+url+`"`), []byte(`"`+versioned+`"`))
	}
	m, err := json.Marshal(map[string]any{"imports": imports})
	if err != nil {
		return nil, err
	}
	script := `<script type="importmap">` + string(m) + `</script>`
	if !bytes.Contains(index, []byte(importMapMarker)) {
		return nil, fmt.Errorf("web client: index.html has no %s", importMapMarker)
	}
	index = bytes.Replace(index, []byte(importMapMarker), []byte(script), 1)
	scriptHash := sha256.Sum256(m)
	wc.csp = "default-src 'self'; script-src 'self' 'sha256-" + base64.StdEncoding.EncodeToString(scriptHash[:]) + "'; " +
		"style-src 'self'; img-src 'self' blob: data:; connect-src 'self'%s; font-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	wc.index = index
	isum := sha256.Sum256(index)
	wc.indexETag = `"` + hex.EncodeToString(isum[:8]) + `"`
	return wc, nil
}

// servePage serves index.html: the client reads the path and shows the page
// it names.
func (wc *webClient) servePage(w http.ResponseWriter, r *http.Request) {
	if wc.index == nil {
		http.Error(w, "This server was built without the web client (-tags noweb); the API is under /v1.", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", wc.indexETag)
	// 'self' covers the page's own WebSocket in current browsers; naming it
	// keeps older ones (which read 'self' as http(s) only) working.
	sockets := ""
	if hostChars.MatchString(r.Host) {
		sockets = " ws://" + r.Host + " wss://" + r.Host
	}
	h.Set("Content-Security-Policy", fmt.Sprintf(wc.csp, sockets))
	h.Set("X-Content-Type-Options", "nosniff")
	// The join link carries the org's secret in its path: never send it on.
	h.Set("Referrer-Policy", "no-referrer")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(wc.index))
}

// serveAsset serves one file under /assets/.
func (wc *webClient) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := wc.assets[r.PathValue("path")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+a.version+`"`)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}
