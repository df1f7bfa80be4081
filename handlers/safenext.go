package handlers

import (
	"net/url"
	"strings"
)

// safeNext is the one check of every next=, return= and back= parameter (SECURITY.md 29): it returns next when it
// is a path on this site, and "" otherwise. Browsers drop tabs and newlines from URLs and read a backslash as a
// slash, so "/\t/evil.example" and "/\evil.example" lead off-site as surely as "//evil.example"; an encoded
// variant ("/%2F/evil.example", "%2F%2Fevil") may be decoded once more by whatever reads it next. Anything of the
// kind is refused rather than repaired.
func safeNext(next string) string {
	s := next
	for range 3 { // a value encoded twice is still caught; one encoded more often is refused below
		if !localPath(s) {
			return ""
		}
		dec, err := url.PathUnescape(s)
		if err != nil {
			return ""
		}
		if dec == s {
			return next
		}
		s = dec
	}
	return ""
}

// localPath says whether s, read as it stands, is an absolute path with no host: it starts with one slash and
// holds no control character, no backslash and nothing a browser would read as a scheme or an authority.
func localPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == '\u2028' || r == '\u2029' {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && !strings.HasPrefix(u.Path, "//")
}
