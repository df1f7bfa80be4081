package national_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"examcert/internal/national"
	"examcert/internal/national/nationaltest"
)

func day(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }

func sample(id, number string) national.OutgoingCertificate {
	return national.OutgoingCertificate{LicenseID: "1.2.156.3005.2.X." + number, Number: number, Name: "张三", IDNumber: id,
		CategoryCode: "C3", Authority: "河北省住房和城乡建设厅", IssuedOn: day("2024-03-01"), ValidFrom: day("2024-03-01"),
		ValidUntil: day("2027-02-28"), Employer: "河北某建设有限公司"}
}

func TestOutgoingFromTheFake(t *testing.T) {
	a := sample("110101199001010013", "冀建安C3（2024）0000001")
	b := sample("110101199001010013", "冀建安C3（2024）0000002")
	other := sample("110101198001010019", "冀建安C3（2024）0000003")
	srv := nationaltest.New(a, b, other)
	defer srv.Close()
	p := national.New(srv.URL + "/")
	got, err := p.Outgoing(context.Background(), a.IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Fatalf("got %+v", got)
	}
	if c, ok := national.Find(got, b.LicenseID); !ok || c.Number != b.Number {
		t.Fatalf("Find: %+v %v", c, ok)
	}
	if _, ok := national.Find(got, other.LicenseID); ok {
		t.Fatal("another person's certificate found")
	}
	none, err := p.Outgoing(context.Background(), "110101200001010010")
	if err != nil || len(none) != 0 {
		t.Fatalf("unknown person: %v %v", none, err)
	}
}

func TestOutgoingFailures(t *testing.T) {
	if national.New("  ") != nil {
		t.Fatal("an empty URL is no platform")
	}
	srv := nationaltest.New(sample("110101199001010013", "X1"))
	p := national.New(srv.URL)
	srv.SetFailing(true)
	if _, err := p.Outgoing(context.Background(), "110101199001010013"); !errors.Is(err, national.ErrUnavailable) {
		t.Fatalf("503: %v", err)
	}
	srv.SetFailing(false)
	if _, err := p.Outgoing(context.Background(), "110101199001010013"); err != nil {
		t.Fatal(err)
	}
	if srv.Calls() != 2 {
		t.Fatalf("calls %d", srv.Calls())
	}
	srv.Close()
	if _, err := p.Outgoing(context.Background(), "110101199001010013"); !errors.Is(err, national.ErrUnavailable) {
		t.Fatalf("closed: %v", err)
	}
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"certificates":[{"number":"X","license_id":"L","issued_on":"2024/01/01"}]}`))
	}))
	defer bad.Close()
	if _, err := national.New(bad.URL).Outgoing(context.Background(), "1"); !errors.Is(err, national.ErrUnavailable) {
		t.Fatalf("bad date: %v", err)
	}
}
