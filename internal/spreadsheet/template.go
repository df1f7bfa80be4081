package spreadsheet

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the template. Read uses DataSheetName when present.
const (
	DataSheetName        = "报名信息"
	InstructionSheetName = "填写说明"
	ChoiceSheetName      = "选项"
)

// TemplateRows is how many data rows (2..TemplateRows+1) the template's
// drop-down lists cover.
const TemplateRows = 10000

// Column describes one column of an import template and how Read finds it.
type Column struct {
	Key      string   // stable key used in code, e.g. "id_number"
	Header   string   // header text in row 1, e.g. "身份证号"
	Required bool     // header gets a red "*"; Read reports a missing required header as a FileError
	Text     bool     // the whole column is formatted as text (@): ID numbers, codes, phone numbers
	Choices  []string // drop-down list (data validation); long lists live on the hidden "选项" sheet
	Width    float64  // column width in characters; 0 picks one from the header
	Note     string   // shown on the 填写说明 sheet
}

// TemplateSpec describes a whole import template.
type TemplateSpec struct {
	Title        string
	Columns      []Column
	Instructions []string
	Example      []string // one example row, by column order; shown on the 填写说明 sheet only
}

// WriteTemplate writes the import template as .xlsx to w:
//
//   - sheet "报名信息": row 1 holds the headers (bold, on a tinted
//     background, required ones preceded by a red "*"), frozen; Text columns
//     have the text number format (@) as column style, so that what is typed
//     or pasted there stays text; Choices columns have a drop-down list on
//     rows 2..10001 that refuses other values; the data rows are empty (the
//     example lives on the instructions sheet, so it cannot be imported by
//     mistake);
//   - sheet "填写说明": the title, the instructions, then one line per column
//     with its header, 必填/选填, format, the example value and the note;
//   - sheet "选项" (hidden, only if needed): the values of drop-down lists too
//     long or too special (commas, quotes, a leading "=") for an inline list.
//
// Every text from spec is written as a string cell, never as a formula.
func WriteTemplate(w io.Writer, spec TemplateSpec) error {
	if err := checkSpec(spec); err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := buildTemplate(f, spec); err != nil {
		return fmt.Errorf("spreadsheet: template: %w", err)
	}
	return f.Write(w)
}

func checkSpec(spec TemplateSpec) error {
	if len(spec.Columns) == 0 {
		return errors.New("spreadsheet: template has no columns")
	}
	if len(spec.Columns) > 1000 {
		return errors.New("spreadsheet: template has too many columns")
	}
	if len(spec.Example) > len(spec.Columns) {
		return errors.New("spreadsheet: example row is longer than the columns")
	}
	keys, headers := map[string]bool{}, map[string]bool{}
	for _, c := range spec.Columns {
		h := headerKey(c.Header)
		if c.Key == "" || h == "" {
			return fmt.Errorf("spreadsheet: column %q/%q needs a key and a header", c.Key, c.Header)
		}
		if keys[c.Key] || headers[h] {
			return fmt.Errorf("spreadsheet: duplicate column %q/%q", c.Key, c.Header)
		}
		keys[c.Key], headers[h] = true, true
	}
	return nil
}

func buildTemplate(f *excelize.File, spec TemplateSpec) error {
	const data = DataSheetName
	if err := f.SetSheetName("Sheet1", data); err != nil {
		return err
	}
	headerStyle, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 11},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border:    thinBorder(),
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		NumFmt:    49,
	})
	if err != nil {
		return err
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	red := &excelize.Font{Bold: true, Size: 11, Color: "FF0000"}
	bold := &excelize.Font{Bold: true, Size: 11}

	choiceCol := 0 // columns used on the 选项 sheet
	for i, c := range spec.Columns {
		col, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return err
		}
		// Column style first: SetColStyle also restyles the cells already in
		// the column, the header included.
		if c.Text {
			if err := f.SetColStyle(data, col, textStyle); err != nil {
				return err
			}
		}
		cell := col + "1"
		if c.Required {
			err = f.SetCellRichText(data, cell, []excelize.RichTextRun{
				{Text: "*", Font: red}, {Text: c.Header, Font: bold},
			})
		} else {
			err = f.SetCellStr(data, cell, c.Header)
		}
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(data, cell, cell, headerStyle); err != nil {
			return err
		}
		width := c.Width
		if width <= 0 {
			width = max(10, float64(displayWidth(c.Header))+4)
			if c.Text {
				width = max(width, 20)
			}
		}
		if err := f.SetColWidth(data, col, col, width); err != nil {
			return err
		}
		if len(c.Choices) > 0 {
			dv := excelize.NewDataValidation(true)
			dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, TemplateRows+1)
			if inlineChoices(c.Choices) {
				if err := dv.SetDropList(c.Choices); err != nil {
					return err
				}
			} else {
				if choiceCol == 0 {
					if _, err := f.NewSheet(ChoiceSheetName); err != nil {
						return err
					}
				}
				choiceCol++
				cc, _ := excelize.ColumnNumberToName(choiceCol)
				for r, v := range c.Choices {
					if err := f.SetCellStr(ChoiceSheetName, fmt.Sprintf("%s%d", cc, r+1), v); err != nil {
						return err
					}
				}
				dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$1:$%s$%d", ChoiceSheetName, cc, cc, len(c.Choices)))
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "输入有误", "请从下拉列表中选择")
			if err := f.AddDataValidation(data, dv); err != nil {
				return err
			}
		}
	}
	if err := f.SetRowHeight(data, 1, 24); err != nil {
		return err
	}
	if err := f.SetPanes(data, &excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	}); err != nil {
		return err
	}
	if err := buildInstructions(f, spec, headerStyle); err != nil {
		return err
	}
	if choiceCol > 0 {
		if err := f.SetSheetVisible(ChoiceSheetName, false); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	if spec.Title != "" {
		if err := f.SetDocProps(&excelize.DocProperties{Title: spec.Title}); err != nil {
			return err
		}
	}
	return nil
}

// inlineChoices: a list can be written into the validation itself when it
// fits Excel's 255-character limit and no value needs quoting.
func inlineChoices(choices []string) bool {
	n := 0
	for _, c := range choices {
		if c == "" || strings.ContainsAny(c, `,"`) || strings.HasPrefix(c, "=") {
			return false
		}
		n += len([]rune(c)) + 1
	}
	return n-1 <= 255
}

func buildInstructions(f *excelize.File, spec TemplateSpec, headerStyle int) error {
	const sh = InstructionSheetName
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	widths := map[string]float64{"A": 20, "B": 10, "C": 12, "D": 24, "E": 60}
	for col, wd := range widths {
		if err := f.SetColWidth(sh, col, col, wd); err != nil {
			return err
		}
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}})
	if err != nil {
		return err
	}
	wrapStyle, err := f.NewStyle(&excelize.Style{
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}, NumFmt: 49,
	})
	if err != nil {
		return err
	}
	cellStyle, err := f.NewStyle(&excelize.Style{
		Border: thinBorder(), NumFmt: 49,
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	if err != nil {
		return err
	}
	boldStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}})
	if err != nil {
		return err
	}

	row := 1
	put := func(cell, v string, style int) error {
		if err := f.SetCellStr(sh, cell, v); err != nil {
			return err
		}
		if style != 0 {
			return f.SetCellStyle(sh, cell, cell, style)
		}
		return nil
	}
	title := spec.Title
	if title == "" {
		title = "报名表导入模版"
	}
	if err := put("A1", title, titleStyle); err != nil {
		return err
	}
	if err := f.SetRowHeight(sh, 1, 28); err != nil {
		return err
	}
	row = 3
	if len(spec.Instructions) > 0 {
		if err := put(fmt.Sprintf("A%d", row), "填写说明", boldStyle); err != nil {
			return err
		}
		row++
		for i, text := range spec.Instructions {
			a, e := fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row)
			if err := put(a, fmt.Sprintf("%d. %s", i+1, text), wrapStyle); err != nil {
				return err
			}
			if err := f.MergeCell(sh, a, e); err != nil {
				return err
			}
			lines := displayWidth(text)/110 + 1
			if err := f.SetRowHeight(sh, row, float64(16*lines+4)); err != nil {
				return err
			}
			row++
		}
		row++
	}
	if err := put(fmt.Sprintf("A%d", row), "各列说明（数据请填写在“"+DataSheetName+"”工作表，第1行表头请勿修改）", boldStyle); err != nil {
		return err
	}
	row++
	for i, h := range []string{"列名", "是否必填", "格式", "示例", "说明"} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := put(fmt.Sprintf("%s%d", col, row), h, headerStyle); err != nil {
			return err
		}
	}
	row++
	for i, c := range spec.Columns {
		required, format := "选填", "常规"
		if c.Required {
			required = "必填"
		}
		if c.Text {
			format = "文本"
		}
		note := c.Note
		if len(c.Choices) > 0 {
			format = "下拉选择"
			opts := "可选：" + strings.Join(c.Choices, "、")
			if note != "" {
				note += "\n"
			}
			note += opts
		}
		example := ""
		if i < len(spec.Example) {
			example = spec.Example[i]
		}
		for j, v := range []string{c.Header, required, format, example, note} {
			col, _ := excelize.ColumnNumberToName(j + 1)
			if err := put(fmt.Sprintf("%s%d", col, row), v, cellStyle); err != nil {
				return err
			}
		}
		row++
	}
	return nil
}

func thinBorder() []excelize.Border {
	var b []excelize.Border
	for _, side := range []string{"left", "right", "top", "bottom"} {
		b = append(b, excelize.Border{Type: side, Color: "BFBFBF", Style: 1})
	}
	return b
}

// displayWidth counts East Asian wide characters as 2.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r > 0x2E80 || unicode.Is(unicode.Han, r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
