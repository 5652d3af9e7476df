package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"breachflow/internal/assess"
	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/functions"
	"breachflow/internal/ledger"
	"breachflow/internal/postal"
	"breachflow/internal/reconcile"
)

func newExportCmd() *cobra.Command {
	export := &cobra.Command{Use: "export", Short: "Export a case's notices for channels outside AWS (postal)"}
	export.AddCommand(newExportPostalCmd())
	return export
}

func newExportPostalCmd() *cobra.Command {
	var out string
	var pdf bool
	cmd := &cobra.Command{
		Use:   "postal CASE --out DIR [--pdf]",
		Short: "Write one print-ready letter per postal-only person, in their language, for a mailing house",
		Long: `export postal writes DIR/letters.html: one A4 letter per person of the case
reachable by post only (postal address, no e-mail, no phone), each the
person's approved notice in their language under an address block placed for
a window envelope, content-checked like every notice. --pdf also prints
DIR/letters.pdf with headless Chromium. DIR/manifest.json and the case's
evidence pack keep counts and SHA-256 only; the letters file holds the
addresses (it is written 0600). The approval is verified first: only the
approved content is exported.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			caseID := args[0]
			if out == "" {
				out = filepath.Join("out", caseID, "postal")
			}
			res, err := exportPostal(ctx, env, caseID, out, time.Now())
			if err != nil {
				return err
			}
			if pdf {
				f, err := printPDF(ctx, filepath.Join(out, postal.LettersFile), filepath.Join(out, "letters.pdf"))
				if err != nil {
					return err
				}
				res.Files = append(res.Files, f)
			}
			if err := writeManifest(out, res); err != nil {
				return err
			}
			if err := (postal.Store{DB: env.dynamo(), Table: env.CaseTable, Audit: env.audit()}).Record(ctx, "export", res); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "postal export of case %s: %d letters %v in %s\n", caseID, res.Letters, res.ByLocale, out)
			for _, f := range res.Files {
				fmt.Fprintf(w, "  %s  sha256 %s  (%d bytes)\n", f.Name, f.SHA256, f.Bytes)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write the letters to (default out/<case>/postal)")
	cmd.Flags().BoolVar(&pdf, "pdf", false, "also print letters.pdf with headless Chromium (/usr/bin/chromium)")
	return cmd
}

// exportPostal verifies the case's approval, then writes its letters.
func exportPostal(ctx context.Context, env *cliEnv, caseID, out string, at time.Time) (postal.Result, error) {
	db := env.dynamo()
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		return postal.Result{}, err
	}
	cfg, err := approvalConfig(ctx, env)
	if err != nil {
		return postal.Result{}, err
	}
	approved, err := functions.ApprovalCheck(cfg.ForVerification(), env.CaseTable, db)(ctx, caseID, c.ContentHash)
	if err != nil {
		return postal.Result{}, fmt.Errorf("case %s: no letters without the approval: %w", caseID, err)
	}
	assessments := &assess.Store{DB: db, Table: env.CaseTable}
	docs := &draft.Approved{DB: db, Table: env.CaseTable, Reports: env.cases(), Assessments: assessments}
	render, err := docs.Notices(ctx, caseID, approved)
	if err != nil {
		return postal.Result{}, err
	}
	r, _, err := env.cases().Report(ctx, caseID)
	if err != nil {
		return postal.Result{}, err
	}
	a, err := assessments.Get(ctx, caseID)
	if err != nil {
		return postal.Result{}, err
	}
	sum, err := draft.LoadSummary(ctx, db, env.CaseTable, caseID)
	if err != nil {
		return postal.Result{}, err
	}
	facts := draft.Facts(r, a, sum.DraftedAt)
	shards := c.Shards
	if shards == 0 {
		shards = casetable.DefaultShards
	}
	sender := []string{facts.Org.Name}
	if facts.Org.Website != "" {
		sender = append(sender, facts.Org.Website)
	}
	return postal.Export(ctx, postal.Input{
		CaseID: caseID, Shards: shards,
		// The people of the version the workflow works on (an amended
		// case keys each version's subjects by its own set).
		// A letter goes to whom their channel plan gives one now
		// (reconcile.Reach "postal": post is their plan's next step after
		// every channel before it failed, or their only one); people
		// scoped before plans, to the postal-only.
		Walk: func(ctx context.Context, shard int, fn func(*casetable.Subject) error) error {
			return reconcile.WalkReach(ctx, db, env.CaseTable, casetable.SetID(caseID, c.Working()), shard,
				func(s *casetable.Subject, _ *ledger.ChannelSend, reach string) error {
					if reach == reconcile.ReachPostal || (s.Plan == "" && postal.PostalOnly(s)) {
						return fn(s)
					}
					return nil
				})
		},
		Select: func(s *casetable.Subject) bool { return s.Postal != "" && s.Status != casetable.StatusDuplicate },
		Render: render, Duties: facts.Duties, Sender: sender, ContentHash: approved, Out: out, At: at,
	})
}

func writeManifest(dir string, res postal.Result) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644)
}

// printPDF prints the letters with headless Chromium (A4 from the file's
// @page rule, no browser header or footer) and returns the PDF's hash.
func printPDF(ctx context.Context, html, pdf string) (postal.File, error) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		return postal.File{}, fmt.Errorf("--pdf needs chromium (make chromium installs it): %w", err)
	}
	abs, err := filepath.Abs(html)
	if err != nil {
		return postal.File{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	tmp, err := os.MkdirTemp("", "breachflow-pdf-")
	if err != nil {
		return postal.File{}, err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+tmp, "--print-to-pdf="+pdf, "file://"+abs)
	if outb, err := cmd.CombinedOutput(); err != nil {
		return postal.File{}, fmt.Errorf("chromium --print-to-pdf: %w: %s", err, outb)
	}
	// The PDF holds the addresses, as the HTML does.
	if err := os.Chmod(pdf, 0o600); err != nil {
		return postal.File{}, err
	}
	return hashFile(pdf)
}

func hashFile(path string) (postal.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return postal.File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return postal.File{}, err
	}
	return postal.File{Name: filepath.Base(path), SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: n}, nil
}
