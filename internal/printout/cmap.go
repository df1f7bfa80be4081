package printout

import (
	"encoding/binary"
	"errors"
)

// runeSet holds the characters a font has glyphs for, a bit per code point up to the largest: choosing the font
// for a character costs one load and a shift, without asking gopdf (which would add the glyph to the subset).
type runeSet []uint64

func (s runeSet) has(r rune) bool {
	i := int(r) >> 6
	return r >= 0 && i < len(s) && s[i]&(1<<(uint(r)&63)) != 0
}

func (s *runeSet) add(r rune) {
	i := int(r) >> 6
	for len(*s) <= i {
		*s = append(*s, 0)
	}
	(*s)[i] |= 1 << (uint(r) & 63)
}

func (s runeSet) count() int {
	n := 0
	for _, w := range s {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

var errCmap = errors.New("printout: font has no readable Unicode cmap")

// fontRunes reads the characters a TrueType font maps to a glyph other than .notdef, from the same cmap subtables
// gopdf reads: Windows Unicode BMP (3,1, format 4) and full repertoire (3,10, format 12).
func fontRunes(ttf []byte) (runeSet, error) {
	cmap, ok := sfntTable(ttf, "cmap")
	if !ok || len(cmap) < 4 {
		return nil, errCmap
	}
	var set runeSet
	found := false
	n := int(binary.BigEndian.Uint16(cmap[2:]))
	for i := 0; i < n; i++ {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			return nil, errCmap
		}
		platform, encoding := binary.BigEndian.Uint16(cmap[rec:]), binary.BigEndian.Uint16(cmap[rec+2:])
		off := int(binary.BigEndian.Uint32(cmap[rec+4:]))
		if platform != 3 || (encoding != 1 && encoding != 10) || off+2 > len(cmap) {
			continue
		}
		var err error
		switch binary.BigEndian.Uint16(cmap[off:]) {
		case 4:
			err = cmapFormat4(cmap[off:], &set)
		case 12:
			err = cmapFormat12(cmap[off:], &set)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		found = true
	}
	if !found {
		return nil, errCmap
	}
	return set, nil
}

// sfntTable returns the named table of a TrueType font.
func sfntTable(ttf []byte, tag string) ([]byte, bool) {
	if len(ttf) < 12 {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	for i := 0; i < n; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, false
		}
		if string(ttf[rec:rec+4]) == tag {
			off, size := int(binary.BigEndian.Uint32(ttf[rec+8:])), int(binary.BigEndian.Uint32(ttf[rec+12:]))
			if off < 0 || size < 0 || off+size > len(ttf) {
				return nil, false
			}
			return ttf[off : off+size], true
		}
	}
	return nil, false
}

// cmapFormat4 adds the characters of a format 4 subtable (segments of the BMP).
func cmapFormat4(t []byte, set *runeSet) error {
	if len(t) < 14 {
		return errCmap
	}
	segs := int(binary.BigEndian.Uint16(t[6:])) / 2
	ends, starts, deltas, ranges := 14, 16+2*segs, 16+4*segs, 16+6*segs
	if ranges+2*segs > len(t) {
		return errCmap
	}
	u16 := func(off int) (uint16, bool) {
		if off < 0 || off+2 > len(t) {
			return 0, false
		}
		return binary.BigEndian.Uint16(t[off:]), true
	}
	for i := 0; i < segs; i++ {
		end, _ := u16(ends + 2*i)
		start, _ := u16(starts + 2*i)
		delta, _ := u16(deltas + 2*i)
		ro, _ := u16(ranges + 2*i)
		for c := uint32(start); c <= uint32(end) && c != 0xFFFF; c++ {
			gid := uint16(c) + delta
			if ro != 0 {
				g, ok := u16(ranges + 2*i + int(ro) + 2*int(c-uint32(start)))
				if !ok {
					return errCmap
				}
				gid = 0
				if g != 0 {
					gid = g + delta
				}
			}
			if gid != 0 {
				set.add(rune(c))
			}
		}
	}
	return nil
}

// cmapFormat12 adds the characters of a format 12 subtable (groups of consecutive characters and glyphs).
func cmapFormat12(t []byte, set *runeSet) error {
	if len(t) < 16 {
		return errCmap
	}
	n := int(binary.BigEndian.Uint32(t[12:]))
	if n < 0 || n > (len(t)-16)/12 {
		return errCmap
	}
	for i := 0; i < n; i++ {
		g := t[16+12*i:]
		start, end := binary.BigEndian.Uint32(g), binary.BigEndian.Uint32(g[4:])
		gid := binary.BigEndian.Uint32(g[8:])
		if end < start || end > 0x10FFFF {
			return errCmap
		}
		for c := start; c <= end; c++ {
			if gid+(c-start) != 0 {
				set.add(rune(c))
			}
		}
	}
	return nil
}
