// Package draft turns a case's assessment into the documents a human
// approves: one filing per required regulator obligation, sample customer
// notices, and the substitute notice, each rendered by package notice and
// checked for the content elements its law requires. A document that lacks
// one stops drafting with a *notice.MissingContentElement naming the
// element, the citation and the obligation.
//
// Drafts are stored in the case table under the case's partition: one item
// per draft ("DRAFT#<id>#<hash prefix>", content-addressed, so two drafting
// runs never overwrite each other's items) and a "DRAFTS" summary item that
// names the current set, its content hash, a version and when it was
// drafted. The summary is replaced with a conditional write on the version
// read, so concurrent drafting cannot mix two versions: one run wins, the
// other gets a *ConcurrentDraftError. Re-drafting replaces the set and, if
// anything changed, its hash. Load verifies every draft's hash and the set's
// hash before returning them.
//
// The content hash (ContentHash) is what an approval binds to: the SHA-256
// over the sorted lines "<id> <sha256>" of all drafts, so it does not depend
// on the order drafts are stored or listed in, and any change to any draft,
// or a draft added or dropped, changes it.
//
// Callers: the draft Lambda (Handler), `breachflow draft --preview`, the
// approval console (Load) and the send stage.
//
// # The approved document set
//
// Drafting produces what sending consumes (approved.go). The send function
// reads a case's documents through Approved, with the content hash the
// approval bound: Filings returns the stored filing drafts as
// email.Filings, and Notices the email.Renderer of the customer notices,
// rebuilt as of the summary's drafted_at (OpenNoticeSet refuses with
// *StaleDraftsError when the report, the assessment or the shared-address
// summary changed since, so what is sent is what was approved). Either
// refuses with *UnapprovedContent, a name the state machine routes on, when
// the drafts do not hash to the approved hash. The package knows nothing
// of how documents are sent (where a filing goes, MIME, SES): it does not
// import package delivery, and delivery does not import it; the two meet
// in package email's types.
//
// Addresses that people under several jurisdictions share get one notice
// written for all their laws; drafting reads what scoping recorded about
// them (sharedaddr.Load) and checks and samples the notice of each
// combination its Plan lists ("notice-shared-<locale>-<reader>_<combination>"),
// so the approval covers them (shared.go).
//
// The text message is drafted too, in every notice language
// ("sms-<locale>", KindSMS): the text the SMS channel sends (sms.Sample:
// package sms's texts, the report's organisation name, sms.SampleLink
// where each person's own link goes, no person's data), checked with
// sms.Check against every individuals duty. Approved.Texts gives the send
// stage these drafts, after the same re-drafting as Notices, so a changed
// SMS text refuses the send (*StaleDraftsError, or *UnapprovedContent) and
// each person is sent their language's approved text with their link in
// place of the sample's. A PIPA possible leak drafts, for its duty's
// readers, the possibility text while open and the closing text once ruled
// out ("sms-possibility-<jurisdiction>-<locale>",
// "sms-closing-<jurisdiction>-<locale>"), checked against that duty; the
// first text is checked against the other duties. Approved.Texts keys each
// text by TextKey.
//
// Credit-agency and other-organisation duties get the generic filing form;
// media and public-notice duties (HIPAA's media notice, CIUPA's posting) get
// the substitute notice as a public statement, checked for their elements.
//
// # Later versions of the report
//
// Drafting reads the version the execution works on; when a newer one has
// been recorded (an amendment that supplies a missing fact, say), Handle
// drafts nothing and answers Amended, and the state machine begins a pass
// on the new version. A missing content element is not caught in the
// state machine: the run fails at DraftDocuments, the responder amends,
// and `breachflow resume` reruns the task, which finds the newer version.
//
// For a version after the first, a filing to a regulator an earlier
// version already filed becomes a follow-up (AsFollowups, followups.json):
// an id of its own ("<filing>-v<n>", so the ledger sends it once beside
// the first), a subject and opening paragraph that name the first filing's
// date and message reference and cite the rule for information in phases
// (PIPA Decree Art. 40(2), GDPR Art. 33(4), APPI's final report, SEC Form
// 8-K/A), then the full filing. Regulators new to the case get an initial
// filing. And beside each sample notice the update notice is drafted
// (WithUpdates), the wording people an earlier version reached get when
// this one changes what they must know (package delta), so the approval
// binds it too; a closing notice (a possible leak ruled out) is not an
// update and gets no such draft. Beside each text message the update text
// is drafted ("sms-update-<locale>", WithTextUpdates): sms.SampleDate
// stands where each person's earlier notice's date goes, sms.SampleLink
// where their link goes, and the send stage fills in both. The send stage
// re-drafts as of the drafting moment, and only filings sent before that
// moment count as first filings.
package draft
