package sessionstore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"examcert/handlers/sessionstore"
	"examcert/internal/database"
	"examcert/internal/dbtest"
	"examcert/models"
)

// A write of an account ends the kept sessions of that account only (two of them here), and a write of an
// organization those of its accounts only; a signed-out session ends alone. The cache finds them by owner, so this
// checks that its indexes follow the sessions: a session read again after its account changed is found again.
func TestKeptSessionsEndWithTheirOwnersOnly(t *testing.T) {
	if dbtest.URL() != "" {
		t.Skip("nothing is kept on PostgreSQL")
	}
	ctx := context.Background()
	db, err := database.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := database.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	st := sessionstore.New(db, false, 30*time.Minute, 12*time.Hour)
	var orgs [2]*models.Organization
	for i := range orgs {
		orgs[i] = &models.Organization{Kind: models.KindEnterprise, Name: fmt.Sprint("单位", i)}
		if err := models.InsertOrganization(ctx, db, orgs[i]); err != nil {
			t.Fatal(err)
		}
	}
	// a and b are clerks of orgs[0], c of orgs[1], d has no organization; a is signed in twice.
	accounts := map[string]*models.Organization{"a": orgs[0], "b": orgs[0], "c": orgs[1], "d": nil}
	ids := map[string]int64{}
	for name, org := range accounts {
		acct := &models.Account{Username: name, Role: models.RoleEnterprise, PasswordHash: "x"}
		if org == nil {
			acct.Role = models.RolePractitioner
		} else {
			acct.OrganizationID = &org.ID
		}
		if err := models.InsertAccount(ctx, db, acct); err != nil {
			t.Fatal(err)
		}
		ids[name] = acct.ID
	}
	cookies := map[string]*http.Cookie{}
	for _, s := range []string{"a", "a2", "b", "c", "d"} {
		cookies[s] = signIn(t, st, ids[s[:1]])
	}
	kept := map[string]*sessionstore.Entry{}
	// check loads every session and says which were read again since the last check (and keeps their entries).
	check := func(step string, want ...string) {
		t.Helper()
		var got []string
		for _, s := range []string{"a", "a2", "b", "c", "d"} {
			e, _ := loadEntry(t, st, cookies[s])
			if e == nil {
				t.Fatalf("%s: session %s was not kept", step, s)
			}
			if kept[s] != nil && e != kept[s] {
				got = append(got, s)
			}
			kept[s] = e
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: read again %v, want %v", step, got, want)
		}
	}
	check("first")
	check("nothing written")
	write := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	write("UPDATE organizations SET name = '乙' WHERE id = ?", orgs[1].ID)
	check("organization of c written", "c")
	write("UPDATE organizations SET name = '甲' WHERE id = ?", orgs[0].ID)
	check("organization of a and b written", "a", "a2", "b")
	write("UPDATE accounts SET display_name = '甲' WHERE id = ?", ids["a"])
	check("account a written", "a", "a2")
	write("UPDATE accounts SET display_name = '丁' WHERE id = ?", ids["d"])
	check("account d written", "d")
	write("UPDATE organizations SET name = '丙' WHERE id = ?", orgs[0].ID)
	check("organization of a and b written again", "a", "a2", "b")
}

// signIn saves a new session of account id and returns its cookie.
func signIn(t *testing.T, st *sessionstore.Store, id int64) *http.Cookie {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := httptest.NewRecorder()
	s, _ := st.Get(r, "sid")
	s.Values[sessionstore.KeyAccountID] = id
	if err := s.Save(r, w); err != nil {
		t.Fatal(err)
	}
	return w.Result().Cookies()[0]
}

// loadEntry loads the session of cookie, as a request would, and returns the cache's entry (nil when it was not
// kept) and the session's account.
func loadEntry(t *testing.T, st *sessionstore.Store, cookie *http.Cookie) (*sessionstore.Entry, *models.Account) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	s, err := st.Get(r, "sid")
	if err != nil || s.IsNew {
		t.Fatalf("load: new %v, %v", s.IsNew, err)
	}
	acct, _ := s.Values[sessionstore.KeyAccount].(*models.Account)
	return sessionstore.EntryOf(s), acct
}
