// Package evidence writes a case's evidence pack: everything a regulator, an
// auditor or the company's own counsel may ask for after the fact, in one
// folder. It holds every version of the stored report (report.json, then
// reports/v<n>.json per amendment, listed in versions.json), the assessment
// with every duty's citation and rationale, every drafted document with its
// hash, the approval rounds and votes, the audit log with the result of
// verifying its hash chain, the delivery ledger (ledger.csv: one row per
// person per channel per report version, e-mail, SMS, letter or posted
// notice, with ids, status, message id, times and how the person is
// accounted for; no addresses or numbers), the fallback list for
// substitute notice (the one file that carries contact details, because
// that is its purpose), the
// posted notices (postings.json: each page's URL, SHA-256, when it went up
// and when it may come down, with the legal basis of the period, and what
// a check against the notice bucket found), the postal exports
// (postal.json: letters per language and the files' SHA-256, no addresses),
// and a one-page HTML summary.
//
// The pack proves itself (pack.go): manifest.json lists every file with its
// SHA-256; writing the pack appends an "evidence.pack_written" entry that
// records the manifest's SHA-256 to the case's audit chain, whose head the
// audit key signs; audit.json and audit-head.json carry the chain, the
// signed head and the public key. VerifyPack checks all of it from the
// folder alone, with no stack and no AWS account, and names the file or
// the entry that fails.
//
// Called by `breachflow evidence` and at the end of `breachflow demo`.
package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"breachflow/internal/approval"
	"breachflow/internal/assess"
	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/channelplan"
	"breachflow/internal/draft"
	"breachflow/internal/ledger"
	"breachflow/internal/postal"
	"breachflow/internal/posting"
	"breachflow/internal/reconcile"
	"breachflow/internal/rules"
	"breachflow/internal/sheet"
)

// Source reads a case from the case table.
type Source struct {
	DB    *dynamodb.Client
	Table string
	// Audit is the case table's audit log, with the audit key: writing a
	// pack appends the manifest's hash to the case's chain.
	Audit audit.Log
	// Postings, when set, checks each posted page against the notice
	// bucket as the pack is written; nil records the pages unchecked.
	Postings *posting.Checker
}

// Pack summarises a written pack.
type Pack struct {
	Dir        string
	Case       cases.Case
	Assessment rules.Assessment
	Drafts     []draft.Draft
	Rounds     []Round
	Audit      []audit.Entry
	// Head is the chain's signed head as the pack carries it (nil: none).
	Head *audit.Head
	// Keys are the fingerprints of the keys that signed, by key ARN.
	Keys map[string]string
	// AuditError is why the audit chain does not verify; nil when it does.
	AuditError error
	// ManifestSHA256 is the hash of manifest.json the chain records.
	ManifestSHA256 string
	// Delivery counts ledger rows by status; Fallback the substitute list.
	Delivery map[string]int
	// Reach counts the people by how they are accounted for
	// (reconcile.Reach): on which channel reached, in the postal export,
	// covered by the posted notice, an explained exception, or unreached.
	// Delivery and Reach count the newest version that has people in
	// scope; ReachByVersion counts each version's subject set on its own
	// (an amended case: those an update reached, those already current).
	Reach          map[string]int
	ReachByVersion map[int]map[string]int
	// Versions are the report's versions as the pack holds them
	// (versions.json): version 1 in report.json, each amendment in
	// reports/v<n>.json.
	Versions []Version
	Fallback int
	// Pages are the posted notices with when each went up and may come
	// down; PageProblems what the check found (nil: unchecked or none).
	Pages        []posting.Page
	PagesChecked bool
	PageProblems []posting.Problem
	// Postal are the case's postal exports: counts and file hashes.
	Postal  []postal.Result
	Written time.Time
}

// Version is one version of the report in the pack: the file holding its
// bytes and their SHA-256, when it was recorded and by whom, and whether
// (and when) its notices went out.
type Version struct {
	Version    int       `json:"version"`
	File       string    `json:"file"`
	SHA256     string    `json:"sha256"`
	RecordedAt time.Time `json:"recorded_at"`
	By         string    `json:"by,omitempty"`
	Sent       bool      `json:"sent"`
	SentAt     time.Time `json:"sent_at,omitzero"`
	// People is how many people the version's subject set holds (0: it was
	// never scoped, say an amendment superseded before its pass).
	People int `json:"people"`
}

// Round is one approval round as the pack shows it: no task token (it is a
// capability, not evidence).
type Round struct {
	RequestID        string              `json:"request_id"`
	Status           string              `json:"status"`
	ContentHash      string              `json:"content_hash"`
	RecipientSetHash string              `json:"recipient_set_hash"`
	Required         int                 `json:"required"`
	SubmitterID      string              `json:"submitter_id"`
	Approvers        []string            `json:"approver_ids"`
	Deadlines        []approval.Deadline `json:"deadlines"`
	CreatedAt        time.Time           `json:"created_at"`
	DecidedAt        time.Time           `json:"decided_at,omitzero"`
	Votes            []approval.Vote     `json:"votes"`
}

// Write builds the pack of caseID in dir (created if needed).
func (s Source) Write(ctx context.Context, caseID, dir string) (*Pack, error) {
	p := &Pack{Dir: dir, Written: time.Now().UTC()}
	store := &cases.Store{DB: s.DB, Table: s.Table}
	var err error
	if p.Case, err = store.Get(ctx, caseID); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "drafts"), 0o755); err != nil {
		return nil, err
	}
	if err := s.writeVersions(ctx, store, p); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(dir, "case.json"), p.Case); err != nil {
		return nil, err
	}
	if p.Assessment, err = (&assess.Store{DB: s.DB, Table: s.Table}).Get(ctx, caseID); err == nil {
		if err := writeJSON(filepath.Join(dir, "obligations.json"), p.Assessment); err != nil {
			return nil, err
		}
	}
	if ds, hash, err := draft.Load(ctx, s.DB, s.Table, caseID); err == nil {
		p.Drafts = ds
		index := map[string]any{"content_hash": hash, "drafts": []map[string]any{}}
		for _, d := range ds {
			if err := os.WriteFile(filepath.Join(dir, "drafts", d.ID+".html"), []byte(d.HTML), 0o644); err != nil {
				return nil, err
			}
			index["drafts"] = append(index["drafts"].([]map[string]any), map[string]any{
				"id": d.ID, "kind": d.Kind, "locale": d.Locale, "obligations": d.ObligationIDs, "sha256": d.SHA256, "file": "drafts/" + d.ID + ".html",
			})
		}
		if err := writeJSON(filepath.Join(dir, "drafts", "index.json"), index); err != nil {
			return nil, err
		}
	}
	if p.Rounds, err = s.rounds(ctx, caseID); err != nil {
		return nil, err
	}
	if err := writeJSON(filepath.Join(dir, "approvals.json"), p.Rounds); err != nil {
		return nil, err
	}
	chain, err := s.Audit.Verify(ctx, caseID)
	var brk *audit.BreakError
	if err != nil && !errors.As(err, &brk) {
		return nil, err
	}
	p.Audit, p.AuditError = chain.Entries, err
	if err := s.writeLedger(ctx, p, filepath.Join(dir, "ledger.csv")); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "fallback.csv"), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	p.Fallback, err = (&ledger.Ledger{DB: s.DB, Table: s.Table}).ExportFallbackCSV(ctx, f, caseID, p.Case.Latest(), shards(p.Case))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("fallback list: %w", err)
	}
	if err := writeJSON(filepath.Join(dir, "versions.json"), p.Versions); err != nil {
		return nil, err
	}
	if err := s.writePostings(ctx, p, filepath.Join(dir, "postings.json")); err != nil {
		return nil, err
	}
	if p.Postal, err = (postal.Store{DB: s.DB, Table: s.Table}).List(ctx, caseID); err != nil {
		return nil, err
	}
	if p.Postal == nil {
		p.Postal = []postal.Result{}
	}
	if err := writeJSON(filepath.Join(dir, "postal.json"), p.Postal); err != nil {
		return nil, err
	}
	if err := writeSummary(filepath.Join(dir, "summary.html"), p); err != nil {
		return nil, err
	}
	return p, s.seal(ctx, p)
}

// seal writes manifest.json over every file written so far, records its
// hash in the case's audit chain (unless the chain is already broken: then
// the pack shows the break and no seal), and writes the chain as it stands
// with its signed head and public keys.
func (s Source) seal(ctx context.Context, p *Pack) error {
	m, raw, err := writeManifest(p.Dir, p.Case.CaseID, p.Written)
	if err != nil {
		return err
	}
	p.ManifestSHA256 = sha256Hex(raw)
	if p.AuditError == nil {
		_, err := s.Audit.Append(ctx, p.Case.CaseID, audit.Record{Actor: "evidence", Action: ActionPackWritten, Detail: map[string]string{
			"manifest_sha256": p.ManifestSHA256, "files": strconv.Itoa(len(m.Files)),
		}})
		if err != nil {
			return fmt.Errorf("record the pack in the audit log: %w", err)
		}
	}
	chain, err := s.Audit.Verify(ctx, p.Case.CaseID)
	var brk *audit.BreakError
	if err != nil && !errors.As(err, &brk) {
		return err
	}
	p.Audit, p.Head, p.AuditError = chain.Entries, chain.Head, err
	p.Keys = map[string]string{}
	for id, k := range chain.Keys {
		p.Keys[id] = audit.Fingerprint(k)
	}
	return writeChain(p.Dir, p.Case.CaseID, chain)
}

func shards(c cases.Case) int {
	if c.Shards > 0 {
		return c.Shards
	}
	return casetable.DefaultShards
}

func (s Source) rounds(ctx context.Context, caseID string) ([]Round, error) {
	st := approval.DynamoStore{DB: s.DB, Table: s.Table}
	reqs, err := st.Requests(ctx, caseID)
	if err != nil {
		return nil, fmt.Errorf("approval rounds: %w", err)
	}
	out := make([]Round, 0, len(reqs))
	for _, r := range reqs {
		votes, err := st.Votes(ctx, caseID, r.RequestID)
		if err != nil {
			return nil, fmt.Errorf("approval votes: %w", err)
		}
		out = append(out, Round{
			RequestID: r.RequestID, Status: string(r.Status), ContentHash: r.ContentHash, RecipientSetHash: r.RecipientSetHash,
			Required: r.Required, SubmitterID: r.SubmitterID, Approvers: r.Approvers, Deadlines: r.Deadlines,
			CreatedAt: r.CreatedAt, DecidedAt: r.DecidedAt, Votes: votes,
		})
	}
	return out, nil
}

// postingFile is postings.json: each posted page (URL, SHA-256 of the bytes
// served, S3 version, posted_at, until, the period and its legal basis)
// and what the check against the bucket found when the pack was written.
type postingFile struct {
	Pages    []posting.Page `json:"pages"`
	Checked  bool           `json:"checked"`
	Problems []string       `json:"problems"`
}

func (s Source) writePostings(ctx context.Context, p *Pack, path string) error {
	st := posting.Store{DB: s.DB, Table: s.Table}
	var err error
	if p.Pages, err = st.Pages(ctx, p.Case.CaseID); err != nil {
		return err
	}
	f := postingFile{Pages: p.Pages, Problems: []string{}}
	if f.Pages == nil {
		f.Pages = []posting.Page{}
	}
	if s.Postings != nil && len(p.Pages) > 0 {
		if _, p.PageProblems, err = s.Postings.Check(ctx, p.Case.CaseID, p.Written); err != nil {
			return err
		}
		p.PagesChecked, f.Checked = true, true
		for _, pr := range p.PageProblems {
			f.Problems = append(f.Problems, pr.String())
		}
	}
	return writeJSON(path, f)
}

// ledgerHeader is the delivery ledger's CSV header: proof per person per
// channel by id, never by address or number. channel is email, sms,
// postal (in the postal export) or posted (covered by the posted notice);
// reach is how the person is accounted for overall (reconcile.Reach),
// the same on each of their rows.
// version is the report version whose subject set the row belongs to: an
// amended case has one set per version (package delta), so a person told
// first in version 1 and updated in version 2 has rows under both.
var ledgerHeader = []string{"user_id", "shard", "channel", "jurisdiction", "locale", "status", "duplicate_of", "message_id", "sent_at", "event_at", "reason", "reach", "version"}

func (s Source) writeLedger(ctx context.Context, p *Pack, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := sheet.NewWriter(f)
	w.Write(ledgerHeader)
	p.ReachByVersion = map[int]map[string]int{}
	for v := 1; v <= p.Case.Latest(); v++ {
		delivery, reach := map[string]int{}, map[string]int{}
		set := casetable.SetID(p.Case.CaseID, v)
		for shard := range shards(p.Case) {
			err := reconcile.WalkReach(ctx, s.DB, s.Table, set, shard, func(sub *casetable.Subject, sms *ledger.ChannelSend, how string) error {
				delivery[string(sub.Status)]++
				reach[how]++
				for _, row := range ledgerRows(sub, sms, how) {
					if err := w.Write(append(row, strconv.Itoa(v))); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("ledger of version %d, shard %d: %w", v, shard, err)
			}
		}
		people := 0
		for _, n := range reach {
			people += n
		}
		if people == 0 && v > 1 {
			continue // never scoped
		}
		p.ReachByVersion[v] = reach
		p.Delivery, p.Reach = delivery, reach
		for i := range p.Versions {
			if p.Versions[i].Version == v {
				p.Versions[i].People = people
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// writeVersions writes every version of the report as it was stored:
// version 1 as report.json, each amendment as reports/v<n>.json, and lists
// them in p.Versions with the SHA-256 of the bytes written.
func (s Source) writeVersions(ctx context.Context, store *cases.Store, p *Pack) error {
	c := p.Case
	for v := 1; v <= c.Latest(); v++ {
		raw, err := store.RawReportVersion(ctx, c.CaseID, v)
		if err != nil {
			return fmt.Errorf("report version %d: %w", v, err)
		}
		file := "report.json"
		if v > 1 {
			file = fmt.Sprintf("reports/v%d.json", v)
			if err := os.MkdirAll(filepath.Join(p.Dir, "reports"), 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(p.Dir, filepath.FromSlash(file)), raw, 0o644); err != nil {
			return err
		}
		e := Version{Version: v, File: file, SHA256: sha256Hex(raw), RecordedAt: c.OpenedAt, Sent: c.Sent(v), SentAt: c.SentAt[strconv.Itoa(v)]}
		for _, ref := range c.Versions {
			if ref.Version == v {
				e.RecordedAt, e.By = ref.RecordedAt, ref.By
			}
		}
		p.Versions = append(p.Versions, e)
	}
	return nil
}

// ledgerRows are one person's rows of ledger.csv: one per channel their
// plan used, in the plan's order (e-mail when the plan has it or they were
// scoped before plans, unless the plan texts first and the text stands),
// their text, their letter or the posted notice that covers them, and a
// row of its own for a person no channel has reached yet.
func ledgerRows(sub *casetable.Subject, sms *ledger.ChannelSend, reach string) [][]string {
	row := func(channel, status, messageID, sentAt, eventAt, reason string) []string {
		return []string{sub.UserID, strconv.Itoa(sub.Shard), channel, sub.Jurisdiction, sub.Locale, status,
			sub.DuplicateOf, messageID, sentAt, eventAt, reason, reach}
	}
	var rows [][]string
	plan, _ := channelplan.Parse(sub.Plan)
	var mail, text []string
	if sub.Plan == "" || slices.Contains(plan.Channels(), channelplan.Email) ||
		sub.Status == casetable.StatusDuplicate || sub.Status == casetable.StatusCurrent {
		mail = row(channelplan.Email, string(sub.Status), sub.MessageID, sub.SentAt, sub.EventAt, sub.Reason)
	}
	textFailed := func(ch string) bool { return ch == channelplan.SMS && sms != nil && !sms.Reached() }
	if sub.Plan != "" && sub.Status == casetable.StatusPending && !plan.Due(channelplan.Email, textFailed) {
		// A plan that texts first and a text that stands: e-mail never
		// came due, so there is no e-mail to account for.
		mail = nil
	}
	if sms != nil {
		status, eventAt := "sent", ""
		switch {
		case sms.Failed != "":
			status = "failed"
		case sms.Receipt.Status != "":
			status, eventAt = sms.Receipt.Status, sms.Receipt.At.UTC().Format(time.RFC3339Nano)
		}
		text = row(channelplan.SMS, status, sms.MessageID, sms.SentAt.UTC().Format(time.RFC3339Nano), eventAt, sms.Failed)
	}
	// In the order the plan tries them: e-mail first unless the plan
	// texts first.
	first, second := mail, text
	if chs := plan.Channels(); len(chs) > 0 && chs[0] == channelplan.SMS {
		first, second = text, mail
	}
	for _, r := range [][]string{first, second} {
		if r != nil {
			rows = append(rows, r)
		}
	}
	switch reach {
	case reconcile.ReachPostal:
		rows = append(rows, row(channelplan.Postal, "exported", "", "", "", ""))
	case reconcile.ReachPosted:
		reason := "plan_exhausted"
		if len(plan) == 0 && sub.Plan != "" {
			reason = "no_contact"
		}
		rows = append(rows, row(reconcile.ReachPosted, "covered", "", "", "", reason))
	}
	if len(rows) == 0 {
		rows = append(rows, row("", reach, "", "", "", ""))
	}
	return rows
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// sortedKeys returns m's keys by descending count.
func sortedKeys[K ~string](m map[K]int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
