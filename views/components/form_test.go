package components

import (
	"bytes"
	"context"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func render(t *testing.T, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(WithCSRF(context.Background(), "tok123"), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestInputShowsRequiredAndError(t *testing.T) {
	doc := render(t, Input(Field{Name: "phone", Label: "手机号码", Value: `"><script>x</script>`, Required: true, Error: "格式不正确"}))
	if doc.Find(`[data-testid="field-phone"] .req`).Length() != 1 {
		t.Error("required field has no red *")
	}
	in := doc.Find("input#phone")
	if v, _ := in.Attr("value"); v != `"><script>x</script>` || doc.Find("script").Length() != 0 {
		t.Error("the value was not kept as inert text")
	}
	if v, _ := in.Attr("aria-invalid"); v != "true" {
		t.Error("invalid field not marked")
	}
	if got := doc.Find(`[data-testid="error-phone"]`).Text(); got != "格式不正确" {
		t.Errorf("error text %q", got)
	}
	if v, _ := in.Attr("aria-describedby"); v != "phone-error" {
		t.Errorf("aria-describedby %q", v)
	}
	// A repeated field gets its own id.
	doc = render(t, Input(Field{ID: "phone-7", Name: "phone", Label: "手机号码"}))
	if doc.Find("input#phone-7[name=phone]").Length() != 1 || doc.Find(`label[for="phone-7"]`).Length() != 1 {
		t.Error("ID not used")
	}
}

func TestCSRFFieldAndSelect(t *testing.T) {
	doc := render(t, CSRFField())
	if v, _ := doc.Find(`input[name="_csrf"]`).Attr("value"); v != "tok123" {
		t.Errorf("csrf %q", v)
	}
	doc = render(t, Select(Field{Name: "education", Label: "学历", Value: "本科"}, Options("请选择", []string{"大专", "本科"})))
	if v, _ := doc.Find("option[selected]").Attr("value"); v != "本科" {
		t.Errorf("selected %q", v)
	}
	if doc.Find("option").Length() != 3 {
		t.Error("options")
	}
}
