package handlers

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/printout"
	"examcert/models"
)

// The printable 申请表 of a 证书申请: the 证书变更申请表 (change) and the 证书进京申请表 (transfer-in), as PDF
// (【打印】) and Word (【导出Word】), for whoever may see the application (models.ApplicationFor; another's is 404).
type ApplicationForms struct{ *App }

func applicationFormRoutes(a *App) []route {
	h := &ApplicationForms{App: a}
	return []route{
		{method: http.MethodGet, path: "/applications/:id/pdf", name: routes.ApplicationFormPDF, handler: h.PDF, roles: certViewers},
		{method: http.MethodGet, path: "/applications/:id/docx", name: routes.ApplicationFormDOCX, handler: h.DOCX, roles: certViewers},
		{method: http.MethodGet, path: "/applications/:id/photo/:which", name: routes.ApplicationPhoto, handler: h.Photo, roles: certViewers},
	}
}

// load reads the application of :id in the actor's scope and lays out its 申请表.
func (h *ApplicationForms) load(c echo.Context) (*models.CertApplication, printout.AppForm, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, printout.AppForm{}, err
	}
	ctx := c.Request().Context()
	app, err := models.ApplicationFor(ctx, h.DB, actor(c), id)
	if err != nil {
		return nil, printout.AppForm{}, err
	}
	if app.Kind != models.AppChange && app.Kind != models.AppTransferIn {
		return nil, printout.AppForm{}, models.ErrNotFound
	}
	number, post, err := models.ApplicationCertInfo(ctx, h.DB, app)
	if err != nil {
		return nil, printout.AppForm{}, err
	}
	return app, applicationForm(app, number, post), nil
}

// PDF is 【打印】 of a 申请表.
func (h *ApplicationForms) PDF(c echo.Context) error {
	app, f, err := h.load(c)
	if err != nil {
		return err
	}
	rd, err := h.renderer()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rd.AppFormsPDF(&buf, f); err != nil {
		return err
	}
	h.audit(c, models.EventExport, "application:"+strconv.FormatInt(app.ID, 10), "pdf", "")
	return sendDownload(c, "application/pdf", "application-"+strconv.FormatInt(app.ID, 10)+".pdf", f.Title+"-"+app.BatchNo+".pdf", buf.Bytes())
}

// DOCX is 【导出Word】 of a 申请表.
func (h *ApplicationForms) DOCX(c echo.Context) error {
	app, f, err := h.load(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := printout.AppFormsDOCX(&buf, f); err != nil {
		return err
	}
	h.audit(c, models.EventExport, "application:"+strconv.FormatInt(app.ID, 10), "docx", "")
	return sendDownload(c, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"application-"+strconv.FormatInt(app.ID, 10)+".docx", f.Title+"-"+app.BatchNo+".docx", buf.Bytes())
}

// applicationForm lays out the 申请表 of a change or transfer-in application; number and post are the certificate's
// (models.ApplicationCertInfo).
func applicationForm(app *models.CertApplication, number, post string) printout.AppForm {
	applied := ""
	if app.SubmittedAt != nil {
		applied = app.SubmittedAt.In(models.Beijing).Format("2006-01-02")
	}
	contract := app.ContractType
	if app.ContractFrom != nil {
		contract += "　合同起止：" + dateText(app.ContractFrom) + " 至 " + dateText(app.ContractTo)
	}
	f := printout.AppForm{Title: "证书变更申请表", Document: app.BatchNo,
		Info:   []printout.Field{{Label: "申请批次号", Value: app.BatchNo}, {Label: "申请日期", Value: applied}, {Label: "变更类型", Value: models.ChangeTypeLabel(app.ChangeType)}},
		Footer: "状态：" + app.StatusLabel() + "　打印时间：" + models.Now().In(models.Beijing).Format("2006-01-02 15:04"),
		Pledges: []printout.Pledge{
			{Label: "申请人承诺", Text: pledgeApplicant, Sign: []string{printout.SignLine("申请人签字："), "日期：　　年　　月　　日"}},
			{Label: "聘用企业承诺", Text: pledgeEmployer + "\n合同类型：" + contract, Sign: []string{printout.SignLine("单位（盖章）："), "日期：　　年　　月　　日"}},
		}}
	if app.Kind == models.AppTransferIn {
		f.Title, f.Info[2].Value = "证书进京申请表", "进京变更"
		f.Fields = []printout.Field{{Label: "姓名", Value: app.Name}, {Label: "性别", Value: app.Gender},
			{Label: "身份证号", Value: app.IDNumber}, {Label: "出生日期", Value: dateText(app.BirthDate)},
			{Label: "原聘用单位", Value: app.OrigEmployer}, {Label: "现聘用单位", Value: app.EmployerName},
			{Label: "统一社会信用代码", Value: app.EmployerCode}, {Label: "联系电话", Value: app.Phone},
			{Label: "职务", Value: app.Duty}, {Label: "技术职称", Value: app.Title}, {Label: "岗位工种", Value: post},
			{Label: "证书编号", Value: number}, {Label: "发证机关", Value: app.Authority}, {Label: "发证日期", Value: dateText(app.FirstIssuedOn)},
			{Label: "有效期", Value: dateText(app.ValidFrom) + " 至 " + dateText(app.ValidUntil)}}
		return f
	}
	f.Fields = []printout.Field{{Label: "证书类别", Value: post}, {Label: "证书编号", Value: number},
		{Label: "联系电话", Value: app.Phone}, {Label: "职务", Value: app.Duty}, {Label: "技术职称", Value: app.Title}}
	for _, r := range [][3]string{{"姓名", app.BeforeName, app.Name}, {"性别", app.BeforeGender, app.Gender},
		{"出生日期", dateText(app.BeforeBirthDate), dateText(app.BirthDate)}, {"证件号码", app.BeforeIDNumber, app.IDNumber},
		{"单位名称", app.BeforeEmployer, app.EmployerName}, {"单位代码", app.BeforeEmpCode, app.EmployerCode}} {
		f.Compare = append(f.Compare, printout.CompareRow{Label: r[0], Before: r[1], After: r[2], Changed: r[1] != r[2]})
	}
	if app.PhotoKey != "" && app.PhotoKey != app.BeforePhotoKey {
		f.Compare = append(f.Compare, printout.CompareRow{Label: "照片", Before: "原证书照片", After: "新照片（随申请上传，见系统）", Changed: true})
	}
	return f
}

// Photo is a change application's 变更前 (which=before) or 变更后 (after) 照片, for whoever may see the
// application.
func (h *ApplicationForms) Photo(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	app, err := models.ApplicationFor(c.Request().Context(), h.DB, actor(c), id)
	if err != nil {
		return err
	}
	key := map[string]string{"before": app.BeforePhotoKey, "after": app.PhotoKey}[c.Param("which")]
	if app.Kind != models.AppChange || key == "" {
		return models.ErrNotFound
	}
	return h.servePhoto(c, &models.Person{PhotoKey: key})
}
