package components

import "github.com/a-h/templ"

// List is one list screen's results: the table of rows in a region htmx can swap (ID), the column headings, a
// message when nothing matches, and the pager. Pages fill the rows (ListTable's children): a row's ID number is
// always masked (ident.MaskIDNumber), and its 详细 link is the only way to the full record.
type List struct {
	ID      string // element id of the results region: the search form's hx-target
	TestID  string
	Columns []string
	Count   int    // rows on this page
	Empty   string // e.g. 没有符合条件的人员。
	Pager   Pager
}

// Search is a list's search form: a GET to Action that works without JavaScript, and with htmx swaps only the
// list's results (Target) and keeps the address bar in step.
type Search struct {
	Action string
	Target string // the List's ID
	TestID string
	Fields []Field         // in order; a field with Options is a select
	Extra  templ.Component // links after 查询 (新增 …); may be nil
}
