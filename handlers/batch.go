package handlers

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/internal/photo"
	"examcert/internal/spreadsheet"
	"examcert/models"
	"examcert/views/pages"
)

// Batch is 批量报名 for enterprises and training institutions: the import template, the upload (all rows checked
// before anything is saved), photos matched by ID number, the list awaiting review, printing and deleting.
type Batch struct{ *App }

// Limits of a batch: the import file (SECURITY.md 16) and the photo upload.
const (
	importBodyLimit  = 10<<20 + 512<<10
	photosBodyLimit  = 150 << 20
	maxBatchPhotos   = 500
	maxZipPhotoBytes = 150 << 20
)

func (h *Batch) spreadsheetLimits() spreadsheet.Limits {
	l := spreadsheet.DefaultLimits
	l.TempDir = h.tempDir()
	if h.Cfg.ImportMaxRows > 0 {
		l.MaxRows = h.Cfg.ImportMaxRows
	}
	return l
}

// tempDir is where excelize may write its temporary files: inside the data folder, owned by the app.
func (a *App) tempDir() string { return path.Join(a.Cfg.DataDir, "tmp") }

func (h *Batch) plan(c echo.Context) (*models.ExamPlan, error) {
	return (&Registrations{h.App}).plan(c, c.QueryParam("plan"))
}

func (h *Batch) pageURL(c echo.Context, planID int64) string {
	return reverse(c, routes.RegistrationBatch) + "?plan=" + strconv.FormatInt(planID, 10)
}

// batchRowsPerPage is how many registrations the batch page lists at a time.
const batchRowsPerPage = 100

// view builds the page for a plan (nil: none chosen yet).
func (h *Batch) view(c echo.Context, plan *models.ExamPlan) (pages.BatchPage, error) {
	b := pages.BatchPage{Shell: h.shell(c, "批量报名", routes.RegistrationBatch), MaxRows: h.spreadsheetLimits().MaxRows,
		Picker: pages.PlanField{PickerURL: reverse(c, routes.PlanPicker) + "?return=" + url.QueryEscape(reverse(c, routes.RegistrationBatch))}}
	if plan == nil {
		return b, nil
	}
	lq, err := readList(c, batchRowsPerPage, "plan")
	if err != nil {
		return b, err
	}
	q := "?plan=" + strconv.FormatInt(plan.ID, 10)
	b.PlanChosen, b.Picker.PlanID, b.Picker.PlanName = true, plan.ID, plan.Name
	b.PlanInfo = plan.CategoryName() + "，" + plan.Level + "；报名截止 " + plan.RegistrationEndsAt.In(models.Beijing).Format("2006-01-02 15:04") +
		"；考试时间 " + plan.ExamAt.In(models.Beijing).Format("2006-01-02 15:04") + "；状态 " + plan.Status.Label()
	b.TemplateURL = reverse(c, routes.RegistrationTemplate) + q
	b.ImportURL = reverse(c, routes.RegistrationImport) + q
	b.PhotosURL = reverse(c, routes.RegistrationPhotos) + q
	b.PrintURL = reverse(c, routes.RegistrationPrintAll) + q
	b.DeleteAllURL = reverse(c, routes.RegistrationDeleteAll) + q
	regs, total, err := models.ListRegistrations(c.Request().Context(), h.DB, actor(c),
		models.RegFilter{PlanID: plan.ID, MadeByOrg: true, Offset: lq.Offset(), Limit: lq.PerPage})
	if err != nil {
		return b, err
	}
	for i := range regs {
		row := h.regRow(c, &regs[i])
		row.BackURL = h.pageURL(c, plan.ID)
		if regs[i].PhotoKey == "" {
			row.Status += "（缺照片）"
		}
		b.Rows = append(b.Rows, row)
	}
	lq.Filter.Set("plan", strconv.FormatInt(plan.ID, 10))
	b.Pager = lq.pager(reverse(c, routes.RegistrationBatch), total)
	return b, nil
}

// show renders the batch page of a plan with edit applied (an error, problems, a photo report). Handlers build the
// page only when they show it, never before knowing whether they will redirect instead.
func (h *Batch) show(c echo.Context, plan *models.ExamPlan, edit func(*pages.BatchPage)) error {
	b, err := h.view(c, plan)
	if err != nil {
		return err
	}
	edit(&b)
	return h.render(c, http.StatusOK, pages.BatchPageView(b), nil)
}

// Page is the 批量报名 screen; without a plan it asks for one (the picker).
func (h *Batch) Page(c echo.Context) error {
	var plan *models.ExamPlan
	if c.QueryParam("plan") != "" {
		p, err := h.plan(c)
		if err != nil {
			return err
		}
		plan = p
	}
	b, err := h.view(c, plan)
	if err != nil {
		return err
	}
	b.Success = regNotices[c.QueryParam("ok")]
	if n := c.QueryParam("imported"); n != "" && plan != nil {
		no, err := models.LastImportBatch(c.Request().Context(), h.DB, actor(c), plan.ID)
		if err != nil {
			return err
		}
		b.Success = "导入成功，共" + n + "人"
		if no != "" {
			b.Success += "，批号为" + no
		}
		b.Success += "，请继续上传照片。各报名的状态（待审核或待单位确认）见下表。"
	}
	if n := c.QueryParam("deleted"); n != "" {
		b.Success = "已删除" + n + "条报名信息"
		if kept := c.QueryParam("kept"); kept != "" {
			b.Error = "以下人员已缴费或已通过审核，报名信息予以保留：" + kept
		}
	}
	return h.render(c, http.StatusOK, pages.BatchPageView(b), nil)
}

// Template sends 报名表导入模版.xlsx, made by the program.
func (h *Batch) Template(c echo.Context) error {
	plan, err := h.plan(c)
	if err != nil {
		return err
	}
	example := []string{"110101199003070011", "张三", "本科", "13800138000", "土木工程", "初级", "北京某建设工程有限公司",
		"91110105G1921G9139", "2012-07-01", "", "同意报名", "2012.07-2018.06 北京某建设工程有限公司 施工员"}
	spec := spreadsheet.TemplateSpec{Title: plan.Name + " 报名表导入模版", Columns: models.BatchColumns, Example: example,
		Instructions: []string{
			"在“报名信息”工作表中每行填写一名考生；第一行是标题，请勿修改。",
			"带 * 的列必须填写。身份证号、手机号码、组织机构代码列已设为文本格式，请不要改为数值格式。",
			"学历、职称请从下拉列表中选择。",
			"上传时系统会检查所有行；只要有一处错误，所有数据都不会保存，并列出每处错误的行号、列名和原因。",
			"修改后可重新上传同一文件，不会产生重复报名。",
			"照片请在导入成功后用“照片批量上传”上传，文件名为身份证号。",
		}}
	return h.sendTemplate(c, spec, "plan:"+strconv.FormatInt(plan.ID, 10), "template", "registration-template.xlsx", "报名表导入模版.xlsx")
}

// sendTemplate sends an import file's template (.xlsx) as name (ascii for old browsers), after its audit row
// (export of object; what says which template).
func (a *App) sendTemplate(c echo.Context, spec spreadsheet.TemplateSpec, object, what, ascii, name string) error {
	var buf bytes.Buffer
	if err := spreadsheet.WriteTemplate(&buf, spec); err != nil {
		return err
	}
	a.audit(c, models.EventExport, object, what, "")
	return sendDownload(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ascii, name, buf.Bytes())
}

// Import reads the uploaded file and hands its rows to models.ImportBatch, which saves all of them or none.
func (h *Batch) Import(c echo.Context) error {
	plan, err := h.plan(c)
	if err != nil {
		return err
	}
	fail := func(msg string) error { return h.show(c, plan, func(b *pages.BatchPage) { b.Error = msg }) }
	rows, msg, err := h.readImportFile(c)
	if err != nil {
		return err
	}
	if msg != "" {
		return fail(msg)
	}
	res, err := models.ImportBatch(c.Request().Context(), h.DB, actor(c), plan, rows)
	var problems models.BatchProblems
	switch {
	case errors.As(err, &problems):
		return h.show(c, plan, func(b *pages.BatchPage) {
			for _, p := range problems {
				row := ""
				if p.Row > 0 {
					row = strconv.Itoa(p.Row)
				}
				b.Problems = append(b.Problems, pages.Problem{Row: row, Column: p.Column, Value: p.Value, Reason: p.Reason})
			}
		})
	case errors.Is(err, models.ErrConflict):
		return fail("导入时有其他人同时报名了其中的人员，未保存任何数据，请重新上传")
	case errors.Is(err, models.ErrPlanFull):
		return fail("导入时该考试的名额已被他人报满，未保存任何数据")
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, h.pageURL(c, plan.ID)+"&imported="+strconv.Itoa(res.Rows))
}

// readImportFile reads the uploaded .xlsx; a problem with the file as a whole is a message for the page (msg), a
// file over the limit a 413.
func (h *Batch) readImportFile(c echo.Context) (rows []spreadsheet.Row, msg string, err error) {
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, "", echo.NewHTTPError(http.StatusRequestEntityTooLarge, "文件不能超过10MB")
	}
	if err != nil {
		return nil, "请选择要上传的Excel文件", nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	rows, err = spreadsheet.Read(f, models.BatchColumns, h.spreadsheetLimits())
	var fe *spreadsheet.FileError
	switch {
	case errors.Is(err, spreadsheet.ErrTooLarge):
		return nil, "", echo.NewHTTPError(http.StatusRequestEntityTooLarge, err.Error())
	case errors.As(err, &fe):
		return nil, fe.Msg, nil
	case err != nil:
		return nil, "", err
	case len(rows) == 0:
		return nil, "文件中没有报名数据", nil
	}
	return rows, "", nil
}

// Photos is 照片批量上传: each photo (a file named by ID number, or inside a .zip) is matched to this
// organization's registration for the plan and run through the photo pipeline with the plan's spec; the matched
// ones are stored and given to their registrations at once (models.SetRegistrationPhotos), and the page says what
// became of each file.
func (h *Batch) Photos(c echo.Context) error {
	ctx := c.Request().Context()
	plan, err := h.plan(c)
	if err != nil {
		return err
	}
	show := func(edit func(*pages.BatchPage)) error { return h.show(c, plan, edit) }
	form, err := c.MultipartForm()
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "上传的照片总大小不能超过150MB，请分批上传")
	}
	if err != nil || len(form.File["photos"]) == 0 {
		return show(func(b *pages.BatchPage) { b.Error = "请选择要上传的照片" })
	}
	files, err := photoFiles(form.File["photos"])
	if err != nil {
		return show(func(b *pages.BatchPage) { b.Error = err.Error() })
	}
	report, stored, err := h.storeBatchPhotos(c, plan, files)
	if err == nil {
		var replaced []string
		if replaced, err = models.SetRegistrationPhotos(ctx, h.DB, actor(c), plan.ID, stored); err == nil {
			for _, key := range replaced {
				h.releaseBlob(ctx, key)
			}
			return show(func(b *pages.BatchPage) { b.PhotoReport = report })
		}
	}
	for _, p := range stored { // not saved: the files stored for it go
		_ = h.Blobs.Delete(ctx, p.Key)
	}
	return err
}

// storeBatchPhotos matches the files to the organization's registrations of the plan by the ID number in their
// names, runs the matched ones through the photo pipeline and stores them; the report says what became of each.
func (h *Batch) storeBatchPhotos(c echo.Context, plan *models.ExamPlan, files []namedFile) (*pages.PhotoReport, []models.NewRegPhoto, error) {
	ctx := c.Request().Context()
	byID, err := models.OrgRegistrationsByIDNumber(ctx, h.DB, actor(c), plan.ID)
	if err != nil {
		return nil, nil, err
	}
	report := &pages.PhotoReport{}
	var stored []models.NewRegPhoto
	spec := planSpec(plan)
	for _, f := range files {
		base := path.Base(f.name)
		idn, err := ident.ParseIDNumber(strings.TrimSuffix(base, path.Ext(base)))
		reg := byID[idn.Number]
		if err != nil || reg == nil {
			report.Unmatched = append(report.Unmatched, f.name)
			continue
		}
		res, err := processPhoto(bytes.NewReader(f.data), spec, photo.Crop{})
		var pe *photo.Error
		if errors.As(err, &pe) {
			report.Failed = append(report.Failed, pages.Pair{Label: f.name, Value: pe.Error()})
			continue
		}
		if err != nil {
			return nil, stored, err
		}
		key, err := h.Blobs.Put(ctx, res.JPEG)
		if err != nil {
			return nil, stored, err
		}
		stored = append(stored, models.NewRegPhoto{RegistrationID: reg.ID, Key: key})
		report.Stored++
	}
	return report, stored, nil
}

type namedFile struct {
	name string
	data []byte
}

// photoFiles reads the uploaded files; a .zip is opened and its images taken (names only, never used as paths).
func photoFiles(fhs []*multipart.FileHeader) ([]namedFile, error) {
	var out []namedFile
	for _, fh := range fhs {
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(f, photo.MaxUploadBytes*16))
		f.Close()
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(strings.ToLower(fh.Filename), ".zip") {
			inner, err := zipPhotos(data)
			if err != nil {
				return nil, err
			}
			out = append(out, inner...)
		} else {
			out = append(out, namedFile{name: path.Base(fh.Filename), data: data})
		}
		if len(out) > maxBatchPhotos {
			return nil, errors.New("一次最多上传" + strconv.Itoa(maxBatchPhotos) + "张照片，请分批上传")
		}
	}
	return out, nil
}

func zipPhotos(data []byte) ([]namedFile, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, errors.New("无法读取.zip文件")
	}
	if len(zr.File) > maxBatchPhotos+50 {
		return nil, errors.New(".zip文件中的文件过多")
	}
	var out []namedFile
	var total uint64
	for _, zf := range zr.File {
		name := strings.ToLower(zf.Name)
		if zf.FileInfo().IsDir() || !(strings.HasSuffix(name, ".jpg") || strings.HasSuffix(name, ".jpeg") || strings.HasSuffix(name, ".png")) {
			continue
		}
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > photo.MaxUploadBytes || total > maxZipPhotoBytes {
			return nil, errors.New(".zip文件解压后过大")
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, errors.New("无法读取.zip文件中的 " + path.Base(zf.Name))
		}
		b, err := io.ReadAll(io.LimitReader(rc, photo.MaxUploadBytes+1))
		rc.Close()
		if err != nil {
			return nil, errors.New("无法读取.zip文件中的 " + path.Base(zf.Name))
		}
		out = append(out, namedFile{name: path.Base(zf.Name), data: b})
	}
	return out, nil
}

// DeleteAll is 【删除所有报名信息】 (models.DeleteAllRegistrations): every unpaid registration of the plan this
// organization made; the paid ones are kept and named.
func (h *Batch) DeleteAll(c echo.Context) error {
	ctx := c.Request().Context()
	plan, err := h.plan(c)
	if err != nil {
		return err
	}
	if ok, err := h.confirmed(c, routes.RegistrationBatch, "确定删除本单位该考试的所有未缴费报名信息？", "删除所有报名信息", h.pageURL(c, plan.ID), nil); !ok {
		return err
	}
	res, err := models.DeleteAllRegistrations(ctx, h.DB, actor(c), plan.ID)
	if err != nil {
		return err
	}
	for _, key := range res.Photos {
		h.releaseBlob(ctx, key)
	}
	to := h.pageURL(c, plan.ID) + "&deleted=" + strconv.Itoa(res.Deleted)
	if len(res.Kept) > 0 {
		var names []string
		for _, k := range res.Kept {
			names = append(names, k.Person.Name+"（"+ident.MaskIDNumber(k.Person.IDNumber)+"）")
		}
		to += "&kept=" + url.QueryEscape(strings.Join(names, "、"))
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// Picker is the exam-plan picker (models.PlansToPick): a fragment in a panel with htmx, a page of its own without.
func (h *Batch) Picker(c echo.Context) error {
	ret := safeNext(c.QueryParam("return"))
	if ret == "" {
		ret = reverse(c, routes.RegistrationBatch)
	}
	cid, _ := strconv.ParseInt(c.QueryParam("category"), 10, 64)
	from, _ := parseDay(c.QueryParam("from"))
	to, _ := parseDay(c.QueryParam("to"))
	plans, err := models.PlansToPick(c.Request().Context(), h.DB, actor(c),
		models.PlanFilter{Query: c.QueryParam("q"), CategoryID: cid, From: from, To: to, Limit: 100})
	if err != nil {
		return err
	}
	cats, err := h.categoryOptions(c, "全部", true)
	if err != nil {
		return err
	}
	p := pages.PlanPicker{Shell: h.shell(c, "选择考试计划", routes.RegistrationBatch), Action: reverse(c, routes.PlanPicker), Return: ret,
		Query: c.QueryParam("q"), Category: c.QueryParam("category"), From: c.QueryParam("from"), To: c.QueryParam("to"), Categories: cats}
	sep := "?"
	if strings.Contains(ret, "?") {
		sep = "&"
	}
	for _, pl := range plans {
		p.Rows = append(p.Rows, pages.PickerRow{Name: pl.Name, Category: pl.CategoryName(), Level: pl.Level,
			ExamAt: pl.ExamAt.In(models.Beijing).Format("2006-01-02 15:04"), Status: pl.Status.Label(),
			ChooseURL: ret + sep + "plan=" + strconv.FormatInt(pl.ID, 10)})
	}
	return h.render(c, http.StatusOK, pages.PlanPickerPage(p), pages.PlanPickerPanel(p))
}
