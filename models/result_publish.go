package models

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// PublishOutcome is what 发布成绩 did.
type PublishOutcome struct {
	BatchNo        string
	Passed, Failed int
}

// PublishResults is 发布成绩: every candidate of the plan must have a score in every subject; each becomes 合格 when
// every subject's total is at or above its line, else 不合格, under one 批号 CJFB, through RegistrationTransitions.
// The lines in force (set or default) are stored and locked, the applicants are told, all in one transaction.
func PublishResults(ctx context.Context, db bun.IDB, actor Actor, planID int64) (PublishOutcome, error) {
	var out PublishOutcome
	p, err := ResultPlan(ctx, db, actor, planID)
	if err != nil {
		return out, err
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		out = PublishOutcome{}
		if err := lockRelease(ctx, tx, planID); err != nil {
			return err
		}
		pv, err := PreviewLines(ctx, tx, p, nil)
		if err != nil {
			return err
		}
		scored := 0
		for _, l := range pv.Lines {
			scored += l.Scored
		}
		switch {
		case scored == 0:
			return ErrNoScores
		case pv.Complete < pv.Candidates:
			return ErrResultsIncomplete
		}
		passed, failed, err := judgeScores(ctx, tx, planID, pv.Lines)
		if err != nil {
			return err
		}
		no, err := NewBatchNumber(ctx, tx, actor, BatchResultPublish)
		if err != nil {
			return err
		}
		out.BatchNo = no
		if err := storeLines(ctx, tx, actor, planID, pv.Lines); err != nil {
			return err
		}
		for _, m := range []struct {
			ids []int64
			to  RegStatus
			n   *int
		}{{passed, RegPassed, &out.Passed}, {failed, RegFailed, &out.Failed}} {
			if len(m.ids) == 0 {
				continue
			}
			moved, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: m.ids, From: RegScored, To: m.to, BatchNo: no})
			if err != nil {
				return err
			}
			if len(moved) != len(m.ids) {
				return ErrConflict
			}
			*m.n = len(moved)
		}
		now := Now()
		if err := markPublished(ctx, tx, actor, planID, no, now); err != nil {
			return err
		}
		ids := append(append([]int64{}, passed...), failed...)
		if err := NotifyRegistrations(ctx, tx, ids, func(int64) Notice {
			return Notice{Kind: NoticeResults, Title: "考试成绩已发布：" + p.Name, Body: "请在“查看考试结果”中查看。", Link: ResultsPagePath + "?plan=" + strconv.FormatInt(planID, 10)}
		}); err != nil {
			return err
		}
		return actor.Audit(ctx, tx, EventResultsPublished, resultsObject(planID), "ok",
			"批号 "+no+"，合格 "+strconv.Itoa(out.Passed)+" 人，不合格 "+strconv.Itoa(out.Failed)+" 人")
	})
	return out, err
}

// judgeScores splits the plan's 成绩未公告 candidates into those at or above every line and the rest.
func judgeScores(ctx context.Context, tx bun.IDB, planID int64, lines []SubjectLine) (passed, failed []int64, err error) {
	lineOf := map[int64]int{}
	for _, l := range lines {
		lineOf[l.Subject.ID] = l.LineTenths
	}
	var scores []Score
	if err := tx.NewSelect().Model(&scores).Column("registration_id", "subject_id", "total_tenths").
		Where("plan_id = ?", planID).Where("registration_id IN (?)", planCandidates(tx, planID)).
		Order("registration_id").Scan(ctx); err != nil {
		return nil, nil, err
	}
	fails := map[int64]bool{}
	var order []int64
	for _, s := range scores {
		if _, seen := fails[s.RegistrationID]; !seen {
			fails[s.RegistrationID] = false
			order = append(order, s.RegistrationID)
		}
		if s.TotalTenths < lineOf[s.SubjectID] {
			fails[s.RegistrationID] = true
		}
	}
	for _, id := range order {
		if fails[id] {
			failed = append(failed, id)
		} else {
			passed = append(passed, id)
		}
	}
	return passed, failed, nil
}

// storeLines stores the lines in force, so that the published result names its lines even when they were defaults.
func storeLines(ctx context.Context, tx bun.IDB, actor Actor, planID int64, lines []SubjectLine) error {
	now := Now()
	for _, l := range lines {
		row := &PassLine{SubjectID: l.Subject.ID, PlanID: planID, LineTenths: l.LineTenths, UpdatedAt: now, UpdatedBy: actor.AccountID()}
		if _, err := tx.NewInsert().Model(row).On("CONFLICT (subject_id) DO NOTHING").Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// ReopenResults takes published results back (admins only, with a reason): 合格/不合格 go back to 成绩未公告 under
// one 批号 CJCK, the lines unlock; audited with the reason.
func ReopenResults(ctx context.Context, db bun.IDB, actor Actor, planID int64, reason string) error {
	if _, err := ResultPlan(ctx, db, actor, planID); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return FieldErrors{"reason": "请填写重新开放的理由"}
	}
	if len([]rune(reason)) > 200 {
		return FieldErrors{"reason": "理由不能超过200字"}
	}
	return inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		if err := lockPlanRow(ctx, tx, planID); err != nil {
			return err
		}
		rel, err := ReleaseOf(ctx, tx, planID)
		if err != nil {
			return err
		}
		if !rel.Published() {
			return ErrResultsUnpublished
		}
		// A certificate stands on its 合格 result: results it was issued from stay published.
		issued, err := tx.NewSelect().TableExpr("certificates AS cert").
			Join("JOIN registrations AS reg ON reg.id = cert.registration_id").Where("reg.plan_id = ?", planID).Exists(ctx)
		if err != nil {
			return err
		}
		if issued {
			return ErrCertificatesIssued
		}
		no, err := NewBatchNumber(ctx, tx, actor, BatchResultReopen)
		if err != nil {
			return err
		}
		for _, from := range []RegStatus{RegPassed, RegFailed} {
			var ids []int64
			if err := tx.NewSelect().TableExpr("registrations").Column("id").
				Where("plan_id = ? AND status = ?", planID, from).Scan(ctx, &ids); err != nil {
				return err
			}
			if len(ids) == 0 {
				continue
			}
			if _, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: ids, From: from, To: RegScored,
				BatchNo: no, Reason: reason}); err != nil && !errors.Is(err, ErrNothingMoved) {
				return err
			}
		}
		now := Now()
		res, err := tx.NewUpdate().Model((*ResultRelease)(nil)).Set("published_at = NULL").Set("reopened_at = ?", now).
			Set("reopened_by = ?", actor.AccountID()).Set("reopen_reason = ?", reason).Set("version = version + 1").
			Where("plan_id = ? AND version = ?", planID, rel.Version).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		return actor.Audit(ctx, tx, EventResultsReopened, resultsObject(planID), "ok", "批号 "+no+"，理由："+reason)
	})
}

// markPublished records the plan's 成绩发布: the row is updated when the plan was published before (and reopened),
// else inserted.
func markPublished(ctx context.Context, tx bun.IDB, actor Actor, planID int64, no string, now time.Time) error {
	res, err := tx.NewUpdate().Model((*ResultRelease)(nil)).Set("published_at = ?", now).Set("published_by = ?", actor.AccountID()).
		Set("batch_no = ?", no).Set("version = version + 1").Where("plan_id = ?", planID).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	rel := &ResultRelease{PlanID: planID, PublishedAt: &now, PublishedBy: actor.AccountID(), BatchNo: no, Version: 1}
	_, err = tx.NewInsert().Model(rel).Exec(ctx)
	return err
}
