package components

import (
	"slices"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestBarChartDrawsLabelledBarsToScale(t *testing.T) {
	doc := render(t, BarChart("合格率", []Bar{{Label: "计划甲", Share: 1, Value: "80.0%"}, {Label: "计划<乙>", Share: 0.5, Value: "40.0%"},
		{Label: "计划丙", Share: 0.001, Value: "0.1%"}, {Label: "计划丁", Share: 0, Value: "0.0%"}}))
	svg := doc.Find(`svg[data-testid="bar-chart"]`)
	if svg.Length() != 1 || svg.AttrOr("aria-label", "") != "合格率" || svg.Find("title").Text() != "合格率" {
		t.Fatalf("no labelled chart: %v", svg.Length())
	}
	var widths, texts []string
	svg.Find(`[data-testid="bar"]`).Each(func(_ int, g *goquery.Selection) {
		widths = append(widths, g.Find("rect").AttrOr("width", ""))
		texts = append(texts, g.Find("text").First().Text()+" "+g.Find("text").Last().Text())
	})
	if want := []string{"360.0", "180.0", "2.0", "0.0"}; !slices.Equal(widths, want) {
		t.Errorf("widths %v, want %v", widths, want)
	}
	if want := []string{"计划甲 80.0%", "计划<乙> 40.0%", "计划丙 0.1%", "计划丁 0.0%"}; !slices.Equal(texts, want) {
		t.Errorf("labels %v, want %v", texts, want)
	}
	if h := svg.AttrOr("height", ""); h != "88" {
		t.Errorf("height %s, want 4 bars of 22", h)
	}
}
