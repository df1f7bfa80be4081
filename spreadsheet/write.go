package spreadsheet

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// WriteSheet writes an export: one sheet with a bold, frozen header row and
// the rows below it. Every value is written as a string cell (an inline
// string), never as a formula or a number, so "=1+1", "+SUM(A1)", "-2" and
// "@x" stay literal text and no <f> element is ever written: user data cannot
// become a formula in Excel. It streams (excelize StreamWriter), so large
// exports do not build the sheet in memory; rows spilling to disk go to a
// private 0700 temporary directory that is removed before it returns.
//
// excelize replaces characters that XML cannot hold (control characters
// other than tab and line breaks) with U+FFFD and cuts values at Excel's
// 32,767-character cell limit.
func WriteSheet(w io.Writer, sheetName string, headers []string, rows [][]string) (err error) {
	dir, err := privateTempDir("")
	if err != nil {
		return err
	}
	defer func() {
		if rmErr := os.RemoveAll(dir); rmErr != nil && err == nil {
			err = fmt.Errorf("spreadsheet: removing temporary files: %w", rmErr)
		}
	}()
	f := excelize.NewFile(excelize.Options{TmpDir: dir})
	defer f.Close()
	if sheetName != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheetName); err != nil {
			return fmt.Errorf("spreadsheet: sheet name %q: %w", sheetName, err)
		}
		// SetSheetName changes nothing for an invalid name without an error
		// in every case; make sure the sheet is there.
		if idx, _ := f.GetSheetIndex(sheetName); idx < 0 {
			return fmt.Errorf("spreadsheet: invalid sheet name %q", sheetName)
		}
	}
	sw, err := f.NewStreamWriter(sheetName)
	if err != nil {
		return fmt.Errorf("spreadsheet: %w", err)
	}
	headStyle, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	})
	if err != nil {
		return err
	}
	// Column widths from the header and the first rows; must precede SetRow.
	ncols := len(headers)
	for _, r := range rows {
		ncols = max(ncols, len(r))
	}
	if ncols > maxColumns {
		return fmt.Errorf("spreadsheet: %d columns is more than Excel allows", ncols)
	}
	for c := 0; c < ncols; c++ {
		wd := 8
		if c < len(headers) {
			wd = max(wd, displayWidth(headers[c])+2)
		}
		for _, r := range rows[:min(len(rows), 200)] {
			if c < len(r) {
				wd = max(wd, displayWidth(r[c])+2)
			}
		}
		if err := sw.SetColWidth(c+1, c+1, float64(min(wd, 60))); err != nil {
			return err
		}
	}
	if len(headers) > 0 {
		if err := sw.SetPanes(&excelize.Panes{
			Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		}); err != nil {
			return err
		}
	}
	next := 1
	if len(headers) > 0 {
		vals := make([]any, len(headers))
		for i, h := range headers {
			vals[i] = excelize.Cell{StyleID: headStyle, Value: h}
		}
		if err := sw.SetRow("A1", vals); err != nil {
			return err
		}
		next = 2
	}
	vals := make([]any, 0, ncols)
	for i, r := range rows {
		row := next + i
		if row > maxRowNumber {
			return fmt.Errorf("spreadsheet: %d rows is more than Excel allows", len(rows))
		}
		vals = vals[:0]
		for _, v := range r {
			vals = append(vals, v) // a Go string: written as an inline string cell
		}
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// CSVCell makes s safe as a CSV field against formula injection: a value
// starting with = + - @ tab or carriage return gets a leading "'" so that a
// spreadsheet shows it as text instead of evaluating it. Quoting for CSV
// syntax is left to encoding/csv.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
