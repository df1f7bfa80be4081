package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"examcert/handlers/routes"
	"examcert/models"
	"examcert/views/pages"
)

// 考场资料 (admins, per plan after 放号): each room's 考场照片阵列, 桌签 and 考场门贴 as PDFs, and the photo ZIP for
// the 机考 system, streamed as they are made (tickets_documents.go), or made in the background for 我的下载 by the
// 生成 buttons (tickets_requests.go). An unreleased plan is 404.

// Docs is the 考场资料 page: the plan picker, then the plan's rooms with their documents.
func (h *Tickets) Docs(c echo.Context) error {
	p := pages.TicketDocsPage{Shell: h.shell(c, "考场资料", routes.AdminTicketDocs), Picker: h.pickerField(c, routes.AdminTicketDocs, nil)}
	if c.QueryParam("plan") == "" {
		return h.render(c, http.StatusOK, pages.TicketDocsPageView(p), nil)
	}
	plan, err := h.planParam(c)
	if err != nil {
		return err
	}
	rooms, err := models.ReleasedRooms(c.Request().Context(), h.DB, actor(c), plan.ID, 0)
	if err != nil {
		return err
	}
	q := "?plan=" + strconv.FormatInt(plan.ID, 10)
	p.Picker = h.pickerField(c, routes.AdminTicketDocs, plan)
	p.PlanChosen, p.PlanInfo = true, planInfo(plan)
	p.AllPhotos, p.AllLabels = reverse(c, routes.AdminTicketRoomPhotos)+q, reverse(c, routes.AdminTicketDeskLabels)+q
	p.AllDoors, p.PhotoZipURL = reverse(c, routes.AdminTicketDoorSigns)+q, reverse(c, routes.AdminTicketPhotoZip)+q
	p.RequestURL, p.PlanID = reverse(c, routes.AdminTicketDocRequest), strconv.FormatInt(plan.ID, 10)
	for _, r := range rooms {
		rq := q + "&room=" + strconv.FormatInt(r.ID, 10)
		row := pages.TicketDocsRoom{ID: strconv.FormatInt(r.ID, 10), Label: "第" + r.RoomNo + "考场", Count: strconv.Itoa(r.Tickets),
			Times:     r.StartsAt.In(models.Beijing).Format("2006-01-02 15:04") + "–" + r.EndsAt.In(models.Beijing).Format("15:04"),
			PhotosURL: reverse(c, routes.AdminTicketRoomPhotos) + rq, LabelsURL: reverse(c, routes.AdminTicketDeskLabels) + rq,
			DoorURL: reverse(c, routes.AdminTicketDoorSigns) + rq}
		if r.Site != nil {
			row.Label = r.Site.Name + " " + row.Label
		}
		if r.FirstTicketNo != "" {
			row.Range = r.FirstTicketNo + "～" + r.LastTicketNo
		}
		p.Rooms = append(p.Rooms, row)
	}
	return h.render(c, http.StatusOK, pages.TicketDocsPageView(p), nil)
}

// RoomPhotos is the 考场照片阵列 (?room= one room's PDF; else a ZIP of one PDF per room).
func (h *Tickets) RoomPhotos(c echo.Context) error { return h.registryDownload(c, docRoomPhotos) }

// DeskLabels is the 桌签 PDF.
func (h *Tickets) DeskLabels(c echo.Context) error { return h.registryDownload(c, docDeskLabels) }

// DoorSigns is the 考场门贴 PDF.
func (h *Tickets) DoorSigns(c echo.Context) error { return h.registryDownload(c, docDoorSigns) }

// PhotoZip is the photo ZIP named by 准考证号.
func (h *Tickets) PhotoZip(c echo.Context) error { return h.registryDownload(c, docPhotoZip) }

func (h *Tickets) registryDownload(c echo.Context, kind string) error {
	plan, err := h.planParam(c)
	if err != nil {
		return err
	}
	var roomID int64
	if s := c.QueryParam("room"); s != "" {
		if roomID, err = strconv.ParseInt(s, 10, 64); err != nil || roomID <= 0 {
			return models.ErrNotFound
		}
	}
	select {
	case h.printSlots <- struct{}{}:
		defer func() { <-h.printSlots }()
	default:
		return echo.NewHTTPError(http.StatusServiceUnavailable, msgPrintBusy)
	}
	ctx := c.Request().Context()
	p, err := h.ticketPrinter(ctx)
	if err != nil {
		return err
	}
	w := &lazyDownload{c: c}
	detail, err := p.registryDocument(ctx, actor(c), kind, plan, roomID, func(name, ascii, ctype string) {
		w.name, w.ascii, w.contentType = name, ascii, ctype
	}, w)
	if err != nil {
		if w.started {
			h.Log.Error("考场资料: writing", "kind", kind, "err", err)
			return nil
		}
		return err
	}
	h.audit(c, models.EventExport, models.PlanTicketsObject(plan.ID), kind, detail)
	return nil
}
