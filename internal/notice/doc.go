// Package notice writes breachflow's documents: the customer notice each
// affected person receives, the substitute notice posted for those who
// cannot be reached, and the filing each regulator receives. It renders
// them from embedded templates as email.Messages and checks that each
// carries the content its law requires. How a message is cleaned, written
// as raw MIME and sent is package email's and package delivery's.
//
// Callers:
//   - package draft renders the filings and sample notices of a case and
//     stores them with a content hash (the approval binds to that hash);
//   - the send stage, through draft.Approved, builds one NoticeSet per
//     case with NewNoticeSet and calls Render per person (microseconds:
//     templates are compiled once, the case-wide part of a notice is
//     prepared once per locale and jurisdiction, and only the person's
//     name and data are filled per call);
//   - the approval console shows the drafts.
//
// # Documents and where they live
//
//	templates/layout.html.tmpl          shared head, foot and the US credit-freeze block
//	templates/notice/<lang>.html.tmpl   customer notice (and, with .Substitute, the website posting)
//	templates/filing/<form>.<lang>.html.tmpl  regulator filings
//	templates/filings.json              which form serves which regime, in which languages
//	locales/<lang>.json                 category names, how-it-happened sentences, consequences, advice, date formats
//
// Each template file defines "subject" and "body". The body is executed by
// html/template, which escapes every value for its context; the subject is
// executed from the same file by text/template (it is a header, not HTML)
// and then cleaned by email.Header, so no CR or LF reaches it; a person's
// name is cleaned by email.Name before it is written into a body. The
// plain-text part is derived from the rendered HTML (HTMLToText), so the two
// parts of a message always say the same thing.
//
// # Adding a language
//
// Add the tag to Locales, write locales/<tag>.json (a test fails until every
// category, vector, consequence and advice has a wording) and
// templates/notice/<tag>.html.tmpl, written natively rather than translated:
// copy the section markers (data-element) of an existing notice, not its
// sentences. Map countries that read it in jurisdictionLocale. Run the tests
// with -update to write its golden files, read them, and commit them.
//
// # Adding a regulator
//
// Write templates/filing/<form>.<lang>.html.tmpl in the regulator's
// language and add an entry to templates/filings.json before the catch-all
// "generic": the form name, substrings of the rulebook's regime id it
// serves (e.g. "kr-pipa"), an optional phase ("preliminary") and its
// languages, the first being the fallback. A filing whose regulator's
// language is not among the form's is written in the fallback with a note
// offering a translation.
//
// # A leak that is only possible
//
// A case whose report records a possible leak (CaseFacts.Possibility)
// writes, for readers whose law has the possibility notice (PIPA Art.
// 34(2)), the possibility notice while it is open (data-element
// "leak_possibility": the circumstance, when it was known, and that a
// further notice follows) and the closing notice once it is ruled out
// ("ruled_out"); readers of other laws get the regular notice. The
// closing notice goes to people already told of the possibility, yet it is
// not an update: AsUpdate leaves it as it is (its own subject in each
// language; wording UNVERIFIED, rules/regimes/kr-pipa.yaml). A filing
// that follows up an earlier one (a staged duty, Duty.FirstFiling) carries
// "first_filing_reference": the first filing's date and message id.
//
// # The content check
//
// Every element a law requires (breach.Element) is a section of the
// rendered HTML, <section data-element="timeline"> (several elements may
// share one section, space separated). After rendering, Check finds each
// required element's section and fails with *MissingContentElement, naming
// the element, the citation and the obligation, when one is absent or has
// no text. Templates omit a section when the facts behind it are missing,
// so missing facts fail the draft instead of producing an empty heading.
//
// # Rendering speed
//
// html/template spends most of a notice's time on reflection over parts
// that are the same for everyone in a locale and jurisdiction. So each
// (locale, jurisdiction) is rendered once per shape (with or without a
// name, own categories or the case's) with markers where the person's data
// goes, and Render splices the escaped name and the locale's pre-escaped
// category, consequence and advice lines into those pieces: about 4µs and
// 20 allocations a notice instead of ~90µs through the templates. Every
// skeleton is compared with the template output for a probe person when it
// is built and is not used if they differ; tests and FuzzRender compare the
// two paths on many inputs.
//
// # Notices for several jurisdictions
//
// One notice may reach several people under different laws: an address
// several people in scope share (package sharedaddr decides who they are
// and what the notice must cover, and hands it over as Recipient.Holders
// and the union of their Categories). Such a notice is written in the
// reader's language and time zone (the rule ResolveLocale already applies)
// but for every holder's law: the law flags, needed elements and
// regulators are the union over the holders, rights sections of different
// laws stand side by side, and the data listed is every holder's, worded
// as what "may" have been involved since not all of it is the reader's.
// Only combinations drafting drafted and the approvers saw
// (CaseFacts.Shared) render; any other is *UnapprovedCombination. See
// shared.go.
//
// # Locales
//
// ResolveLocale picks a notice's language: the reader's exact tag, then its
// language, then the jurisdiction's language (KR ko, JP ja, CN zh, DE/AT
// de), then English. Simplified Chinese (zh) is served to every zh tag,
// including zh-TW and zh-HK readers who asked for Chinese; a jurisdiction
// default never sends Taiwan, Hong Kong or Singapore to Simplified Chinese.
// Dates are shown in the reader's jurisdiction's time zone.
//
// The responder's own words (report description, measures) appear only in
// documents in the same language, detected from their script; every
// document also states what happened and what is being done in its own
// language from the structured facts, so a notice never depends on a
// translation that does not exist. Regulator filings quote the responder's
// words as the original in any case.
package notice
