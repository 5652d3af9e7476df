package draft

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/notice"
	"breachflow/internal/sharedaddr"
	"breachflow/internal/sms"
)

// The approved document set: what drafting hands the send stage. Drafting
// produced the drafts and the approvers signed their content hash; the send
// stage asks Approved for a case's regulator filings and its customer
// notices, and gets them only while they still hash to what was signed.
// Where a filing goes, how a message is written out and how it is sent are
// the send stage's (package delivery); this file knows none of it.

// Approved reads a case's approved documents for the send stage
// (delivery.Documents). The notice set is built once per case and approved
// hash, and reused by every batch the same process sends.
type Approved struct {
	DB          DB
	Table       string
	Reports     Reports
	Assessments Assessments

	mu   sync.Mutex
	sets map[string]*notice.NoticeSet // by case id + hash
}

// UnapprovedContent says the documents about to be sent are not the ones
// approved: drafts changed after sign-off, or no approval hash was given.
// The state machine routes on its name; nothing is sent.
type UnapprovedContent struct {
	CaseID, Approved, Current string
}

// Error names the case and both hashes (short), never a document.
func (e *UnapprovedContent) Error() string {
	return fmt.Sprintf("case %s: drafts hash %.12s but approval bound %.12s: re-draft and re-approve before sending", e.CaseID, e.Current, e.Approved)
}

// StaleDraftsError says the case's report or assessment changed after its
// drafts were stored: the notices the sender would build are not the ones
// approved. Re-draft (and re-approve) first.
type StaleDraftsError struct {
	CaseID             string
	Stored, Recomputed string // content hashes
}

// Error names the case and both hashes (short).
func (e *StaleDraftsError) Error() string {
	return fmt.Sprintf("drafts of case %s are stale: stored hash %.12s, the current report and assessment give %.12s", e.CaseID, e.Stored, e.Recomputed)
}

// Filings returns the case's approved regulator filings, or
// *UnapprovedContent when the stored drafts do not hash to approved. Each
// carries its document in the body and again as an HTML file named after
// the draft, so a regulator's office can file it as received.
func (a *Approved) Filings(ctx context.Context, caseID, approved string) ([]email.Filing, error) {
	drafts, hash, err := Load(ctx, a.DB, a.Table, caseID)
	if err != nil {
		return nil, err
	}
	if approved == "" || hash != approved {
		return nil, &UnapprovedContent{CaseID: caseID, Approved: approved, Current: hash}
	}
	var out []email.Filing
	for _, d := range drafts {
		if d.Kind != KindFiling {
			continue
		}
		out = append(out, email.Filing{
			ID: d.ID, ObligationIDs: d.ObligationIDs, Regulator: d.Recipient,
			Message: email.Message{
				Subject: d.Subject, HTML: d.HTML, Text: d.Text,
				Attachments: []email.Attachment{{Filename: d.ID + ".html", ContentType: "text/html; charset=utf-8", Data: []byte(d.HTML)}},
			},
		})
	}
	return out, nil
}

// Notices returns the renderer of the case's approved customer notices, or
// *UnapprovedContent (or *StaleDraftsError) when what it would render is not
// what approved covers.
func (a *Approved) Notices(ctx context.Context, caseID, approved string) (email.Renderer, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	set, ok := a.sets[caseID+"#"+approved]
	if !ok {
		var hash string
		var err error
		set, hash, err = OpenNoticeSet(ctx, a.DB, a.Table, caseID, a.Reports, a.Assessments)
		if err != nil {
			return nil, err
		}
		if approved == "" || hash != approved {
			return nil, &UnapprovedContent{CaseID: caseID, Approved: approved, Current: hash}
		}
		if a.sets == nil {
			a.sets = map[string]*notice.NoticeSet{}
		}
		a.sets[caseID+"#"+approved] = set
	}
	return Renderer(set), nil
}

// TextKey is the key an SMS draft's text has among the approved texts
// (sms.Channel.Approved): its locale for a first text, sms.UpdateKey for an
// update text ("sms-update-<locale>"), sms.ClosingKey for a closing text
// ("sms-closing-<jurisdiction>-<locale>", for its jurisdiction's readers),
// sms.PossibilityKey for a possibility text ("sms-possibility-...").
func TextKey(d Draft) string {
	switch {
	case strings.HasPrefix(d.ID, "sms-update-"):
		return sms.UpdateKey(d.Locale)
	case strings.HasPrefix(d.ID, "sms-closing-"):
		return sms.ClosingKey(d.Jurisdiction, d.Locale)
	case strings.HasPrefix(d.ID, "sms-possibility-"):
		return sms.PossibilityKey(d.Jurisdiction, d.Locale)
	}
	return d.Locale
}

// Texts returns the case's approved SMS texts by key (TextKey: the KindSMS
// drafts' text, each ending in sms.SampleLink), or *UnapprovedContent (or
// *StaleDraftsError) when they are not what approved covers: the drafts are
// re-drafted from the case's facts and the current SMS texts first, as for
// the notices, so an SMS text changed after approval sends nothing.
func (a *Approved) Texts(ctx context.Context, caseID, approved string) (map[string]string, error) {
	if _, err := a.Notices(ctx, caseID, approved); err != nil {
		return nil, err
	}
	drafts, hash, err := Load(ctx, a.DB, a.Table, caseID)
	if err != nil {
		return nil, err
	}
	if cur := ContentHash(drafts); approved == "" || hash != approved || cur != approved {
		// The stored drafts are read as they are: an item edited in the
		// table after approval (even resealed) changes their hash.
		return nil, &UnapprovedContent{CaseID: caseID, Approved: approved, Current: cur}
	}
	out := map[string]string{}
	for _, d := range drafts {
		if d.Kind == KindSMS {
			out[TextKey(d)] = d.Text
		}
	}
	return out, nil
}

// OpenNoticeSet gives the sender the customer notices the approvers read.
// It loads the DRAFTS summary, the report, the assessment and scoping's
// shared-address summary, drafts again as of the summary's drafted_at and
// checks that the content hash is the stored one, then builds the notice
// set from the same facts. The returned hash is what the sender compares
// with the approval's.
func OpenNoticeSet(ctx context.Context, db DB, table, caseID string, reports Reports, assessments Assessments) (*notice.NoticeSet, string, error) {
	s, err := LoadSummary(ctx, db, table, caseID)
	if err != nil {
		return nil, "", err
	}
	r, _, err := reports.Report(ctx, caseID)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	a, err := assessments.Get(ctx, caseID)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	setID, err := setOf(ctx, caseID, reports)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	shared, err := sharedSummary(ctx, db, table, setID)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	ds, err := BuildShared(r, a, s.DraftedAt, shared)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	f := Facts(r, a, s.DraftedAt)
	if ds, err = followupsFor(ctx, db, table, caseID, setID, ds, s.DraftedAt, reports, f); err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	if h := ContentHash(ds); h != s.ContentHash {
		return nil, "", &StaleDraftsError{CaseID: caseID, Stored: s.ContentHash, Recomputed: h}
	}
	f.Shared = shared.Plan().Combinations
	set, err := notice.NewNoticeSet(f)
	if err != nil {
		return nil, "", fmt.Errorf("open notices %s: %w", caseID, err)
	}
	return set, s.ContentHash, nil
}

// Renderer renders each person's notice from set, as the send stage sends
// it.
func Renderer(set *notice.NoticeSet) email.Renderer {
	return func(s *casetable.Subject) (email.Message, error) {
		return set.Render(recipient(s))
	}
}

// recipient reads the person a scoped subject describes, as their notice
// is rendered for them: when others share their address, the one notice
// covers every holder's jurisdiction and data (sharedaddr.Holders).
func recipient(s *casetable.Subject) notice.Recipient {
	r := notice.Recipient{UserID: s.UserID, Name: s.Name, Email: s.Email, Locale: s.Locale, Jurisdiction: s.Jurisdiction}
	if s.NoticeKind == casetable.NoticeUpdate {
		// An update of an earlier version's notice (package delta). A
		// missing date still makes an update, dated at the epoch's
		// stand-in: never a first notice.
		r.UpdateOf, _ = time.Parse(time.RFC3339Nano, s.UpdateOf)
		if r.UpdateOf.IsZero() {
			r.UpdateOf = time.Unix(0, 0)
		}
	}
	cats := s.Categories
	if js, cs, shared := sharedaddr.Holders(s); shared {
		r.Holders, cats = js, cs
	}
	if len(cats) > 0 {
		r.Categories = make([]breach.Category, len(cats))
		for i, c := range cats {
			r.Categories[i] = breach.Category(c)
		}
	}
	return r
}
