package handlers_test

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// What an office suite does to the import template: 参加工作时间 is a text column in the template; a month lost
// in a number cell (2012.10 → 2012.1) and codes that lost their leading zeros are refused with the fix; an .ods
// file is named as such. Nothing is saved.
func TestBatchImportOfficeSuiteCells(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "办公软件导入考试", nil)
	c := e.client().signIn("jianshe")
	sp := strconv.FormatInt(planID, 10)
	page := "/registrations/batch?plan=" + sp

	tp := c.get("/registrations/batch/template?plan=" + sp)
	f, err := excelize.OpenReader(strings.NewReader(tp.Body))
	if err != nil {
		t.Fatal(err)
	}
	head, _ := f.GetCellValue(f.GetSheetName(0), "I1")
	styleID, _ := f.GetColStyle(f.GetSheetName(0), "I")
	style, _ := f.GetStyle(styleID)
	f.Close()
	if !strings.Contains(head, "参加工作时间") || style == nil || style.NumFmt != 49 {
		t.Errorf("template column I %q is not a text column: %+v", head, style)
	}

	rows := [][]any{{newID(401), "陈一", "本科", 1012345678, "", "", "北京城建示范工程有限公司", 12345678, 2012.1, "", "", ""}}
	p := c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"报名.xlsx": fillTemplate(t, c, planID, rows)})
	probs := p.Text(`[data-testid="import-problems"]`)
	for _, want := range []string{"请将该列设为文本格式后输入，如 2012-10", "手机号码被转换为数字，开头的0已丢失", "组织机构代码被转换为数字，开头的0已丢失"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q: %s", want, probs)
		}
	}
	if n, _ := e.db.NewSelect().Table("registrations").Count(t.Context()); n != 0 {
		t.Errorf("%d registrations saved", n)
	}

	var ods bytes.Buffer
	zw := zip.NewWriter(&ods)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
	zw.Close()
	p = c.postFiles(page, "/registrations/batch/import?plan="+sp, "file", map[string][]byte{"报名.ods": ods.Bytes()})
	if p.Status != http.StatusOK || !strings.Contains(p.Text(`[data-testid="alert-error"]`), "这是OpenDocument表格（.ods）文件，请在办公软件中另存为 .xlsx 后再上传") {
		t.Errorf(".ods: %d %q", p.Status, p.Text(`[data-testid="alert-error"]`))
	}
}
