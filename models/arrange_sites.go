package models

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"
)

// Limits of a 考点.
const (
	maxSiteRooms    = 999
	maxSiteCapacity = 100000
)

// SiteInput is what the admin types about a 考点.
type SiteInput struct {
	Name, Address, ContactName, ContactPhone, RoomCount, Capacity string
}

// Validate checks the fields and fills s with them: a name and an address, a phone that is a phone, and room count
// and capacity in range, with at least one place per room.
func (in SiteInput) Validate(s *ExamSite) FieldErrors {
	errs := FieldErrors{}
	s.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(s.Name); n < 2 || n > 50 {
		errs["name"] = "考点名称应为2至50个字"
	}
	s.Address = strings.TrimSpace(in.Address)
	if n := utf8.RuneCountInString(s.Address); n < 2 || n > 100 {
		errs["address"] = "请填写地址（2至100个字）"
	}
	s.ContactName = strings.TrimSpace(in.ContactName)
	if utf8.RuneCountInString(s.ContactName) > 30 {
		errs["contact_name"] = "联系人最多30个字"
	}
	s.ContactPhone = NormalizePhone(in.ContactPhone)
	if s.ContactPhone != "" && !ValidPhone(s.ContactPhone) {
		errs["contact_phone"] = PhoneFormatMsg
	}
	var ok bool
	if s.RoomCount, ok = parseCount(in.RoomCount, 1, maxSiteRooms); !ok {
		errs["room_count"] = "考场数量应为1至999的整数"
	}
	if s.Capacity, ok = parseCount(in.Capacity, 1, maxSiteCapacity); !ok {
		errs["capacity"] = "容纳人数应为1至100000的整数"
	} else if errs["room_count"] == "" && s.Capacity < s.RoomCount {
		errs["capacity"] = "容纳人数不能少于考场数量"
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// parseCount reads a whole number in [lo, hi].
func parseCount(s string, lo, hi int) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n >= lo && n <= hi
}

func siteObject(id int64) string { return "exam_site:" + strconv.FormatInt(id, 10) }

const msgSiteNameTaken = "已有同名考点"

// CreateSite is 新增考点, with its audit row.
func CreateSite(ctx context.Context, db bun.IDB, actor Actor, in SiteInput) (*ExamSite, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	s := &ExamSite{Active: true}
	if errs := in.Validate(s); errs != nil {
		return nil, errs
	}
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		now := Now()
		s.CreatedAt, s.UpdatedAt, s.Version = now, now, 1
		_, err := tx.NewInsert().Model(s).Returning("id").Exec(ctx)
		if IsUniqueViolation(err) {
			return FieldErrors{"name": msgSiteNameTaken}
		}
		if err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventSiteSaved, siteObject(s.ID), "created", s.Name)
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// UpdateSite is 编辑考点: it saves site id if nobody changed it since version (else ErrConflict). Its 考场数量 and
// 容纳人数 cannot go below what the rooms of any plan there already use.
func UpdateSite(ctx context.Context, db bun.IDB, actor Actor, id int64, in SiteInput, version int) (*ExamSite, error) {
	if !actor.Is(RoleAdmin) {
		return nil, ErrNotAllowed
	}
	var s *ExamSite
	err := inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if s, err = GetSite(ctx, tx, id); err != nil {
			return err
		}
		if errs := in.Validate(s); errs != nil {
			return errs
		}
		use, err := siteUse(ctx, tx, id)
		if err != nil {
			return err
		}
		errs := FieldErrors{}
		if s.RoomCount < use.rooms {
			errs["room_count"] = "已有考试计划在此考点使用" + strconv.Itoa(use.rooms) + "个考场，考场数量不能更少"
		}
		if s.Capacity < use.capacity {
			errs["capacity"] = "已有考试计划在此考点使用" + strconv.Itoa(use.capacity) + "个座位，容纳人数不能更少"
		}
		if len(errs) > 0 {
			return errs
		}
		res, err := tx.NewUpdate().Model(s).Column("name", "address", "contact_name", "contact_phone", "room_count", "capacity").
			Set("updated_at = ?", Now()).Set("version = version + 1").Where("id = ? AND version = ?", id, version).Exec(ctx)
		if IsUniqueViolation(err) {
			return FieldErrors{"name": msgSiteNameTaken}
		}
		if err := affectedOneOr(res, err, ErrConflict); err != nil {
			return err
		}
		s.Version = version + 1
		return actor.Audit(ctx, tx, EventSiteSaved, siteObject(id), "updated", s.Name)
	})
	return s, err
}

// siteUsage is the most rooms and places one plan uses at a 考点.
type siteUsage struct{ rooms, capacity int }

func siteUse(ctx context.Context, db bun.IDB, siteID int64) (siteUsage, error) {
	var rows []struct {
		N   int `bun:"n"`
		Cap int `bun:"cap"`
	}
	err := db.NewSelect().Model((*ExamRoom)(nil)).ColumnExpr("COUNT(*) AS n, SUM(capacity) AS cap").
		Where("site_id = ?", siteID).Group("plan_id").Scan(ctx, &rows)
	var u siteUsage
	for _, r := range rows {
		u.rooms, u.capacity = max(u.rooms, r.N), max(u.capacity, r.Cap)
	}
	return u, err
}

// ToggleSite is 停用/启用 of a 考点: a stopped one is offered for no new 考场 (rooms already there stay), in one
// statement, with its audit row.
func ToggleSite(ctx context.Context, db bun.IDB, actor Actor, id int64) error {
	if !actor.Is(RoleAdmin) {
		return ErrNotAllowed
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*ExamSite)(nil)).Set("active = NOT active").Set("updated_at = ?", Now()).
			Set("version = version + 1").Where("id = ?", id).Exec(ctx)
		if err := affectedOne(res, err); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventSiteSaved, siteObject(id), "toggled", "")
	})
}

// GetSite loads a 考点.
func GetSite(ctx context.Context, db bun.IDB, id int64) (*ExamSite, error) {
	s := new(ExamSite)
	err := db.NewSelect().Model(s).Where("id = ?", id).Scan(ctx)
	return s, notFound(err)
}

// SiteFilter narrows ListSites.
type SiteFilter struct {
	Query         string
	ActiveOnly    bool
	Offset, Limit int // Limit 0: all
}

// ListSites returns 考点 by name, and how many match.
func ListSites(ctx context.Context, db bun.IDB, f SiteFilter) ([]ExamSite, int, error) {
	var ss []ExamSite
	q := db.NewSelect().Model(&ss).OrderExpr("name, id")
	if s := strings.TrimSpace(f.Query); s != "" {
		like := "%" + escapeLike(s) + "%"
		q = q.Where("name LIKE ? ESCAPE '\\' OR address LIKE ? ESCAPE '\\'", like, like)
	}
	if f.ActiveOnly {
		q = q.Where("active = ?", true)
	}
	if f.Limit > 0 {
		q = q.Offset(int64(f.Offset)).Limit(int64(f.Limit))
	}
	n, err := q.ScanAndCount(ctx)
	return ss, int(n), err
}
