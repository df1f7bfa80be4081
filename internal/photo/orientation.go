package photo

import (
	"encoding/binary"
	"image"

	"github.com/disintegration/imaging"
)

// exifOrientation returns the Orientation tag (1..8) of a JPEG's Exif block, or 1 if there is none or it cannot be
// read. It walks the marker segments up to the first scan and uses the first APP1 segment that starts with the Exif
// header, so an XMP APP1 before it does not hide it.
func exifOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xff || data[1] != 0xd8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xff {
			return 1
		}
		marker := data[i+1]
		switch {
		case marker == 0xff: // fill byte
			i++
			continue
		case marker == 0xd9 || marker == 0xda: // EOI, SOS: no more metadata
			return 1
		case marker == 0x01 || marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7): // no length
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[i+2:]))
		if n < 2 || i+2+n > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+n]
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads the Orientation tag (0x0112) from IFD0 of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := int64(bo.Uint32(t[4:]))
	if off < 8 || off+2 > int64(len(t)) {
		return 1
	}
	count := int64(bo.Uint16(t[off:]))
	for k := int64(0); k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > int64(len(t)) {
			return 1
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		var v uint32
		switch typ := bo.Uint16(t[e+2:]); {
		case typ == 3 && bo.Uint32(t[e+4:]) == 1: // SHORT
			v = uint32(bo.Uint16(t[e+8:]))
		case typ == 4 && bo.Uint32(t[e+4:]) == 1: // LONG, not per the standard but seen in the wild
			v = bo.Uint32(t[e+8:])
		}
		if v >= 1 && v <= 8 {
			return int(v)
		}
		return 1
	}
	return 1
}

// swapsAxes reports whether orientation o turns the stored image by 90°, so that width and height swap.
func swapsAxes(o int) bool { return o >= 5 && o <= 8 }

// sourceRect maps a box in oriented coordinates to stored coordinates, for a stored image of sw×sh pixels. The box
// edges are mapped as continuous coordinates, so a box of w×h becomes h×w when the axes swap.
func sourceRect(box image.Rectangle, o, sw, sh int) image.Rectangle {
	m := func(u, v int) image.Point {
		switch o {
		case 2: // mirrored horizontally
			return image.Pt(sw-u, v)
		case 3: // rotated 180°
			return image.Pt(sw-u, sh-v)
		case 4: // mirrored vertically
			return image.Pt(u, sh-v)
		case 5: // transposed
			return image.Pt(v, u)
		case 6: // stored rotated 90° counter-clockwise; displayed after a clockwise turn
			return image.Pt(v, sh-u)
		case 7: // transversed
			return image.Pt(sw-v, sh-u)
		case 8: // stored rotated 90° clockwise; displayed after a counter-clockwise turn
			return image.Pt(sw-v, u)
		}
		return image.Pt(u, v)
	}
	a, b := m(box.Min.X, box.Min.Y), m(box.Max.X, box.Max.Y)
	return image.Rectangle{Min: a, Max: b}.Canon()
}

// orient applies EXIF orientation o to img, turning stored pixels into what the viewer should see.
func orient(img *image.NRGBA, o int) *image.NRGBA {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img) // imaging rotates counter-clockwise: 270° = 90° clockwise
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}
