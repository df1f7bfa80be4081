package printout

import (
	"bytes"
	"fmt"
	"strconv"
)

// gopdf v0.33 writes each font's ToUnicode map (glyph → character, what copy, search and pdftotext read) as
// "<glyph><glyph><character>" with the character as plain hex: U+20BB7 becomes <20BB7>, which readers take as
// UTF-16 and turn into a different character. The PDF spec wants UTF-16BE, a surrogate pair: <D842DFB7>.
//
// fixToUnicode rewrites those maps in place, at the same length, so gopdf's cross-reference offsets stay right:
// one-glyph bfrange entries become bfchar entries, which are 6 bytes shorter, and the room that frees pays for the
// longer surrogate pairs; spaces fill the rest. A map that does not look exactly as gopdf writes it is left alone.
func fixToUnicode(pdf []byte) {
	const (
		head = "endcodespacerange\n"
		tail = "endbfrange\n"
	)
	for from := 0; ; {
		i := bytes.Index(pdf[from:], []byte(" beginbfrange\n"))
		if i < 0 {
			return
		}
		i += from
		start := bytes.LastIndexByte(pdf[:i], '\n') + 1
		n := bytes.Index(pdf[i:], []byte(tail))
		if n < 0 {
			return
		}
		end := i + n + len(tail)
		if bytes.HasSuffix(pdf[:start], []byte(head)) {
			if repl, ok := bfcharMap(pdf[start:end]); ok {
				copy(pdf[start:end], repl)
			}
		}
		from = end
	}
}

// bfcharMap turns "N beginbfrange … endbfrange" of one-glyph ranges into bfchar sections of the same length.
func bfcharMap(block []byte) ([]byte, bool) {
	lines := bytes.Split(bytes.TrimSuffix(block, []byte("\n")), []byte("\n"))
	if len(lines) < 2 || string(lines[len(lines)-1]) != "endbfrange" {
		return nil, false
	}
	entries := lines[1 : len(lines)-1]
	if n, err := strconv.Atoi(string(bytes.TrimSuffix(lines[0], []byte(" beginbfrange")))); err != nil || n != len(entries) {
		return nil, false
	}
	var out bytes.Buffer
	for i, e := range entries {
		// <GGGG><GGGG><U…>: a range of one glyph, to a character of 4 to 6 hex digits.
		if len(e) < 18 || len(e) > 20 || e[0] != '<' || e[5] != '>' || e[6] != '<' || e[11] != '>' || e[12] != '<' ||
			e[len(e)-1] != '>' || !bytes.Equal(e[1:5], e[7:11]) {
			return nil, false
		}
		c, err := strconv.ParseUint(string(e[13:len(e)-1]), 16, 32)
		if err != nil || c > 0x10FFFF {
			return nil, false
		}
		if i%100 == 0 { // the CMap format allows at most 100 entries a section
			if i > 0 {
				out.WriteString("endbfchar\n")
			}
			fmt.Fprintf(&out, "%d beginbfchar\n", min(100, len(entries)-i))
		}
		out.Write(e[:6])
		if c > 0xFFFF {
			c -= 0x10000
			fmt.Fprintf(&out, "<%04X%04X>\n", 0xD800+c>>10, 0xDC00+c&0x3FF)
		} else {
			fmt.Fprintf(&out, "<%04X>\n", c)
		}
	}
	if len(entries) > 0 {
		out.WriteString("endbfchar\n")
	}
	if out.Len() > len(block) {
		return nil, false
	}
	pad := len(block) - out.Len()
	if pad > 0 {
		out.Write(bytes.Repeat([]byte(" "), pad-1))
		out.WriteByte('\n')
	}
	return out.Bytes(), true
}
