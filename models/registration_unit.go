package models

import (
	"context"

	"github.com/uptrace/bun"
)

// units knows which registered enterprises a set of 工作单位 codes name: a registration naming one of them waits
// for that enterprise's 单位确认 (LIFECYCLE §4) unless the enterprise filed it itself.
type units map[string]int64 // 统一社会信用代码 or 组织机构代码 → organization id

// loadUnits finds the enterprises among codes (empty codes are ignored). The codes of filer (the organization
// filing; nil: the person themself) are known without asking the database: an enterprise registering its own
// staff names itself.
func loadUnits(ctx context.Context, db bun.IDB, codes []string, filer *Organization) (units, error) {
	u := units{}
	if filer != nil && filer.Kind == KindEnterprise {
		for _, c := range []*string{filer.CreditCode, filer.OrgCode} {
			if c != nil && *c != "" {
				u[*c] = filer.ID
			}
		}
	}
	var want []string
	for _, c := range codes {
		if _, known := u[c]; c != "" && !known {
			want = append(want, c)
		}
	}
	for i := 0; i < len(want); i += batchChunk {
		chunk := want[i:min(i+batchChunk, len(want))]
		var orgs []Organization
		err := db.NewSelect().Model(&orgs).Column("id", "credit_code", "org_code").Where("kind = ?", KindEnterprise).
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("credit_code IN (?)", bun.List(chunk)).WhereOr("org_code IN (?)", bun.List(chunk))
			}).Scan(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			for _, c := range []*string{o.CreditCode, o.OrgCode} {
				if c != nil && *c != "" {
					u[*c] = o.ID
				}
			}
		}
	}
	return u, nil
}

// start is where a registration filed by filer (nil: the person themself) naming employerCode begins: 待初审 with
// the enterprise to confirm it, or 已初审 when no registered enterprise is named or the enterprise filed it.
func (u units) start(employerCode string, filer *int64) (*int64, RegStatus) {
	id, ok := u[employerCode]
	if !ok || employerCode == "" {
		return nil, RegUnitConfirmed
	}
	if filer != nil && *filer == id {
		return &id, RegUnitConfirmed
	}
	return &id, RegSubmitted
}

// msgUnitChanged refuses a new upload that would change which enterprise confirms an undecided registration: that
// enterprise would be skipped, or asked to confirm what another one was asked. The filer deletes it and files again.
const msgUnitChanged = "此人已有尚未审核的报名，本次的组织机构代码改变了需要确认的单位：请先删除原报名（报名信息列表中可删除）再导入"

// sameUnit says whether two registrations are confirmed by the same enterprise (or both by none).
func sameUnit(a, b *int64) bool { return (a == nil && b == nil) || SameOrg(a, b) }
