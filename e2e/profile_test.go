package e2e

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestProfileEmployerAutofill fills 个人信息维护 as the practitioner zhangsan. Typing an organization's code fills
// 单位名称 from the records (with JavaScript in place when the field is left, without through 核对单位代码); a code
// with a wrong check character is refused beside the field. Then the required fields are filled and saved.
func TestProfileEmployerAutofill(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			b := newTab(t, browser, srv, m.js)
			b.signIn(practitioner, demoPassword)
			b.assertScripting()
			b.clickAndLoad(`[data-testid="menu-profile.page"]`)
			b.waitVisible("[data-testid=person-form]")
			if got := b.path(); got != "/profile" {
				t.Fatalf("个人信息维护 opened %s, want /profile", got)
			}
			if b.doc().Find("#id_number[readonly]").Length() != 1 {
				t.Error("the practitioner's own ID number is editable")
			}
			if got := b.prop("#name"); got != "张三" {
				t.Errorf("姓名 = %q, want 张三", got)
			}
			if m.js {
				b.setMarker()
			}

			// check enters a code and has it checked; until says when the answer is on the page.
			check := func(code string, until func() bool) {
				t.Helper()
				if m.js {
					b.typeAndLeave("#employer_code", code)
					b.eventually("the answer for code "+code, until)
					if !b.hasMarker() {
						t.Error("the code lookup reloaded the page; with JavaScript it should fill 单位名称 in place")
					}
					return
				}
				b.retype("#employer_code", code)
				b.clickAndLoad("[data-testid=check-org]")
				b.waitVisible("[data-testid=employer-fields]")
				if got := b.path(); got != "/profile" {
					t.Errorf("after 核对单位代码 the tab is on %s, want /profile", got)
				}
				if !until() {
					t.Errorf("after 核对单位代码 the form shows no answer for %s", code)
				}
			}
			found := func() bool { return b.prop("#employer_name") == jiansheName }

			check(jiansheCreditCode, found)
			if got := b.prop("#employer_name"); got != jiansheName {
				t.Errorf("单位名称 = %q for %s, want %s", got, jiansheCreditCode, jiansheName)
			}
			if got := b.text("[data-testid=org-message]"); !strings.Contains(got, "已找到登记单位") {
				t.Errorf("the form says %q, want 已找到登记单位", got)
			}
			if got := b.text("[data-testid=error-employer_code]"); got != "" {
				t.Errorf("a registered code is marked wrong: %s", got)
			}

			bad := jiansheCreditCode[:17] + "0"
			check(bad, func() bool { return b.text("[data-testid=error-employer_code]") != "" })
			if got := b.text("[data-testid=error-employer_code]"); got == "" {
				t.Errorf("code %s with a wrong check character is not refused", bad)
			}
			if got := b.text("[data-testid=org-message]"); strings.Contains(got, "已找到") {
				t.Errorf("a wrong code still says %q", got)
			}

			// The 9-character 组织机构代码 of the same enterprise is found too.
			check(jiansheOrgCode, func() bool { return b.text("[data-testid=error-employer_code]") == "" && found() })
			if got := b.text("[data-testid=org-message]"); !strings.Contains(got, jiansheName) {
				t.Errorf("organization code %s: the form says %q, want %s found", jiansheOrgCode, got, jiansheName)
			}

			b.choose("#education", "大专")
			b.retype("#phone", "13512345678")
			b.choose("#work_start_date", "2010-09-01")
			b.clickAndLoad("[data-testid=person-save]")
			if got := b.path(); got != "/profile?ok=1" {
				t.Fatalf("after 保存 the tab is on %s (%q; %q), want /profile?ok=1",
					got, b.text("[data-testid=alert-error]"), b.doc().Find(".field .error").Text())
			}
			if got := b.text("[data-testid=alert-ok]"); got != "修改保存成功" {
				t.Errorf("after 保存 the page says %q, want 修改保存成功", got)
			}
			for sel, want := range map[string]string{"#education": "大专", "#phone": "13512345678",
				"#work_start_date": "2010-09-01", "#employer_name": jiansheName} {
				if got := b.prop(sel); got != want {
					t.Errorf("after 保存 %s = %q, want %q", sel, got, want)
				}
			}
		})
	}
}

// TestProfilePhotoUpload uploads a 1600×1200 JPEG as zhangsan's 一寸照片 and checks, through the browser, that
// what is shown is a 295×413 JPEG. With JavaScript the chosen photo is previewed, and dragging on the preview fills
// the crop fields with a 5:7 box, which the upload then uses; without, the photo is cropped in the middle.
func TestProfilePhotoUpload(t *testing.T) {
	onceAcrossDatabases(t)
	t.Parallel()
	bin := testBinary(t)
	browser := newBrowser(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			srv := startServer(t, bin)
			file := twoTonePhoto(t, 1600, 1200, "jpeg")
			b := newTab(t, browser, srv, m.js)
			b.signIn(practitioner, demoPassword)
			b.open("/profile")
			b.waitVisible("[data-testid=photo-form]")
			b.assertScripting()
			if b.doc().Find("[data-testid=photo-img]").Length() != 0 {
				t.Fatal("zhangsan already has a photo")
			}
			if got, _ := b.doc().Find("[data-testid=photo-form]").Attr("enctype"); got != "multipart/form-data" {
				t.Errorf("the photo form has enctype %q, want multipart/form-data", got)
			}

			b.choosePhoto(file)
			wantRight := "blue" // the middle of the photo holds both halves
			if m.js {
				img := b.box("#crop-preview img")
				if img.W < 100 || img.H < 100 {
					t.Fatalf("the preview is %.0f×%.0f", img.W, img.H)
				}
				// A box in the red left half: from 5% in, 40% of the preview wide (so 56% of its height).
				x0, y0 := img.X+img.W*0.05, img.Y+img.H*0.05
				b.drag(x0, y0, x0+img.W*0.40, y0+img.H*0.6)
				b.waitVisible("#crop-preview .crop-box")
				var crop [4]int
				for i, f := range []string{"crop_x", "crop_y", "crop_w", "crop_h"} {
					v := b.prop("#" + f)
					n, err := strconv.Atoi(v)
					if err != nil {
						t.Fatalf("after the drag %s = %q, want a number", f, v)
					}
					crop[i] = n
				}
				if ratio := float64(crop[2]) / float64(crop[3]); math.Abs(ratio-5.0/7) > 0.02 {
					t.Errorf("the crop box %v has w:h = %.3f, want about 5:7 (%.3f)", crop, ratio, 5.0/7)
				}
				if crop[0]+crop[2] > 800 || crop[2] < 400 {
					t.Errorf("the crop box %v is not the one dragged (in the left half, about 640 wide)", crop)
				}
				if open := run(b, chromedp.Evaluate[bool](`document.querySelector("details.crop-fields").open`)); !open {
					t.Error("the crop fields stay folded after the drag")
				}
				wantRight = "red" // the box lies in the left half
			} else if b.doc().Find("#crop-preview[hidden]").Length() != 1 {
				t.Error("without JavaScript the empty crop preview should stay hidden")
			}

			b.clickAndLoad("[data-testid=photo-upload]")
			if got := b.path(); got != "/profile?photo=ok" {
				t.Fatalf("after 上传 the tab is on %s (%q), want /profile?photo=ok", got, b.text("#photo-panel [data-testid=alert-error]"))
			}
			if got := b.text("#photo-panel [data-testid=alert-ok]"); got != "照片上传成功" {
				t.Errorf("the photo panel says %q, want 照片上传成功", got)
			}
			src, _ := b.doc().Find("[data-testid=photo-img]").Attr("src")
			if src == "" {
				t.Fatal("no photo is shown after the upload")
			}
			b.waitVisible("[data-testid=photo-img]")
			data, typ := b.fetch(src)
			if typ != "image/jpeg" {
				t.Errorf("the photo is served as %q, want image/jpeg", typ)
			}
			photo := decodePhoto(t, "the stored photo", data)
			if got := tone(photo, 40, 200); got != "red" {
				t.Errorf("the left of the stored photo is %s, want red", got)
			}
			if got := tone(photo, 255, 200); got != wantRight {
				t.Errorf("the right of the stored photo is %s, want %s", got, wantRight)
			}
			// The browser itself could show it.
			if w := run(b, chromedp.Evaluate[int](`document.querySelector("[data-testid=photo-img]").naturalWidth`)); w != 295 {
				t.Errorf("the page's <img> is %d pixels wide, want 295", w)
			}
			b.screenshot("profile-" + m.name)
		})
	}
}
