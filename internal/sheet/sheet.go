// Package sheet writes the CSV files breachflow hands to people (the
// fallback list, the evidence pack's ledger), which they open in a
// spreadsheet. A cell that a spreadsheet would read as a formula is a way
// to run code on the reader's machine (CSV injection), and the cells come
// from the customer's user table, so every cell is neutralised as OWASP's
// CSV-injection guidance says: a cell that starts with = + - @ TAB or CR
// gets a leading apostrophe, which spreadsheets show as text and drop.
//
// That includes E.164 phone numbers ("+8210..."): a tool that reads the
// file as data strips the apostrophe (Cell undoes it). Callers write through
// Writer, never through encoding/csv directly.
package sheet

import (
	"encoding/csv"
	"io"
	"strings"
)

// Writer is a csv.Writer that neutralises every cell.
type Writer struct {
	w   *csv.Writer
	row []string
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one row, each cell neutralised.
func (w *Writer) Write(cells []string) error {
	w.row = w.row[:0]
	for _, c := range cells {
		w.row = append(w.row, Neutralise(c))
	}
	return w.w.Write(w.row)
}

// Flush writes any buffered rows and returns the first error met.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// Neutralise returns s as a spreadsheet shows it as text.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Cell undoes Neutralise for a program that reads the file as data.
func Cell(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}
