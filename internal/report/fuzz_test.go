package report_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"breachflow/internal/report"
)

// FuzzParse: any input gives a report or a *ValidationError, never a panic
// or another error type, and a parsed report re-validates.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../../events/reports/*.json")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(minimal))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"timeline": {"aware": "not a time"}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := report.ParseAt(data, now)
		if err != nil {
			var ve *report.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if len(ve.Problems) == 0 {
				t.Fatal("ValidationError without problems")
			}
			return
		}
		if r == nil {
			t.Fatal("nil report without error")
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("../../events/reports/kakaopay-alipay.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := report.ParseAt(data, now); err != nil {
			b.Fatal(err)
		}
	}
}
