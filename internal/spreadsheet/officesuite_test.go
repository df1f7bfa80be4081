package spreadsheet

import (
	"archive/zip"
	"bytes"
	"testing"
)

// What an office suite makes of dates and codes typed into General cells: a number cell whose month is lost
// ("2012.10" → 2012.1) or whose leading zeros are gone ("010…" → 10…). Text cells and unambiguous numbers pass.
func TestNumberCellsFromOfficeSuites(t *testing.T) {
	body := headerRow +
		`<row r="2"><c r="A2"><v>2012.1</v></c><c r="B2"><v>1012345678</v></c><c r="C2"><v>41183</v></c></row>` +
		`<row r="3"><c r="A3"><v>2012.12</v></c><c r="B3"><v>13800000001</v></c><c r="C3"><v>2012.05</v></c></row>` +
		`<row r="4">` + is("A4", "2012.1") + is("B4", "1012345678") + `<c r="C4"><v>2012.2</v></c></row>`
	rows, err := readBytes(withSheetXML(t, body), smallCols, Limits{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows: %+v", rows)
	}
	type got struct{ ambiguous, zeros, otherAmbiguous bool }
	want := []got{
		{true, true, false},   // number cells: 2012.1 (Jan or Oct?), a landline that lost its 0; a date serial
		{false, false, false}, // 2012.12 is December; a mobile number is whole; 2012.05 is May
		{false, false, false}, // text cells are as typed; 2012.2 can only be February
	}
	for i, r := range rows {
		g := got{r.AmbiguousMonth("name"), r.LostLeadingZeros("id_number", 11), r.AmbiguousMonth("gender")}
		if g != want[i] {
			t.Errorf("row %d (%+v): got %+v, want %+v", r.Number, r.Cells, g, want[i])
		}
	}
}

// An .ods file (LibreOffice's own format) is named as such, with the fix; any other zip stays "not an Excel file".
func TestReadODS(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
	w, _ = zw.Create("content.xml")
	w.Write([]byte(`<?xml version="1.0"?><office:document-content/>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = readBytes(buf.Bytes(), smallCols, Limits{TempDir: t.TempDir()})
	mustFileError(t, err, "这是OpenDocument表格（.ods）文件，请在办公软件中另存为 .xlsx 后再上传")

	buf.Reset()
	zw = zip.NewWriter(&buf)
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	w.Write([]byte("application/vnd.oasis.opendocument.text"))
	zw.Close()
	_, err = readBytes(buf.Bytes(), smallCols, Limits{TempDir: t.TempDir()})
	mustFileError(t, err, "不是有效的Excel文件")
}
