//go:build integration

package evidence_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/evidence"
	"breachflow/internal/local/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// writePack opens a case from the sample report on dynalite, gives it a few
// audit entries signed by the local KMS, and writes its pack.
func writePack(t *testing.T) (string, *evidence.Pack) {
	t.Helper()
	ctx := context.Background()
	db := localtest.DynamoDB(t)
	table := localtest.NewTable(t, db)
	raw, err := os.ReadFile("../cases/testdata/report.json")
	if err != nil {
		t.Fatal(err)
	}
	store := &cases.Store{DB: db, Table: table}
	id := localtest.OpenCase(t, store, raw)
	log := localtest.Audit(t, table)
	for _, a := range []string{"case.opened", "approval.rejected"} {
		if _, err := log.Append(ctx, id, audit.Record{Actor: "test", Action: a}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	p, err := evidence.Source{DB: db, Table: table, Audit: log}.Write(ctx, id, dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.AuditError != nil {
		t.Fatalf("fresh chain: %v", p.AuditError)
	}
	return dir, p
}

func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
	return to
}

// TestPackProvesItself is issue 20's must-show: offline verification passes
// on a fresh pack and fails, naming the file, after one byte of any file
// changes; and names the file when one is removed or added.
func TestPackProvesItself(t *testing.T) {
	dir, p := writePack(t)
	v, err := evidence.VerifyPack(dir, evidence.VerifyOptions{})
	if err != nil {
		t.Fatalf("fresh pack: %v", err)
	}
	if v.CaseID != p.Case.CaseID || v.Entries != 3 || len(v.Fingerprints) != 1 {
		t.Errorf("verified %+v, want case %s with 3 entries (2 + the pack's) and one key", v, p.Case.CaseID)
	}
	// The fingerprint the writer printed pins the key.
	var fps []string
	for _, fp := range p.Keys {
		fps = append(fps, fp)
	}
	if _, err := evidence.VerifyPack(dir, evidence.VerifyOptions{KeyFingerprints: fps}); err != nil {
		t.Errorf("pinned to the writer's key: %v", err)
	}
	if _, err := evidence.VerifyPack(dir, evidence.VerifyOptions{KeyFingerprints: []string{strings.Repeat("0", 64)}}); err == nil {
		t.Error("pinned to another key: the pack verified")
	}

	var files []string
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"manifest.json", "audit.json", "audit-head.json", "ledger.csv", "fallback.csv", "summary.html", "report.json", "case.json", "approvals.json"} {
		if !slices.Contains(files, want) {
			t.Errorf("the pack lacks %s: %v", want, files)
		}
	}
	for _, f := range files {
		for _, at := range []string{"first", "middle", "last"} {
			t.Run(f+"/"+at+" byte", func(t *testing.T) {
				d := copyDir(t, dir)
				path := filepath.Join(d, filepath.FromSlash(f))
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				i := map[string]int{"first": 0, "middle": len(b) / 2, "last": len(b) - 1}[at]
				b[i] ^= 0x01
				if err := os.WriteFile(path, b, 0o644); err != nil {
					t.Fatal(err)
				}
				_, err = evidence.VerifyPack(d, evidence.VerifyOptions{})
				var pe *evidence.PackError
				if !errors.As(err, &pe) || pe.File != f {
					t.Fatalf("one byte of %s changed: %v, want the file named", f, err)
				}
			})
		}
	}
	t.Run("a file removed", func(t *testing.T) {
		d := copyDir(t, dir)
		os.Remove(filepath.Join(d, "ledger.csv"))
		_, err := evidence.VerifyPack(d, evidence.VerifyOptions{})
		var pe *evidence.PackError
		if !errors.As(err, &pe) || pe.File != "ledger.csv" || !strings.Contains(pe.Reason, "missing") {
			t.Fatalf("ledger.csv removed: %v", err)
		}
	})
	t.Run("a file added", func(t *testing.T) {
		d := copyDir(t, dir)
		os.WriteFile(filepath.Join(d, "drafts", "extra.html"), []byte("<p>"), 0o644)
		_, err := evidence.VerifyPack(d, evidence.VerifyOptions{})
		var pe *evidence.PackError
		if !errors.As(err, &pe) || pe.File != "drafts/extra.html" {
			t.Fatalf("a file added: %v", err)
		}
	})
	t.Run("the last audit entries cut from the pack", func(t *testing.T) {
		d := copyDir(t, dir)
		var chain struct {
			CaseID  string        `json:"case_id"`
			Entries []audit.Entry `json:"entries"`
		}
		raw, _ := os.ReadFile(filepath.Join(d, "audit.json"))
		if err := jsonUnmarshal(raw, &chain); err != nil {
			t.Fatal(err)
		}
		chain.Entries = chain.Entries[:1]
		writeJSON(t, filepath.Join(d, "audit.json"), chain)
		_, err := evidence.VerifyPack(d, evidence.VerifyOptions{})
		var pe *evidence.PackError
		if !errors.As(err, &pe) || pe.File != "audit.json" || pe.Entry != 2 || !strings.Contains(pe.Reason, "entries 2 to 3 of the 3") {
			t.Fatalf("entries cut: %v, want audit.json entry 2 named", err)
		}
	})
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// writeJSON writes v as the pack writer does (indented, newline), so only
// the values differ.
func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
