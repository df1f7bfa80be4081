package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/pages"
)

// Detail is an application's page for whoever may see it (the applicant, the employer, the registry; another's is
// 404): its fields by kind with the full ID number (audited), its state, its steps and the actions open to the viewer.
func (h *Applications) Detail(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	return h.showDetail(c, id, "")
}

func (h *Applications) showDetail(c echo.Context, id int64, problem string) error {
	ctx := c.Request().Context()
	r, err := models.ApplicationRow(ctx, h.DB, actor(c), id)
	if err != nil {
		return err
	}
	d, err := h.detailPage(c, r)
	if err != nil {
		return err
	}
	d.Error = problem
	if problem == "" {
		d.Success = appDoneMessage(c)
		if c.QueryParam("ok") == "withdrawn" {
			d.Success = "已删除该申请"
		}
	}
	h.audit(c, models.EventAppViewed, "application:"+strconv.FormatInt(id, 10), "ok", r.BatchNo)
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.AppDetailPage(d), nil)
}

// detailBack is where 返回 leads from the detail page: the viewer's desk or certificate list.
var detailBack = map[models.Role]routes.Name{models.RoleAdmin: routes.AdminApplications, models.RoleEnterprise: routes.UnitApplications,
	models.RolePractitioner: routes.CertificateMine, models.RoleTraining: routes.CertificateTraining}

func (h *Applications) detailPage(c echo.Context, r *models.AppRow) (pages.AppDetail, error) {
	a, id := &r.CertApplication, strconv.FormatInt(r.ID, 10)
	back := detailBack[actor(c).Role()]
	d := pages.AppDetail{Shell: h.shell(c, a.Kind.Label()+"申请", back), Heading: a.Kind.Label() + "申请", Status: a.StatusLabel(),
		BackURL: reverse(c, back), Summary: []pages.Pair{{Label: "申请批号", Value: a.BatchNo}, {Label: "申请类型", Value: a.Kind.Label()},
			{Label: "提交时间", Value: dateTimeText(a.SubmittedAt)}, {Label: "证书编号", Value: r.Number()}, {Label: "岗位", Value: r.PostName}}}
	if a.Kind == models.AppChange && a.ChangeType != "" {
		d.Summary = append(d.Summary, pages.Pair{Label: "变更类型", Value: models.ChangeTypeLabel(a.ChangeType)})
	}
	if a.Status == models.AppReturned || a.Status == models.AppRejected {
		d.Reason = a.Reason
	}
	if err := h.detailFields(c, &d, a); err != nil {
		return d, err
	}
	if err := h.detailSteps(c, &d, a.ID); err != nil {
		return d, err
	}
	if a.Status == models.AppDecided {
		if cid := a.NewCertificateID; cid != nil {
			d.CertURL, d.CertLabel = reverse(c, routes.CertificateDetail, *cid), "查看新证书"
		} else if a.CertificateID != nil {
			d.CertURL, d.CertLabel = reverse(c, routes.CertificateDetail, *a.CertificateID), "查看证书"
		}
	}
	if a.Kind == models.AppChange || a.Kind == models.AppTransferIn {
		d.PDFURL, d.DOCXURL = reverse(c, routes.ApplicationFormPDF, id), reverse(c, routes.ApplicationFormDOCX, id)
	}
	h.detailActions(c, &d, a)
	return d, nil
}

// detailActions are the steps open to the viewer: the registry's, the employer's while it waits for it, the filer's 删除.
func (h *Applications) detailActions(c echo.Context, d *pages.AppDetail, a *models.CertApplication) {
	id := strconv.FormatInt(a.ID, 10)
	switch {
	case actor(c).Is(models.RoleAdmin):
		d.Acts.Actions, d.Acts.Reasons = h.stepsOn(c, registryDesk, a)
		d.Acts.ActURL = reverse(c, routes.AdminApplicationsAct)
	case actor(c).Is(models.RoleEnterprise):
		d.Acts.Actions, d.Acts.Reasons = h.stepsOn(c, unitDesk, a)
		d.Acts.ActURL = reverse(c, routes.UnitApplicationsAct)
	}
	d.Acts.ID, d.Acts.Back = a.ID, "detail"
	if models.MayWithdraw(actor(c), a) {
		d.Acts.WithdrawURL = reverse(c, routes.ApplicationWithdraw, id)
	}
}

func (h *Applications) detailSteps(c echo.Context, d *pages.AppDetail, id int64) error {
	ctx := c.Request().Context()
	steps, err := models.ApplicationSteps(ctx, h.DB, id)
	if err != nil {
		return err
	}
	names, err := models.StepAccountNames(ctx, h.DB, steps)
	if err != nil {
		return err
	}
	label := func(s string) string {
		if l := models.AppStatus(s).Label(); l != "" {
			return l
		}
		return s
	}
	for _, s := range steps {
		who := "系统"
		if s.AccountID != nil {
			who = names[*s.AccountID]
		}
		d.Steps = append(d.Steps, pages.AppStep{At: s.ChangedAt.In(models.Beijing).Format("2006-01-02 15:04"), BatchNo: s.BatchNo,
			From: label(s.FromStatus), To: label(s.ToStatus), Who: who, Reason: s.Reason})
	}
	return nil
}

// detailFields are the fields of the kind: renewal the certificate and its 有效期; change 变更前 | 变更后; transfer-in
// the out-of-province certificate and the applicant in Beijing.
func (h *Applications) detailFields(c echo.Context, d *pages.AppDetail, a *models.CertApplication) error {
	switch a.Kind {
	case models.AppRenewal:
		cert, err := models.ApplicationCertificate(c.Request().Context(), h.DB, a)
		if err != nil || cert == nil {
			return err
		}
		d.Fields = []pages.Pair{{Label: "证书编号", Value: cert.Number}, {Label: "岗位", Value: cert.PostName},
			{Label: "姓名", Value: cert.Name}, {Label: "证件号码", Value: cert.IDNumber}, {Label: "单位", Value: cert.EmployerName},
			{Label: "有效期", Value: cert.ValidFrom.Format("2006-01-02") + " 至 " + cert.ValidUntilText()},
			{Label: "证书状态", Value: cert.Status.Label()}}
	case models.AppChange:
		d.Compare = []pages.AppDiff{appDiff("姓名", a.BeforeName, a.Name), appDiff("性别", a.BeforeGender, a.Gender),
			appDiff("出生日期", dateText(a.BeforeBirthDate), dateText(a.BirthDate)), appDiff("证件号码", a.BeforeIDNumber, a.IDNumber),
			appDiff("单位名称", a.BeforeEmployer, a.EmployerName), appDiff("单位代码", a.BeforeEmpCode, a.EmployerCode),
			h.photoDiff(c, a)}
		d.Fields = appPersonFields(a)
	case models.AppTransferIn:
		source := map[string]string{"platform": "全国平台转出名单", "manual": "手工录入"}[a.Source]
		d.Fields = append([]pages.Pair{{Label: "证书编号", Value: a.CertNumber}, {Label: "发证机关", Value: a.Authority},
			{Label: "初次发证日期", Value: dateText(a.FirstIssuedOn)}, {Label: "有效期", Value: dateText(a.ValidFrom) + " 至 " + dateText(a.ValidUntil)},
			{Label: "原聘用单位", Value: a.OrigEmployer}, {Label: "关联证照标识", Value: a.SourceLicenseID}, {Label: "来源", Value: source},
			{Label: "姓名", Value: a.Name}, {Label: "性别", Value: a.Gender}, {Label: "出生日期", Value: dateText(a.BirthDate)},
			{Label: "证件号码", Value: a.IDNumber}, {Label: "现聘用单位", Value: a.EmployerName}, {Label: "单位代码", Value: a.EmployerCode}},
			appPersonFields(a)...)
	}
	return nil
}

// appPersonFields are the applicant's details every 申请表 carries, those filled in.
func appPersonFields(a *models.CertApplication) []pages.Pair {
	contract := a.ContractType
	if a.ContractFrom != nil || a.ContractTo != nil {
		contract += "（" + dateText(a.ContractFrom) + " 至 " + dateText(a.ContractTo) + "）"
	}
	var out []pages.Pair
	for _, f := range []pages.Pair{{Label: "职务", Value: a.Duty}, {Label: "技术职称", Value: a.Title}, {Label: "联系电话", Value: a.Phone},
		{Label: "合同", Value: contract}, {Label: "备注", Value: a.Note}} {
		if f.Value != "" {
			out = append(out, f)
		}
	}
	return out
}

// photoDiff is the 照片 row of a change: both photos when the application brings a new one.
func (h *Applications) photoDiff(c echo.Context, a *models.CertApplication) pages.AppDiff {
	d := pages.AppDiff{Label: "照片", Before: "无照片", After: "不变更"}
	if a.BeforePhotoKey != "" {
		d.Before, d.BeforePhoto = "", reverse(c, routes.ApplicationPhoto, a.ID, "before")
	}
	if a.PhotoKey != "" && a.PhotoKey != a.BeforePhotoKey {
		d.After, d.AfterPhoto, d.Changed = "", reverse(c, routes.ApplicationPhoto, a.ID, "after"), true
	}
	return d
}

func appDiff(label, before, after string) pages.AppDiff {
	return pages.AppDiff{Label: label, Before: before, After: after, Changed: before != after}
}

func dateTimeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(models.Beijing).Format("2006-01-02 15:04")
}

const msgNoWithdraw = "该申请当前不能删除（注册中心受理后不能删除）"

// Withdraw is 删除 of an application by its filer, after a confirmation (hx-confirm with JavaScript, a page without).
func (h *Applications) Withdraw(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return models.ErrNotFound
	}
	detail := reverse(c, routes.ApplicationDetail, strconv.FormatInt(id, 10))
	app, err := models.ApplicationFor(c.Request().Context(), h.DB, actor(c), id)
	switch {
	case err != nil:
		return err
	case !models.MayEditApplication(actor(c), app):
		return models.ErrNotFound // only its filer withdraws an application
	case !models.MayWithdraw(actor(c), app):
		return echo.NewHTTPError(http.StatusConflict, msgNoWithdraw)
	}
	if ok, err := h.confirmed(c, detailBack[actor(c).Role()], "确定删除这条证书申请？删除后该证书可重新申请。", "删除", detail, nil); !ok {
		return err
	}
	err = models.WithdrawApplication(c.Request().Context(), h.DB, actor(c), id)
	if errors.Is(err, models.ErrConflict) {
		return echo.NewHTTPError(http.StatusConflict, msgNoWithdraw)
	}
	if err != nil {
		return err
	}
	if isHTMX(c) {
		c.Response().Header().Set("HX-Redirect", detail+"?ok=withdrawn")
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, detail+"?ok=withdrawn")
}
