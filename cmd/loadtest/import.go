package main

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"examcert/models"
)

// measureImport has the server import one 批量报名 file of -import-rows people new to the system into a fresh plan
// (read, check every row, save people and registrations in one transaction) and reports the server process's peak
// resident memory (VmHWM) before the import and after it, beside how long the import took.
func measureImport(ctx context.Context, o options, f *fixture) error {
	n := o.importRows
	plan, err := openPlan(ctx, f.db, fmt.Sprintf("负载测试：批量报名%d行", n), n)
	if err != nil {
		return err
	}
	file, err := importFile(f, n)
	if err != nil {
		return err
	}
	base, stop, err := startExamcert(ctx, o, f)
	if err != nil {
		return err
	}
	defer stop()
	session, token, err := signIn(base, f.clerks[0])
	if err != nil {
		return err
	}
	before, err := peakRSS(f.serverPID)
	if err != nil {
		return err
	}
	start := time.Now()
	status, err := postImport(base, session, token, plan.ID, file)
	took := time.Since(start)
	if err != nil {
		return err
	}
	after, err := peakRSS(f.serverPID)
	if err != nil {
		return err
	}
	var saved int
	if err := f.db.NewSelect().Model((*models.Registration)(nil)).ColumnExpr("COUNT(*)").Where("plan_id = ?", plan.ID).Scan(ctx, &saved); err != nil {
		return err
	}
	fmt.Printf("import of %d rows (%.1f MB file): answer %d, %d saved, %.1f s; server peak RSS %.1f MB before, %.1f MB after\n",
		n, float64(len(file))/1e6, status, saved, took.Seconds(), before, after)
	if status != http.StatusSeeOther || saved != n {
		return fmt.Errorf("the import saved %d of %d rows (answer %d)", saved, n, status)
	}
	return nil
}

// importFile is a filled 批量报名 file of n people new to the system, employed by the demo enterprise.
func importFile(f *fixture, n int) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", []any{"身份证号", "姓名", "学历", "手机号码", "专业", "职称", "单位名称", "组织机构代码",
		"参加工作时间", "从事工作年限", "聘用单位意见", "个人简历"}); err != nil {
		return nil, err
	}
	for i := range n {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, []any{f.gen(), "导入考生", "本科", "13800138000", "土木工程", "初级", f.org.Name, f.org.Code(),
			"2012-07-01", "", "同意", "2012.07-2018.06 北京某公司 施工员"}); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = x.Write(&buf)
	return buf.Bytes(), err
}

// postImport posts the file to 批量报名 → 导入 as the signed-in clerk and returns the answer's status.
func postImport(base, session, token string, planID int64, file []byte) (int, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", token)
	part, err := w.CreateFormFile("file", "报名表.xlsx")
	if err != nil {
		return 0, err
	}
	if _, err := part.Write(file); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	req, err := http.NewRequest(http.MethodPost, base+"/registrations/batch/import?plan="+strconv.FormatInt(planID, 10), &body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Cookie", "examcert_session="+session+"; examcert_csrf="+token)
	c := &http.Client{Timeout: 10 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// peakRSS is a process's peak resident memory so far (VmHWM), in MB.
func peakRSS(pid int) (float64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM for process %d", pid)
}
