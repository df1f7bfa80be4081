package sessionstore_test

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"examcert/handlers/sessionstore"
	"examcert/internal/dbtest"
	"examcert/models"
)

func TestRoundTripRenewAndExpiry(t *testing.T) {
	db := dbtest.Open(t)
	st := sessionstore.New(db, false, 30*time.Minute, 12*time.Hour)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := httptest.NewRecorder()
	s, err := st.Get(r, "sid")
	if err != nil || !s.IsNew {
		t.Fatalf("new session: %v %v", s.IsNew, err)
	}
	acct := &models.Account{Username: "someone", Role: models.RolePractitioner, PasswordHash: "x"}
	if err := models.InsertAccount(r.Context(), db, acct); err != nil {
		t.Fatal(err)
	}
	s.Values[sessionstore.KeyAccountID] = acct.ID
	s.Values["note"] = "你好"
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	cookie := w.Result().Cookies()[0]
	if !cookie.HttpOnly || cookie.MaxAge != 0 || len(cookie.Value) < 40 {
		t.Fatalf("cookie %+v", cookie)
	}
	// The next request finds it by the cookie.
	r2 := httptest.NewRequest(http.MethodGet, "/", nil)
	r2.AddCookie(cookie)
	s2, err := st.Get(r2, "sid")
	if err != nil || s2.IsNew || s2.Values[sessionstore.KeyAccountID] != acct.ID || s2.Values["note"] != "你好" {
		t.Fatalf("loaded %+v %v", s2.Values, err)
	}
	// The account comes with the row (one query per request) and is never written into the row's data.
	if a, ok := s2.Values[sessionstore.KeyAccount].(*models.Account); !ok || a.ID != acct.ID || a.Username != "someone" {
		t.Fatalf("account loaded with the session: %+v", s2.Values[sessionstore.KeyAccount])
	}
	if err := s2.Save(r2, httptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	var row models.Session
	if err := db.NewSelect().Model(&row).Where("id = ?", s2.ID).Scan(r2.Context()); err != nil {
		t.Fatal(err)
	}
	if raw, _ := base64.StdEncoding.DecodeString(row.Data); strings.Contains(string(raw), "someone") {
		t.Fatal("the loaded account was written into the session row")
	}
	// Renew: a new id; the old cookie no longer works.
	if err := st.Renew(r2.Context(), s2); err != nil {
		t.Fatal(err)
	}
	r3 := httptest.NewRequest(http.MethodGet, "/", nil)
	r3.AddCookie(cookie)
	s3, _ := st.Get(r3, "sid")
	if !s3.IsNew || s3.Values[sessionstore.KeyExpired] != true {
		t.Fatalf("old id after renew: new=%v values=%v", s3.IsNew, s3.Values)
	}
	// Expired rows are swept: the renewed session, once saved, is not yet; a day later it is.
	if err := s2.Save(r2, httptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	if n, err := models.DeleteExpiredSessions(r.Context(), db, time.Now()); err != nil || n != 0 {
		t.Fatalf("sweep now: %d %v; want 0", n, err)
	}
	if n, err := models.DeleteExpiredSessions(r.Context(), db, time.Now().Add(24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("sweep a day later: %d %v; want 1", n, err)
	}
}
