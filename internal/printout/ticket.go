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

// TicketTitle is the title the registry prints on every 准考证; the variant's name follows it (TicketKind.Title).
const TicketTitle = "北京市住房和城乡建设行业从业人员考核准考证"

// TicketKind is the variant of a 准考证 (LIFECYCLE §5): 理论考试 (机考) at a 考点, 实操考试 (a ticket of its own,
// for those who passed the theory) or 网上考试. It chooses the title, the 考生须知 and, for 网考, the fields: no
// 座位号, the 考点 is the online platform and the 考场 is a 场次.
type TicketKind int

const (
	TicketTheory    TicketKind = iota // 理论考试（机考）
	TicketPractical                   // 实操考试
	TicketOnline                      // 网上考试
)

// twoDocuments is the 「两证」 of the rules: the ticket and an identity document of those Beijing accepts.
const twoDocuments = "「两证」（本准考证和有效身份证件：居民身份证、驾驶证、护照、暂住证、公安机关出具的身份证明或社保卡）"

// ticketVariant is a kind's title suffix and 考生须知.
type ticketVariant struct {
	suffix string
	rules  []string
}

// ticketVariants are each kind's title suffix and 考生须知 (LIFECYCLE §4–6).
var ticketVariants = [...]ticketVariant{
	TicketTheory: {"（理论考试）", []string{
		"考生须在考试开始前15分钟凭" + twoDocuments + "进入考场，两证不全者不得入场。",
		"考生须对号入座，将准考证和身份证件放在桌面左上角，以便监考人员核验。",
		"考试开始后迟到30分钟的考生视为缺考，不得入场。",
		"除必要的文具外，不得携带手机等通讯工具、电子设备和书籍资料进入考场。",
		"签到时请出示本准考证上的二维码；准考证须保持完整清洁，不得涂改。",
	}},
	TicketPractical: {"（实操考试）", []string{
		"理论考试合格者方可参加实操考试。",
		"考生须在考试开始前30分钟凭" + twoDocuments + "到达考场，两证不全者不得入场。",
		"实操考试开考后迟到的考生视为缺考，不得入场。",
		"考生须服从考评人员安排，按规定穿戴劳动防护用品，遵守操作规程。",
		"签到时请出示本准考证上的二维码；准考证须保持完整清洁，不得涂改。",
	}},
	TicketOnline: {"（网上考试）", []string{
		"考生须在考试开始前30分钟登录网上考试平台，持本准考证和有效身份证件（居民身份证、驾驶证、护照、暂住证、公安机关出具的身份证明或社保卡）完成身份核验。",
		"考生须在考试前通过模拟测试，未通过模拟测试的视为自动放弃考试。",
		"考试须本人独立完成；违纪者考试成绩无效，一年内不得参加安全生产管理人员考核。",
		"网上考试无需到考点签到；请妥善保管本准考证，不得转借他人。",
	}},
}

// Title is the ticket's title: TicketTitle and the variant, e.g. 「…准考证（实操考试）」.
func (k TicketKind) Title() string { return TicketTitle + k.variant().suffix }

// Rules is the variant's 考生须知.
func (k TicketKind) Rules() []string { return k.variant().rules }

func (k TicketKind) variant() *ticketVariant {
	if k < 0 || int(k) >= len(ticketVariants) {
		k = TicketTheory
	}
	return &ticketVariants[k]
}

// Online says whether the ticket is of a 网考: no 座位号, the 考点 is the platform, the 考场 a 场次.
func (k TicketKind) Online() bool { return k == TicketOnline }

// Ticket is one 准考证 as printed. All strings are user data: render them as text only.
type Ticket struct {
	Kind     TicketKind      // the variant: title, 考生须知, fields
	Title    string          // "" → Kind.Title()
	Name     string          // 姓名
	IDNumber string          // 证件号码 (the ticket is the candidate's own: printed in full)
	Employer string          // 工作单位
	Category string          // 岗位类别
	Post     string          // 岗位名称 (+级别)
	TicketNo string          // 准考证号
	Subjects []TicketSubject // 考试科目 with date and time
	Site     string          // 考点名称（地址）
	RoomNo   string          // 考场号 (网考: 场次)
	SeatNo   string          // 座位号 (not printed on a 网考 ticket)
	Remark   string          // 备注
	Rules    []string        // 考生须知; nil → Kind.Rules()
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
	lblTPlatform = "考试平台"
	lblTSession  = "场次"
	lblTMode     = "考试方式"
	lblTRemark   = "备注"
	lblTSubject  = "考试科目"
	lblTDate     = "考试日期"
	lblTTime     = "考试时间"
	lblTRules    = "考生须知"
	lblTQR       = "签到二维码"
	lblTQROnline = "准考证二维码" // a 网考 is not checked in at a 考点
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
		return k.t.Kind.Title()
	}
	return k.t.Title
}

func (k *ticket) rules() []string {
	if k.t.Rules == nil {
		return k.t.Kind.Rules()
	}
	return k.t.Rules
}

// fields are the label/value pairs beside the photo, two a row. A 网考 ticket has no 座位号: its place shows the
// 考试方式, and the 考场 is the 场次.
func (k *ticket) fields() []Field {
	t := &k.t
	if t.Kind.Online() {
		return []Field{
			{lblTName, t.Name}, {lblTNo, t.TicketNo},
			{lblTID, t.IDNumber}, {lblTSession, t.RoomNo},
			{lblTCategory, t.Category}, {lblTMode, "网上考试"},
			{lblTPost, t.Post}, {lblTRemark, t.Remark},
		}
	}
	return []Field{
		{lblTName, t.Name}, {lblTNo, t.TicketNo},
		{lblTID, t.IDNumber}, {lblTRoom, t.RoomNo},
		{lblTCategory, t.Category}, {lblTSeat, t.SeatNo},
		{lblTPost, t.Post}, {lblTRemark, t.Remark},
	}
}

// wideFields run across the whole table, below the photo.
func (k *ticket) wideFields() []Field {
	site := lblTSite
	if k.t.Kind.Online() {
		site = lblTPlatform
	}
	return []Field{{lblTEmployer, k.t.Employer}, {site, k.t.Site}}
}

// QRLabel is the caption under the QR code: a 网考 ticket's code is not scanned at a 考点.
func (k TicketKind) QRLabel() string {
	if k.Online() {
		return lblTQROnline
	}
	return lblTQR
}

func cleanTicket(t *Ticket) Ticket {
	c := Ticket{
		Kind: t.Kind, Title: clean(t.Title, true), Name: clean(t.Name, false), IDNumber: clean(t.IDNumber, false),
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
