package localtest

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"breachflow/internal/cases"
	"breachflow/internal/report"
)

// SampleReport reads one of the sample reports in events/reports (the Kakao
// Pay case is "kakaopay-alipay.json"), wherever the test runs from.
func SampleReport(t testing.TB, name string) []byte {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "..", "..", "events", "reports", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// OpenCase stores raw as a report in store, as `breachflow start` does, and
// opens its case, as intake does; it returns the case id.
func OpenCase(t testing.TB, store *cases.Store, raw []byte) string {
	t.Helper()
	r, err := report.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	id, _, err := store.PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Open(ctx, id); err != nil {
		t.Fatal(err)
	}
	return id
}
