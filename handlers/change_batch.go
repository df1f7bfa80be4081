package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/components"
	"examcert/views/pages"
)

// 企业更名 (an enterprise, for all its staff's valid certificates at once) and the training institution's 批量补办
// (the certificates of its trainees it ticks): one 申请批号 each.

// Rename is the 企业更名 form: the enterprise's name and code as registered here go onto its staff's certificates.
func (h *Changes) Rename(c echo.Context) error {
	return h.render(c, http.StatusOK, pages.ChangeBatchPage(h.renameForm(c, components.FormState{}, "")), nil)
}

func (h *Changes) renameForm(c echo.Context, st components.FormState, phone string) pages.ChangeBatchForm {
	name, code := "", ""
	if acct := currentAccount(c); acct != nil && acct.Organization != nil {
		name, code = acct.Organization.Name, acct.Organization.Code()
	}
	return pages.ChangeBatchForm{Shell: h.shell(c, "企业更名", routes.ChangePage), Heading: "企业更名",
		Intro: "为本单位人员的每一本有效证书各提交一份变更申请（共用一个申请批号），将证书上的单位名称和代码更新为本单位在本系统登记的名称「" +
			name + "」和代码「" + code + "」。已锁定或有办理中申请的证书不在其中。",
		Action: reverse(c, routes.ChangeRenameSubmit), State: st, Phone: phone, BackURL: reverse(c, routes.ChangePage)}
}

// RenameSubmit files 企业更名.
func (h *Changes) RenameSubmit(c echo.Context) error {
	in := models.ChangeInput{Phone: c.FormValue("phone"), Accepted: c.FormValue("accept") == "1"}
	res, err := models.ApplyForRename(c.Request().Context(), h.DB, actor(c), in)
	if err != nil {
		st, ferr := changeFormState(err)
		if ferr != nil {
			return ferr
		}
		return h.render(c, http.StatusOK, pages.ChangeBatchPage(h.renameForm(c, st, in.Phone)), nil)
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.ChangePage)+"?ok="+res.BatchNo+"&n="+strconv.Itoa(res.Filed)+
		"&skipped="+strconv.Itoa(len(res.Skipped)))
}

// Batch is the training institution's 批量补办: its trainees' valid certificates to tick.
func (h *Changes) Batch(c echo.Context) error {
	p, err := h.batchForm(c, components.FormState{}, "", nil)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, pages.ChangeBatchPage(p), nil)
}

const batchCertLimit = 500

func (h *Changes) batchForm(c echo.Context, st components.FormState, phone string, ticked map[int64]bool) (pages.ChangeBatchForm, error) {
	certs, _, err := models.ListCertificates(c.Request().Context(), h.DB, actor(c), models.CertFilter{Status: models.CertValid, Limit: batchCertLimit})
	if err != nil {
		return pages.ChangeBatchForm{}, err
	}
	p := pages.ChangeBatchForm{Shell: h.shell(c, "批量补办", routes.ChangePage), Heading: "批量补办",
		Intro:  "勾选本机构培训人员需要补办的证书，每本证书一份补办申请（共用一个申请批号），由证书的现聘用单位确认后报送。",
		Action: reverse(c, routes.ChangeBatchSubmit), State: st, Phone: phone, BackURL: reverse(c, routes.ChangePage)}
	for i := range certs {
		x := &certs[i]
		p.Rows = append(p.Rows, pages.ChangeBatchRow{ID: strconv.FormatInt(x.ID, 10), Number: x.Number, Name: x.Name,
			Post: x.PostName, Employer: x.EmployerName, Checked: ticked[x.ID]})
	}
	return p, nil
}

// BatchSubmit files 批量补办 for the certificates ticked.
func (h *Changes) BatchSubmit(c echo.Context) error {
	var ids []int64
	ticked := map[int64]bool{}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	for _, s := range form["ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return models.ErrNotFound
		}
		ids, ticked[id] = append(ids, id), true
	}
	in := models.ChangeInput{Phone: c.FormValue("phone"), Accepted: c.FormValue("accept") == "1"}
	batch, err := models.ApplyForReplacements(c.Request().Context(), h.DB, actor(c), ids, in)
	if err != nil {
		var fe models.FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		p, err := h.batchForm(c, components.FormState{Errors: fe, Error: msgFixFields}, in.Phone, ticked)
		if err != nil {
			return err
		}
		return h.render(c, http.StatusOK, pages.ChangeBatchPage(p), nil)
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.ChangePage)+"?ok="+batch+"&n="+strconv.Itoa(len(ids)))
}
