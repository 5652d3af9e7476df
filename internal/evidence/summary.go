package evidence

import (
	"html/template"
	"os"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/draft"
	"breachflow/internal/notice"
	"breachflow/internal/rules"
)

var summaryPage = template.Must(template.New("summary").Funcs(template.FuncMap{
	"time": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"short": func(s string) string {
		if len(s) > 16 {
			return s[:16] + "…"
		}
		return s
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evidence: case {{.Case.CaseID}}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;color:#222}table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}.bad{color:#a00;font-weight:600}.ok{color:#070;font-weight:600}.unv{background:#fff3cd}code{font-size:12px}</style></head><body>
<h1>Case {{.Case.CaseID}}: {{.Case.Title}}</h1>
<p>{{.Case.Organisation}} · status <b>{{.Case.Status}}</b> · opened {{time .Case.OpenedAt}} · pack written {{time .Written}}</p>
<p>Report sha256 <code>{{.Case.ReportSHA256}}</code><br>Drafts content hash <code>{{.Case.ContentHash}}</code> · recipient set hash <code>{{.Case.RecipientSetHash}}</code></p>
{{if gt (len .Versions) 1}}<h2>Versions of the report</h2>
<table><tr><th>version</th><th>recorded</th><th>by</th><th>people in scope</th><th>notified</th><th>file (sha256)</th></tr>
{{range .Versions}}<tr><td>{{.Version}}</td><td>{{time .RecordedAt}}</td><td>{{.By}}</td><td>{{.People}}</td><td>{{if .Sent}}{{time .SentAt}}{{else}}not sent{{end}}</td><td>{{.File}} <code>{{short .SHA256}}</code></td></tr>{{end}}</table>
<p>Each version has its own subject set; ledger.csv's version column says which. A version's notices went only to people whose last notice did not already say everything (first notice, update, or current: nothing sent).</p>{{end}}
<h2>People in scope</h2>
<table><tr><th>jurisdiction</th><th>people</th></tr>{{range .Jurisdictions}}<tr><td>{{.Name}}</td><td>{{.N}}</td></tr>{{end}}</table>
<h2>Obligations</h2>
<table><tr><th>duty</th><th>recipient</th><th>due</th><th>citation</th><th>verification</th></tr>
{{range .Obligations}}<tr{{if eq .Verification "UNVERIFIED"}} class="unv"{{end}}><td>{{.ID}}</td><td>{{.RecipientName}}</td><td>{{time .DueAt}}</td><td>{{.Citation}}</td><td>{{.Verification}}</td></tr>{{end}}</table>
{{with .Unverified}}<h2>Contact details the documents print, not verified</h2>
<table><tr><th>body</th><th>details</th><th>verification</th></tr>
{{range .}}<tr class="unv"><td>{{.Party}}</td><td>{{.DetailList}}</td><td>{{.Verification}} ({{.Source}})</td></tr>{{end}}</table>{{end}}
<h2>Approval</h2>
<table><tr><th>round</th><th>status</th><th>votes</th><th>bound to</th></tr>
{{range .Rounds}}<tr><td>{{.RequestID}}</td><td>{{.Status}}</td><td>{{range .Votes}}{{.ApproverID}} {{if .Approve}}approved{{else}}rejected{{end}} {{time .At}} via {{.Via}}<br>{{end}}</td><td><code>{{short .ContentHash}}</code> / <code>{{short .RecipientSetHash}}</code></td></tr>{{end}}</table>
<h2>Delivery</h2>
<table><tr><th>status</th><th>people</th></tr>{{range .Statuses}}<tr><td>{{.Name}}</td><td>{{.N}}</td></tr>{{end}}</table>
<p>{{.Fallback}} {{if gt (len .Versions) 1}}entries (one per person per report version){{else}}people{{end}} on the fallback list (fallback.csv) for substitute notice{{with .Pages}}, covered by the posted notice ({{len .}} pages, up since {{time (index . 0).PostedAt}}, required until {{time (index . 0).Until}}; see below){{end}}.</p>
<h2>Posted notice</h2>
{{if .Pages}}<table><tr><th>page</th><th>posted</th><th>may come down</th><th>period</th><th>sha256</th></tr>
{{range .Pages}}<tr><td><a href="{{.URL}}">{{.DraftID}}</a></td><td>{{time .PostedAt}}</td><td>{{time .Until}}</td><td{{if .Period.Basis}}{{if eq .Period.Basis.Verification "UNVERIFIED"}} class="unv"{{end}}{{end}}>{{.Period.Cites}}</td><td><code>{{short .SHA256}}</code></td></tr>{{end}}</table>
{{if .PagesChecked}}{{if .PageProblems}}{{range .PageProblems}}<p class="bad">WARNING: {{.}}</p>{{end}}{{else}}<p class="ok">Every page is live with the bytes that went up.</p>{{end}}{{else}}<p>Pages not checked against the bucket when this pack was written.</p>{{end}}
{{else}}<p>Nothing posted.</p>{{end}}
<h2>Postal export</h2>
{{if .Postal}}<table><tr><th>exported</th><th>letters</th><th>by language</th><th>files (sha256)</th></tr>
{{range .Postal}}<tr><td>{{time .At}}</td><td>{{.Letters}}</td><td>{{range $l, $n := .ByLocale}}{{$l}} {{$n}} {{end}}</td><td>{{range .Files}}{{.Name}} <code>{{short .SHA256}}</code><br>{{end}}</td></tr>{{end}}</table>{{else}}<p>No postal export.</p>{{end}}
<h2>Every person accounted for</h2>
{{if gt (len .ByVersion) 1}}<table><tr><th>version</th><th>how</th><th>people</th></tr>{{range .ByVersion}}{{$v := .Version}}{{range .Reaches}}<tr><td>{{$v}}</td><td>{{.Name}}</td><td>{{.N}}</td></tr>{{end}}{{end}}</table>
{{else}}<table><tr><th>how</th><th>people</th></tr>{{range .Reaches}}<tr><td>{{.Name}}</td><td>{{.N}}</td></tr>{{end}}</table>{{end}}
<p>email, sms, email+sms: reached on that channel; postal: in the postal export; posted: covered by the posted notice; shared_address and current: explained exceptions; unreached: not yet accounted for. ledger.csv has one row per person per channel.</p>
<h2>Audit log</h2>
<p>{{len .Audit}} entries, hash-chained: {{if .AuditError}}<span class="bad">DOES NOT VERIFY: {{.AuditError}}</span>{{else}}<span class="ok">verifies</span>{{end}}.</p>
<p>Files: report.json (and reports/v&lt;n&gt;.json for each amendment, listed in versions.json), case.json, obligations.json, drafts/, approvals.json, ledger.csv, fallback.csv, postings.json, postal.json (counts and hashes; the letters themselves stay with the mailing house); manifest.json (the SHA-256 of each), whose hash the audit chain records; audit.json and audit-head.json (the chain, its signed head and public key). Check the folder offline with <code>breachflow evidence --verify --pack DIR</code>.</p>
</body></html>
`))

type count struct {
	Name string
	N    int
}

type versionReach struct {
	Version int
	Reaches []count
}

func writeSummary(path string, p *Pack) error {
	view := struct {
		*Pack
		Jurisdictions, Statuses, Reaches []count
		ByVersion                        []versionReach
		Obligations                      []rules.Obligation
		Unverified                       []notice.AgencyContact
	}{Pack: p, Unverified: draft.UnverifiedContacts(p.Drafts)}
	for _, v := range p.Versions {
		if r, ok := p.ReachByVersion[v.Version]; ok {
			vr := versionReach{Version: v.Version}
			for _, k := range sortedKeys(r) {
				vr.Reaches = append(vr.Reaches, count{k, r[k]})
			}
			view.ByVersion = append(view.ByVersion, vr)
		}
	}
	for _, j := range sortedKeys(p.Case.Subjects) {
		view.Jurisdictions = append(view.Jurisdictions, count{string(j), p.Case.Subjects[breach.Jurisdiction(j)]})
	}
	for _, s := range sortedKeys(p.Delivery) {
		view.Statuses = append(view.Statuses, count{s, p.Delivery[s]})
	}
	for _, r := range sortedKeys(p.Reach) {
		view.Reaches = append(view.Reaches, count{r, p.Reach[r]})
	}
	for _, o := range p.Assessment.Obligations {
		if o.Required {
			view.Obligations = append(view.Obligations, o)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := summaryPage.Execute(f, view); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
