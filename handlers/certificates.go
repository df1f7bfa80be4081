package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/ident"
	"examcert/internal/printout"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// Certificates are the certificate screens: 个人证书信息 (a practitioner's own), 企业人员获证信息 (an enterprise's
// staff), the training institution's (the people it trained), the admin's 证书管理, and for each 【详细】, the PDF and
// the photo. Whose certificate a caller sees is models/certificate_view.go's rule; another's is 404 on every path.
type Certificates struct{ *App }

var certViewers = []models.Role{models.RolePractitioner, models.RoleEnterprise, models.RoleTraining, models.RoleAdmin}

func certificateRoutes(a *App) []route {
	h := &Certificates{App: a}
	return []route{
		{method: http.MethodGet, path: "/certificates", name: routes.CertificateMine, handler: h.Mine, roles: practitioner},
		{method: http.MethodGet, path: "/staff/certificates", name: routes.StaffCertificates, handler: h.Staff, roles: enterprise},
		{method: http.MethodGet, path: "/training/certificates", name: routes.CertificateTraining, handler: h.Trained, roles: training},
		{method: http.MethodGet, path: "/admin/certificates", name: routes.AdminCertificates, handler: h.Admin, roles: admin},
		{method: http.MethodGet, path: "/certificates/:id", name: routes.CertificateDetail, handler: h.Detail, roles: certViewers},
		{method: http.MethodGet, path: "/certificates/:id/pdf", name: routes.CertificatePDF, handler: h.PDF, roles: certViewers},
		{method: http.MethodGet, path: "/certificates/:id/photo", name: routes.CertificatePhoto, handler: h.Photo, roles: certViewers},
		{method: http.MethodGet, path: "/admin/certificates/issue", name: routes.AdminCertificateIssue, handler: h.IssuePage, roles: admin},
		{method: http.MethodPost, path: "/admin/certificates/issue", name: routes.AdminCertificateIssueGo, handler: h.Issue, roles: admin},
		{method: http.MethodPost, path: "/admin/certificates/status", name: routes.AdminCertificateStatus, handler: h.Status, roles: admin},
		{method: http.MethodPost, path: "/admin/certificates/:id/lock", name: routes.AdminCertificateLock, handler: h.Lock, roles: admin},
		{method: http.MethodPost, path: "/admin/certificates/:id/reissue", name: routes.AdminCertificateReissue, handler: h.Reissue, roles: admin},
	}
}

const certRowsPerPage = 20

// Mine is 个人证书信息.
func (h *Certificates) Mine(c echo.Context) error {
	return h.list(c, routes.CertificateMine, "个人证书信息", "")
}

// Staff is 企业人员获证信息.
func (h *Certificates) Staff(c echo.Context) error {
	return h.list(c, routes.StaffCertificates, "企业人员获证信息", "")
}

// Trained is the training institution's list: the certificates of the people it trained.
func (h *Certificates) Trained(c echo.Context) error {
	return h.list(c, routes.CertificateTraining, "培训人员获证信息", "")
}

// Admin is 证书管理.
func (h *Certificates) Admin(c echo.Context) error {
	return h.list(c, routes.AdminCertificates, "证书管理", "")
}

func (h *Certificates) list(c echo.Context, name routes.Name, heading, bulkError string) error {
	p, err := h.listPage(c, name, heading)
	if err != nil {
		return err
	}
	p.Bulk.ReasonError = bulkError
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.CertListPage(p), pages.CertListTable(p))
}

func (h *Certificates) listPage(c echo.Context, name routes.Name, heading string) (pages.CertList, error) {
	lq, err := readList(c, certRowsPerPage, "number", "name", "id_number", "org", "status")
	if err != nil {
		return pages.CertList{}, err
	}
	f := lq.Filter
	certs, total, err := models.ListCertificates(c.Request().Context(), h.DB, actor(c), models.CertFilter{Number: f.Get("number"),
		Name: f.Get("name"), IDNumber: f.Get("id_number"), Organization: f.Get("org"), Status: models.CertStatus(f.Get("status")),
		Limit: lq.PerPage, Offset: lq.Offset()})
	if err != nil {
		return pages.CertList{}, err
	}
	isAdmin := actor(c).Is(models.RoleAdmin)
	p := pages.CertList{Shell: h.shell(c, heading, name), Heading: heading, Admin: isAdmin,
		Search: certSearch(reverse(c, name), f, isAdmin)}
	p.List = components.List{ID: "cert-list", TestID: "cert-list", Count: len(certs), Empty: "没有符合条件的证书。",
		Pager:   lq.pager(reverse(c, name), total),
		Columns: []string{"证书编号", "姓名", "证件号码", "岗位", "单位", "有效期至", "状态", "操作"}}
	if isAdmin {
		p.List.Columns = append([]string{"选择"}, p.List.Columns...)
		p.IssueURL = reverse(c, routes.AdminCertificateIssue)
		p.Bulk = pages.CertActionForm{Action: reverse(c, routes.AdminCertificateStatus), Options: adminStateOptions(),
			Back: c.Request().URL.RequestURI()}
		p.Notice = issuedNotice(c)
	}
	for i := range certs {
		p.Rows = append(p.Rows, certRow(c, &certs[i]))
	}
	if !isAdmin {
		err = h.openApplications(c, certs, p.Rows)
	}
	return p, err
}

// openApplications notes on each row the certificate's application in progress (续期, 变更), linking to it where
// the viewer may open it.
func (h *Certificates) openApplications(c echo.Context, certs []models.Certificate, rows []pages.CertRow) error {
	ids := make([]int64, len(certs))
	for i := range certs {
		ids[i] = certs[i].ID
	}
	open, err := models.OpenApplications(c.Request().Context(), h.DB, ids)
	for i := range certs {
		if app, ok := open[certs[i].ID]; ok {
			rows[i].Application = app.Kind.Label() + "：" + app.StatusLabel()
			if models.ApplicationVisible(currentAccount(c), &app) {
				rows[i].ApplicationURL = reverse(c, routes.ApplicationDetail, app.ID)
			}
		}
	}
	return err
}

func certSearch(action string, f map[string][]string, isAdmin bool) components.Search {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	s := components.Search{Action: action, Target: "cert-list", TestID: "cert-search-form", Fields: []components.Field{
		{Name: "number", Label: "证书编号", Value: get("number"), MaxLength: 40},
		{Name: "name", Label: "姓名", Value: get("name"), MaxLength: 40}}}
	if isAdmin {
		opts := []components.Option{{Value: "", Label: "全部"}}
		for _, st := range models.CertStatuses {
			opts = append(opts, components.Option{Value: string(st), Label: st.Label()})
		}
		s.Fields = append(s.Fields, components.Field{Name: "id_number", Label: "证件号码", Value: get("id_number"), MaxLength: 18},
			components.Field{Name: "org", Label: "单位", Value: get("org"), MaxLength: 60},
			components.Field{Name: "status", Label: "状态", Value: get("status"), Options: opts})
	}
	return s
}

// adminStateOptions are the states an admin may move certificates to (each needs a reason).
func adminStateOptions() []components.Option {
	return []components.Option{{Value: string(models.CertSuspended), Label: "暂扣"}, {Value: string(models.CertValid), Label: "恢复有效（发还/取消转出）"},
		{Value: string(models.CertAnnulled), Label: "撤销"}, {Value: string(models.CertRevoked), Label: "吊销"},
		{Value: string(models.CertCancelled), Label: "注销"}, {Value: string(models.CertTransferredOut), Label: "办理转出"}}
}

func issuedNotice(c echo.Context) string {
	if b := c.QueryParam("issued"); b != "" {
		return "已发证，批号 " + b
	}
	if b := c.QueryParam("done"); b != "" {
		return "已完成：" + b
	}
	return ""
}

func certRow(c echo.Context, cert *models.Certificate) pages.CertRow {
	return pages.CertRow{ID: strconv.FormatInt(cert.ID, 10), Number: cert.Number, Name: cert.Name,
		IDMasked: ident.MaskIDNumber(cert.IDNumber), Post: cert.PostName, Employer: cert.EmployerName,
		ValidUntil: cert.ValidUntilText(), Status: cert.Status.Label(), Valid: cert.Status == models.CertValid,
		DetailURL: reverse(c, routes.CertificateDetail, cert.ID), PDFURL: reverse(c, routes.CertificatePDF, cert.ID)}
}

// certificate loads :id in the caller's scope (else 404).
func (h *Certificates) certificate(c echo.Context) (*models.Certificate, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.CertificateFor(c.Request().Context(), h.DB, actor(c), id)
}

// Detail is 【详细】: the full record (the full ID number: audited), its history, and the admin's actions.
func (h *Certificates) Detail(c echo.Context) error {
	cert, err := h.certificate(c)
	if err != nil {
		return err
	}
	d, err := h.detailPage(c, cert)
	if err != nil {
		return err
	}
	h.audit(c, models.EventCertViewed, "certificate:"+strconv.FormatInt(cert.ID, 10), "ok", cert.Number)
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.render(c, http.StatusOK, pages.CertDetailPage(d), nil)
}

// certFields are the fields of LIFECYCLE §7 as shown and printed.
func certFields(cert *models.Certificate, idNumber string) []pages.Pair {
	birth := ""
	if cert.BirthDate != nil {
		birth = cert.BirthDate.Format("2006-01-02")
	}
	period := cert.ValidFrom.Format("2006-01-02") + " 至 " + cert.ValidUntilText()
	return []pages.Pair{{Label: "姓名", Value: cert.Name}, {Label: "性别", Value: cert.Gender}, {Label: "出生日期", Value: birth},
		{Label: "证件号码", Value: idNumber}, {Label: "岗位", Value: cert.PostName}, {Label: "证书编号", Value: cert.Number},
		{Label: "初次发证日期", Value: cert.FirstIssuedOn.Format("2006-01-02")}, {Label: "发证日期", Value: cert.IssuedOn.Format("2006-01-02")},
		{Label: "有效期", Value: period}, {Label: "职务", Value: cert.Duty}, {Label: "技术职称", Value: cert.Title},
		{Label: "培训点", Value: cert.TrainingOrgName}, {Label: "单位", Value: cert.EmployerName},
		{Label: "统一社会信用代码", Value: cert.EmployerCode}, {Label: "发证机关", Value: cert.Authority}, {Label: "电子证照标识", Value: cert.License()},
		{Label: "版本", Value: strconv.Itoa(cert.Version)}, {Label: "最近业务", Value: models.CertBusinessLabels[cert.Business]}}
}

// PDF is the certificate as an A4 PDF, with a QR code to its verification page.
func (h *Certificates) PDF(c echo.Context) error {
	cert, err := h.certificate(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	r, err := h.renderer()
	if err != nil {
		return err
	}
	var photo []byte
	if cert.PhotoKey != "" {
		if photo, err = h.Blobs.Get(ctx, cert.PhotoKey); err != nil {
			return err
		}
	}
	doc := printout.Certificate{VerifyURL: h.baseURL(c) + reverse(c, routes.VerifyPage, cert.VerifyToken), Photo: photo,
		Note:   "扫描二维码核验证书。以核验页面实时信息为准，打印件与核验页面不一致的视为无效。",
		Footer: "下载时间：" + models.Now().In(models.Beijing).Format("2006-01-02 15:04")}
	for _, f := range certFields(cert, cert.IDNumber) {
		if f.Label == "单位" || f.Label == "统一社会信用代码" || f.Label == "发证机关" || f.Label == "电子证照标识" {
			doc.Wide = append(doc.Wide, printout.Field{Label: f.Label, Value: f.Value})
		} else if f.Label != "版本" && f.Label != "最近业务" {
			doc.Fields = append(doc.Fields, printout.Field{Label: f.Label, Value: f.Value})
		}
	}
	var signer printout.Signer = printout.NoSeal{}
	body, err := r.IssueCertificateDocument(ctx, doc, signer)
	if err != nil {
		return err
	}
	ctype, ext := signer.Format()
	h.audit(c, models.EventExport, "certificate:"+strconv.FormatInt(cert.ID, 10), "pdf", "证书")
	return sendDownload(c, ctype, "certificate-"+strconv.FormatInt(cert.ID, 10)+ext, "证书-"+cert.Number+ext, body)
}

// Photo is the photo on the certificate.
func (h *Certificates) Photo(c echo.Context) error {
	cert, err := h.certificate(c)
	if err != nil {
		return err
	}
	return h.servePhoto(c, &models.Person{PhotoKey: cert.PhotoKey})
}
