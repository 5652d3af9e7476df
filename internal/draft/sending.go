package draft

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/notice"
	"breachflow/internal/sharedaddr"
)

// Approved is what the send function reads a case's documents through: the
// customer-notice renderer and the regulator filings, each only if it still
// hashes to what the approvers signed off. The notice set is built once per
// case and reused by every batch the same process sends.
type Approved struct {
	DB          DB
	Table       string
	Reports     Reports
	Assessments Assessments
	// Addresses says where each filing goes.
	Addresses FilingAddresses

	mu   sync.Mutex
	sets map[string]*notice.NoticeSet // by case id + hash
}

// UnapprovedContent says the documents about to be sent are not the ones
// approved: drafts changed after sign-off, or no approval hash was given.
// The state machine routes on its name; nothing is sent.
type UnapprovedContent struct {
	CaseID, Approved, Current string
}

func (e *UnapprovedContent) Error() string {
	return fmt.Sprintf("case %s: drafts hash %.12s but approval bound %.12s: re-draft and re-approve before sending", e.CaseID, e.Current, e.Approved)
}

// Notices returns the renderer of the case's approved notices.
func (a *Approved) Notices(ctx context.Context, caseID, approved string) (delivery.Renderer, error) {
	set, err := a.noticeSet(ctx, caseID, approved)
	if err != nil {
		return nil, err
	}
	return Renderer(set), nil
}

// Renderer renders each person's notice from set, as the send stage sends
// it.
func Renderer(set *notice.NoticeSet) delivery.Renderer {
	return func(s *casetable.Subject) (delivery.Message, error) {
		m, err := set.Render(recipient(s))
		return delivery.Message{Subject: m.Subject, HTML: m.HTML, Text: m.Text}, err
	}
}

func (a *Approved) noticeSet(ctx context.Context, caseID, approved string) (*notice.NoticeSet, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if set, ok := a.sets[caseID+"#"+approved]; ok {
		return set, nil
	}
	set, hash, err := OpenNoticeSet(ctx, a.DB, a.Table, caseID, a.Reports, a.Assessments)
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
	return set, nil
}

// Filings returns the case's approved regulator filings, each addressed to
// its regulator and carrying the filing as an HTML attachment.
func (a *Approved) Filings(ctx context.Context, caseID, approved string) ([]delivery.Filing, error) {
	drafts, hash, err := Load(ctx, a.DB, a.Table, caseID)
	if err != nil {
		return nil, err
	}
	if approved == "" || hash != approved {
		return nil, &UnapprovedContent{CaseID: caseID, Approved: approved, Current: hash}
	}
	var out []delivery.Filing
	for _, d := range drafts {
		if d.Kind != KindFiling {
			continue
		}
		to, err := a.Addresses.For(d)
		if err != nil {
			return nil, err
		}
		out = append(out, delivery.Filing{
			ObligationID: d.ID, To: []string{to},
			Subject: d.Subject, HTML: d.HTML, Text: d.Text,
			AttachmentName: d.ID + ".html", AttachmentType: "text/html; charset=utf-8",
			Attachment: []byte(d.HTML),
		})
	}
	return out, nil
}

// FilingAddresses maps a filing to its regulator's filing address. Keys are
// tried in order: each obligation id the filing serves, the regulator's name,
// then "*". A value may hold "{id}", replaced by the filing's id, which lets
// a demo or a test send every filing to its own reserved-domain mailbox.
type FilingAddresses map[string]string

// ParseFilingAddresses reads the JSON object of FILING_ADDRESSES.
func ParseFilingAddresses(s string) (FilingAddresses, error) {
	if strings.TrimSpace(s) == "" {
		return FilingAddresses{}, nil
	}
	var m FilingAddresses
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("FILING_ADDRESSES: want a JSON object of obligation id or regulator name to address: %w", err)
	}
	return m, nil
}

// For returns where d goes, or *delivery.SendConfigInvalid naming the
// filing when no address is configured: a filing is never dropped silently.
func (f FilingAddresses) For(d Draft) (string, error) {
	keys := append(append([]string{}, d.ObligationIDs...), d.Recipient, "*")
	for _, k := range keys {
		if addr, ok := f[k]; ok && addr != "" {
			return strings.ReplaceAll(addr, "{id}", d.ID), nil
		}
	}
	return "", &delivery.SendConfigInvalid{Reason: fmt.Sprintf("no filing address configured for %s (%s); set FILING_ADDRESSES", d.ID, d.Recipient)}
}

// recipient reads the person a scoped subject describes, as their notice
// is rendered for them: when others share their address, the one notice
// covers every holder's jurisdiction and data (sharedaddr.Holders).
func recipient(s *casetable.Subject) notice.Recipient {
	r := notice.Recipient{UserID: s.UserID, Name: s.Name, Email: s.Email, Locale: s.Locale, Jurisdiction: s.Jurisdiction}
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
