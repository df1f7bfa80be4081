package models

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	mrand "math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// 批号 kinds of 考务编排.
const (
	BatchRelease       = "KWFH" // 考务放号
	BatchCancelRelease = "QXFH" // 取消放号
)

// NoticeTicketCancelled tells an applicant that 取消放号 withdrew their 准考证 (a new one comes with the next 放号).
const NoticeTicketCancelled = "ticket_cancelled"

// TicketsPagePath is the 打印准考证 page the 准考证可打印 notice links to.
const TicketsPagePath = "/tickets"

// Limits of 准考证号 (LIFECYCLE §2): YY + the plan's number in the year (3 digits) + a sequence (4 digits).
const (
	MaxCandidatesPerPlan = 9999
	MaxPlansPerYear      = 999
)

// Refusals of 放号 and 取消放号, worded for the admin.
var (
	ErrNoCandidates      = errors.New("没有待放号的考生")
	ErrTooManyCandidates = fmt.Errorf("待放号考生超过%d人，准考证号的4位序号不够用；请拆分考试计划", MaxCandidatesPerPlan)
	ErrTooManyPlans      = fmt.Errorf("本年度已放号的考试计划超过%d个，准考证号的3位计划号不够用", MaxPlansPerYear)
	ErrNotReleased       = errors.New("该考试计划尚未放号")
	ErrCheckedIn         = errors.New("已有考生签到，不能取消放号")
	ErrBeyondTicketed    = errors.New("已有考生登记成绩，不能取消放号")
	ErrCandidatesChanged = errors.New("放号期间考生的报名状态被他人修改，未放号，请重试")
)

// ShortOfSeatsError refuses 放号 when the rooms' seats do not cover the candidates: it says how many are missing.
type ShortOfSeatsError struct{ Candidates, Seats int }

func (e *ShortOfSeatsError) Error() string {
	return fmt.Sprintf("考场座位不足：待放号考生%d人，考场共%d个座位，还差%d个座位", e.Candidates, e.Seats, e.Candidates-e.Seats)
}

// ReleaseOptions are the choices of 放号. Spread: 同单位考生分散到各考场 (see drawSeats).
type ReleaseOptions struct{ Spread bool }

// ReleaseResult is what 放号 did (or, when Already, had done before: running it again changes nothing).
type ReleaseResult struct {
	Draw    *Draw
	Already bool
	First   string // first and last 准考证号
	Last    string
}

// drawCandidate is one candidate as the draw sees them: the registration and its 工作单位 (for Spread).
type drawCandidate struct {
	ID           int64  `bun:"id"`
	EmployerCode string `bun:"employer_code"`
	EmployerName string `bun:"employer_name"`
}

// group is the candidate's 工作单位 for Spread: the employer's code when given, else its name; "" when neither (such a
// candidate is a group of one).
func (c drawCandidate) group() string {
	if code := strings.ToUpper(strings.TrimSpace(c.EmployerCode)); code != "" {
		return "code:" + code
	}
	if name := strings.TrimSpace(c.EmployerName); name != "" {
		return "name:" + name
	}
	return ""
}

// drawRNG is the draw's deterministic generator: ChaCha8 keyed with the recorded 32-byte seed. Bounded values come
// from its raw 64-bit outputs by Lemire's method with rejection (no modulo bias), written here rather than taken
// from math/rand's helpers so the same seed gives the same draw on every Go version.
type drawRNG struct{ src *mrand.ChaCha8 }

func (r drawRNG) below(n uint64) uint64 {
	hi, lo := bits.Mul64(r.src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(r.src.Uint64(), n)
		}
	}
	return hi
}

// shuffle is Fisher–Yates: every order of xs equally likely.
func (r drawRNG) shuffle(xs []drawCandidate) {
	for i := len(xs) - 1; i > 0; i-- {
		j := r.below(uint64(i + 1))
		xs[i], xs[j] = xs[j], xs[i]
	}
}

// apportion shares n candidates among rooms in proportion to their capacities (largest remainder): each room gets
// its exact quota n·c/C rounded down or up, so rooms fill evenly, and never more than its capacity (n ≤ C).
func apportion(n int, caps []int) []int {
	total := 0
	for _, c := range caps {
		total += c
	}
	shares := make([]int, len(caps))
	if total == 0 {
		return shares
	}
	left := n
	order := make([]int, len(caps))
	for i, c := range caps {
		shares[i] = n * c / total
		left -= shares[i]
		order[i] = i
	}
	// The rooms with the largest remainders (n·c mod C) get one more; ties go to the earlier room.
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(n*caps[b]%total, n*caps[a]%total) })
	for _, i := range order[:left] {
		shares[i]++
	}
	return shares
}

// drawSeats is the draw itself, a pure function of the seed, the candidates (by registration id), the rooms'
// capacities in room order and the Spread option. It returns, per room, the registrations in seat order.
//
//  1. The candidates, sorted by registration id, are shuffled by Fisher–Yates with the seed's generator.
//  2. Each room's share is apportioned to its capacity (apportion).
//  3. Without Spread, the rooms take the shuffled line in turn: room 1 the first share, room 2 the next …
//     With Spread (同单位分散), the candidates are lined up by 工作单位, largest group first (ties: the group whose
//     first member comes earliest in the shuffle), each group's members in shuffled order, and dealt round-robin:
//     each candidate goes to the next room, in room order, that still has a place in its share. While every room
//     has places, any R consecutive candidates go to R different rooms, so an organization's n candidates land
//     at most ⌈n/R⌉ in any room (R rooms). Within a room, seats follow the shuffle.
func drawSeats(seed []byte, cands []drawCandidate, caps []int, spread bool) [][]int64 {
	var key [32]byte
	copy(key[:], seed)
	line := slices.Clone(cands)
	slices.SortFunc(line, func(a, b drawCandidate) int { return cmp.Compare(a.ID, b.ID) })
	drawRNG{mrand.NewChaCha8(key)}.shuffle(line)
	shares := apportion(len(line), caps)
	rooms := make([][]int64, len(caps))
	if !spread {
		off := 0
		for r, s := range shares {
			for _, c := range line[off : off+s] {
				rooms[r] = append(rooms[r], c.ID)
			}
			off += s
		}
		return rooms
	}
	pos := make(map[int64]int, len(line)) // place in the shuffle
	type grp struct {
		first   int
		members []drawCandidate
	}
	byKey := map[string]*grp{}
	var groups []*grp
	for i, c := range line {
		pos[c.ID] = i
		k := c.group()
		g := byKey[k]
		if k == "" || g == nil {
			g = &grp{first: i}
			groups = append(groups, g)
			if k != "" {
				byKey[k] = g
			}
		}
		g.members = append(g.members, c)
	}
	slices.SortStableFunc(groups, func(a, b *grp) int {
		return cmp.Or(cmp.Compare(len(b.members), len(a.members)), cmp.Compare(a.first, b.first))
	})
	next := 0
	for _, g := range groups {
		for _, c := range g.members {
			for len(rooms[next]) >= shares[next] {
				next = (next + 1) % len(rooms)
			}
			rooms[next] = append(rooms[next], c.ID)
			next = (next + 1) % len(rooms)
		}
	}
	for _, seats := range rooms {
		slices.SortFunc(seats, func(a, b int64) int { return cmp.Compare(pos[a], pos[b]) })
	}
	return rooms
}

// TicketNumber is a 准考证号: YY (the exam year) + the plan's number in the year (3) + the sequence (4).
func TicketNumber(year, planNo, seq int) string {
	return fmt.Sprintf("%02d%03d%04d", year%100, planNo, seq)
}

// LiveDraw is a plan's draw that stands (nil when numbers are not out).
func LiveDraw(ctx context.Context, db bun.IDB, planID int64) (*Draw, error) {
	d := new(Draw)
	err := db.NewSelect().Model(d).Where("plan_id = ? AND cancelled_at IS NULL", planID).Scan(ctx)
	if err = notFound(err); errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return d, err
}

// DrawRecord is a draw with why it was cancelled (when it was).
type DrawRecord struct {
	Draw         `bun:",extend"`
	CancelReason string `bun:"cancel_reason"`
}

// ListDraws is a plan's draws, newest first (cancelled ones too).
func ListDraws(ctx context.Context, db bun.IDB, planID int64) ([]DrawRecord, error) {
	var ds []DrawRecord
	err := db.NewSelect().Model(&ds).Where("plan_id = ?", planID).OrderExpr("id DESC").Scan(ctx)
	return ds, err
}

func readyCandidates(ctx context.Context, db bun.IDB, planID int64, status RegStatus) ([]drawCandidate, error) {
	var cs []drawCandidate
	err := db.NewSelect().Model((*Registration)(nil)).Column("id", "employer_code", "employer_name").
		Where("plan_id = ? AND status = ?", planID, status).Order("id").Scan(ctx, &cs)
	return cs, err
}

// ReleaseNumbers is 放号: the plan's candidates (its ReadyForNumbers status) are drawn at random over its rooms and
// given 准考证号 and 座位号, in one transaction with one 批号 (KWFH) and one audit row (the registrations' move to
// 已放号). It refuses unless the rooms' seats cover the candidates (ShortOfSeatsError). It locks the arrangement
// (released_at) and tells everyone concerned 准考证可打印. Once numbers are out, running it again changes nothing and
// returns the standing draw (Already).
func ReleaseNumbers(ctx context.Context, db bun.IDB, actor Actor, planID int64, opt ReleaseOptions) (*ReleaseResult, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	res := &ReleaseResult{}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		p, err := loadArrangement(ctx, tx, planID, true)
		if err != nil {
			return err
		}
		if p.ReleasedAt != nil {
			res.Already = true
			if res.Draw, err = LiveDraw(ctx, tx, planID); err != nil {
				return err
			}
			res.First, res.Last, err = ticketRange(ctx, tx, planID)
			return err
		}
		ready := p.readyForNumbers()
		cands, err := readyCandidates(ctx, tx, planID, ready)
		switch {
		case err != nil:
			return err
		case len(cands) == 0:
			return ErrNoCandidates
		case len(cands) > MaxCandidatesPerPlan:
			return ErrTooManyCandidates
		}
		rooms, err := ListRooms(ctx, tx, planID)
		if err != nil {
			return err
		}
		caps := make([]int, len(rooms))
		seats := 0
		for i, r := range rooms {
			caps[i] = r.Capacity
			seats += r.Capacity
		}
		if seats < len(cands) {
			return &ShortOfSeatsError{Candidates: len(cands), Seats: seats}
		}
		year := p.ExamAt.In(Beijing).Year()
		if p.NumberInYear == 0 {
			n, err := NextYearlyCounter(ctx, tx, "plan_number", year)
			if err != nil {
				return err
			}
			if n > MaxPlansPerYear {
				return ErrTooManyPlans
			}
			p.NumberInYear = int(n)
			if _, err := tx.NewUpdate().Model(p).Column("number_in_year").WherePK().Exec(ctx); err != nil {
				return err
			}
		}
		seed := make([]byte, 32)
		if _, err := rand.Read(seed); err != nil {
			return err
		}
		batch, err := NewBatchNumber(ctx, tx, actor, BatchRelease)
		if err != nil {
			return err
		}
		now := Now()
		d := &Draw{PlanID: planID, Seed: hex.EncodeToString(seed), SpreadOrganizations: opt.Spread,
			Candidates: len(cands), BatchNo: batch, AccountID: actor.AccountID(), DrawnAt: now}
		if _, err := tx.NewInsert().Model(d).Returning("id").Exec(ctx); err != nil {
			return err
		}
		if err := storeTickets(ctx, tx, d, rooms, drawSeats(seed, cands, caps, opt.Spread), year, p.NumberInYear); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(p).Set("released_at = ?", now).WherePK().Exec(ctx); err != nil {
			return err
		}
		ids := make([]int64, len(cands))
		for i, c := range cands {
			ids[i] = c.ID
		}
		moved, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: ids, From: ready, To: RegTicketed, BatchNo: batch})
		if err != nil {
			return err
		}
		if len(moved) != len(ids) {
			return ErrCandidatesChanged
		}
		body := "“" + p.Name + "”已放号，请到“打印准考证”查看考场、座位并打印准考证。"
		if err := NotifyRegistrations(ctx, tx, ids, func(int64) Notice {
			return Notice{Kind: NoticeTicketReady, Title: "准考证可打印：" + p.Name, Body: body, Link: TicketsPagePath}
		}); err != nil {
			return err
		}
		res.Draw = d
		res.First, res.Last, err = ticketRange(ctx, tx, planID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// storeTickets writes the draw's 准考证 (in chunks) and each room's 准考证号 range: numbers run on from 0001 through
// the rooms in room order, so each room's range is contiguous; a room nobody was drawn to keeps an empty range.
func storeTickets(ctx context.Context, tx bun.IDB, d *Draw, rooms []ExamRoom, seats [][]int64, year, planNo int) error {
	tickets := make([]Ticket, 0, d.Candidates)
	seq := 0
	for r, regs := range seats {
		first, last := "", ""
		for i, reg := range regs {
			seq++
			no := TicketNumber(year, planNo, seq)
			tickets = append(tickets, Ticket{RegistrationID: reg, PlanID: d.PlanID, RoomID: rooms[r].ID, DrawID: d.ID, SeatNo: i + 1, TicketNo: no})
			if i == 0 {
				first = no
			}
			last = no
		}
		if _, err := tx.NewUpdate().Model((*ExamRoom)(nil)).Set("first_ticket_no = ?", first).Set("last_ticket_no = ?", last).
			Where("id = ?", rooms[r].ID).Exec(ctx); err != nil {
			return err
		}
	}
	for i := 0; i < len(tickets); i += batchChunk {
		chunk := tickets[i:min(i+batchChunk, len(tickets))]
		if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

func ticketRange(ctx context.Context, db bun.IDB, planID int64) (string, string, error) {
	var r struct {
		First string `bun:"first"`
		Last  string `bun:"last"`
	}
	err := db.NewSelect().Model((*Ticket)(nil)).ColumnExpr("COALESCE(MIN(ticket_no), '') AS first, COALESCE(MAX(ticket_no), '') AS last").
		Where("plan_id = ?", planID).Scan(ctx, &r)
	return r.First, r.Last, err
}

// CancelRelease is 取消放号, by an admin, with a reason: the plan's 准考证 are deleted and its candidates go back to
// where 放号 found them (已缴费 or 已审核), with one 批号 (QXFH) and one audit row; the arrangement unlocks and the
// draw is marked cancelled (the next 放号 draws anew, with a new seed; the plan keeps its number in the year). It
// refuses once anyone has checked in, or has a result.
func CancelRelease(ctx context.Context, db bun.IDB, actor Actor, planID int64, reason string) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > 200 {
		return FieldErrors{"reason": "请填写取消放号的原因（2至200个字）"}
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		p, err := loadArrangement(ctx, tx, planID, true)
		if err != nil {
			return err
		}
		d, err := LiveDraw(ctx, tx, planID)
		if err != nil {
			return err
		}
		if p.ReleasedAt == nil || d == nil {
			return ErrNotReleased
		}
		checked, err := tx.NewSelect().Model((*Ticket)(nil)).Where("draw_id = ?", d.ID).
			Where("checked_in_at IS NOT NULL OR absent = ?", true).Count(ctx)
		if err != nil {
			return err
		}
		if checked > 0 {
			return ErrCheckedIn
		}
		var ids []int64
		if err := tx.NewSelect().Model((*Ticket)(nil)).Column("registration_id").Where("draw_id = ?", d.ID).
			Order("registration_id").Scan(ctx, &ids); err != nil {
			return err
		}
		beyond, err := tx.NewSelect().Model((*Registration)(nil)).Where("plan_id = ? AND status IN (?)", planID,
			bun.In([]RegStatus{RegScored, RegPassed, RegFailed})).Count(ctx)
		if err != nil {
			return err
		}
		if beyond > 0 {
			return ErrBeyondTicketed
		}
		if _, err := tx.NewDelete().Model((*Ticket)(nil)).Where("draw_id = ?", d.ID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*ExamRoom)(nil)).Set("first_ticket_no = ''").Set("last_ticket_no = ''").
			Where("plan_id = ?", planID).Exec(ctx); err != nil {
			return err
		}
		now := Now()
		if _, err := tx.NewUpdate().Model(d).Set("cancelled_at = ?", now).Set("cancel_reason = ?", reason).WherePK().Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(p).Set("released_at = NULL").WherePK().Exec(ctx); err != nil {
			return err
		}
		if len(ids) == 0 {
			return actor.Audit(ctx, tx, EventRegUnticketed, arrangementObject(planID), "ok", "理由："+reason)
		}
		batch, err := NewBatchNumber(ctx, tx, actor, BatchCancelRelease)
		if err != nil {
			return err
		}
		if _, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: ids, From: RegTicketed,
			To: p.readyForNumbers(), BatchNo: batch, Reason: reason}); err != nil {
			return err
		}
		return NotifyRegistrations(ctx, tx, ids, func(int64) Notice {
			return Notice{Kind: NoticeTicketCancelled, Title: "准考证已作废：" + p.Name,
				Body: "“" + p.Name + "”已取消放号（" + reason + "），原准考证作废；重新放号后将另行通知。", Link: TicketsPagePath}
		})
	})
}

// DrawCheck is the answer of VerifyDraw: whether re-running the draw from its seed gives exactly the stored seats.
type DrawCheck struct {
	Draw        *Draw
	Checked     int // candidates compared
	Differences int // candidates whose stored room, seat or number differs from the re-run
	Cancelled   bool
}

// Matches says the stored seats are exactly what the seed gives (与记录一致).
func (c DrawCheck) Matches() bool {
	return !c.Cancelled && c.Differences == 0 && c.Checked == c.Draw.Candidates
}

// VerifyDraw is 校验: it re-runs a standing draw from its recorded seed over the same candidates and rooms and compares
// the result with the stored 准考证, candidate by candidate. A cancelled draw has nothing left to compare.
func VerifyDraw(ctx context.Context, db bun.IDB, actor Actor, drawID int64) (*DrawCheck, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	d := new(Draw)
	if err := db.NewSelect().Model(d).Where("id = ?", drawID).Scan(ctx); err != nil {
		return nil, notFound(err)
	}
	check := &DrawCheck{Draw: d, Cancelled: d.CancelledAt != nil}
	if check.Cancelled {
		return check, nil
	}
	seed, err := hex.DecodeString(d.Seed)
	if err != nil || len(seed) != 32 {
		return nil, fmt.Errorf("draw %d: bad seed", d.ID)
	}
	var stored []Ticket
	if err := db.NewSelect().Model(&stored).Where("draw_id = ?", d.ID).Scan(ctx); err != nil {
		return nil, err
	}
	var cands []drawCandidate
	if err := db.NewSelect().TableExpr("tickets AS t").Join("JOIN registrations AS r ON r.id = t.registration_id").
		ColumnExpr("r.id, r.employer_code, r.employer_name").Where("t.draw_id = ?", d.ID).OrderExpr("r.id").
		Scan(ctx, &cands); err != nil {
		return nil, err
	}
	rooms, err := ListRooms(ctx, db, d.PlanID)
	if err != nil {
		return nil, err
	}
	p, err := loadArrangement(ctx, db, d.PlanID, false)
	if err != nil {
		return nil, err
	}
	caps := make([]int, len(rooms))
	for i, r := range rooms {
		caps[i] = r.Capacity
	}
	want := map[int64]Ticket{}
	seq := 0
	for r, regs := range drawSeats(seed, cands, caps, d.SpreadOrganizations) {
		for i, reg := range regs {
			seq++
			want[reg] = Ticket{RoomID: rooms[r].ID, SeatNo: i + 1, TicketNo: TicketNumber(p.ExamAt.In(Beijing).Year(), p.NumberInYear, seq)}
		}
	}
	for _, t := range stored {
		check.Checked++
		if w, ok := want[t.RegistrationID]; !ok || w.RoomID != t.RoomID || w.SeatNo != t.SeatNo || w.TicketNo != t.TicketNo {
			check.Differences++
		}
	}
	return check, nil
}

// RoomTicket is one seat of a room after 放号.
type RoomTicket struct {
	SeatNo       int    `bun:"seat_no"`
	TicketNo     string `bun:"ticket_no"`
	Name         string `bun:"name"`
	IDNumber     string `bun:"id_number"`
	EmployerName string `bun:"employer_name"`
	CheckedIn    bool   `bun:"checked_in"`
}

// ListRoomTickets is a room's candidates by seat.
func ListRoomTickets(ctx context.Context, db bun.IDB, roomID int64) ([]RoomTicket, error) {
	var ts []RoomTicket
	err := db.NewSelect().TableExpr("tickets AS t").Join("JOIN registrations AS r ON r.id = t.registration_id").
		Join("JOIN persons AS p ON p.id = r.person_id").
		ColumnExpr("t.seat_no, t.ticket_no, p.name, p.id_number, r.employer_name, t.checked_in_at IS NOT NULL AS checked_in").
		Where("t.room_id = ?", roomID).OrderExpr("t.seat_no").Scan(ctx, &ts)
	return ts, err
}

// RoomCounts is how many 准考证 each room of a plan holds, by room id.
func RoomCounts(ctx context.Context, db bun.IDB, planID int64) (map[int64]int, error) {
	var rows []struct {
		RoomID int64 `bun:"room_id"`
		N      int   `bun:"n"`
	}
	err := db.NewSelect().Model((*Ticket)(nil)).ColumnExpr("room_id, COUNT(*) AS n").Where("plan_id = ?", planID).
		Group("room_id").Scan(ctx, &rows)
	out := make(map[int64]int, len(rows))
	for _, r := range rows {
		out[r.RoomID] = r.N
	}
	return out, err
}

// DrawLabel names a draw in lists: its 批号 and seed's first characters.
func DrawLabel(d *Draw) string {
	return d.BatchNo + "（种子 " + d.Seed[:min(16, len(d.Seed))] + "…，" + strconv.Itoa(d.Candidates) + "人）"
}

// TicketRange is the first and last 准考证号 of a plan ("" before 放号).
func TicketRange(ctx context.Context, db bun.IDB, planID int64) (first, last string, err error) {
	return ticketRange(ctx, db, planID)
}
