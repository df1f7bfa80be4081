package models

import (
	"context"
	"strconv"
	"time"

	"github.com/uptrace/bun"
)

// PersonChange is one change of one field of a person's master data: old and new value, by whom, when (SECURITY.md
// 28). Rows are only inserted, in the transaction of the change.
type PersonChange struct {
	bun.BaseModel `bun:"table:person_changes"`

	ID        int64     `bun:"id,pk,autoincrement"`
	PersonID  int64     `bun:"person_id,notnull"`
	Field     string    `bun:"field,notnull"`
	OldValue  string    `bun:"old_value,notnull"`
	NewValue  string    `bun:"new_value,notnull"`
	AccountID *int64    `bun:"account_id"`
	ChangedAt time.Time `bun:"changed_at,notnull"`

	Username string `bun:"username,scanonly"` // who, for the 详细 page
}

// PersonFieldLabels names the fields of person_changes in the UI.
var PersonFieldLabels = map[string]string{
	"name": "姓名", "education": "学历", "major": "专业", "title": "职称", "phone": "手机号码", "address": "通讯地址",
	"work_start_date": "参加工作时间", "employer_name": "工作单位", "employer_code": "单位代码",
	"organization": "登记单位", "employer_may_edit": "允许工作单位维护", "photo": "一寸照片",
}

// personValues is what person_changes compares, by field.
func personValues(p *Person) [][2]string {
	ws := ""
	if p.WorkStartDate != nil {
		ws = p.WorkStartDate.Format("2006-01-02")
	}
	org := ""
	if p.OrganizationID != nil {
		org = strconv.FormatInt(*p.OrganizationID, 10)
	}
	may := "否"
	if p.EmployerMayEdit {
		may = "是"
	}
	return [][2]string{{"name", p.Name}, {"education", p.Education}, {"major", p.Major}, {"title", p.Title},
		{"phone", p.Phone}, {"address", p.Address}, {"work_start_date", ws}, {"employer_name", p.EmployerName},
		{"employer_code", p.EmployerCode}, {"organization", org}, {"employer_may_edit", may}}
}

// recordPersonChanges writes a person_changes row, inside tx, for every field that differs between before and
// after. A change of the registered organization is kept by the organizations' names.
func recordPersonChanges(ctx context.Context, tx bun.IDB, actor Actor, before, after *Person) error {
	old, cur := personValues(before), personValues(after)
	var rows []PersonChange
	now := Now()
	for i := range cur {
		if old[i][1] == cur[i][1] {
			continue
		}
		o, n := old[i][1], cur[i][1]
		if cur[i][0] == "organization" {
			var err error
			if o, err = organizationName(ctx, tx, before.OrganizationID); err != nil {
				return err
			}
			if n, err = organizationName(ctx, tx, after.OrganizationID); err != nil {
				return err
			}
		}
		rows = append(rows, PersonChange{PersonID: after.ID, Field: cur[i][0], OldValue: o, NewValue: n,
			AccountID: actor.AccountID(), ChangedAt: now})
	}
	return insertPersonChanges(ctx, tx, rows)
}

func insertPersonChanges(ctx context.Context, tx bun.IDB, rows []PersonChange) error {
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.NewInsert().Model(&rows).Returning("NULL").Exec(ctx)
	return err
}

func organizationName(ctx context.Context, db bun.IDB, id *int64) (string, error) {
	if id == nil {
		return "", nil
	}
	o, err := GetOrganization(ctx, db, *id)
	if err != nil {
		return "", err
	}
	return o.Name, nil
}

// PersonHistory lists the changes of a person's master data, latest first (at most limit). The caller has
// checked that the reader may see the person.
func PersonHistory(ctx context.Context, db bun.IDB, personID int64, limit int) ([]PersonChange, error) {
	var out []PersonChange
	err := db.NewSelect().Model(&out).ColumnExpr("person_change.*").ColumnExpr("a.username AS username").
		Join("LEFT JOIN accounts AS a ON a.id = person_change.account_id").
		Where("person_change.person_id = ?", personID).OrderExpr("person_change.id DESC").Limit(int64(limit)).Scan(ctx)
	return out, err
}
