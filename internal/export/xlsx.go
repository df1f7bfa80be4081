// Package export writes lists as .xlsx while they are read: rows go through excelize's StreamWriter (which keeps
// at most a chunk in memory and spills the rest to a temporary file), and the finished workbook is written straight
// to the response, so that a list of any length costs bounded memory.
package export

import (
	"errors"
	"io"

	"github.com/xuri/excelize/v2"
)

// XLSX is a one-sheet workbook being written a row at a time.
type XLSX struct {
	f    *excelize.File
	sw   *excelize.StreamWriter
	next int // the next row number
	cols int
	buf  []any
}

// Column is a column of the sheet: its header and width in characters (0: from the header).
type Column struct {
	Header string
	Width  float64
}

// NewXLSX starts a workbook whose one sheet, named sheet, has the columns' headers in bold in row 1 (frozen).
// Close it when done (Write does).
func NewXLSX(sheet string, cols []Column) (*XLSX, error) {
	if len(cols) == 0 {
		return nil, errors.New("export: no columns")
	}
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	x := &XLSX{f: f, sw: sw, next: 1, cols: len(cols), buf: make([]any, len(cols))}
	for i, c := range cols {
		w := c.Width
		if w == 0 {
			w = float64(len([]rune(c.Header))*2 + 4)
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			x.Close()
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		x.Close()
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		x.Close()
		return nil, err
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: bold, Value: c.Header}
	}
	if err := x.row(head); err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// Row appends one row of text cells (missing cells are empty, extra ones are an error). Every value is written as
// a string, never as a formula, whatever it starts with.
func (x *XLSX) Row(cells ...string) error {
	if len(cells) > x.cols {
		return errors.New("export: more cells than columns")
	}
	for i := range x.buf {
		x.buf[i] = nil
		if i < len(cells) {
			x.buf[i] = cells[i]
		}
	}
	return x.row(x.buf)
}

func (x *XLSX) row(values []any) error {
	cell, err := excelize.CoordinatesToCellName(1, x.next)
	if err != nil {
		return err
	}
	x.next++
	return x.sw.SetRow(cell, values)
}

// Rows is how many data rows were written (the header not counted).
func (x *XLSX) Rows() int { return x.next - 2 }

// Write finishes the sheet, writes the workbook to w and closes it.
func (x *XLSX) Write(w io.Writer) error {
	defer x.Close()
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(w)
	return err
}

// Close releases the workbook's temporary files.
func (x *XLSX) Close() error { return x.f.Close() }
