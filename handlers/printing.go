package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/internal/printout"
	"examcert/models"
)

// 【打印】 gives the 报名表 as a PDF and 【导出】 as a Word file; both are downloads with fixed file names, for
// whoever may see the registration, and every one is audited.

// renderer parses the embedded font once per process, on first use.
func (a *App) renderer() (*printout.Renderer, error) {
	a.printOnce.Do(func() { a.printRenderer, a.printErr = printout.NewRenderer() })
	return a.printRenderer, a.printErr
}

// printForm turns a registration (with plan and person loaded) into the printed 报名表.
func (a *App) printForm(c echo.Context, r *models.Registration) (printout.Form, error) {
	f := printout.Form{
		Title: "北京市建设行业从业人员考试报名表", PlanName: r.Plan.Name, Category: r.Plan.CategoryName(), Level: r.Plan.Level,
		Number: r.Number(), Status: r.Status.Label(), SubmittedAt: r.CreatedAt.In(models.Beijing).Format("2006-01-02 15:04"),
		EmployerOpinion: r.EmployerOpinion, Footer: "打印时间：" + models.Now().In(models.Beijing).Format("2006-01-02 15:04"),
	}
	for _, p := range regFields(r)[3:] { // the plan is in the heading already
		f.Fields = append(f.Fields, printout.Field{Label: p.Label, Value: p.Value})
	}
	for _, x := range r.ResumeRows() {
		f.Resume = append(f.Resume, printout.ResumeRow{Period: x.Period, Employer: x.Employer, Post: x.Post})
	}
	if r.PhotoKey != "" {
		b, err := a.Blobs.Get(c.Request().Context(), r.PhotoKey)
		if err != nil {
			return f, err
		}
		f.Photo = b
	}
	return f, nil
}

// sendDownload sends a generated file with a fixed RFC 6266 file name (ASCII fallback plus the UTF-8 name).
func sendDownload(c echo.Context, contentType, asciiName, utf8Name string, body []byte) error {
	h := c.Response().Header()
	h.Set("Content-Disposition", `attachment; filename="`+asciiName+`"; filename*=UTF-8''`+url.PathEscape(utf8Name))
	h.Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, contentType, body)
}

// PDF is 【打印】 for one registration.
func (h *Registrations) PDF(c echo.Context) error {
	r, err := h.load(c)
	if err != nil {
		return err
	}
	f, err := h.printForm(c, r)
	if err != nil {
		return err
	}
	rd, err := h.renderer()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rd.PDF(&buf, f); err != nil {
		return err
	}
	h.audit(c, models.EventExport, "registration:"+r.Number(), "pdf", "")
	return sendDownload(c, "application/pdf", "registration-"+strconv.FormatInt(r.ID, 10)+".pdf", "报名表-"+r.Number()+".pdf", buf.Bytes())
}

// DOCX is 【导出】 for one registration.
func (h *Registrations) DOCX(c echo.Context) error {
	r, err := h.load(c)
	if err != nil {
		return err
	}
	f, err := h.printForm(c, r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := printout.DOCX(&buf, f); err != nil {
		return err
	}
	h.audit(c, models.EventExport, "registration:"+r.Number(), "docx", "")
	return sendDownload(c, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"registration-"+strconv.FormatInt(r.ID, 10)+".docx", "报名表-"+r.Number()+".docx", buf.Bytes())
}
