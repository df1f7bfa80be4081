package handlers

import (
	"net/url"
	"strconv"

	"examcert/models"
	"examcert/views/pages"
)

// statsTables lays the figures out as the screen's tables (and the exports' sheets), each with its chart and its
// export link (exportURL with the filter q and ?table=).
func statsTables(s *models.Stats, exportURL string, q url.Values) []pages.StatsTable {
	link := func(id string) string {
		v := url.Values{}
		for k, x := range q {
			v[k] = x
		}
		v.Set("table", id)
		return exportURL + "?" + v.Encode()
	}
	var ts []pages.StatsTable
	ts = append(ts, statusTable(s.ByStatus))
	ts = append(ts, passTable("pass-plan", "合格率（按考试计划）", "考试计划", s.ByPlan))
	ts = append(ts, passTable("pass-subject", "合格率（按科目）", "科目", s.BySubject))
	ts = append(ts, passTable("pass-org", "合格率（按单位）", "单位", s.ByOrganization))
	ts = append(ts, certTable(s.CertStates), expiringTable(s), absenceTable(s.Absence))
	for i := range ts {
		ts[i].ExportURL = link(ts[i].ID)
	}
	return ts
}

func statusTable(rows []models.StatusCount) pages.StatsTable {
	t := pages.StatsTable{ID: "status", Title: "报名状态", Headers: []string{"状态", "报名数"}}
	var labels, texts []string
	var values []float64
	for _, r := range rows {
		n := strconv.Itoa(r.Count)
		t.Rows = append(t.Rows, []string{r.Status.Label(), n})
		labels, values, texts = append(labels, r.Status.Label()), append(values, float64(r.Count)), append(texts, n)
	}
	t.Bars = bars(labels, values, texts, 0)
	return t
}

func passTable(id, title, what string, rows []models.PassRate) pages.StatsTable {
	t := pages.StatsTable{ID: id, Title: title, Headers: []string{what, "合格", "不合格", "合格率"}}
	var labels, texts []string
	var values []float64
	for _, r := range rows {
		rate := pct(r.Rate())
		t.Rows = append(t.Rows, []string{r.Name, strconv.Itoa(r.Passed), strconv.Itoa(r.Failed), rate})
		labels, values, texts = append(labels, r.Name), append(values, r.Rate()), append(texts, rate)
	}
	t.Bars = bars(labels, values, texts, 100)
	return t
}

func certTable(rows []models.CertStateCount) pages.StatsTable {
	t := pages.StatsTable{ID: "cert-state", Title: "证书状态", Headers: []string{"状态", "证书数"}}
	var labels, texts []string
	var values []float64
	for _, r := range rows {
		n := strconv.Itoa(r.Count)
		t.Rows = append(t.Rows, []string{r.Status.Label(), n})
		labels, values, texts = append(labels, r.Status.Label()), append(values, float64(r.Count)), append(texts, n)
	}
	t.Bars = bars(labels, values, texts, 0)
	return t
}

func expiringTable(s *models.Stats) pages.StatsTable {
	t := pages.StatsTable{ID: "expiring", Title: "90 天内到期的有效证书", Headers: []string{"证书编号", "姓名", "岗位", "工作单位", "有效期至"},
		Note: "共 " + strconv.Itoa(s.ExpiringCount) + " 本"}
	if s.ExpiringCount > len(s.Expiring) {
		t.Note += "，下表列出最早到期的 " + strconv.Itoa(len(s.Expiring)) + " 本，导出可得全部"
	}
	for i := range s.Expiring {
		t.Rows = append(t.Rows, expiringRow(&s.Expiring[i]))
	}
	return t
}

// expiringRow is a certificate's row of 即将到期 (on the screen and in the export).
func expiringRow(r *models.ExpiringCert) []string {
	return []string{r.Number, r.Name, r.PostName, r.EmployerName, r.ValidUntil.In(models.Beijing).Format("2006-01-02")}
}

func absenceTable(rows []models.AbsenceRate) pages.StatsTable {
	t := pages.StatsTable{ID: "absence", Title: "缺考率（按考试计划）", Headers: []string{"考试计划", "准考证数", "缺考", "缺考率"}}
	var labels, texts []string
	var values []float64
	for _, r := range rows {
		rate := pct(r.Rate())
		t.Rows = append(t.Rows, []string{r.Name, strconv.Itoa(r.Tickets), strconv.Itoa(r.Absent), rate})
		labels, values, texts = append(labels, r.Name), append(values, r.Rate()), append(texts, rate)
	}
	t.Bars = bars(labels, values, texts, 100)
	return t
}
