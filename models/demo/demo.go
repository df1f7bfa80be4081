// Package demo seeds an empty database with demonstration accounts, people and organizations. It runs only when
// asked (serve --demo or the seed-demo command), so a production install never has these accounts.
package demo

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"examcert/internal/ident"
	"examcert/internal/password"
	"examcert/models"
)

// Password is the password of every demo account (the README lists them).
const Password = "Demo#2026"

// Account describes one demo account.
type Account struct {
	Username, Name string
	Role           models.Role
	Code           string // credit code (organizations) or ID number (practitioners), also a sign-in name
}

// ErrNotEmpty: demo data goes only into a database without accounts.
var ErrNotEmpty = errors.New("the database already has accounts; demo data is only seeded into an empty one")

// Accounts returns the demo accounts with their generated codes; the same every time (fixed seed).
func Accounts() []Account {
	r := rand.New(rand.NewPCG(2026, 11))
	born := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	return []Account{
		{"admin", "注册中心管理员", models.RoleAdmin, ""},
		{"zhangsan", "张三", models.RolePractitioner, ident.GenerateIDNumber(r, "110105", born(1988, 3, 12), ident.GenderMale)},
		{"lisi", "李思", models.RolePractitioner, ident.GenerateIDNumber(r, "110108", born(1992, 9, 30), ident.GenderFemale)},
		{"jianshe", "北京城建示范工程有限公司", models.RoleEnterprise, ident.GenerateCreditCode(r, "110105")},
		{"jianshe2", "北京宏远建设集团有限公司", models.RoleEnterprise, ident.GenerateCreditCode(r, "110106")},
		{"peixun", "北京建筑职业技能培训学校", models.RoleTraining, ident.GenerateCreditCode(r, "110102")},
		{"peixun2", "北京安全生产培训中心", models.RoleTraining, ident.GenerateCreditCode(r, "110114")},
		{"kaowu", "王考务", models.RoleProctor, ""},
	}
}

// Seed creates the demo accounts, people, plans and certificates in one transaction. It refuses a database that
// already has accounts.
func Seed(ctx context.Context, db bun.IDB) ([]Account, error) { return seed(ctx, db, true) }

// SeedWithoutCertificates is Seed without the certificates issued before the system: the handler tests build the
// certificates they need and count on no others.
func SeedWithoutCertificates(ctx context.Context, db bun.IDB) ([]Account, error) {
	return seed(ctx, db, false)
}

func seed(ctx context.Context, db bun.IDB, certificates bool) ([]Account, error) {
	n, err := db.NewSelect().Model((*models.Account)(nil)).Count(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	hash, err := password.Hash(Password)
	if err != nil {
		return nil, err
	}
	accts := Accounts()
	err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Demo data is written as its accounts would write it, from the seeding process.
		as := map[string]models.Actor{}
		seeder := models.Actor{Account: &models.Account{Role: models.RoleAdmin, Username: "seed-demo"}, IP: "127.0.0.1", RequestID: "seed-demo"}
		for _, a := range accts {
			na := models.NewAccount{Role: a.Role, Username: a.Username, DisplayName: a.Name, PasswordHash: hash}
			switch a.Role {
			case models.RolePractitioner:
				na.IDNumber = a.Code
			case models.RoleEnterprise, models.RoleTraining:
				na.OrgName, na.OrgCode = a.Name, a.Code
			}
			acct, _, err := models.CreateAccount(ctx, tx, seeder, na)
			if err != nil {
				return err
			}
			as[a.Username] = models.Actor{Account: acct, IP: "127.0.0.1", RequestID: "seed-demo"}
		}
		if err := seedPeople(ctx, tx); err != nil {
			return err
		}
		if err := seedPlans(ctx, tx, as["admin"]); err != nil {
			return err
		}
		if !certificates {
			return nil
		}
		return seedCertificates(ctx, tx)
	})
	return accts, err
}

// People returns demo staff and trainees: names, generated ID numbers and details, the same every time.
func People() []models.PersonInput {
	r := rand.New(rand.NewPCG(2026, 12))
	surnames := []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗")
	given := []string{"伟", "芳", "娜", "秀英", "敏", "静", "磊", "强", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平"}
	regions := []string{"110101", "110102", "110105", "110106", "110108", "130102", "120101"}
	var out []models.PersonInput
	for i := 0; i < 24; i++ {
		birth := time.Date(1965+r.IntN(35), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		g := ident.GenderMale
		if r.IntN(2) == 0 {
			g = ident.GenderFemale
		}
		work := birth.AddDate(20+r.IntN(4), r.IntN(12), 0)
		out = append(out, models.PersonInput{
			IDNumber:      ident.GenerateIDNumber(r, regions[r.IntN(len(regions))], birth, g),
			Name:          string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))],
			Education:     models.Educations[1+r.IntN(4)],
			Title:         models.Titles[r.IntN(4)],
			Phone:         "13" + strconv.Itoa(100000000+r.IntN(899999999)),
			WorkStartDate: work.Format("2006-01-02"),
		})
	}
	return out
}

// seedPeople puts the first two thirds of People on 北京城建示范工程有限公司's staff, the rest on
// 北京建筑职业技能培训学校's roster (and two of the staff there too), with the add-person rules but, as data that was
// there before anyone signed in, no audit row per person.
func seedPeople(ctx context.Context, db bun.IDB) error {
	accts := Accounts()
	ent, err := models.FindOrganizationByCode(ctx, db, accts[3].Code, "")
	if err != nil {
		return err
	}
	tr, err := models.FindOrganizationByCode(ctx, db, accts[5].Code, "")
	if err != nil {
		return err
	}
	people := People()
	for i, p := range people {
		org := ent
		if i >= len(people)*2/3 {
			org = tr
		}
		if i < 2 { // on the roster first: someone employed elsewhere joins a roster only by consent
			if _, err := models.EnsurePerson(ctx, db, tr, p); err != nil {
				return err
			}
		}
		if _, err := models.EnsurePerson(ctx, db, org, p); err != nil {
			return err
		}
	}
	return nil
}

// seedPlans adds exam plans around the time of seeding: two open for registration, one still a draft, which is a
// 网考 (the open ones stay 机考: the browser tests print their tickets and check candidates in).
func seedPlans(ctx context.Context, db bun.IDB, admin models.Actor) error {
	cats, err := models.ListCategories(ctx, db, true)
	if err != nil {
		return err
	}
	byName := map[string]int64{}
	for _, c := range cats {
		byName[c.Name] = c.ID
	}
	now := models.Now().Truncate(time.Hour)
	plans := []struct {
		p    models.ExamPlan
		open bool
	}{
		{models.ExamPlan{Name: "2026年第四季度施工员（土建）岗位考试", CategoryID: byName["施工员-土建"], Level: "无", FeeCents: 12000,
			MinYearsOfWork: 1, MinEducation: "高中/中专/技校", Notes: "请如实填写参加工作时间和个人简历，照片须为近期一寸正面免冠彩色照片。"}, true},
		{models.ExamPlan{Name: "2026年第四季度安全员考试", CategoryID: byName["安全员"], Level: "无", FeeCents: 15000, Capacity: 500,
			MinYearsOfWork: 2}, true},
		{models.ExamPlan{Name: "2027年第一季度质量员（土建）岗位考试", CategoryID: byName["质量员-土建"], Level: "无", FeeCents: 12000,
			ExamMode: models.ModeOnline}, false},
	}
	for _, x := range plans {
		p := x.p
		p.RegistrationStartsAt, p.RegistrationEndsAt, p.ExamAt = now.Add(-24*time.Hour), now.AddDate(0, 1, 0), now.AddDate(0, 1, 14)
		p.PhotoMaxBytes = 60 * 1024
		if p.FeeCents > 0 { // 缴费截止: a week after 报名截止
			deadline := p.RegistrationEndsAt.AddDate(0, 0, 7)
			p.PaymentDeadline = &deadline
		}
		if err := models.SavePlan(ctx, db, &p, 0); err != nil {
			return err
		}
		if x.open {
			if err := models.AdvancePlan(ctx, db, admin, p.ID, models.PlanDraft); err != nil {
				return err
			}
		}
	}
	return nil
}

// seedCertificates records certificates issued before the system (存量证书), dated around the time of seeding so the
// certificate screens have something to do: zhangsan's 安全员 certificate and a 建筑电工 certificate of one of
// 北京城建示范工程有限公司's staff (trained by 北京建筑职业技能培训学校) end within 90 days (申请证书续期 offers
// them), another of the staff holds one valid for two more years (申请变更证书), and lisi's ends in 200 days
// (续期 says why not yet).
func seedCertificates(ctx context.Context, db bun.IDB) error {
	accts := Accounts()
	ent, err := models.FindOrganizationByCode(ctx, db, accts[3].Code, "")
	if err != nil {
		return err
	}
	tr, err := models.FindOrganizationByCode(ctx, db, accts[5].Code, "")
	if err != nil {
		return err
	}
	cats, err := models.ListCategories(ctx, db, false)
	if err != nil {
		return err
	}
	byName := map[string]*models.ExamCategory{}
	for i := range cats {
		byName[cats[i].Name] = &cats[i]
	}
	today := models.Now().In(models.Beijing)
	day := func(years, days int) time.Time { // a day in Beijing, years and days from today
		return time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, models.Beijing).AddDate(years, 0, days)
	}
	person := func(idNumber string) (int64, error) {
		p, err := models.FindPersonByIDNumber(ctx, db, idNumber)
		if err != nil {
			return 0, err
		}
		return p.ID, nil
	}
	other, err := models.FindOrganizationByCode(ctx, db, accts[4].Code, "")
	if err != nil {
		return err
	}
	var young []string // staff of 北京城建示范工程有限公司 born 1975 or later: far from retirement
	staff := People()
	for _, p := range staff[2 : len(staff)*2/3] {
		if p.IDNumber[6:10] >= "1975" {
			young = append(young, p.IDNumber)
		}
	}
	certs := []struct {
		idNumber, category string
		employer           *models.Organization
		trained            bool
		issued             time.Time
	}{
		{accts[1].Code, "安全员", ent, false, day(-3, 60)},
		{young[0], "特种作业-建筑电工", ent, true, day(-2, 30)},
		{young[1], "安全员", ent, false, day(-1, 0)},
		{accts[2].Code, "安全员", other, false, day(-3, 200)},
	}
	for _, c := range certs {
		id, err := person(c.idNumber)
		if err != nil {
			return err
		}
		in := models.ExistingCertificate{PersonID: id, Category: byName[c.category], EmployerID: &c.employer.ID,
			EmployerName: c.employer.Name, EmployerCode: c.employer.Code(), IssuedOn: c.issued}
		if c.trained {
			in.TrainingOrgID, in.TrainingName = &tr.ID, tr.Name
		}
		if c.category == "安全员" {
			in.Duty = "专职安全生产管理人员"
		}
		if _, err := models.RecordExistingCertificate(ctx, db, in); err != nil {
			return err
		}
	}
	return nil
}
