package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// certErrorText says in Chinese why a certificate action was refused (next to the reason or date field).
func certErrorText(err error) (string, bool) {
	switch {
	case errors.Is(err, models.ErrReasonRequired):
		return "请填写理由", true
	case errors.Is(err, models.ErrCertificateLocked):
		return "证书已锁定，不能办理任何业务：" + strings.TrimPrefix(err.Error(), models.ErrCertificateLocked.Error()+": "), true
	case errors.Is(err, models.ErrNoTransition), errors.Is(err, models.ErrNothingMoved):
		return "所选证书的当前状态不能执行该操作", true
	case errors.Is(err, models.ErrCertNotValid):
		return "只有有效的证书可以换发", true
	case errors.Is(err, models.ErrConflict):
		return "该证书已被他人修改，请刷新后重试", true
	}
	return "", false
}

func (h *Certificates) detailPage(c echo.Context, cert *models.Certificate) (pages.CertDetail, error) {
	hist, err := models.CertificateHistory(c.Request().Context(), h.DB, cert.ID)
	if err != nil {
		return pages.CertDetail{}, err
	}
	active := map[models.Role]routes.Name{models.RolePractitioner: routes.CertificateMine, models.RoleEnterprise: routes.StaffCertificates,
		models.RoleTraining: routes.CertificateTraining, models.RoleAdmin: routes.AdminCertificates}[actor(c).Role()]
	d := pages.CertDetail{Shell: h.shell(c, "证书详细信息", active), Fields: certFields(cert, cert.IDNumber),
		PDFURL: reverse(c, routes.CertificatePDF, cert.ID), VerifyURL: reverse(c, routes.VerifyPage, cert.VerifyToken),
		BackURL: reverse(c, active), Status: cert.Status.Label() + lockNote(cert), Valid: cert.Status == models.CertValid,
		ID: strconv.FormatInt(cert.ID, 10)}
	if cert.PhotoKey != "" {
		d.PhotoURL = reverse(c, routes.CertificatePhoto, cert.ID)
	}
	for _, x := range hist {
		d.History = append(d.History, pages.CertHistoryRow{At: x.ChangedAt.In(models.Beijing).Format("2006-01-02 15:04"),
			Version: strconv.Itoa(x.Version), Operation: x.Operation, Status: x.Status.Label(), Reason: x.Reason, BatchNo: x.BatchNo})
	}
	if actor(c).Is(models.RoleAdmin) {
		d.Admin, d.Locked = true, cert.IsLocked(models.Now())
		d.LockURL = reverse(c, routes.AdminCertificateLock, cert.ID)
		d.Actions = pages.CertActionForm{Action: reverse(c, routes.AdminCertificateStatus), Back: reverse(c, routes.CertificateDetail, cert.ID)}
		for _, l := range models.CertStatusActions(cert.Status, actor(c)) {
			d.Actions.Options = append(d.Actions.Options, components.Option{Value: string(l.To), Label: l.Action})
		}
		if cert.Status == models.CertValid && !d.Locked {
			d.ReissueURL = reverse(c, routes.AdminCertificateReissue, cert.ID)
		}
	}
	return d, nil
}

func lockNote(c *models.Certificate) string {
	if !c.IsLocked(models.Now()) {
		return ""
	}
	s := "（已锁定"
	if c.LockedUntil != nil {
		s += "至 " + c.LockedUntil.In(models.Beijing).Format("2006-01-02")
	}
	return s + "：" + c.LockReason + "）"
}

// Status is a state action with a reason, on one certificate (its detail page) or on those ticked in 证书管理 (one
// 批号). A refusal shows the page again with the message next to the reason.
func (h *Certificates) Status(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	var ids []int64
	for _, s := range form["id"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	back := safeNext(c.FormValue("back"))
	if back == "" {
		back = reverse(c, routes.AdminCertificates)
	}
	batch, moved, err := models.ChangeCertificateStatus(c.Request().Context(), h.DB, actor(c), ids,
		models.CertStatus(c.FormValue("to")), strings.TrimSpace(c.FormValue("reason")))
	if msg, ok := certErrorText(err); ok || len(ids) == 0 {
		if len(ids) == 0 {
			msg = "请先勾选证书"
		}
		return h.refused(c, ids, back, msg)
	}
	if err != nil {
		return err
	}
	done := strconv.Itoa(len(moved)) + " 张证书"
	if batch != "" {
		done += "，批号 " + batch
	}
	return c.Redirect(http.StatusSeeOther, withQuery(back, "done", done))
}

// refused shows the detail page (one certificate, from its page) or the list again, with msg next to the reason.
func (h *Certificates) refused(c echo.Context, ids []int64, back, msg string) error {
	if len(ids) == 1 && back == reverse(c, routes.CertificateDetail, ids[0]) {
		cert, err := models.CertificateFor(c.Request().Context(), h.DB, actor(c), ids[0])
		if err != nil {
			return err
		}
		d, err := h.detailPage(c, cert)
		if err != nil {
			return err
		}
		d.Actions.ReasonError, d.Error = msg, msg
		return h.render(c, http.StatusOK, pages.CertDetailPage(d), nil)
	}
	c.Request().URL.RawQuery = ""
	p, err := h.listPage(c, routes.AdminCertificates, "证书管理")
	if err != nil {
		return err
	}
	p.Bulk.ReasonError, p.Error = msg, msg
	return h.render(c, http.StatusOK, pages.CertListPage(p), nil)
}

func withQuery(path, key, value string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + key + "=" + url.QueryEscape(value)
}

// Lock sets (lock=1, until optional) or lifts (lock=0) a certificate's lock, with a reason.
func (h *Certificates) Lock(c echo.Context) error {
	cert, err := h.certificate(c)
	if err != nil {
		return err
	}
	until, err := parseDay(c.FormValue("until"))
	if err != nil {
		return h.refused(c, []int64{cert.ID}, reverse(c, routes.CertificateDetail, cert.ID), "锁定日期格式不正确")
	}
	var untilp = &until
	if until.IsZero() {
		untilp = nil
	}
	err = models.LockCertificate(c.Request().Context(), h.DB, actor(c), cert.ID, cert.Version, c.FormValue("lock") == "1",
		untilp, strings.TrimSpace(c.FormValue("reason")))
	if msg, ok := certErrorText(err); ok {
		return h.refused(c, []int64{cert.ID}, reverse(c, routes.CertificateDetail, cert.ID), msg)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.CertificateDetail, cert.ID))
}

// Reissue is 换发: a new version with a new verification token (the old one still resolves and says 已换发).
func (h *Certificates) Reissue(c echo.Context) error {
	cert, err := h.certificate(c)
	if err != nil {
		return err
	}
	_, err = models.ReissueCertificate(c.Request().Context(), h.DB, actor(c), cert.ID, cert.Version, strings.TrimSpace(c.FormValue("reason")))
	if msg, ok := certErrorText(err); ok {
		return h.refused(c, []int64{cert.ID}, reverse(c, routes.CertificateDetail, cert.ID), msg)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.CertificateDetail, cert.ID))
}

// IssuePage is 发证: the plans with passed registrations waiting, and the chosen plan's registrations.
func (h *Certificates) IssuePage(c echo.Context) error {
	p, err := h.issuePage(c, c.QueryParam("plan"))
	if err != nil {
		return err
	}
	p.IssuedOn = models.Now().In(models.Beijing).Format("2006-01-02")
	return h.render(c, http.StatusOK, pages.CertIssuePage(p), nil)
}

func (h *Certificates) issuePage(c echo.Context, plan string) (pages.CertIssue, error) {
	ctx := c.Request().Context()
	plans, err := models.PlansToCertify(ctx, h.DB)
	if err != nil {
		return pages.CertIssue{}, err
	}
	p := pages.CertIssue{Shell: h.shell(c, "发证", routes.AdminCertificates), Action: reverse(c, routes.AdminCertificateIssueGo),
		PlanURL: reverse(c, routes.AdminCertificateIssue), Plans: []components.Option{{Value: "", Label: "请选择"}}}
	for _, pl := range plans {
		p.Plans = append(p.Plans, components.Option{Value: strconv.FormatInt(pl.ID, 10),
			Label: pl.Name + "（" + pl.Category + "，待发证 " + strconv.Itoa(pl.Waiting) + " 人）"})
	}
	id, err := strconv.ParseInt(plan, 10, 64)
	if err != nil || id <= 0 {
		return p, nil
	}
	regs, err := models.PassedWithoutCertificate(ctx, h.DB, actor(c), id)
	if err != nil {
		return p, err
	}
	p.PlanID = strconv.FormatInt(id, 10)
	for _, r := range regs {
		p.Rows = append(p.Rows, pages.CertIssueRow{ID: strconv.FormatInt(r.ID, 10), Name: r.Name,
			IDMasked: ident.MaskIDNumber(r.IDNumber), Employer: r.Employer})
	}
	return p, nil
}

// Issue issues certificates to the registrations ticked, on the date given, as one batch (303 to 证书管理).
func (h *Certificates) Issue(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	in := models.IssueInput{}
	in.PlanID, _ = strconv.ParseInt(c.FormValue("plan"), 10, 64)
	for _, s := range form["reg"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			in.RegistrationIDs = append(in.RegistrationIDs, id)
		}
	}
	day, dateErr := parseDay(c.FormValue("issued_on"))
	if len(in.RegistrationIDs) == 0 { // none ticked: never "all of them"
		return h.issueRefused(c, dateErr, models.ErrNothingToIssue)
	}
	in.IssuedOn = day
	res, err := models.IssueCertificates(c.Request().Context(), h.DB, actor(c), in)
	if dateErr != nil || errors.Is(err, models.ErrIssueDateMissing) || errors.Is(err, models.ErrNothingToIssue) ||
		errors.Is(err, models.ErrNoCertKind) {
		return h.issueRefused(c, dateErr, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, withQuery(reverse(c, routes.AdminCertificates), "issued",
		res.BatchNo+"，发证 "+strconv.Itoa(len(res.Issued))+" 张，超龄不予发证 "+strconv.Itoa(len(res.Refused))+" 人"))
}

func (h *Certificates) issueRefused(c echo.Context, dateErr, err error) error {
	p, perr := h.issuePage(c, c.FormValue("plan"))
	if perr != nil {
		return perr
	}
	p.IssuedOn = c.FormValue("issued_on")
	switch {
	case dateErr != nil || errors.Is(err, models.ErrIssueDateMissing):
		p.DateError = "请填写发证日期（年-月-日）"
	case errors.Is(err, models.ErrNoCertKind):
		p.Error = "该考试的岗位不发证书"
	default:
		p.Error = "请勾选待发证的合格人员"
	}
	return h.render(c, http.StatusOK, pages.CertIssuePage(p), nil)
}
