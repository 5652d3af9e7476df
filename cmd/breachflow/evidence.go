package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"breachflow/internal/audit"
	"breachflow/internal/evidence"
)

func newEvidenceCmd() *cobra.Command {
	var out string
	var verify bool
	cmd := &cobra.Command{
		Use:   "evidence CASE [--out DIR] [--verify]",
		Short: "Write a case's evidence pack (report, obligations, drafts, approvals, audit log, ledger, summary), or verify its audit chain",
		Long: `evidence writes everything the case can prove to out/<case>/ (or --out):
report.json, case.json, obligations.json, drafts/, approvals.json, audit.json,
ledger.csv (one row per person: ids, status, SES message id; no addresses),
fallback.csv (people email did not reach, with the contact details substitute
notice needs) and summary.html.

--verify only checks the audit log's hash chain and says where it breaks; it
exits non-zero when it does.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			env, err := loadCLIEnv(ctx)
			if err != nil {
				return err
			}
			caseID := args[0]
			w := cmd.OutOrStdout()
			if verify {
				entries, err := audit.Log{DB: env.dynamo(), Table: env.CaseTable}.Verify(ctx, caseID)
				var brk *audit.BreakError
				if errors.As(err, &brk) {
					return fmt.Errorf("case %s: audit chain breaks at entry %d: %s", caseID, brk.Seq, brk.Reason)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "case %s: audit chain of %d entries verifies\n", caseID, len(entries))
				return nil
			}
			if out == "" {
				out = filepath.Join("out", caseID)
			}
			p, err := evidence.Source{DB: env.dynamo(), Table: env.CaseTable}.Write(ctx, caseID, out)
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
	cmd.Flags().BoolVar(&verify, "verify", false, "only verify the audit log's hash chain")
	return cmd
}

func printPack(w interface{ Write([]byte) (int, error) }, p *evidence.Pack) {
	chain := "verifies"
	if p.AuditError != nil {
		chain = "DOES NOT VERIFY: " + p.AuditError.Error()
	}
	fmt.Fprintf(w, "evidence pack: %s/summary.html (%d drafts, %d approval rounds, %d audit entries: chain %s, %d fallback)\n",
		p.Dir, len(p.Drafts), len(p.Rounds), len(p.Audit), chain, p.Fallback)
}
