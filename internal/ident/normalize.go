package ident

import (
	"strings"
	"unicode"
)

// Normalize prepares user input for parsing:
//
//   - surrounding white space is trimmed: ASCII spaces, tabs and line breaks,
//     the ideographic space U+3000, NBSP U+00A0 and every other Unicode
//     space, plus the invisible U+200B (zero-width space) and U+FEFF (BOM)
//     that often come along with copy and paste;
//   - full-width forms U+FF01–U+FF5E (０-９, Ａ-Ｚ, ａ-ｚ, and punctuation such as
//     the full-width hyphen －) are folded to their ASCII counterparts;
//   - ASCII letters are upper-cased.
//
// Characters inside the string are otherwise left alone, so inner spaces or
// stray symbols are still reported by the parsers. Normalize is idempotent.
func Normalize(s string) string {
	s = strings.TrimFunc(s, isTrimSpace)
	// Fast path: already plain upper-case ASCII (the common case when
	// re-parsing stored values).
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || ('a' <= c && c <= 'z') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(foldRune, s)
}

func isTrimSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}

func foldRune(r rune) rune {
	if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII variants
		r -= 0xFEE0
	}
	if 'a' <= r && r <= 'z' {
		r -= 'a' - 'A'
	}
	return r
}
