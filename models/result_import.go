package models

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"examcert/internal/spreadsheet"
)

// ScoreColumns are the columns of the 成绩模版, in order (LIFECYCLE §6). 客观题 comes before 主观题 and each is read by
// its header, never by its place: Beijing's importer swapped the two.
var ScoreColumns = []spreadsheet.Column{
	{Key: "ticket_no", Header: "准考证", Required: true, Text: true, Width: 14, Note: "9位准考证号，已预先填好，请勿修改"},
	{Key: "name", Header: "姓名", Width: 12, Note: "已预先填好；与准考证不一致的行不会导入"},
	{Key: "room", Header: "考场号", Text: true, Width: 8, Note: "已预先填好，仅供核对"},
	{Key: "objective", Header: "客观题成绩", Required: true, Width: 12, Note: "0 到 150 分，最多一位小数；考试情况不是“正常”时可不填，按 0 分计"},
	{Key: "subjective", Header: "主观题成绩", Required: true, Width: 12, Note: "同上；没有主观题的科目填 0"},
	{Key: "situation", Header: "考试情况", Required: true, Width: 10, Choices: Situations, Note: "正常、违纪、替考、缺考 之一；签到时未到的考生已预填“缺考”"},
}

// ScoreSheetRow is one candidate of the 成绩模版: who, where, and what the template pre-fills.
type ScoreSheetRow struct {
	TicketNo  string `bun:"ticket_no"`
	Name      string `bun:"name"`
	RoomNo    string `bun:"room_no"`
	Absent    bool   `bun:"absent"`
	Objective *int   `bun:"objective_tenths"`
	Subject   *int   `bun:"subjective_tenths"`
	Situation string `bun:"situation"`
}

// Prefill is the row's 客观题, 主观题 and 考试情况 as the template shows them: the subject's imported score when it
// has one, else 缺考 from 签到 (scores 0), else 正常 with the scores to fill in.
func (r ScoreSheetRow) Prefill() (objective, subjective, situation string) {
	switch {
	case r.Situation != "":
		return FormatTenths(deref(r.Objective)), FormatTenths(deref(r.Subject)), r.Situation
	case r.Absent:
		return "0", "0", SituationAbsent
	}
	return "", "", SituationNormal
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// ScoreSheet lists a subject's candidates for its 成绩模版, room by room (考点, 开始时间, 考场号) in 准考证号 order.
func ScoreSheet(ctx context.Context, db bun.IDB, actor Actor, planID, subjectID int64) (*ExamSubject, []ScoreSheetRow, error) {
	subj, err := planSubject(ctx, db, actor, planID, subjectID)
	if err != nil {
		return nil, nil, err
	}
	var rows []ScoreSheetRow
	err = db.NewSelect().TableExpr("tickets AS t").
		Join("JOIN registrations AS reg ON reg.id = t.registration_id").
		Join("JOIN persons AS p ON p.id = reg.person_id").
		Join("JOIN exam_rooms AS room ON room.id = t.room_id").
		Join("JOIN exam_sites AS site ON site.id = room.site_id").
		Join("LEFT JOIN scores AS s ON s.registration_id = t.registration_id AND s.subject_id = ?", subjectID).
		ColumnExpr("t.ticket_no, p.name, room.room_no, t.absent, s.objective_tenths, s.subjective_tenths, COALESCE(s.situation, '') AS situation").
		Where("t.registration_id IN (?)", planCandidates(db, planID)).
		OrderExpr("site.name, room.starts_at, room.room_no, t.ticket_no").Scan(ctx, &rows)
	return subj, rows, err
}

// planSubject loads a subject of a plan open to 成绩管理 (admins, released plans), else ErrNotFound.
func planSubject(ctx context.Context, db bun.IDB, actor Actor, planID, subjectID int64) (*ExamSubject, error) {
	if _, err := ResultPlan(ctx, db, actor, planID); err != nil {
		return nil, err
	}
	s := new(ExamSubject)
	if err := db.NewSelect().Model(s).Where("id = ? AND plan_id = ?", subjectID, planID).Scan(ctx); err != nil {
		return nil, ErrNotFound
	}
	return s, nil
}

// ScoreImport is what an import did.
type ScoreImport struct {
	BatchNo string
	Rows    int // scores stored
	Moved   int // registrations that became 成绩未公告
}

// ImportScores stores a subject's scores from its 成绩模版, all or nothing. Each row must name a 准考证 of the plan
// (once), the name on it if given, a 考试情况 of Situations and, when 正常, both parts as scores (anything else
// scores 0). If any row is wrong, nothing is stored and every problem comes back (BatchProblems, by row and column),
// the refusal audited. Otherwise the subject's scores are replaced by the file's under one 批号 CJDR, and the
// candidates still 已放号 become 成绩未公告 through RegistrationTransitions, in one transaction.
func ImportScores(ctx context.Context, db bun.IDB, actor Actor, planID, subjectID int64, rows []spreadsheet.Row) (ScoreImport, error) {
	var res ScoreImport
	subj, err := planSubject(ctx, db, actor, planID, subjectID)
	if err != nil {
		return res, err
	}
	known, err := planTickets(ctx, db, planID)
	if err != nil {
		return res, err
	}
	scores, problems := readScoreRows(rows, known)
	if len(problems) == 0 && len(scores) == 0 {
		problems = BatchProblems{{Reason: "文件中没有成绩"}}
	}
	object := resultsObject(planID) + ":subject:" + strconv.FormatInt(subjectID, 10)
	if len(problems) > 0 {
		if err := actor.Audit(ctx, db, EventScoresImported, object, "rejected", strconv.Itoa(len(problems))+" problems"); err != nil {
			return res, err
		}
		return res, problems
	}
	err = inTx(ctx, db, func(ctx context.Context, tx bun.Tx) error {
		res = ScoreImport{}
		if err := lockRelease(ctx, tx, planID); err != nil {
			return err
		}
		no, err := NewBatchNumber(ctx, tx, actor, BatchScoreImport)
		if err != nil {
			return err
		}
		res.BatchNo = no
		if _, err := tx.NewDelete().Model((*Score)(nil)).Where("subject_id = ?", subj.ID).Exec(ctx); err != nil {
			return err
		}
		now := Now()
		ids := make([]int64, len(scores))
		for i := range scores {
			scores[i].SubjectID, scores[i].PlanID, scores[i].BatchNo = subj.ID, planID, no
			scores[i].ImportedAt, scores[i].ImportedBy = now, actor.AccountID()
			ids[i] = scores[i].RegistrationID
		}
		for i := 0; i < len(scores); i += batchChunk {
			chunk := scores[i:min(i+batchChunk, len(scores))]
			if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		res.Rows = len(scores)
		moved, err := RegistrationTransitions.Apply(ctx, tx, actor, Move[RegStatus]{IDs: ids, From: RegTicketed, To: RegScored, BatchNo: no})
		if err != nil && !errors.Is(err, ErrNothingMoved) {
			return err
		}
		res.Moved = len(moved)
		return actor.Audit(ctx, tx, EventScoresImported, object, "ok",
			subj.Name+"，"+strconv.Itoa(res.Rows)+" 条，批号 "+no)
	})
	return res, err
}

// ticketRef is a 准考证 of the plan: whose, and their name.
type ticketRef struct {
	RegistrationID int64  `bun:"registration_id"`
	TicketNo       string `bun:"ticket_no"`
	Name           string `bun:"name"`
}

// planTickets are the plan's candidates by 准考证号.
func planTickets(ctx context.Context, db bun.IDB, planID int64) (map[string]ticketRef, error) {
	var ts []ticketRef
	err := db.NewSelect().TableExpr("tickets AS t").Join("JOIN registrations AS reg ON reg.id = t.registration_id").
		Join("JOIN persons AS p ON p.id = reg.person_id").ColumnExpr("t.registration_id, t.ticket_no, p.name").
		Where("t.registration_id IN (?)", planCandidates(db, planID)).Scan(ctx, &ts)
	out := make(map[string]ticketRef, len(ts))
	for _, t := range ts {
		out[t.TicketNo] = t
	}
	return out, err
}

// readScoreRows applies each row's rules and returns the scores of a file without problems.
func readScoreRows(rows []spreadsheet.Row, known map[string]ticketRef) ([]Score, BatchProblems) {
	var out []Score
	var problems BatchProblems
	seen := map[string]int{}
	bad := func(row int, col, val, reason string) {
		problems = append(problems, BatchProblem{Row: row, Column: col, Value: cellText(val), Reason: reason})
	}
	for _, r := range rows {
		before := len(problems)
		no := spreadsheet.NormalizeText(r.Cells["ticket_no"])
		ref, found := known[no]
		switch {
		case no == "":
			bad(r.Number, "准考证", "", "请填写准考证号")
		case r.MangledNumber("ticket_no"):
			bad(r.Number, "准考证", no, "准考证号被Excel转换为数字而损坏，请将该列设为文本格式后重新填写")
		case !found:
			bad(r.Number, "准考证", no, "该考试没有此准考证号")
		case seen[no] != 0:
			bad(r.Number, "准考证", no, "与第"+strconv.Itoa(seen[no])+"行的准考证号重复")
		default:
			seen[no] = r.Number
		}
		name := strings.Join(strings.Fields(spreadsheet.NormalizeText(r.Cells["name"])), " ")
		if found && name != "" && name != ref.Name {
			bad(r.Number, "姓名", name, "姓名与准考证不一致（准考证上的姓名为 "+ref.Name+"）")
		}
		sit := spreadsheet.NormalizeText(r.Cells["situation"])
		if sit == "" {
			bad(r.Number, "考试情况", "", "请填写考试情况（正常、违纪、替考、缺考）")
		} else if !slices.Contains(Situations, sit) {
			bad(r.Number, "考试情况", sit, "考试情况应为 正常、违纪、替考、缺考 之一")
		}
		s := Score{RegistrationID: ref.RegistrationID, Situation: sit}
		if sit == SituationNormal {
			s.ObjectiveTenths = readPart(r, "objective", "客观题成绩", bad)
			s.SubjectiveTenths = readPart(r, "subjective", "主观题成绩", bad)
			s.TotalTenths = s.ObjectiveTenths + s.SubjectiveTenths
			if s.TotalTenths > maxScoreTenths && len(problems) == before {
				bad(r.Number, "主观题成绩", spreadsheet.NormalizeText(r.Cells["subjective"]), "客观题与主观题成绩之和不能超过150分")
			}
		}
		if len(problems) == before {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(problems, func(a, b BatchProblem) int { return a.Row - b.Row })
	return out, problems
}

// readPart reads a 客观题/主观题 cell of a 正常 row: required, a score with at most one decimal.
func readPart(r spreadsheet.Row, key, header string, bad func(int, string, string, string)) int {
	v := spreadsheet.NormalizeText(r.Cells[key])
	if v == "" {
		bad(r.Number, header, "", "考试情况为“正常”时请填写"+header)
		return 0
	}
	t, ok := ParseTenths(v)
	if !ok {
		bad(r.Number, header, v, header+"应为 0 到 150 之间的分数，最多一位小数")
		return 0
	}
	return t
}
