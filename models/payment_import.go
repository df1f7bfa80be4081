package models

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
)

// BankColumns are the columns of the bank's reconciliation file (银行对账文件), as the template names them.
var BankColumns = []spreadsheet.Column{
	{Key: "name", Header: "姓名", Required: true, Width: 12},
	{Key: "id_number", Header: "身份证号", Required: true, Text: true, Width: 22, Note: "18位身份证号；请保持本列为文本格式"},
	{Key: "amount", Header: "金额", Required: true, Width: 12, Note: "单位：元，如 120 或 120.00；须与该考试的收费金额一致"},
	{Key: "trade_no", Header: "交易流水号", Required: true, Text: true, Width: 28, Note: "银行的交易流水号，每笔唯一"},
	{Key: "date", Header: "日期", Required: true, Text: true, Width: 14, Note: "缴费日期，如 2026-12-01"},
}

// Longest 交易流水号 accepted.
const maxTradeNo = 64

// ImportBankPayments is 确认缴费 from the bank's reconciliation file: each line is matched by 身份证号 to a
// registration of the (charged) plan, and must name it (姓名), pay exactly the plan's fee (金额), carry a
// 交易流水号 used nowhere else (in the file or before) and a real date not in the future. If any line is wrong,
// nothing is applied: every problem comes back (BatchProblems, by row and column) and the refusal is audited.
// Otherwise all the registrations become 已缴费 under one 批号 JFQR, with their payments rows, notices and one
// audit row, in one transaction.
func ImportBankPayments(ctx context.Context, db bun.IDB, actor Actor, planID int64, rows []spreadsheet.Row) (PaidResult, error) {
	var res PaidResult
	plan, err := chargedPlan(ctx, db, actor, planID)
	if err != nil {
		return res, err
	}
	imp := &bankImport{plan: plan, now: Now()}
	imp.readRows(rows)
	if err := imp.checkAgainstSystem(ctx, db); err != nil {
		return res, err
	}
	object := "plan:" + strconv.FormatInt(plan.ID, 10)
	if len(imp.problems) > 0 {
		slices.SortStableFunc(imp.problems, func(a, b BatchProblem) int { return a.Row - b.Row })
		if err := actor.Audit(ctx, db, EventRegPaid, object, "rejected", strconv.Itoa(len(imp.problems))+" problems"); err != nil {
			return res, err
		}
		return res, BatchProblems(imp.problems)
	}
	if len(imp.lines) == 0 {
		return res, BatchProblems{{Reason: "文件中没有缴费记录"}}
	}
	pays := make([]Payment, len(imp.lines))
	for i, l := range imp.lines {
		pays[i] = Payment{RegistrationID: l.regID, AmountCents: l.amount, Method: PaymentBank, TradeNo: l.tradeNo, PaidOn: l.paidOn}
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res = PaidResult{}
		return confirmPaid(ctx, tx, actor, plan, pays, 0, &res)
	})
	return res, err
}

// bankLine is a line of the bank file that passed the rules of its own.
type bankLine struct {
	row     int
	name    string
	id      string
	amount  int
	tradeNo string
	paidOn  time.Time
	regID   int64
	bad     bool // a cell of its own is wrong: it is still matched, so that every problem of the line is listed
}

type bankImport struct {
	plan     *ExamPlan
	now      time.Time
	lines    []bankLine
	problems []BatchProblem
}

func (b *bankImport) bad(row int, col, val, reason string) {
	b.problems = append(b.problems, BatchProblem{Row: row, Column: col, Value: val, Reason: reason})
}

// readRows applies each line's own rules: the cells filled and readable, the amount the plan's fee, the date real
// and not in the future, no 身份证号 or 交易流水号 twice in the file.
func (b *bankImport) readRows(rows []spreadsheet.Row) {
	seenID, seenTrade := map[string]int{}, map[string]int{}
	today := b.now.In(Beijing)
	for _, r := range rows {
		l := bankLine{row: r.Number}
		ok := true
		l.name = strings.Join(strings.Fields(spreadsheet.NormalizeText(r.Cells["name"])), " ")
		if l.name == "" {
			b.bad(r.Number, "姓名", "", "请填写姓名")
			ok = false
		}
		rawID := r.Cells["id_number"]
		switch idn, err := ident.ParseIDNumber(rawID); {
		case r.MangledNumber("id_number"):
			b.bad(r.Number, "身份证号", cellText(rawID), msgMangledID)
			ok = false
		case err != nil:
			b.bad(r.Number, "身份证号", ident.MaskIDNumber(cellText(rawID)), err.Error())
			ok = false
		default:
			l.id = idn.Number
			if first, dup := seenID[l.id]; dup {
				b.bad(r.Number, "身份证号", ident.MaskIDNumber(l.id), "与第"+strconv.Itoa(first)+"行的身份证号重复")
				ok = false
			} else {
				seenID[l.id] = r.Number
			}
		}
		rawAmount := spreadsheet.NormalizeText(r.Cells["amount"])
		switch cents, err := parseAmount(rawAmount); {
		case err != nil:
			b.bad(r.Number, "金额", cellText(rawAmount), "金额应为数字，如 120 或 120.00")
			ok = false
		case cents != b.plan.FeeCents:
			b.bad(r.Number, "金额", cellText(rawAmount), "金额与该考试的收费金额（"+Yuan(b.plan.FeeCents)+"元）不一致")
			ok = false
		default:
			l.amount = cents
		}
		l.tradeNo = spreadsheet.NormalizeText(r.Cells["trade_no"])
		switch {
		case l.tradeNo == "":
			b.bad(r.Number, "交易流水号", "", "请填写交易流水号")
			ok = false
		case utf8.RuneCountInString(l.tradeNo) > maxTradeNo || !printable(l.tradeNo):
			b.bad(r.Number, "交易流水号", cellText(l.tradeNo), "交易流水号应为不超过"+strconv.Itoa(maxTradeNo)+"个字符的文字")
			ok = false
		case r.MangledNumber("trade_no"):
			b.bad(r.Number, "交易流水号", cellText(l.tradeNo), "交易流水号被Excel转换为数字而损坏，请将该列设为文本格式后重新填写")
			ok = false
		default:
			if first, dup := seenTrade[l.tradeNo]; dup {
				b.bad(r.Number, "交易流水号", cellText(l.tradeNo), "与第"+strconv.Itoa(first)+"行的交易流水号重复")
				ok = false
			} else {
				seenTrade[l.tradeNo] = r.Number
			}
		}
		rawDate := r.Cells["date"]
		switch d, err := spreadsheet.ParseDate(rawDate); {
		case err != nil:
			b.bad(r.Number, "日期", cellText(rawDate), "日期格式无法识别，应为 2026-12-01 这样的日期")
			ok = false
		case d.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)):
			b.bad(r.Number, "日期", d.Format("2006-01-02"), "缴费日期不能晚于今天")
			ok = false
		default:
			l.paidOn = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Beijing).UTC()
		}
		if l.id != "" {
			l.bad = !ok
			b.lines = append(b.lines, l)
		}
	}
}

// checkAgainstSystem matches the lines to the plan's registrations by 身份证号 (in bulk) and applies the rules that
// need the database: such a registration exists, is 审核通过 and unpaid, names the same person, and the
// 交易流水号 was never used. The transaction's statements guard again (status, the unique 交易流水号).
func (b *bankImport) checkAgainstSystem(ctx context.Context, db bun.IDB) error {
	type match struct {
		ID     int64      `bun:"id"`
		Status RegStatus  `bun:"status"`
		PaidAt *time.Time `bun:"paid_at"`
		Number string     `bun:"id_number"`
		Name   string     `bun:"name"`
	}
	byID := map[string]match{}
	used := map[string]bool{}
	for i := 0; i < len(b.lines); i += batchChunk {
		chunk := b.lines[i:min(i+batchChunk, len(b.lines))]
		ids, trades := make([]string, len(chunk)), make([]string, len(chunk))
		for j, l := range chunk {
			ids[j], trades[j] = l.id, l.tradeNo
		}
		var ms []match
		if err := db.NewSelect().TableExpr("registrations AS reg").Join("JOIN persons AS p ON p.id = reg.person_id").
			ColumnExpr("reg.id, reg.status, reg.paid_at, p.id_number, p.name").
			Where("reg.plan_id = ? AND p.id_number IN (?)", b.plan.ID, bun.List(ids)).Scan(ctx, &ms); err != nil {
			return err
		}
		for _, m := range ms {
			byID[m.Number] = m
		}
		var taken []string
		if err := db.NewSelect().Model((*Payment)(nil)).Column("trade_no").Where("trade_no IN (?)", bun.List(trades)).Scan(ctx, &taken); err != nil {
			return err
		}
		for _, t := range taken {
			used[t] = true
		}
	}
	var good []bankLine
	for _, l := range b.lines {
		m, found := byID[l.id]
		ok := true
		switch {
		case !found:
			b.bad(l.row, "身份证号", ident.MaskIDNumber(l.id), "该考试没有此身份证号的报名")
			ok = false
		case m.PaidAt != nil:
			b.bad(l.row, "身份证号", ident.MaskIDNumber(l.id), "该报名已缴费，不能重复确认")
			ok = false
		case m.Status != RegApproved:
			b.bad(l.row, "身份证号", ident.MaskIDNumber(l.id), "该报名状态为「"+m.Status.Label()+"」，不是审核通过，不能确认缴费")
			ok = false
		case l.name != "" && m.Name != l.name:
			b.bad(l.row, "姓名", l.name, "姓名与报名信息不一致（报名姓名为 "+m.Name+"）")
			ok = false
		}
		if l.tradeNo != "" && used[l.tradeNo] {
			b.bad(l.row, "交易流水号", l.tradeNo, "该交易流水号已登记过，不能重复使用")
			ok = false
		}
		if ok && !l.bad {
			l.regID = m.ID
			good = append(good, l)
		}
	}
	b.lines = good
	return nil
}

// parseAmount reads an amount in yuan (120, 120.0, 120.00, ¥120, 1,200.00) into cents; at most two decimals.
func parseAmount(s string) (int, error) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥"), "元"))
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 7 || len(frac) > 2 || !allASCIIDigits(whole) || !allASCIIDigits(frac) {
		return 0, strconv.ErrSyntax
	}
	w, _ := strconv.Atoi(whole)
	f := 0
	if frac != "" {
		f, _ = strconv.Atoi(frac)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, nil
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// printable says whether s has no control characters.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// cellText is a cell's value as a problem list shows it: at most 40 characters.
func cellText(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
