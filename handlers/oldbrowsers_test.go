package handlers_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"examcert/static"
)

// The stylesheet must read on the Chromium 49–79 cores of older 360/QQ browsers, which ignore flex gap, min(),
// max(), clamp(), inset and custom properties (a rule using one of them is dropped whole, or lays out wrong).
func TestStylesheetAvoidsWhatOldCoresLack(t *testing.T) {
	css, err := static.Files.ReadFile("app.css")
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAll(css, nil)
	for name, re := range map[string]*regexp.Regexp{
		"gap":              regexp.MustCompile(`(^|[;{\s])(row-|column-)?gap\s*:`),
		"min()/max()":      regexp.MustCompile(`\b(min|max|clamp)\(`),
		"inset":            regexp.MustCompile(`(^|[;{\s])inset\s*:`),
		"custom property":  regexp.MustCompile(`var\(--|(^|[;{\s])--[a-z]`),
		"aspect-ratio":     regexp.MustCompile(`aspect-ratio\s*:`),
		":is()/:where()":   regexp.MustCompile(`:(is|where)\(`),
		"logical property": regexp.MustCompile(`(margin|padding)-(inline|block)`),
	} {
		if loc := re.FindIndex(body); loc != nil {
			t.Errorf("app.css uses %s: %q", name, body[max(loc[0]-30, 0):min(loc[1]+30, len(body))])
		}
	}
}

// app.js, the 签到 camera script and its QR decoder are ES5 (no arrow functions, let/const, template strings,
// classes, optional chaining), so that on an old core they run rather than failing to parse.
func TestScriptIsES5(t *testing.T) {
	for _, name := range []string{static.Script, static.CameraScript, static.QRDecoder} {
		js, err := static.Files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for what, re := range map[string]*regexp.Regexp{
			"arrow function":    regexp.MustCompile(`=>`),
			"let/const":         regexp.MustCompile(`\b(let|const)\s`),
			"template string":   regexp.MustCompile("`"),
			"class":             regexp.MustCompile(`\bclass\s+[A-Z]`),
			"optional chaining": regexp.MustCompile(`\?\.|\?\?`),
			"for…of":            regexp.MustCompile(`for\s*\([^)]*\bof\b`),
		} {
			if loc := re.FindIndex(js); loc != nil {
				t.Errorf("%s uses %s: %q", name, what, js[max(loc[0]-30, 0):min(loc[1]+30, len(js))])
			}
		}
	}
}

// Required-field stars and error messages are red wherever they stand (in a field, a legend, a hint, a fieldset).
func TestStarsAndErrorsAreRedEverywhere(t *testing.T) {
	css, _ := static.Files.ReadFile("app.css")
	for _, rule := range []string{".req{color:#c62828", ".error{color:#c62828"} {
		if !strings.Contains(string(css), "\n"+rule) {
			t.Errorf("app.css lacks a rule for every %s: %q", strings.SplitN(rule, "{", 2)[0], rule)
		}
	}
}

// Every photo field points to the public 一寸照片生成 tool (the profile, a staff member's photo, the 报名表, the
// batch photo upload), as the sign-in page does.
func TestPhotoFieldsLinkThePhotoTool(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ent := e.client().signIn("jianshe")
	me := e.client().signIn("zhangsan")
	plan := strconv.FormatInt(createPlan(t, e, "照片链接测试考试", nil), 10)
	for who, p := range map[string]*page{
		"个人信息维护":  me.get("/profile"),
		"报名表（本人）": me.get("/registrations/new?plan=" + plan),
		"报名表（企业）": ent.get("/registrations/new?plan=" + plan),
		"批量报名":    ent.get("/registrations/batch?plan=" + plan),
	} {
		if href, _ := p.Doc.Find(`[data-testid="photo-tool-link"]`).Attr("href"); href != "/photo-tool" {
			t.Errorf("%s (%d): no link to the photo tool (%q)", who, p.Status, href)
		}
	}
}
