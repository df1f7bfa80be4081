package handlers

import (
	"bytes"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/internal/printout"
	"examcert/models"
	"examcert/views/pages"
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
	h.Set("Content-Disposition", attachmentDisposition(asciiName, utf8Name))
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

// 打印报名表 prints every registration an organization made for a plan. gopdf holds a whole document in memory
// until it is written (and the printout engine lays all its forms out on one document), so true streaming of one
// PDF is impossible: a plan's forms are printed in files of at most PrintChunk forms, read from the database a
// page at a time; a plan with more gets a page of links (第1–500份 …). At most printSlotCount prints run at once;
// another gets 503 打印任务较多，请稍后再试. Memory is handed back to the system after a large file.
const (
	defaultPrintChunk = 500 // forms per PDF: about 40 MB of heap at its peak (BenchmarkPrintAll: 78 MB for two at once)
	printSlotCount    = 2
	printReadPage     = 100 // registrations read at a time
	msgPrintBusy      = "打印任务较多，请稍后再试"
)

func (a *App) printChunk() int {
	if a.PrintChunk > 0 {
		return a.PrintChunk
	}
	return defaultPrintChunk
}

// PrintAll is 【打印报名表】: the registrations this organization made for the plan, oldest first, as one PDF, or
// (more than one file's worth) the page of files, ?part=N being the Nth file. Audited as an export.
func (h *Batch) PrintAll(c echo.Context) error {
	plan, err := h.plan(c)
	if err != nil {
		return err
	}
	filter := models.RegFilter{PlanID: plan.ID, MadeByOrg: true, OldestFirst: true, Limit: 1}
	_, total, err := models.ListRegistrations(c.Request().Context(), h.DB, actor(c), filter)
	if err != nil {
		return err
	}
	if total == 0 {
		return echo.NewHTTPError(http.StatusNotFound, "该考试没有本单位的报名信息")
	}
	chunk := h.printChunk()
	part, _ := strconv.Atoi(c.QueryParam("part"))
	if total > chunk && (part < 1 || (part-1)*chunk >= total) {
		return h.render(c, http.StatusOK, pages.PrintPartsPage(h.printParts(c, plan, total, chunk)), nil)
	}
	part = max(part, 1)
	select {
	case h.printSlots <- struct{}{}:
		defer func() { <-h.printSlots }()
	default:
		return echo.NewHTTPError(http.StatusServiceUnavailable, msgPrintBusy)
	}
	from := (part - 1) * chunk
	n, err := h.writePrint(c, plan, filter, from, min(chunk, total-from), total > chunk)
	if n > printReadPage {
		debug.FreeOSMemory() // the file's forms and gopdf's document are garbage now: give the memory back
	}
	return err
}

// printParts lists the files of a plan's forms.
func (h *Batch) printParts(c echo.Context, plan *models.ExamPlan, total, chunk int) pages.PrintParts {
	p := pages.PrintParts{Shell: h.shell(c, "打印报名表", routes.RegistrationBatch), PlanName: plan.Name, Total: total, PerFile: chunk,
		BackURL: h.pageURL(c, plan.ID)}
	base := reverse(c, routes.RegistrationPrintAll) + "?plan=" + strconv.FormatInt(plan.ID, 10) + "&part="
	for i, from := 1, 0; from < total; i, from = i+1, from+chunk {
		p.Parts = append(p.Parts, pages.Pair{Label: "第" + strconv.Itoa(from+1) + "–" + strconv.Itoa(min(from+chunk, total)) + "份",
			Value: base + strconv.Itoa(i)})
	}
	return p
}

// writePrint reads count registrations from offset a page at a time, makes their forms, and writes the PDF to the
// response (a file of several names its range). It returns how many forms it printed.
func (h *Batch) writePrint(c echo.Context, plan *models.ExamPlan, f models.RegFilter, offset, count int, several bool) (int, error) {
	forms := make([]printout.Form, 0, count)
	for len(forms) < count {
		f.Offset, f.Limit = offset+len(forms), min(printReadPage, count-len(forms))
		regs, _, err := models.ListRegistrations(c.Request().Context(), h.DB, actor(c), f)
		if err != nil || len(regs) == 0 {
			if err != nil {
				return 0, err
			}
			break
		}
		for i := range regs {
			form, err := h.printForm(c, &regs[i])
			if err != nil {
				return 0, err
			}
			forms = append(forms, form)
		}
	}
	rd, err := h.renderer()
	if err != nil {
		return 0, err
	}
	name := "报名表-" + plan.Name + ".pdf"
	ascii := "registrations-" + strconv.FormatInt(plan.ID, 10) + ".pdf"
	if several {
		part := strconv.Itoa(offset+1) + "-" + strconv.Itoa(offset+len(forms))
		name, ascii = "报名表-"+plan.Name+"-"+part+".pdf", "registrations-"+strconv.FormatInt(plan.ID, 10)+"-"+part+".pdf"
	}
	w := &lazyDownload{c: c, contentType: "application/pdf", ascii: ascii, name: name}
	if err := rd.PDF(w, forms...); err != nil {
		if w.started {
			h.Log.Error("打印报名表: writing the PDF", "err", err)
			return len(forms), nil // the response is under way: nothing else can be said
		}
		return len(forms), err
	}
	h.audit(c, models.EventRegPrintedAll, "plan:"+strconv.FormatInt(plan.ID, 10), "ok",
		strconv.Itoa(len(forms))+"份报名表（含完整身份证号，第"+strconv.Itoa(offset+1)+"份起），考试计划："+plan.Name)
	return len(forms), nil
}

// lazyDownload sends a download's headers with its first byte, so that an error found before anything is written
// still gets the ordinary error page.
type lazyDownload struct {
	c                        echo.Context
	contentType, ascii, name string
	started                  bool
}

func (w *lazyDownload) Write(b []byte) (int, error) {
	if !w.started {
		w.started = true
		h := w.c.Response().Header()
		h.Set("Content-Disposition", `attachment; filename="`+w.ascii+`"; filename*=UTF-8''`+url.PathEscape(w.name))
		h.Set("Cache-Control", "no-store")
		h.Set(echo.HeaderContentType, w.contentType)
		w.c.Response().WriteHeader(http.StatusOK)
	}
	return w.c.Response().Write(b)
}
