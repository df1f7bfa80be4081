package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/pages"
)

// Verify is the public 证书信息验证 (SECURITY 33, LIFECYCLE §11): the QR on a certificate opens /verify/<token>, a
// random token that is never the number; the page needs no sign-in and no script, prints, is noindex, never shows
// a full ID number, and shows the state live. The search needs 证书编号 and 姓名 together, a captcha, and is
// rate-limited per address, like the sign-in.
type Verify struct{ *App }

// verifyPagesPerMinute is how many verification pages (token or search) one address may open a minute, burst
// included: a person scanning a stack of certificates is far below it, an enumeration far above.
const verifyPagesPerMinute = 30

func (a *App) verifyRateLimit() echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(verifyPagesPerMinute) / 60), Burst: verifyPagesPerMinute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests, "查询过于频繁，请稍后再试")
		},
	})
}

func verifyRoutes(a *App) []route {
	h := &Verify{App: a}
	limit := []echo.MiddlewareFunc{a.verifyRateLimit()}
	return []route{
		{method: http.MethodGet, path: "/verify", name: routes.VerifySearch, handler: h.SearchPage, roles: public, mw: limit},
		{method: http.MethodPost, path: "/verify", name: routes.VerifySearchSubmit, handler: h.Search, roles: public, mw: limit},
		{method: http.MethodGet, path: "/verify/:token", name: routes.VerifyPage, handler: h.Page, roles: public, mw: limit},
		{method: http.MethodGet, path: "/verify/:token/photo", name: routes.VerifyPhoto, handler: h.Photo, roles: public, mw: limit},
	}
}

// publicHeaders keeps the page out of search engines and caches.
func publicHeaders(c echo.Context) {
	c.Response().Header().Set("X-Robots-Tag", "noindex, nofollow")
	c.Response().Header().Set("Cache-Control", "no-store")
}

// Page is the verification page of a token: the current version, or an older one saying 已换发.
func (h *Verify) Page(c echo.Context) error {
	v, err := models.VerifyToken(c.Request().Context(), h.DB, c.Param("token"))
	if err != nil {
		return err
	}
	publicHeaders(c)
	return h.render(c, http.StatusOK, pages.VerifyPage(h.verifyView(c, v)), nil)
}

func (h *Verify) verifyView(c echo.Context, v *models.Verification) pages.VerifyView {
	cert := v.Certificate
	number, issued, until := cert.Number, cert.IssuedOn, cert.ValidUntilText()
	if s := v.Superseded; s != nil {
		number, issued = s.Number, s.IssuedOn
		if s.ValidUntil != nil {
			until = s.ValidUntil.Format("2006-01-02")
		}
	}
	vw := pages.VerifyView{
		Fields: []pages.Pair{{Label: "姓名", Value: cert.Name}, {Label: "证件号码", Value: models.MaskIDNumberPublic(cert.IDNumber)},
			{Label: "岗位", Value: cert.PostName}, {Label: "证书编号", Value: number}, {Label: "单位", Value: cert.EmployerName},
			{Label: "发证机关", Value: cert.Authority}, {Label: "发证日期", Value: issued.Format("2006-01-02")}, {Label: "有效期至", Value: until}},
		StatusLabel: cert.Status.Label(), StatusValid: cert.Status == models.CertValid, StatusReason: cert.StatusReason,
		CheckedAt: models.Now().In(models.Beijing).Format("2006-01-02 15:04:05"), SearchURL: reverse(c, routes.VerifySearch)}
	if cert.StatusChangedAt != nil && cert.Status != models.CertValid {
		vw.StatusDate = cert.StatusChangedAt.In(models.Beijing).Format("2006-01-02")
	}
	if v.Superseded != nil {
		vw.Superseded, vw.StatusValid, vw.StatusLabel = true, false, "已换发，请以最新版本为准"
		vw.StatusReason, vw.StatusDate = "", ""
		vw.CurrentURL = reverse(c, routes.VerifyPage, cert.VerifyToken)
	}
	if cert.PhotoKey != "" && !h.Cfg.HideVerifyPhoto {
		vw.PhotoURL = reverse(c, routes.VerifyPhoto, c.Param("token"))
	}
	return vw
}

// Photo is the certificate's photo on the verification page (unless the setting hides it).
func (h *Verify) Photo(c echo.Context) error {
	if h.Cfg.HideVerifyPhoto {
		return models.ErrNotFound
	}
	v, err := models.VerifyToken(c.Request().Context(), h.DB, c.Param("token"))
	if err != nil {
		return err
	}
	return h.servePhoto(c, &models.Person{PhotoKey: v.Certificate.PhotoKey})
}

// SearchPage is the search form: 证书编号, 姓名 and the captcha.
func (h *Verify) SearchPage(c echo.Context) error {
	return h.searchForm(c, pages.VerifySearch{})
}

func (h *Verify) searchForm(c echo.Context, p pages.VerifySearch) error {
	cp, err := h.newCaptcha(c, true, c.FormValue("captcha_id"))
	if err != nil {
		return err
	}
	cp.Error = p.Captcha.Error
	p.Captcha, p.Action = cp, reverse(c, routes.VerifySearchSubmit)
	publicHeaders(c)
	return h.render(c, http.StatusOK, pages.VerifySearchPage(p), nil)
}

// Search finds the certificate with both the number and the name typed and opens its page (303); anything else is
// one message, whether the number exists or not.
func (h *Verify) Search(c echo.Context) error {
	p := pages.VerifySearch{Number: strings.TrimSpace(c.FormValue("number")), Name: strings.TrimSpace(c.FormValue("name"))}
	if c.FormValue("refresh_captcha") != "" {
		return h.searchForm(c, p)
	}
	if !(models.CaptchaStore{DB: h.DB}).Check(c.FormValue("captcha_id"), strings.TrimSpace(c.FormValue("captcha_answer"))) {
		p.Captcha.Error = "验证码不正确"
		return h.searchForm(c, p)
	}
	if p.Number == "" || p.Name == "" {
		p.Error = "请同时输入证书编号和姓名"
		return h.searchForm(c, p)
	}
	token, err := models.FindCertificateToVerify(c.Request().Context(), h.DB, p.Number, p.Name)
	if errors.Is(err, models.ErrNotFound) {
		p.Error = "未找到与该证书编号和姓名相符的证书"
		return h.searchForm(c, p)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, reverse(c, routes.VerifyPage, token))
}
