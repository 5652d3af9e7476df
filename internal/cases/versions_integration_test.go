//go:build integration

package cases_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"breachflow/internal/cases"
	"breachflow/internal/report"
)

// TestAmendmentsAtOnce: of several amendments based on the same version,
// exactly one becomes the next version; the others get AmendConflictError
// and record nothing a version names. Every version stays readable.
func TestAmendmentsAtOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	raw, r := sample(t)
	id, _, err := s.PutReport(ctx, raw, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(ctx, id); err != nil {
		t.Fatal(err)
	}
	const racers = 6
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, lost := 0, 0
	for i := range racers {
		wg.Go(func() {
			v := bytes.Replace(raw, []byte("Closed the bucket"), fmt.Appendf(nil, "Closed the bucket (%d)", i), 1)
			vr, err := report.Parse(v)
			if err != nil {
				t.Error(err)
				return
			}
			_, err = s.Amend(ctx, id, v, vr, "")
			mu.Lock()
			defer mu.Unlock()
			var conflict *cases.AmendConflictError
			switch {
			case err == nil:
				won++
			case errors.As(err, &conflict) && conflict.Version == 2:
				lost++
			default:
				t.Errorf("amendment %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if won != 1 || lost != racers-1 {
		t.Fatalf("%d amendments won, %d lost; want 1 and %d", won, lost, racers-1)
	}
	c, err := s.Get(ctx, id)
	if err != nil || c.Latest() != 2 || len(c.Versions) != 1 {
		t.Fatalf("case after the race: latest %d, versions %+v (%v)", c.Latest(), c.Versions, err)
	}
	v1, _, err := s.ReportVersion(ctx, id, 1)
	if err != nil || v1.MeasuresTaken[0] != "Closed the bucket" {
		t.Errorf("version 1 after the race: %v, %v", v1, err)
	}
	if _, _, err := s.ReportVersion(ctx, id, 2); err != nil {
		t.Errorf("version 2: %v", err)
	}
	// Until the execution takes it up, stages read the version it works on.
	if got, _, err := s.Report(ctx, id); err != nil || got.MeasuresTaken[0] != "Closed the bucket" {
		t.Errorf("the working version before intake takes version 2 up: %v", err)
	}
}

// TestAmendRefusals: bad amendments are refused with the field named, and
// nothing is recorded.
func TestAmendRefusals(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	raw, r := sample(t)
	id, _, _ := s.PutReport(ctx, raw, r)

	if _, err := s.Amend(ctx, id, raw, r, ""); !errors.As(err, new(*cases.NotFoundError)) {
		t.Errorf("amending a case not opened: %v, want NotFoundError", err)
	}
	if _, _, err := s.Open(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Amend(ctx, id, raw, r, ""); !errors.As(err, new(*cases.UnchangedError)) {
		t.Errorf("the same report again: %v, want UnchangedError", err)
	}
	other := bytes.Replace(raw, []byte(`"TEST-2026-0001"`), []byte(`"TEST-2026-0002"`), 1)
	or, err := report.Parse(other)
	if err != nil {
		t.Fatal(err)
	}
	var fe *cases.FieldError
	if _, err := s.Amend(ctx, id, other, or, ""); !errors.As(err, &fe) || fe.Field != "report_id" {
		t.Errorf("another report_id: %v, want a FieldError on report_id", err)
	}
	if c, err := s.Get(ctx, id); err != nil || c.Latest() != 1 || len(c.Versions) != 0 {
		t.Errorf("refused amendments recorded something: %+v, %v", c, err)
	}
}
