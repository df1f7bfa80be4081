package printout

import (
	"fmt"
	"io"
)

// The registry's documents for a 考场 after 放号 (LIFECYCLE §5), PDF only: the 考场照片阵列 (every candidate's photo,
// 姓名, 证件号 and 准考证号, in 准考证号 order, for checking faces at the door), the 桌签 (one label a seat, cut
// along the dashed lines) and the 考场门贴 (the sign on the door). Each room starts on a fresh page.

// Room is one 考场 with its candidates in 准考证号 order.
type Room struct {
	PlanName   string
	Site       string // 考点名称
	Address    string
	RoomNo     string
	Range      string   // 准考证号范围, e.g. 260070001～260070030
	Times      []string // e.g. 安全生产知识考核 2026-12-20 09:00–10:30
	Candidates []Candidate
	Footer     string
}

// Candidate is one seat of a room. IDNumber is printed as given: the caller masks it for lists.
type Candidate struct {
	SeatNo, Name, IDNumber, TicketNo string
	Photo                            []byte // JPEG, or nil → the placeholder
}

// RoomPhotosPDF writes the 考场照片阵列 of the rooms. Nothing is written if a photo is not a valid JPEG.
func (r *Renderer) RoomPhotosPDF(w io.Writer, rooms ...Room) error {
	docs := make([]pdfPart, len(rooms))
	for i := range rooms {
		docs[i] = &photoGrid{room: cleanRoom(&rooms[i]), raw: rooms[i].Candidates}
	}
	return writePDF(r, w, docs, ticketCompression)
}

// DeskLabelsPDF writes the 桌签 of the rooms: ten a page.
func (r *Renderer) DeskLabelsPDF(w io.Writer, rooms ...Room) error {
	docs := make([]pdfPart, len(rooms))
	for i := range rooms {
		docs[i] = &deskLabels{room: cleanRoom(&rooms[i])}
	}
	return writePDF(r, w, docs, ticketCompression)
}

// DoorSignsPDF writes one 考场门贴 a room.
func (r *Renderer) DoorSignsPDF(w io.Writer, rooms ...Room) error {
	docs := make([]pdfPart, len(rooms))
	for i := range rooms {
		docs[i] = &doorSign{room: cleanRoom(&rooms[i])}
	}
	return writePDF(r, w, docs, ticketCompression)
}

func cleanRoom(r *Room) Room {
	c := Room{PlanName: clean(r.PlanName, false), Site: clean(r.Site, false), Address: clean(r.Address, false),
		RoomNo: clean(r.RoomNo, false), Range: clean(r.Range, false), Footer: clean(r.Footer, false)}
	for _, t := range r.Times {
		c.Times = append(c.Times, clean(t, false))
	}
	c.Candidates = make([]Candidate, len(r.Candidates))
	for i, x := range r.Candidates {
		c.Candidates[i] = Candidate{SeatNo: clean(x.SeatNo, false), Name: clean(x.Name, false),
			IDNumber: clean(x.IDNumber, false), TicketNo: clean(x.TicketNo, false), Photo: x.Photo}
	}
	return c
}

func roomRef(r *Room) string {
	no := []rune(r.RoomNo)
	return fmt.Sprintf("考场 %q", string(no[:min(len(no), 20)]))
}

// roomHead prints the heading of a room's page and the plan, 考点 and room beneath it.
func roomHead(d *pdfDoc, title string, r *Room) {
	d.heading(title)
	d.infoRow([]float64{contentW}, "考试名称："+r.PlanName)
	d.infoRow([]float64{110, 70}, "考点："+r.Site, "考场号："+r.RoomNo)
	d.infoRow([]float64{110, 70}, "准考证号："+r.Range, fmt.Sprintf("考生人数：%d", len(r.Candidates)))
	d.y += 2
}

// photoGrid is a room's 考场照片阵列: four across, each cell a photo with 姓名, 证件号 and 准考证号 under it.
type photoGrid struct {
	room   Room
	raw    []Candidate
	photos []photoInfo
}

const (
	gridCols  = 4
	gridCellW = contentW / gridCols
	gridCellH = photoH + 2*photoPad + 3*4.6 + 2
)

func (g *photoGrid) ref() string { return roomRef(&g.room) }

func (g *photoGrid) check() error {
	g.photos = make([]photoInfo, len(g.raw))
	for i, c := range g.raw {
		p, err := checkStoredPhoto(c.Photo)
		if err != nil {
			return fmt.Errorf("准考证号 %q: %w", c.TicketNo, err)
		}
		g.photos[i] = p
	}
	return nil
}

func (g *photoGrid) pdf(d *pdfDoc) {
	r := &g.room
	d.begin(r.Footer, "考场照片阵列（续）　"+r.Site+"　第"+r.RoomNo+"考场")
	roomHead(d, "考场照片阵列", r)
	for i, c := range r.Candidates {
		col := i % gridCols
		if col == 0 {
			d.ensure(gridCellH)
		}
		x, y := left+float64(col)*gridCellW, d.y
		d.box(x, y, gridCellW, gridCellH)
		d.photo(x, y, gridCellW, photoH+2*photoPad, g.photos[i])
		d.setSize(sizeSmall)
		lh := lineH(sizeSmall)
		ty := y + photoH + 2*photoPad + 1
		for j, s := range []string{c.Name, c.IDNumber, c.TicketNo} {
			l := d.wrap(s, gridCellW-2*padX, 1)[0]
			d.text(x+(gridCellW-d.textW(l))/2, ty+float64(j)*lh+(lh-sizeSmall*ptMM)/2, l)
		}
		if col == gridCols-1 || i == len(r.Candidates)-1 {
			d.y += gridCellH
		}
	}
}

// deskLabels are a room's 桌签: two across, five down, each with the seat number large, 姓名 and 准考证号.
type deskLabels struct{ room Room }

const (
	labelW     = contentW / 2
	labelH     = 50.0
	labelsDown = 5
	sizeSeat   = 40
	sizeName   = 20
)

func (l *deskLabels) ref() string  { return roomRef(&l.room) }
func (l *deskLabels) check() error { return nil }

func (l *deskLabels) pdf(d *pdfDoc) {
	r := &l.room
	d.begin(r.Footer, "")
	for i, c := range r.Candidates {
		slot := i % (2 * labelsDown)
		if slot == 0 && i > 0 {
			d.newPage()
		}
		x := left + float64(slot%2)*labelW
		y := top + 8 + float64(slot/2)*labelH
		if d.err != nil {
			return
		}
		d.gp.SetLineWidth(thin)
		d.gp.SetLineType("dashed")
		d.gp.RectFromUpperLeftWithStyle(x, y, labelW, labelH, "D")
		d.gp.SetLineType("")
		d.setSize(sizeSmall)
		d.text(x+3, y+3, r.Site+"　第"+r.RoomNo+"考场")
		d.setSize(sizeSeat)
		seat := c.SeatNo + "号"
		d.text(x+(labelW-d.textW(seat))/2, y+8, seat)
		d.setSize(sizeName)
		name := d.wrap(c.Name, labelW-6, 1)[0]
		d.text(x+(labelW-d.textW(name))/2, y+8+sizeSeat*ptMM+3, name)
		d.setSize(sizeInfo)
		no := lblTNo + "：" + c.TicketNo
		d.text(x+(labelW-d.textW(no))/2, y+labelH-lineH(sizeInfo)-2, no)
	}
	if len(r.Candidates) == 0 {
		d.setSize(sizeInfo)
		d.text(left, top+8, "第"+r.RoomNo+"考场没有考生。")
	}
}

// doorSign is a room's 考场门贴: the room number large, the plan, 考点, address, number range, times and count.
type doorSign struct{ room Room }

const sizeDoor = 60

func (s *doorSign) ref() string  { return roomRef(&s.room) }
func (s *doorSign) check() error { return nil }

func (s *doorSign) pdf(d *pdfDoc) {
	r := &s.room
	d.begin(r.Footer, "")
	d.heading("考场门贴")
	d.y += 10
	d.setSize(sizeDoor)
	big := "第" + r.RoomNo + "考场"
	bl := d.wrap(big, contentW, 2)
	d.lines(left, d.y, contentW, float64(len(bl))*lineH(sizeDoor), bl, alignCenter)
	d.y += float64(len(bl))*lineH(sizeDoor) + 10
	d.setSize(sizeTitle)
	lh := lineH(sizeTitle)
	lines := []string{"考试名称：" + r.PlanName, "考点：" + r.Site, "地址：" + r.Address, "准考证号：" + r.Range,
		fmt.Sprintf("考生人数：%d人", len(r.Candidates))}
	for _, t := range r.Times {
		lines = append(lines, "考试时间："+t)
	}
	for _, t := range lines {
		for _, l := range d.wrap(t, contentW-20, 3) {
			d.ensure(lh)
			d.text(left+10, d.y, l)
			d.y += lh
		}
	}
}
