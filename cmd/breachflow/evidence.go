package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"breachflow/internal/audit"
	"breachflow/internal/evidence"
)

func newEvidenceCmd() *cobra.Command {
	var out, pack string
	var verify bool
	var keys []string
	cmd := &cobra.Command{
		Use:   "evidence CASE [--out DIR] | evidence CASE --verify | evidence --verify --pack DIR",
		Short: "Write a case's evidence pack, or verify a case's audit chain, or verify a pack offline",
		Long: `evidence CASE writes everything the case can prove to out/<case>/ (or --out):
report.json, case.json, obligations.json, drafts/, approvals.json,
ledger.csv (one row per person per channel: ids, channel, status, message id; no addresses),
fallback.csv (people email did not reach, with the contact details substitute
notice needs, one row per person per report version), summary.html, manifest.json (the SHA-256 of every file),
audit.json (the case's audit chain) and audit-head.json (its head, signed
with the audit KMS key, and the key's public half). Writing the pack records
the manifest's SHA-256 in the audit chain, so the signed head covers it.

evidence CASE --verify checks the case's audit chain in the case table
against its signed head and says where it breaks.

evidence --verify --pack DIR checks a pack from the folder alone, with no
stack and no AWS account: every file against the manifest, the manifest
against the audit chain, the chain against its signed head and public key.
It names the file (and the audit entry) that fails and exits non-zero.
--key-sha256 pins the audit key's fingerprint, as the company publishes it;
without it the fingerprint the pack was signed with is printed to compare.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			if pack != "" {
				if !verify || len(args) > 0 {
					return errors.New("--pack goes with --verify and no CASE: breachflow evidence --verify --pack DIR")
				}
				return verifyPack(w, pack, keys)
			}
			if len(args) != 1 {
				return errors.New("name the case: breachflow evidence CASE, or verify a pack with --verify --pack DIR")
			}
			ctx := cmd.Context()
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			caseID := args[0]
			if verify {
				chain, err := env.audit().Verify(ctx, caseID)
				if brk, ok := errors.AsType[*audit.BreakError](err); ok {
					return fmt.Errorf("case %s: %s", caseID, brk.Error())
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "case %s: audit chain of %d entries verifies against its signed head\n", caseID, len(chain.Entries))
				return nil
			}
			if out == "" {
				out = filepath.Join("out", caseID)
			}
			p, err := env.evidence().Write(ctx, caseID, out)
			if err != nil {
				return err
			}
			printPack(w, p)
			if p.AuditError != nil {
				return fmt.Errorf("case %s: the audit chain does not verify: %v", caseID, p.AuditError)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "folder to write the pack to (default out/<case>)")
	cmd.Flags().BoolVar(&verify, "verify", false, "verify the case's audit chain (with CASE) or a pack (with --pack)")
	cmd.Flags().StringVar(&pack, "pack", "", "with --verify: the evidence pack folder to check offline")
	cmd.Flags().StringSliceVar(&keys, "key-sha256", nil, "with --pack: the audit key's published fingerprint (SHA-256 of its public key, hex)")
	return cmd
}

// verifyPack is the offline check: it reads nothing but the folder.
func verifyPack(w io.Writer, dir string, keys []string) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("pack %s: %w", dir, err)
	}
	v, err := evidence.VerifyPack(dir, evidence.VerifyOptions{KeyFingerprints: keys})
	if err != nil {
		return fmt.Errorf("pack %s does not verify: %w", dir, err)
	}
	fmt.Fprintf(w, "pack %s verifies: case %s, %d files as the manifest lists them, manifest recorded in the audit chain, %d audit entries under a head signed %s\n",
		dir, v.CaseID, v.Files, v.Entries, v.Head.SignedAt.UTC().Format("2006-01-02 15:04:05Z"))
	ids := make([]string, 0, len(v.Fingerprints))
	for id := range v.Fingerprints {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "  signed by %s, public key sha256 %s\n", id, v.Fingerprints[id])
	}
	if len(keys) == 0 {
		fmt.Fprintln(w, "  compare that fingerprint with the one your organisation publishes, or pass it with --key-sha256")
	}
	return nil
}

func printPack(w io.Writer, p *evidence.Pack) {
	chain := "verifies against its signed head"
	if p.AuditError != nil {
		chain = "DOES NOT VERIFY: " + p.AuditError.Error()
	}
	fmt.Fprintf(w, "evidence pack: %s/summary.html (%d drafts, %d approval rounds, %d audit entries: chain %s, %d fallback)\n",
		p.Dir, len(p.Drafts), len(p.Rounds), len(p.Audit), chain, p.Fallback)
	for _, pg := range p.Pages {
		fmt.Fprintf(w, "  posted %s: up %s, may come down %s, sha256 %.16s (%s)\n", pg.URL, pg.PostedAt.Format(time.RFC3339), pg.Until.Format(time.RFC3339), pg.SHA256, pg.Period.Cites())
	}
	for _, pr := range p.PageProblems {
		fmt.Fprintf(w, "  WARNING %s\n", pr)
	}
	ids := make([]string, 0, len(p.Keys))
	for id := range p.Keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "  audit key %s, public key sha256 %s; check the pack offline with: breachflow evidence --verify --pack %s\n", id, p.Keys[id], p.Dir)
	}
}
