package printout

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image/jpeg"
	"io"
)

// The 准考证 (admission ticket, LIFECYCLE §5): title, photo, the candidate and the post, 准考证号, the subjects with
// their times, 考点（地址）, 考场号, 座位号, 备注, 考生须知, and a QR code carrying a signed token that names the
// ticket (never the ID number) for 签到. Layout: ticket_pdf.go and ticket_docx.go.

// TicketTitle is the title the registry prints on every 准考证.
const TicketTitle = "北京市住房和城乡建设行业从业人员考核准考证"

// TicketRules is the 考生须知 printed when a Ticket has none of its own (LIFECYCLE §5).
var TicketRules = []string{
	"考生须在考试开始前15分钟凭「两证」（本准考证和有效身份证件：居民身份证、驾驶证、护照、暂住证、公安机关出具的身份证明或社保卡）进入考场，两证不全者不得入场。",
	"考生须对号入座，将准考证和身份证件放在桌面左上角，以便监考人员核验。",
	"考试开始后迟到30分钟的考生视为缺考，不得入场；实操考试迟到即视为缺考。",
	"除必要的文具外，不得携带手机等通讯工具、电子设备和书籍资料进入考场。",
	"签到时请出示本准考证上的二维码；准考证须保持完整清洁，不得涂改。",
}

// Ticket is one 准考证 as printed. All strings are user data: render them as text only.
type Ticket struct {
	Title    string          // "" → TicketTitle
	Name     string          // 姓名
	IDNumber string          // 证件号码 (the ticket is the candidate's own: printed in full)
	Employer string          // 工作单位
	Category string          // 岗位类别
	Post     string          // 岗位名称 (+级别)
	TicketNo string          // 准考证号
	Subjects []TicketSubject // 考试科目 with date and time
	Site     string          // 考点名称（地址）
	RoomNo   string          // 考场号
	SeatNo   string          // 座位号
	Remark   string          // 备注
	Rules    []string        // 考生须知; nil → TicketRules
	Token    string          // the QR code's payload: the signed ticket token
	Photo    []byte          // JPEG (一寸照片), or nil → the placeholder
	Footer   string          // e.g. 打印时间 …
}

// TicketSubject is one subject of the exam with its date and time.
type TicketSubject struct{ Name, Date, Time string }

// ticketCompression leaves the page content of tickets and room documents uncompressed. gopdf makes a new zlib
// writer for every page, and the compressor's tables (some 700 KB to allocate and clear) cost more than drawing the
// page: a batch of tickets prints about 2.5 times as fast without it, for some 12 KB more a page. Batches go out
// deflated inside their ZIP (TicketBatch), where one compressor serves a whole file.
const ticketCompression = zlib.NoCompression

// TicketPDF writes one A4 page per ticket to w. Nothing is written if a ticket's photo is not a valid JPEG (the
// error wraps ErrPhoto) or a ticket has no token.
func (r *Renderer) TicketPDF(w io.Writer, tickets ...Ticket) error {
	return writePDF(r, w, ticketDocs(tickets), ticketCompression)
}

// TicketDOCX writes the tickets as one Word document, a section each, photo and QR code embedded.
func TicketDOCX(w io.Writer, tickets ...Ticket) error {
	return writeDOCX(w, ticketDocs(tickets))
}

// Labels of the printed ticket.
const (
	lblTName     = "姓名"
	lblTID       = "证件号码"
	lblTNo       = "准考证号"
	lblTEmployer = "工作单位"
	lblTCategory = "岗位类别"
	lblTPost     = "岗位名称"
	lblTSite     = "考点名称（地址）"
	lblTRoom     = "考场号"
	lblTSeat     = "座位号"
	lblTRemark   = "备注"
	lblTSubject  = "考试科目"
	lblTDate     = "考试日期"
	lblTTime     = "考试时间"
	lblTRules    = "考生须知"
	lblTQR       = "签到二维码"
)

// ErrNoToken is returned when a ticket has no QR token: a ticket without one cannot be checked in by scanning.
var ErrNoToken = fmt.Errorf("printout: ticket has no QR token")

// ticket is a Ticket as a document: its text cleaned for printing, its photo checked.
type ticket struct {
	t     Ticket
	raw   []byte
	photo photoInfo
}

func ticketDocs(ts []Ticket) []document {
	docs := make([]document, len(ts))
	for i := range ts {
		docs[i] = &ticket{t: cleanTicket(&ts[i]), raw: ts[i].Photo}
	}
	return docs
}

func (k *ticket) ref() string {
	if k.t.TicketNo == "" {
		return ""
	}
	no := []rune(k.t.TicketNo)
	return fmt.Sprintf("准考证号 %q", string(no[:min(len(no), 40)]))
}

func (k *ticket) check() (err error) {
	if k.t.Token == "" {
		return ErrNoToken
	}
	k.photo, err = checkStoredPhoto(k.raw)
	return err
}

// checkStoredPhoto is checkPhoto without the full decode, for photos this system stored: they were decoded and
// re-encoded when they were uploaded (SECURITY.md 17), and a 准考证 batch prints thousands of them, where the full
// decode was a fifth of the time. What remains catches what could still go wrong between storing and printing: the
// JPEG header, its size limits (DecodeConfig) and a cut-off file (no end-of-image marker).
func checkStoredPhoto(b []byte) (photoInfo, error) {
	if len(b) == 0 {
		return photoInfo{}, nil
	}
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 || b[2] != 0xFF || b[len(b)-2] != 0xFF || b[len(b)-1] != 0xD9 {
		return photoInfo{}, ErrPhoto
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPhotoSide || cfg.Height > maxPhotoSide ||
		cfg.Width*cfg.Height > maxPhotoPixels {
		return photoInfo{}, ErrPhoto
	}
	return photoInfo{data: b, width: cfg.Width, height: cfg.Height}, nil
}

func (k *ticket) title() string {
	if k.t.Title == "" {
		return TicketTitle
	}
	return k.t.Title
}

func (k *ticket) rules() []string {
	if k.t.Rules == nil {
		return TicketRules
	}
	return k.t.Rules
}

// fields are the label/value pairs beside the photo, two a row.
func (k *ticket) fields() []Field {
	t := &k.t
	return []Field{
		{lblTName, t.Name}, {lblTNo, t.TicketNo},
		{lblTID, t.IDNumber}, {lblTRoom, t.RoomNo},
		{lblTCategory, t.Category}, {lblTSeat, t.SeatNo},
		{lblTPost, t.Post}, {lblTRemark, t.Remark},
	}
}

// wideFields run across the whole table, below the photo.
func (k *ticket) wideFields() []Field {
	return []Field{{lblTEmployer, k.t.Employer}, {lblTSite, k.t.Site}}
}

func cleanTicket(t *Ticket) Ticket {
	c := Ticket{
		Title: clean(t.Title, true), Name: clean(t.Name, false), IDNumber: clean(t.IDNumber, false),
		Employer: clean(t.Employer, false), Category: clean(t.Category, false), Post: clean(t.Post, false),
		TicketNo: clean(t.TicketNo, false), Site: clean(t.Site, false), RoomNo: clean(t.RoomNo, false),
		SeatNo: clean(t.SeatNo, false), Remark: clean(t.Remark, false), Token: t.Token, Footer: clean(t.Footer, false),
		Photo: t.Photo,
	}
	if t.Rules != nil {
		c.Rules = make([]string, len(t.Rules))
		for i, r := range t.Rules {
			c.Rules[i] = clean(r, false)
		}
	}
	c.Subjects = make([]TicketSubject, len(t.Subjects))
	for i, s := range t.Subjects {
		c.Subjects[i] = TicketSubject{Name: clean(s.Name, false), Date: clean(s.Date, false), Time: clean(s.Time, false)}
	}
	return c
}
