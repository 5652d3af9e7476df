package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"breachflow/internal/report"
)

// parseNow reads a --now flag (RFC 3339); empty means the current time.
func parseNow(flag string) (time.Time, error) {
	if flag == "" {
		return time.Now().UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, flag)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now: want RFC 3339 (2026-11-23T12:00:00Z)")
	}
	return t, nil
}

// readReport reads the report at path and validates it as of now. A report
// that fails validation is an error listing every problem on its own line.
func readReport(path string, now time.Time) ([]byte, *report.Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	r, err := report.ParseAt(raw, now)
	if err != nil {
		return nil, nil, reportError(path, err)
	}
	return raw, r, nil
}

// reportError prints every validation problem on its own line.
func reportError(path string, err error) error {
	var ve *report.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("%s: %w", path, err)
	}
	msg := fmt.Sprintf("%s: invalid report, %d problem(s):", path, len(ve.Problems))
	for _, p := range ve.Problems {
		msg += "\n  - " + p.String()
	}
	return errors.New(msg)
}
