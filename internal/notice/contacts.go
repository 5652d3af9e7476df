package notice

import (
	"slices"
	"strings"
)

// AgencyContact is a third party's published contact detail that notices and
// filings print: where a person can report, complain, freeze their credit
// or get help. None of them comes from the project's research
// (shared/research/RULEBOOK.md cites laws, not switchboards): they are
// background knowledge, marked UNVERIFIED here as the rulebook marks its
// own, and the approval console and the draft preview list the ones a case's
// drafts print, so approvers check them before anything is sent.
type AgencyContact struct {
	// Party is who the detail reaches.
	Party string
	// Details are what the documents print, exactly: web address first,
	// then telephone numbers and postal addresses.
	Details []string
	// Marks are strings only a document that prints this contact contains
	// (the web address, or the words a number stands with where a document
	// prints the number alone).
	Marks []string
	// Verification is "UNVERIFIED" (background knowledge or a weak source)
	// or, once checked against a primary source, that mark ("V") with Source
	// saying which.
	Verification string
	Source       string
}

// Unverified is the Verification of a detail nobody checked against a
// primary source (rules.Unverified, spelt the same).
const Unverified = "UNVERIFIED"

// AgencyContacts are every third-party contact detail the templates print. A
// test fails if a template prints a web address or telephone number that is
// not here.
var AgencyContacts = []AgencyContact{
	background("Federal Trade Commission (US)",
		[]string{"www.identitytheft.gov", "1-877-438-4338", "600 Pennsylvania Avenue NW, Washington, DC 20580"},
		[]string{"www.identitytheft.gov"}),
	background("Annual Credit Report (US)",
		[]string{"www.annualcreditreport.com", "1-877-322-8228"},
		[]string{"www.annualcreditreport.com"}),
	background("Equifax (US)",
		[]string{"www.equifax.com/personal/credit-report-services", "1-888-298-0045", "P.O. Box 105788, Atlanta, GA 30348-5788"},
		[]string{"www.equifax.com"}),
	background("Experian (US)",
		[]string{"www.experian.com/help", "1-888-397-3742", "P.O. Box 9554, Allen, TX 75013"},
		[]string{"www.experian.com"}),
	background("TransUnion (US)",
		[]string{"www.transunion.com/credit-help", "1-888-909-8872", "P.O. Box 2000, Chester, PA 19016"},
		[]string{"www.transunion.com"}),
	background("California Attorney General",
		[]string{"oag.ca.gov/privacy"},
		[]string{"oag.ca.gov/privacy"}),
	background("Personal Information Infringement Report Center, KISA (KR)",
		[]string{"privacy.kisa.or.kr", "118"},
		[]string{"privacy.kisa.or.kr", "신고센터 118"}),
	background("Financial Supervisory Service (KR)",
		[]string{"www.fss.or.kr", "1332"},
		[]string{"www.fss.or.kr", "민원(1332)"}),
	background("Personal Information Dispute Mediation Committee (KR)",
		[]string{"www.kopico.go.kr", "1833-6972 (+82 1833-6972 from abroad)"},
		[]string{"www.kopico.go.kr"}),
	background("M-Safer identity-theft prevention service (KR)",
		[]string{"www.msafer.or.kr"},
		[]string{"www.msafer.or.kr"}),
}

// DetailList is the details as one line, the way approvers are shown them.
func (c AgencyContact) DetailList() string { return strings.Join(c.Details, "; ") }

// background is a contact known from background knowledge only.
func background(party string, details, marks []string) AgencyContact {
	return AgencyContact{Party: party, Details: details, Marks: marks, Verification: Unverified,
		Source: "background knowledge; not in shared/research"}
}

// UnverifiedContacts returns the contacts marked UNVERIFIED that any of
// docs (rendered drafts, HTML or text) prints, in the order of AgencyContacts.
func UnverifiedContacts(docs ...string) []AgencyContact {
	var out []AgencyContact
	for _, c := range AgencyContacts {
		if c.Verification != Unverified {
			continue
		}
		if slices.ContainsFunc(docs, func(d string) bool {
			return slices.ContainsFunc(c.Marks, func(m string) bool { return strings.Contains(d, m) })
		}) {
			out = append(out, c)
		}
	}
	return out
}
