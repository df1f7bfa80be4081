package printout

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/signintech/gopdf"
)

// fontTTF is Noto Sans SC Regular (static TTF from the npm package @expo-google-fonts/noto-sans-sc@0.4.3),
// licensed under the SIL Open Font License 1.1 (fonts/OFL.txt).
//
//go:embed fonts/NotoSansSC_400Regular.ttf
var fontTTF []byte

// fallbackTTF is HanaMinB cut down to CJK Extensions B–F (30 MB, 60,317 characters), under the Hanazono Font
// License (fonts/HanaMinB-LICENSE.txt). It prints only what Noto Sans SC lacks. Embedded, it stays in the binary's
// read-only data: gopdf parses it in place and reads only the glyphs a document uses.
//
//go:embed fonts/HanaMinB-subset.ttf
var fallbackTTF []byte

const (
	fontFamily     = "NotoSansSC"
	fallbackFamily = "HanaMinB"
)

// missingGlyph is printed for a character neither font has (CJK Extension G, emoji): a visible box rather than
// gopdf's default blank, so that a name is never printed silently shortened.
const missingGlyph = '□'

// Renderer holds the parsed fonts. Build it once with NewRenderer (parsing the 10 MB main font takes about 10 ms, a
// third of a one-form PDF) and share it: it is safe for concurrent use. Each document takes a shallow copy of a
// parsed font (gopdf's FontContainer) with its own glyph subset, so documents never see each other's characters.
// The fallback font is parsed on the first document that needs it.
type Renderer struct {
	fonts         *gopdf.FontContainer
	main, reserve runeSet // the characters of the main and of the fallback font

	fallbackOnce  sync.Once
	fallbackFonts *gopdf.FontContainer
	fallbackErr   error
}

// NewRenderer parses the embedded main font and reads which characters each font has.
func NewRenderer() (*Renderer, error) {
	fc := &gopdf.FontContainer{}
	if err := fc.AddTTFFontDataWithOption(fontFamily, fontTTF, ttfOption()); err != nil {
		return nil, fmt.Errorf("printout: parse font: %w", err)
	}
	main, err := fontRunes(fontTTF)
	if err != nil {
		return nil, err
	}
	reserve, err := fontRunes(fallbackTTF)
	if err != nil {
		return nil, err
	}
	return &Renderer{fonts: fc, main: main, reserve: reserve}, nil
}

func ttfOption() gopdf.TtfOption {
	return gopdf.TtfOption{
		Style:                     gopdf.Regular,
		OnGlyphNotFoundSubstitute: func(rune) rune { return missingGlyph },
	}
}

// fallback returns the parsed fallback font (about 20 ms and 1 MB of heap, once per process).
func (r *Renderer) fallback() (*gopdf.FontContainer, error) {
	r.fallbackOnce.Do(func() {
		fc := &gopdf.FontContainer{}
		if err := fc.AddTTFFontDataWithOption(fallbackFamily, fallbackTTF, ttfOption()); err != nil {
			r.fallbackErr = fmt.Errorf("printout: parse fallback font: %w", err)
			return
		}
		r.fallbackFonts = fc
	})
	return r.fallbackFonts, r.fallbackErr
}

// needsFallback reports whether c prints in the fallback font: the main font lacks it and the fallback has it.
// Everything else, including what neither has (printed as □), goes to the main font.
func (r *Renderer) needsFallback(c rune) bool {
	return !r.main.has(c) && r.reserve.has(c)
}

// covers reports whether c prints as itself rather than as □.
func (r *Renderer) covers(c rune) bool {
	return r.main.has(c) || r.reserve.has(c)
}
