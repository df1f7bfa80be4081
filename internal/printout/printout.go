// Package printout prints a 报名表 (exam registration form) as a PDF and exports it as a Word (.docx) file.
//
// The PDF embeds a subset of Noto Sans SC (fonts/NotoSansSC_400Regular.ttf, SIL OFL 1.1, see fonts/OFL.txt), so
// nothing has to be installed on the server and the printout looks the same everywhere. Only the glyphs a document
// uses are embedded (a one-form PDF with a 295×413 photo is about 73 KB).
//
// Every string in a Form is user data and is only ever written as text: in the PDF each character becomes a glyph
// number of the embedded font (nothing is parsed), in the .docx it is XML-escaped inside <w:t>. Control and
// invisible formatting characters (bidi overrides, zero-width characters) are dropped, so they cannot reorder or
// hide what is printed. A character the font lacks (CJK Extension B such as 𠮷, emoji) prints as □ in the PDF; the
// .docx keeps the character and Word picks a font for it.
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

// Form is one 报名表 as printed. All strings are user data: render them as text only.
type Form struct {
	Title           string      // e.g. "北京市建设行业从业人员考试报名表"
	PlanName        string      // 考试计划名称
	Category        string      // 岗位/工种
	Level           string      // 级别
	Number          string      // 报名编号
	Status          string      // e.g. 待审核
	SubmittedAt     string      // 提交时间
	Fields          []Field     // label/value in order: 姓名, 性别, 出生日期, 身份证号, 学历, 专业, 职称, 手机号码, 单位名称 …
	Resume          []ResumeRow // 个人简历
	EmployerOpinion string      // 聘用单位意见 (may be long, wraps)
	Photo           []byte      // JPEG 295×413 (一寸照片), or nil → a box saying 照片
	Footer          string      // e.g. 打印时间 …
}

// Field is one label/value pair of the form's main table.
type Field struct{ Label, Value string }

// ResumeRow is one line of 个人简历.
type ResumeRow struct{ Period, Employer, Post string }

// ErrPhoto is returned (wrapped, with the form's position) when Form.Photo is not nil but is not a readable JPEG.
// A broken photo is an error rather than a silent placeholder: the form is an official record, and a missing
// photo must be noticed, not printed over.
var ErrPhoto = errors.New("printout: photo is not a valid JPEG")

// ErrNoForms is returned when PDF or DOCX is called without any form.
var ErrNoForms = errors.New("printout: no forms to print")

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

// formError wraps err with the form's position (and number, which is not personal data).
func formError(i int, f *Form, err error) error {
	num := clean(f.Number, false)
	if len([]rune(num)) > 40 {
		num = string([]rune(num)[:40])
	}
	if num != "" {
		return fmt.Errorf("printout: form %d (报名编号 %q): %w", i+1, num, err)
	}
	return fmt.Errorf("printout: form %d: %w", i+1, err)
}

// Label texts of the printed form.
const (
	lblPlan      = "考试计划："
	lblCategory  = "岗位/工种："
	lblLevel     = "级别："
	lblNumber    = "报名编号："
	lblStatus    = "审核状态："
	lblSubmitted = "提交时间："
	lblPhoto     = "照片"
	lblResume    = "个人简历"
	lblPeriod    = "起止时间"
	lblEmployer  = "工作单位"
	lblPost      = "职务/岗位"
	lblOpinion   = "聘用单位意见"
	lblSeal      = "单位（盖章）："
	lblDate      = "日期：　　　　年　　月　　日"
	minResume    = 4 // the 个人简历 table always has at least this many rows
)
