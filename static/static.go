// Package static embeds the CSS, htmx and images the pages use, and names each file with a version query string
// (a hash of its content) so browsers may cache it for a year and still get a new one when it changes.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed *.css *.js vendor/*.js vendor/*.txt img
var Files embed.FS

var versions = map[string]string{}

func init() {
	err := fs.WalkDir(Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := Files.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		versions[path] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic(err)
	}
}

// URL returns the address of an embedded file, e.g. URL("app.css") = "/static/app.css?v=1a2b3c4d5e6f".
// It panics on a name that is not embedded, so a typo fails the first test that renders the page.
func URL(name string) string {
	v, ok := versions[name]
	if !ok {
		panic("static: no file " + name)
	}
	return "/static/" + name + "?v=" + v
}

// HTMX is the pinned htmx file; Script is the one script of our own (photo crop box, the list of chosen photos).
const (
	HTMX   = "vendor/htmx-2.0.11.min.js"
	Script = "app.js"
)
