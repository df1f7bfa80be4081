package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"examcert/internal/blobstore"
	"examcert/models"
)

// A registration made with the photo on record names that file instead of copying it. The file stays while
// anything names it: a new profile photo keeps the old one for the registration, and deleting the registration
// then removes it.
func TestRegistrationSharesThePhotoOnRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	planID := createPlan(t, e, "照片共用考试", nil)
	c := e.client().signIn("zhangsan")
	withEducation(t, e, "zhangsan")
	if p := c.upload("/profile", "/profile/photo", "p.jpg", testPhoto(t, 600, 840, "jpeg"), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("profile photo: %d", p.Status)
	}
	me := e.person(demoCode("zhangsan"))
	first := me.PhotoKey
	p := c.regPost(planID, map[string]string{"work_start_date": "2012-07-01", "employer_name": "某公司"}, nil)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("register with the photo on record: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	regID := strings.Split(strings.TrimPrefix(p.Location(), "/registrations/"), "?")[0]
	reg, err := models.FindRegistration(ctx, e.db, planID, me.ID)
	if err != nil || reg.PhotoKey != first {
		t.Fatalf("registration photo %q, want the profile's %q (%v)", reg.PhotoKey, first, err)
	}
	// A new profile photo: the registration keeps, and still serves, the one it was made with.
	if p := c.upload("/profile", "/profile/photo", "p2.jpg", testPhoto(t, 700, 980, "jpeg"), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("second profile photo: %d", p.Status)
	}
	second := e.person(demoCode("zhangsan")).PhotoKey
	if second == first {
		t.Fatal("the new profile photo has the old key")
	}
	if _, err := e.app.Blobs.Size(ctx, first); err != nil {
		t.Fatalf("the registration's photo was deleted with the old profile photo: %v", err)
	}
	if q := c.get("/registrations/" + regID + "/photo"); q.Status != http.StatusOK || !strings.HasPrefix(q.Body, "\xff\xd8") {
		t.Fatalf("registration photo: %d", q.Status)
	}
	// Deleting the registration lets the old file go; the profile's stays.
	if q := c.do(http.MethodPost, "/registrations/"+regID+"/delete", url.Values{"_csrf": {c.csrf()}, "confirmed": {"1"}}, false, nil); q.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", q.Status)
	}
	if _, err := e.app.Blobs.Size(ctx, first); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("the old photo outlived everything that named it: %v", err)
	}
	if _, err := e.app.Blobs.Size(ctx, second); err != nil {
		t.Errorf("the profile photo: %v", err)
	}
}

// SECURITY.md 22 with a capacity: 20 people submitted at once for 5 places → exactly 5 registrations, and the
// others are told the plan is full.
func TestConcurrentSubmitsRespectCapacity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	planID := createPlan(t, e, "五个名额的考试", url.Values{"capacity": {"5"}})
	ids := benchStaff(t, e, 20)
	c := e.client().signIn("jianshe")
	tok, _ := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	var wg sync.WaitGroup
	var mu sync.Mutex
	saved, full := 0, 0
	for _, id := range ids {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			p := c.regPostToken(planID, tok, map[string]string{"id_number": id, "name": "基准考生", "education": "本科",
				"work_start_date": "2010-07-01", "employer_name": "北京城建示范工程有限公司"}, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case p.Status == http.StatusSeeOther:
				saved++
			case strings.Contains(p.Text(`[data-testid="error-plan"]`), "名额已满"):
				full++
			default:
				t.Errorf("status %d: %s", p.Status, p.Doc.Find(".error, .alert").Text())
			}
		}(id)
	}
	wg.Wait()
	n, err := e.db.NewSelect().Model((*models.Registration)(nil)).Where("plan_id = ?", planID).Count(context.Background())
	if err != nil || n != 5 || saved != 5 || full != 15 {
		t.Fatalf("%d registrations (%v), %d saved, %d told full; want 5, 5, 15", n, err, saved, full)
	}
	plan, _ := models.GetPlan(context.Background(), e.db, planID)
	if plan.SeatsTaken != 5 {
		t.Fatalf("seats taken %d, want 5", plan.SeatsTaken)
	}
}

// A photo chosen on a 报名表 that comes back with an error (or from a 核对 button) is kept for that account: the
// form shows it and does not ask for the file again. Nobody else can use or see it, and it is swept after a day.
func TestKeptPhotoSurvivesAFormError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	planID := createPlan(t, e, "照片保留考试", nil)
	c := e.client().signIn("jianshe")
	tok, _ := c.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	fields := map[string]string{"id_number": newID(71), "name": "保留照片", "education": "本科", "work_start_date": "2099-07-01",
		"employer_name": "北京城建示范工程有限公司"}
	p := c.regPostToken(planID, tok, fields, testPhoto(t, 600, 840, "jpeg"))
	kept, _ := p.Doc.Find(`input[name="photo_token"]`).Attr("value")
	if p.Status != http.StatusOK || p.Text(`[data-testid="error-work_start_date"]`) == "" || kept == "" || p.Text(`[data-testid="photo-kept"]`) == "" {
		t.Fatalf("form with an error: %d, work start error %q, kept photo %q", p.Status, p.Text(`[data-testid="error-work_start_date"]`), kept)
	}
	preview, _ := p.Doc.Find(`img.photo`).Attr("src")
	if q := c.get(preview); q.Status != http.StatusOK || !strings.HasPrefix(q.Body, "\xff\xd8") {
		t.Fatalf("kept photo preview %q: %d", preview, q.Status)
	}
	// Another account can neither see it nor register with it.
	other := e.client().signIn("jianshe2")
	if q := other.get(preview); q.Status != http.StatusNotFound {
		t.Errorf("another account sees the kept photo: %d", q.Status)
	}
	otok, _ := other.get("/registrations/new?plan=" + strconv.FormatInt(planID, 10)).Doc.Find(`input[name="_csrf"]`).First().Attr("value")
	theirs := map[string]string{"id_number": newID(72), "name": "别家考生", "education": "本科", "work_start_date": "2010-07-01",
		"employer_name": "北京宏远建设集团有限公司", "photo_token": kept}
	if q := other.regPostToken(planID, otok, theirs, nil); q.Text(`[data-testid="error-photo"]`) != "请上传一寸照片" {
		t.Errorf("another account's kept photo was accepted: %d %q", q.Status, q.Text(`[data-testid="error-photo"]`))
	}
	// Fixed and saved without choosing the file again: the registration has the kept photo.
	fields["work_start_date"], fields["photo_token"] = "2010-07-01", kept
	if p := c.regPostToken(planID, tok, fields, nil); p.Status != http.StatusSeeOther {
		t.Fatalf("save with the kept photo: %d %s", p.Status, p.Doc.Find(".error, .alert").Text())
	}
	reg, err := models.FindRegistration(ctx, e.db, planID, e.person(fields["id_number"]).ID)
	if err != nil || reg.PhotoKey != kept {
		t.Fatalf("registration photo %q, want the kept %q (%v)", reg.PhotoKey, kept, err)
	}
	if q := c.get(preview); q.Status != http.StatusNotFound {
		t.Errorf("the kept photo is still offered as kept after the save: %d", q.Status)
	}
	// 核对 without JavaScript keeps the photo too; a form never sent again is swept after a day.
	fields = map[string]string{"id_number": newID(73), "name": "核对照片", "check": "id"}
	p = c.regPostToken(planID, tok, fields, testPhoto(t, 600, 840, "jpeg"))
	stale, _ := p.Doc.Find(`input[name="photo_token"]`).Attr("value")
	if stale == "" {
		t.Fatal("核对 lost the chosen photo")
	}
	if err := e.app.SweepPhotoUploads(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Blobs.Size(ctx, stale); err != nil {
		t.Fatalf("a fresh kept photo was swept: %v", err)
	}
	if _, err := e.db.NewUpdate().Model((*models.PhotoUpload)(nil)).Set("created_at = ?", models.Now().Add(-25*time.Hour)).
		Where("photo_key = ?", stale).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.app.SweepPhotoUploads(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Blobs.Size(ctx, stale); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("a day-old kept photo was not swept: %v", err)
	}
	if _, err := e.app.Blobs.Size(ctx, kept); err != nil {
		t.Errorf("the sweep took the registration's photo: %v", err)
	}
}
