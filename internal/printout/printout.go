// Package printout prints the system's documents as PDF and exports them as Word (.docx) files. It is a small
// layout engine (page setup, wrapped text, headings, label/value tables, photo box, footer, QR code) and a set of
// document kinds, each a file that lays itself out with those parts: the 报名表 (registration.go) today; the 准考证,
// 证书 and 申请表 are to follow the same way.
//
// The PDF embeds subsets of Noto Sans SC (fonts/NotoSansSC_400Regular.ttf, SIL OFL 1.1) and, only for characters
// it lacks such as CJK Extensions B–F (𠮷 𠀾), of a subset of HanaMinB (fonts/HanaMinB-subset.ttf, Hanazono Font
// License), so nothing has to be installed on the server. A character neither font has (Extension G and later,
// emoji) prints as □; the .docx keeps every character and names SimSun-ExtB/ExtG for those beyond U+FFFF.
//
// Every string in a document is user data and is only ever written as text: in the PDF each character becomes a
// glyph number of an embedded font (nothing is parsed), in the .docx it is XML-escaped inside <w:t>. Control and
// invisible formatting characters (bidi overrides, zero-width characters) are dropped, so they cannot reorder or
// hide what is printed.
package printout

import (
	"bytes"
	"errors"
	"fmt"
	"image/jpeg"
	"strings"
	"unicode"
	"unicode/utf8"
)

// document is one printed document of some kind. The engine checks every document before it draws any, then lays
// each out from a fresh page (PDF) or as its own section (.docx).
type document interface {
	pdfPart
	// docx writes the document's body and ends it with w.sectionEnd.
	docx(w *docxWriter)
}

// pdfPart is a document printed only as PDF (the registry's 考场照片阵列, 桌签 and 门贴 have no Word form).
type pdfPart interface {
	// ref names the document in an error message (e.g. 报名编号 "BJ2026-000123"), or is "".
	ref() string
	// check refuses what must not be printed silently wrong, such as a photo that is not a JPEG.
	check() error
	// pdf lays the document out with the PDF engine; the first error is left in d.err.
	pdf(d *pdfDoc)
}

// ErrPhoto is returned (wrapped, with the form's position) when Form.Photo is not nil but is not a readable JPEG.
// A broken photo is an error rather than a silent placeholder: the form is an official record, and a missing
// photo must be noticed, not printed over.
var ErrPhoto = errors.New("printout: photo is not a valid JPEG")

// ErrNoForms is returned when PDF or DOCX is called without any form.
var ErrNoForms = errors.New("printout: no forms to print")

// docError wraps err with the document's position and reference (which is not personal data).
func docError(i int, doc pdfPart, err error) error {
	if ref := doc.ref(); ref != "" {
		return fmt.Errorf("printout: form %d (%s): %w", i+1, ref, err)
	}
	return fmt.Errorf("printout: form %d: %w", i+1, err)
}

// checkAll checks every document, so that nothing is drawn when any of them is refused.
func checkAll[D pdfPart](docs []D) error {
	if len(docs) == 0 {
		return ErrNoForms
	}
	for i, doc := range docs {
		if err := doc.check(); err != nil {
			return docError(i, doc, err)
		}
	}
	return nil
}

// Limits on the photo: the app stores 295×413 JPEGs; anything much bigger is refused before it is decoded.
const (
	maxPhotoSide   = 3000
	maxPhotoPixels = 4_000_000
)

// photoInfo is a checked photo: nil data means "print the placeholder".
type photoInfo struct {
	data          []byte
	width, height int
}

// checkPhoto validates b as a complete JPEG. Empty → placeholder (no error).
func checkPhoto(b []byte) (photoInfo, error) {
	if len(b) == 0 {
		return photoInfo{}, nil
	}
	if len(b) < 3 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF {
		return photoInfo{}, ErrPhoto
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPhotoSide || cfg.Height > maxPhotoSide ||
		cfg.Width*cfg.Height > maxPhotoPixels {
		return photoInfo{}, ErrPhoto
	}
	// A full decode catches truncated or corrupt data that DecodeConfig lets through; the PDF and the .docx embed
	// the bytes as they are, so they must be sound. A 295×413 photo decodes in well under a millisecond.
	if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
		return photoInfo{}, ErrPhoto
	}
	return photoInfo{data: b, width: cfg.Width, height: cfg.Height}, nil
}

// fitPhoto returns the size (in the box's unit) of a w×h picture scaled to fit a boxW×boxH box, aspect kept.
func fitPhoto(w, h int, boxW, boxH float64) (float64, float64) {
	if w <= 0 || h <= 0 {
		return boxW, boxH
	}
	sw, sh := boxW, boxW*float64(h)/float64(w)
	if sh > boxH {
		sh, sw = boxH, boxH*float64(w)/float64(h)
	}
	return sw, sh
}

// clean makes user text printable: invalid UTF-8 becomes U+FFFD, CR LF and CR become LF, tabs and other
// whitespace become a space, other control characters and invisible format characters (bidi overrides,
// zero-width spaces, BOM, soft hyphen) are dropped. With multiline false, LF becomes a space too.
func clean(s string, multiline bool) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(unicode.ReplacementChar)
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if multiline {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		case r == '\t' || r == '\v' || r == '\f' || r == '\u00a0' || r == '\u0085':
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r), unicode.Is(unicode.Cs, r):
			// dropped
		case unicode.IsSpace(r) && r != '\u3000':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// segment is a stretch of text whose characters all fall in the same class (such as "needs the fallback font").
type segment struct {
	text  string
	class int
}

// segments splits s into maximal runs of characters of one class. Text of a single class is returned whole,
// without copying.
func segments(s string, class func(rune) int) []segment {
	var segs []segment
	start, cur := 0, 0
	for i, r := range s {
		c := class(r)
		if i == 0 {
			cur = c
			continue
		}
		if c != cur {
			segs = append(segs, segment{s[start:i], cur})
			start, cur = i, c
		}
	}
	if start < len(s) {
		segs = append(segs, segment{s[start:], cur})
	}
	return segs
}
