package models_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/dbtest"
	"examcert/internal/ident"
	"examcert/internal/spreadsheet"
	"examcert/models"
)

// payFixture is a charged plan (120.00 元, 缴费截止 tomorrow) with registrations in given statuses, on a database
// of its own.
type payFixture struct {
	db     *bun.DB
	plan   *models.ExamPlan
	people []models.Person
	regs   []models.Registration
	ids    *rand.Rand
}

func newPayFixture(t testing.TB, db *bun.DB, fee int, deadline time.Time) *payFixture {
	t.Helper()
	if db == nil {
		db = dbtest.Open(t)
	}
	now := models.Now()
	plan := &models.ExamPlan{Name: "缴费测试 " + strconv.Itoa(rand.IntN(1e6)), CategoryID: 1, Level: "无", RegistrationStartsAt: now.Add(-72 * time.Hour),
		RegistrationEndsAt: now.Add(-48 * time.Hour), ExamAt: now.Add(10 * 24 * time.Hour), PhotoMaxBytes: 60 * 1024, FeeCents: fee}
	if fee > 0 {
		plan.PaymentDeadline = &deadline
	}
	if err := models.SavePlan(context.Background(), db, plan, 0); err != nil {
		t.Fatal(err)
	}
	return &payFixture{db: db, plan: plan, ids: rand.New(rand.NewPCG(uint64(plan.ID), 7))}
}

// addPeople stores n people (named 考生1 …).
func (f *payFixture) addPeople(t testing.TB, n int) []models.Person {
	t.Helper()
	now := models.Now()
	seen := map[string]bool{}
	var ps []models.Person
	for len(ps) < n {
		birth := time.Date(1960+f.ids.IntN(40), 1, 1+f.ids.IntN(360), 0, 0, 0, 0, time.UTC)
		id := ident.GenerateIDNumber(f.ids, "110105", birth, ident.GenderMale)
		if seen[id] {
			continue
		}
		seen[id] = true
		ps = append(ps, models.Person{IDNumber: id, Name: "考生" + strconv.Itoa(len(f.people)+len(ps)+1), Gender: "男", BirthDate: &birth,
			Education: "本科", CreatedAt: now, UpdatedAt: now, Version: 1})
	}
	for i := 0; i < len(ps); i += 500 {
		chunk := ps[i:min(i+500, len(ps))]
		if _, err := f.db.NewInsert().Model(&chunk).Returning("id").Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	f.people = append(f.people, ps...)
	return ps
}

// register files a registration of plan for each person, in status s.
func (f *payFixture) register(t testing.TB, plan *models.ExamPlan, people []models.Person, s models.RegStatus) []models.Registration {
	t.Helper()
	now := models.Now()
	ws := now.AddDate(-10, 0, 0)
	rs := make([]models.Registration, len(people))
	for i, p := range people {
		rs[i] = models.Registration{PlanID: plan.ID, PersonID: p.ID, Channel: models.ChannelSelf, EmployerName: "北京测试建设公司",
			WorkStartDate: &ws, YearsOfWork: 10, Resume: "[]", Status: s, CreatedAt: now, UpdatedAt: now, Version: 1}
	}
	for i := 0; i < len(rs); i += 500 {
		chunk := rs[i:min(i+500, len(rs))]
		if _, err := f.db.NewInsert().Model(&chunk).Returning("id").Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	f.regs = append(f.regs, rs...)
	return rs
}

func (f *payFixture) reg(t testing.TB, id int64) models.Registration {
	t.Helper()
	var r models.Registration
	if err := f.db.NewSelect().Model(&r).Where("id = ?", id).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *payFixture) count(t testing.TB, table, where string, args ...any) int {
	t.Helper()
	n, err := f.db.NewSelect().Table(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

var tomorrow = func() time.Time { return models.Now().Add(24 * time.Hour) }

func TestPaymentDeadlineOnThePlanForm(t *testing.T) {
	t.Parallel()
	base := models.PlanInput{Name: "缴费截止测试", CategoryID: "1", Level: "无", RegistrationStarts: "2026-12-01T09:00",
		RegistrationEnds: "2026-12-10T17:00", ExamAt: "2027-01-10T09:00", PhotoMaxKB: "60"}
	cases := []struct {
		fee, deadline, want string
	}{
		{"0", "", ""},
		{"0", "不是日期", ""}, // a free plan has no 缴费截止, whatever was typed
		{"120", "", "收费金额大于0时请填写缴费截止时间"},
		{"120", "2026-12-20", "请填写日期和时间，如 2026-12-01 09:00"},
		{"120", "2026-12-10T17:00", "缴费截止时间应晚于报名截止时间"},
		{"120", "2027-01-10T09:00", "缴费截止时间应早于考试时间"},
		{"120", "2026-12-20T17:00", ""},
	}
	for _, c := range cases {
		in := base
		in.Fee, in.PaymentDeadline = c.fee, c.deadline
		var p models.ExamPlan
		errs := in.Validate(&p)
		if got := errs["payment_deadline"]; got != c.want {
			t.Errorf("fee %s, deadline %q: %q, want %q", c.fee, c.deadline, got, c.want)
		}
		if c.want == "" && c.fee == "0" && p.PaymentDeadline != nil {
			t.Errorf("a free plan keeps a 缴费截止: %v", p.PaymentDeadline)
		}
		if c.want == "" && c.fee != "0" && (p.PaymentDeadline == nil || p.PaymentDeadlineText() != "2026-12-20 17:00") {
			t.Errorf("the 缴费截止 stored: %v", p.PaymentDeadline)
		}
	}
	// Stored and read back through the workflow.
	db := dbtest.Open(t)
	in := base
	in.Fee, in.PaymentDeadline = "120", "2026-12-20T17:00"
	p, err := models.CreatePlan(context.Background(), db, testAdmin, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := models.GetPlan(context.Background(), db, p.ID)
	if err != nil || got.PaymentDeadlineText() != "2026-12-20 17:00" || !got.Charges() {
		t.Fatalf("stored plan: %v %v", got.PaymentDeadline, err)
	}
}

func TestSendPaymentNotices(t *testing.T) {
	t.Parallel()
	f := newPayFixture(t, nil, 12000, tomorrow())
	ctx := context.Background()
	people := f.addPeople(t, 4)
	approved := f.register(t, f.plan, people[:3], models.RegApproved)
	waiting := f.register(t, f.plan, people[3:], models.RegUnitConfirmed)

	if _, err := models.SendPaymentNotices(ctx, f.db, models.Actor{Account: &models.Account{Role: models.RoleEnterprise}}, f.plan.ID); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("an enterprise sending: %v", err)
	}
	free := newPayFixture(t, f.db, 0, time.Time{})
	f.register(t, free.plan, people[:1], models.RegApproved)
	if _, err := models.SendPaymentNotices(ctx, f.db, testAdmin, free.plan.ID); !errors.Is(err, models.ErrFreePlan) {
		t.Errorf("a free plan: %v", err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.SendPaymentNotices(ctx, f.db, testAdmin, f.plan.ID)
		return err
	}, func() {
		if n := f.count(t, "registrations", "payment_noticed_at IS NOT NULL"); n != 0 {
			t.Errorf("%d registrations marked notified after a failed send", n)
		}
	}, "messages", "batch_numbers")

	res, err := models.SendPaymentNotices(ctx, f.db, testAdmin, f.plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 3 || !regexp.MustCompile(`^JFTZ\d{8}$`).MatchString(res.BatchNo) {
		t.Errorf("sent %+v", res)
	}
	for _, r := range approved {
		got := f.reg(t, r.ID)
		if got.PaymentNoticeNo != res.BatchNo || got.PaymentNoticedAt == nil {
			t.Errorf("registration %d: notice %q %v", r.ID, got.PaymentNoticeNo, got.PaymentNoticedAt)
		}
		got.Plan = f.plan
		if !got.PaymentDue() || !strings.HasPrefix(got.StatusText(), "待缴费（120.00元，缴费截止 ") {
			t.Errorf("status text %q", got.StatusText())
		}
	}
	if got := f.reg(t, waiting[0].ID); got.PaymentNoticedAt != nil {
		t.Error("a registration under review was sent a 缴费通知")
	}
	// Nobody concerned has an account here; the batch is audited once.
	if n := auditCount(t, f.db, models.EventPaymentNoticed); n != 1 {
		t.Errorf("%d audit rows", n)
	}
	if _, err := models.SendPaymentNotices(ctx, f.db, testAdmin, f.plan.ID); !errors.Is(err, models.ErrNothingToNotify) {
		t.Errorf("sending again: %v", err)
	}
	// One approved since gets its own notice, the others none again.
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegApproved).Where("id = ?", waiting[0].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if res2, err := models.SendPaymentNotices(ctx, f.db, testAdmin, f.plan.ID); err != nil || res2.Sent != 1 || res2.BatchNo == res.BatchNo {
		t.Errorf("the next send: %+v %v", res2, err)
	}
	// After 缴费截止 no notice goes out.
	late := newPayFixture(t, f.db, 12000, models.Now().Add(-time.Minute))
	f.register(t, late.plan, people[:1], models.RegApproved)
	if _, err := models.SendPaymentNotices(ctx, f.db, testAdmin, late.plan.ID); !errors.Is(err, models.ErrDeadlinePassed) {
		t.Errorf("after the deadline: %v", err)
	}
}

// Applicants with an account hear of the 缴费通知 and of 缴费已确认 in their 消息.
func TestPaymentNoticesReachTheApplicant(t *testing.T) {
	t.Parallel()
	f := newPayFixture(t, nil, 5000, tomorrow())
	ctx := context.Background()
	p := f.addPeople(t, 1)[0]
	acct := &models.Account{Username: "pay-applicant", Role: models.RolePractitioner, PersonID: &p.ID, DisplayName: p.Name,
		PasswordHash: "x", CreatedAt: models.Now(), UpdatedAt: models.Now(), PasswordChangedAt: models.Now(), Version: 1}
	if _, err := f.db.NewInsert().Model(acct).Returning("id").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	r := f.register(t, f.plan, []models.Person{p}, models.RegApproved)[0]
	if _, err := models.SendPaymentNotices(ctx, f.db, testAdmin, f.plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, r.ID, 0); err != nil {
		t.Fatal(err)
	}
	var msgs []models.Message
	if err := f.db.NewSelect().Model(&msgs).Where("account_id = ?", acct.ID).OrderExpr("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Kind != models.NoticePaymentNotice || msgs[1].Kind != models.NoticePaid ||
		!strings.Contains(msgs[0].Body, "50.00 元") || !strings.Contains(msgs[0].Body, f.plan.PaymentDeadlineText()) ||
		msgs[0].Link != "/registrations/"+strconv.FormatInt(r.ID, 10) {
		t.Errorf("messages: %+v", msgs)
	}
}

func TestConfirmPaymentByHand(t *testing.T) {
	t.Parallel()
	f := newPayFixture(t, nil, 12000, tomorrow())
	ctx := context.Background()
	people := f.addPeople(t, 3)
	rs := f.register(t, f.plan, people[:2], models.RegApproved)
	review := f.register(t, f.plan, people[2:], models.RegUnitConfirmed)[0]
	other := newPayFixture(t, f.db, 12000, tomorrow())
	otherReg := f.register(t, other.plan, people[:1], models.RegApproved)[0]

	if _, err := models.ConfirmPayment(ctx, f.db, models.Actor{Account: &models.Account{Role: models.RolePractitioner}}, f.plan.ID, rs[0].ID, 0); !errors.Is(err, models.ErrNotAllowed) {
		t.Errorf("a practitioner confirming: %v", err)
	}
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, otherReg.ID, 0); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another plan's registration: %v", err)
	}
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, review.ID, 0); !errors.Is(err, models.ErrNotPayable) {
		t.Errorf("one under review: %v", err)
	}
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, rs[0].ID, rs[0].Version+5); !errors.Is(err, models.ErrConflict) {
		t.Errorf("a stale version: %v", err)
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, rs[0].ID, 0)
		return err
	}, func() {
		if got := f.reg(t, rs[0].ID); got.Status != models.RegApproved || got.PaidAt != nil {
			t.Errorf("after a failed confirmation: %s %v", got.Status, got.PaidAt)
		}
	}, "payments", "batch_numbers", "messages")

	res, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, rs[0].ID, rs[0].Version)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 1 || !regexp.MustCompile(`^JFQR\d{8}$`).MatchString(res.BatchNo) {
		t.Errorf("result %+v", res)
	}
	got := f.reg(t, rs[0].ID)
	if got.Status != models.RegPaid || got.PaidAt == nil {
		t.Errorf("after 确认缴费: %s %v", got.Status, got.PaidAt)
	}
	var pay models.Payment
	if err := f.db.NewSelect().Model(&pay).Where("registration_id = ?", rs[0].ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if pay.AmountCents != 12000 || pay.Method != models.PaymentManual || pay.BatchNo != res.BatchNo || pay.TradeNo != "" {
		t.Errorf("payment %+v", pay)
	}
	if n := f.count(t, "status_changes", "record_id = ? AND batch_no = ? AND to_status = ?", rs[0].ID, res.BatchNo, models.RegPaid); n != 1 {
		t.Errorf("%d status changes", n)
	}
	if n := auditCount(t, f.db, models.EventRegPaid); n != 1 {
		t.Errorf("%d audit rows", n)
	}
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, rs[0].ID, 0); !errors.Is(err, models.ErrNotPayable) {
		t.Errorf("confirming twice: %v", err)
	}
	free := newPayFixture(t, f.db, 0, time.Time{})
	freeReg := f.register(t, free.plan, people[1:2], models.RegApproved)[0]
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, free.plan.ID, freeReg.ID, 0); !errors.Is(err, models.ErrFreePlan) {
		t.Errorf("a free plan: %v", err)
	}
	counts, err := models.CountPayments(ctx, f.db, testAdmin, f.plan.ID)
	if err != nil || counts[models.StagePaid] != 1 || counts[models.StageToNotify] != 1 || counts[models.StageDue] != 0 {
		t.Errorf("counts %v %v", counts, err)
	}
	rows, n, err := models.ListPayments(ctx, f.db, testAdmin, models.PaymentFilter{PlanID: f.plan.ID, Stage: models.StagePaid})
	if err != nil || n != 1 || rows[0].Payment == nil || rows[0].Person.Name != people[0].Name {
		t.Errorf("paid list: %d %v", n, err)
	}
	rows, n, err = models.ListPayments(ctx, f.db, testAdmin, models.PaymentFilter{PlanID: f.plan.ID, Query: people[1].IDNumber})
	if err != nil || n != 1 || rows[0].ID != rs[1].ID {
		t.Errorf("by ID number: %d %v", n, err)
	}
}

// bankRow is a line of the bank file as spreadsheet.Read returns it.
func bankRow(n int, name, id, amount, trade, date string) spreadsheet.Row {
	return spreadsheet.Row{Number: n, Cells: map[string]string{"name": name, "id_number": id, "amount": amount, "trade_no": trade, "date": date}}
}

func TestImportBankPaymentsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newPayFixture(t, nil, 12000, tomorrow())
	ctx := context.Background()
	people := f.addPeople(t, 9)
	rs := f.register(t, f.plan, people[:5], models.RegApproved)
	f.register(t, f.plan, people[8:9], models.RegApproved)
	f.register(t, f.plan, people[5:6], models.RegUnitConfirmed)
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, rs[4].ID, 0); err != nil {
		t.Fatal(err)
	}
	// A 交易流水号 used before (by another plan's payment).
	other := newPayFixture(t, f.db, 100, tomorrow())
	otherReg := f.register(t, other.plan, people[7:8], models.RegApproved)[0]
	if _, err := models.ImportBankPayments(ctx, f.db, testAdmin, other.plan.ID,
		[]spreadsheet.Row{bankRow(2, people[7].Name, people[7].IDNumber, "1", "USED-1", "2026-11-30")}); err != nil {
		t.Fatal(err)
	}
	_ = otherReg
	today := models.Now().In(models.Beijing).Format("2006-01-02")
	future := models.Now().In(models.Beijing).AddDate(0, 0, 3).Format("2006-01-02")
	p := people
	bad := []spreadsheet.Row{
		bankRow(2, p[0].Name, p[0].IDNumber, "120.00", "T-0001", today),                     // fine
		bankRow(3, p[1].Name, p[1].IDNumber, "120", "T-0001", today),                        // 交易流水号 twice in the file
		bankRow(4, "别人", p[2].IDNumber, "120", "T-0003", today),                             // name differs
		bankRow(5, p[3].Name, p[3].IDNumber, "100", "T-0004", today),                        // amount differs
		bankRow(6, p[4].Name, p[4].IDNumber, "120", "T-0005", today),                        // already paid
		bankRow(7, p[5].Name, p[5].IDNumber, "120", "T-0006", today),                        // not approved
		bankRow(8, p[6].Name, p[6].IDNumber, "120", "T-0007", today),                        // no registration for the plan
		bankRow(9, p[0].Name, p[0].IDNumber, "120", "T-0009", today),                        // 身份证号 twice in the file
		bankRow(10, p[8].Name, p[8].IDNumber, "120", "USED-1", today),                       // 交易流水号 used before
		bankRow(11, p[2].Name, "1.10105199003071E+17", "120", "T-0011", today),              // mangled by Excel
		bankRow(12, p[3].Name, p[3].IDNumber[:17]+"0", "120", "T-0012", today),              // wrong check digit (or another)
		bankRow(13, p[3].Name, p[3].IDNumber, "12O", "T-0013", "2026-13-45"),                // bad amount, bad date
		bankRow(14, p[3].Name, p[3].IDNumber, "120", "T-0014", future),                      // date in the future
		bankRow(15, "", "", "", "", ""),                                                     // empty cells
		bankRow(16, p[3].Name, p[3].IDNumber, "120", "=HYPERLINK(\"x\")\x01", "2026-12-01"), // control character
	}
	before := snapshot(t, f.db, "payments", "registrations", "batch_numbers", "messages")
	_, err := models.ImportBankPayments(ctx, f.db, testAdmin, f.plan.ID, bad)
	var probs models.BatchProblems
	if !errors.As(err, &probs) {
		t.Fatalf("a file with bad lines: %v", err)
	}
	after := snapshot(t, f.db, "payments", "registrations", "batch_numbers", "messages")
	for tbl, n := range before {
		if tbl != "audit_events" && after[tbl] != n {
			t.Errorf("%s: %d rows before, %d after a refused file", tbl, n, after[tbl])
		}
	}
	if got := f.count(t, "registrations", "plan_id = ? AND status = ?", f.plan.ID, models.RegPaid); got != 1 {
		t.Errorf("%d paid after a refused file, want the 1 paid before", got)
	}
	want := map[int]string{
		3: "与第2行的交易流水号重复", 4: "姓名与报名信息不一致", 5: "金额与该考试的收费金额（120.00元）不一致", 6: "该报名已缴费",
		7: "不是审核通过", 8: "该考试没有此身份证号的报名", 9: "与第2行的身份证号重复", 10: "该交易流水号已登记过",
		11: "身份证号被Excel转换为数字而损坏", 12: "身份证", 13: "日期格式无法识别", 14: "缴费日期不能晚于今天", 15: "请填写", 16: "交易流水号应为",
	}
	got := map[int][]string{}
	for _, pr := range probs {
		got[pr.Row] = append(got[pr.Row], pr.Column+"："+pr.Reason)
	}
	for row, w := range want {
		if !strings.Contains(strings.Join(got[row], "；"), w) {
			t.Errorf("row %d: %q, want %q", row, got[row], w)
		}
	}
	if len(got[2]) != 0 {
		t.Errorf("the good line has problems: %v", got[2])
	}
	if !strings.Contains(strings.Join(got[13], "；"), "金额应为数字") {
		t.Errorf("row 13: %v", got[13])
	}
	if n := f.count(t, "audit_events", "event = ? AND result = ?", models.EventRegPaid, "rejected"); n != 1 {
		t.Errorf("%d audit rows of the refusal", n)
	}

	good := []spreadsheet.Row{
		bankRow(2, p[0].Name, p[0].IDNumber, "120.00", "T-0001", today),
		bankRow(3, p[1].Name, strings.ToLower(p[1].IDNumber), "¥120", "T-0002", "46000"), // an Excel date serial
		bankRow(4, p[2].Name, p[2].IDNumber, "120.0", "T-0003", "2026/11/30"),
		bankRow(5, p[3].Name, p[3].IDNumber, "120", "T-0004", "2026年11月29日"),
	}
	assertRollsBack(t, f.db, func(ctx context.Context) error {
		_, err := models.ImportBankPayments(ctx, f.db, testAdmin, f.plan.ID, good)
		return err
	}, func() {
		if n := f.count(t, "registrations", "plan_id = ? AND paid_at IS NOT NULL", f.plan.ID); n != 1 {
			t.Errorf("%d paid after a failed import", n)
		}
	}, "payments", "batch_numbers", "messages")
	auditsBefore := auditCount(t, f.db, models.EventRegPaid)
	res, err := models.ImportBankPayments(ctx, f.db, testAdmin, f.plan.ID, good)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || !strings.HasPrefix(res.BatchNo, "JFQR") {
		t.Errorf("result %+v", res)
	}
	if n := f.count(t, "payments", "batch_no = ? AND method = ?", res.BatchNo, models.PaymentBank); n != 4 {
		t.Errorf("%d payments of the batch", n)
	}
	if n := f.count(t, "status_changes", "batch_no = ? AND to_status = ?", res.BatchNo, models.RegPaid); n != 4 {
		t.Errorf("%d status changes of the batch", n)
	}
	if n := auditCount(t, f.db, models.EventRegPaid) - auditsBefore; n != 1 {
		t.Errorf("%d audit rows for one import", n)
	}
	var pay models.Payment
	if err := f.db.NewSelect().Model(&pay).Where("trade_no = ?", "T-0004").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if d := pay.PaidOn.In(models.Beijing).Format("2006-01-02 15:04"); d != "2026-11-29 00:00" || pay.RegistrationID != rs[3].ID {
		t.Errorf("payment %+v (%s)", pay, d)
	}
	// The same file again: every line is already paid, and nothing changes.
	if _, err := models.ImportBankPayments(ctx, f.db, testAdmin, f.plan.ID, good); !errors.As(err, &probs) || len(probs) != 8 {
		t.Errorf("the same file again: %v", err)
	}
	if _, err := models.ImportBankPayments(ctx, f.db, testAdmin, f.plan.ID, nil); !errors.As(err, &probs) {
		t.Errorf("an empty file: %v", err)
	}
}

func TestForfeitOverdue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPayFixture(t, nil, 12000, models.Now().Add(-time.Hour))
	people := f.addPeople(t, 5)
	rs := f.register(t, f.plan, people[:3], models.RegApproved)
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegPaid).Set("paid_at = ?", models.Now()).
		Where("id = ?", rs[2].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	review := f.register(t, f.plan, people[3:4], models.RegUnitConfirmed)[0]
	notYet := newPayFixture(t, f.db, 12000, tomorrow())
	waiting := f.register(t, notYet.plan, people[:1], models.RegApproved)[0]
	free := newPayFixture(t, f.db, 0, time.Time{})
	freeReg := f.register(t, free.plan, people[1:2], models.RegApproved)[0]

	var task models.PeriodicTask
	for _, x := range models.PeriodicTasks() {
		if x.Name == "payment.forfeit" {
			task = x
		}
	}
	if task.Run == nil || task.Every <= 0 || task.Label == "" {
		t.Fatalf("payment.forfeit is not registered: %+v", task)
	}
	n, err := task.Run(ctx, f.db, models.Now())
	if err != nil || n != 2 {
		t.Fatalf("first run: %d %v", n, err)
	}
	for _, r := range rs[:2] {
		if got := f.reg(t, r.ID); got.Status != models.RegForfeited {
			t.Errorf("registration %d: %s", r.ID, got.Status)
		}
	}
	for id, want := range map[int64]models.RegStatus{rs[2].ID: models.RegPaid, review.ID: models.RegUnitConfirmed,
		waiting.ID: models.RegApproved, freeReg.ID: models.RegApproved} {
		if got := f.reg(t, id); got.Status != want {
			t.Errorf("registration %d: %s, want %s", id, got.Status, want)
		}
	}
	var batches []string
	if err := f.db.NewSelect().Model((*models.StatusChange)(nil)).ColumnExpr("DISTINCT batch_no").
		Where("to_status = ?", models.RegForfeited).Scan(ctx, &batches); err != nil {
		t.Fatal(err)
	}
	if len(batches) != 1 || !strings.HasPrefix(batches[0], models.BatchForfeit) {
		t.Errorf("batches %v", batches)
	}
	if n := f.count(t, "status_changes", "to_status = ? AND account_id IS NULL AND reason LIKE ?", models.RegForfeited, "逾期未缴费%"); n != 2 {
		t.Errorf("%d status changes by the system with the reason", n)
	}
	if n := f.count(t, "audit_events", "event = ? AND username = ?", models.EventRegForfeited, "system:payment.forfeit"); n != 1 {
		t.Errorf("%d audit rows by the system", n)
	}
	// Idempotent: the second run changes nothing and writes nothing.
	before := snapshot(t, f.db, "batch_numbers")
	if n, err := task.Run(ctx, f.db, models.Now()); err != nil || n != 0 {
		t.Errorf("second run: %d %v", n, err)
	}
	if after := snapshot(t, f.db, "batch_numbers"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("second run wrote rows: %v → %v", before, after)
	}
	// Once its deadline is past, the other plan's turn comes.
	if n, err := task.Run(ctx, f.db, models.Now().Add(48*time.Hour)); err != nil || n != 1 {
		t.Errorf("a later run: %d %v", n, err)
	}
}

// 已缴费则不能删除: the workflows refuse, and so does the database, whatever path a DELETE takes.
func TestPaidRegistrationsAreNeverDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newPayFixture(t, nil, 12000, tomorrow())
	org, err := models.CreateOrganization(ctx, f.db, testAdmin, models.OrgInput{Kind: "enterprise", Name: "北京缴费测试公司", Code: "91110105G1921G9139"})
	if err != nil {
		t.Fatal(err)
	}
	actor := models.Actor{Account: &models.Account{Role: models.RoleEnterprise, Username: "pay-org", OrganizationID: &org.ID, Organization: org}}
	people := f.addPeople(t, 3)
	rs := f.register(t, f.plan, people, models.RegApproved)
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("organization_id = ?", org.ID).Where("plan_id = ?", f.plan.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, rs[0].ID, 0); err != nil {
		t.Fatal(err)
	}
	// A payment row with paid_at cleared (by hand, say): still kept.
	if _, err := models.ConfirmPayment(ctx, f.db, testAdmin, f.plan.ID, rs[1].ID, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("paid_at = NULL").Where("id = ?", rs[1].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{rs[0].ID, rs[1].ID} {
		if _, err := f.db.NewDelete().Model((*models.Registration)(nil)).Where("id = ?", id).Exec(ctx); err == nil {
			t.Errorf("the database deleted paid registration %d", id)
		}
		if _, err := f.db.NewRaw("DELETE FROM registrations WHERE plan_id = ?", f.plan.ID).Exec(ctx); err == nil {
			t.Error("a DELETE of the whole plan went through")
		}
		if _, err := models.DeleteRegistration(ctx, f.db, actor, id); !errors.Is(err, models.ErrPaidRegistration) {
			t.Errorf("DeleteRegistration of paid %d: %v", id, err)
		}
		if _, err := models.DeleteRegistration(ctx, f.db, testAdmin, id); !errors.Is(err, models.ErrPaidRegistration) {
			t.Errorf("an admin's DeleteRegistration of paid %d: %v", id, err)
		}
	}
	if _, err := f.db.NewDelete().Model((*models.Payment)(nil)).Where("registration_id = ?", rs[0].ID).Exec(ctx); err == nil {
		t.Error("the database deleted a payment")
	}
	// 删除所有报名信息 keeps the paid ones (status 已缴费, with or without paid_at) and deletes the one not yet decided.
	if _, err := f.db.NewUpdate().Model((*models.Registration)(nil)).Set("status = ?", models.RegUnitConfirmed).Where("id = ?", rs[2].ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := models.DeleteAllRegistrations(ctx, f.db, actor, f.plan.ID)
	if err != nil || res.Deleted != 1 || len(res.Kept) != 2 {
		t.Errorf("delete all: %+v %v", res, err)
	}
	if n := f.count(t, "registrations", "plan_id = ?", f.plan.ID); n != 2 {
		t.Errorf("%d registrations left, want the 2 paid", n)
	}
}
