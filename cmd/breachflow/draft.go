package main

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"breachflow/internal/draft"
	"breachflow/internal/notice"
	"breachflow/internal/rules"
)

func newDraftCmd() *cobra.Command {
	var nowFlag, dir string
	cmd := &cobra.Command{
		Use:   "draft REPORT.json --preview DIR [--now TIME]",
		Short: "Draft the regulator filings and customer notices of a report, offline, as HTML to read",
		Long: `draft assesses a breach report (as 'assess' does) and drafts every document the
case needs: one filing per required regulator obligation, sample customer
notices for a synthetic person in every language, and the substitute notice
for the website. Each document is checked for the content elements its law
requires; a missing one stops with the element and the citation. --preview
writes them as HTML files with an index.html, to read before anything is
sent. --now (RFC 3339, default the current time) is the documents' date.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			now, err := parseNow(nowFlag)
			if err != nil {
				return err
			}
			if dir == "" {
				return fmt.Errorf("--preview DIR is required: the folder to write the drafts to")
			}
			_, r, err := readReport(args[0], now)
			if err != nil {
				return err
			}
			a, err := rules.Assess(r, nil, now)
			if err != nil {
				return err
			}
			ds, err := draft.Build(r, a, now)
			if err != nil {
				return err
			}
			hash := draft.ContentHash(ds)
			unverified := draft.UnverifiedContacts(ds)
			if err := writePreview(dir, r.ReportID, hash, ds, unverified); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d drafts in %s (open %s)\ncontent hash %s\n",
				len(ds), dir, filepath.Join(dir, "index.html"), hash)
			if len(unverified) > 0 {
				fmt.Fprintf(out, "check before approving: the drafts print %d bodies' contact details that are UNVERIFIED (background knowledge):\n", len(unverified))
				for _, c := range unverified {
					fmt.Fprintf(out, "  %s: %s\n", c.Party, c.DetailList())
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&nowFlag, "now", "", "the documents' date, RFC 3339 (default: now)")
	cmd.Flags().StringVar(&dir, "preview", "", "folder to write the drafts and index.html to")
	return cmd
}

var previewIndex = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Drafts of {{.ReportID}}</title>
<style>body{font:12pt system-ui,sans-serif;margin:2em}td,th{padding:.2em .6em;text-align:left;border-bottom:1px solid #ccc}code{font-size:10pt}</style></head>
<body><h1>Drafts of report {{.ReportID}}</h1>
<p>Content hash (what an approval binds to): <code>{{.Hash}}</code></p>
{{with .Unverified}}<div style="background:#fff8e1;border:1px solid #e0b040;padding:.2em 1em"><p><strong>Check before approving:</strong> the drafts print these bodies' contact details, which are UNVERIFIED (background knowledge, not a primary source):</p>
<ul>{{range .}}<li>{{.Party}}: {{.DetailList}}</li>{{end}}</ul></div>{{end}}
<table><tr><th>Kind</th><th>Language</th><th>Jurisdiction</th><th>Recipient</th><th>Subject</th><th>Obligations</th><th>SHA-256</th></tr>
{{range .Drafts}}<tr><td>{{.Kind}}</td><td>{{.Locale}}</td><td>{{.Jurisdiction}}</td><td>{{.Recipient}}</td><td><a href="{{.ID}}.html">{{.Subject}}</a></td><td>{{range .ObligationIDs}}{{.}} {{end}}</td><td><code>{{printf "%.12s" .SHA256}}</code></td></tr>
{{end}}</table></body></html>
`))

// writePreview writes each draft as <id>.html and an index of them.
func writePreview(dir, reportID, hash string, ds []draft.Draft, unverified []notice.AgencyContact) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range ds {
		if err := os.WriteFile(filepath.Join(dir, d.ID+".html"), []byte(d.HTML), 0o644); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(dir, "index.html"))
	if err != nil {
		return err
	}
	err = previewIndex.Execute(f, map[string]any{"ReportID": reportID, "Hash": hash, "Drafts": ds, "Unverified": unverified})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
