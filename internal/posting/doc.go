// Package posting publishes a case's posted notices and serves the
// per-person links an SMS carries.
//
// # The posted notice
//
// Drafting produces the substitute notice (per locale) and a public
// statement per public-notice or media duty (draft.KindSubstitute); the
// approvers sign their content hash with everything else. After approval
// the publish state (statemachine/breach.asl.json, PublishPostedNotices,
// functions/publish) verifies the approval itself from the sealed approval
// records (approval.VerifyApproval, as the send stage does), refuses unless
// the stored drafts hash to what was approved, and puts each posted draft's
// HTML, byte for byte, at notices/<case>/<draft id>.html in the notice
// bucket that the company's domain serves (template.yaml: a versioned,
// non-public bucket read by CloudFront through an origin access control).
//
// Each page is recorded in the case table ("POSTING#<draft id>"): its URL,
// the SHA-256 of the bytes served, the S3 version, when it went up and
// when it may come down; "POSTING" summarises the case. Publishing appends
// "posting.published" to the case's audit chain for each page. A page
// already up with the same bytes keeps its first posting time, so a retry
// or a redrive never restarts a period.
//
// # How long: the longest period any applicable law requires
//
// periods.json holds, per regime, the minimum posting period the research
// (RULEBOOK.md) found, with its citation and verification mark:
//   - Korea PIPA: at least 30 days on the website where contact details are
//     unknown, Enforcement Decree Art. 39(3) (39-3(4) for the possibility
//     notice) [V]. (The 2026 Decree numbers it 39(3); Art. 40 is the report
//     to PIPC/KISA.)
//   - Korea CIUPA: the public notice for the period the FSC sets (Decree
//     34-4(2)); the often-cited 15 days is UNVERIFIED.
//   - US HIPAA: 90 days (45 CFR 164.404(d)(2)), UNVERIFIED detail.
//   - Brazil (ANPD Res. 15/2024): at least 90 days [S].
//   - US state substitute notice: allowed above cost or volume thresholds,
//     no period in the rulebook: listed with 0 days, UNVERIFIED.
//
// PeriodFor takes the longest over the regimes of the case's required
// duties to people or the public; when none states a period the pages stay
// up for a floor of 30 days, recorded as policy, not law.
//
// # Early takedown
//
// Checker compares each recorded page whose period has not ended with what
// the bucket holds: a page missing (with the time of its delete marker:
// the bucket is versioned, so a takedown is provable) or changed is a
// Problem, and so is a takedown scheduled before the period ends (a
// lifecycle rule whose expiration reaches the page: lifecycle.go), which
// `breachflow status`, the console and the evidence pack show while it can
// still be changed. After the period, taking a page down is not a problem.
//
// # Per-person links
//
// Links issues <site>/n/<token>: random bits in base64url, nothing else,
// so the URL carries no personal data: a 40-bit group id (the people whose
// links were issued together, a page of a shard) and the person's own 128
// random bits. The case table keeps one item per group under the SHA-256
// of its id ("LINK#<hash>"), with the case, the shard and each token's
// SHA-256 beside its user id: one write for a page of people, not one per
// person, and no token in the clear. The link expires with the case's
// posting period. LinkPages serves the page:
// the person's full notice in their language, rendered from the approved
// notices as their e-mail is, with no-store, no-referrer and noindex
// headers; it logs outcomes only, never a token or a person. The SMS
// sender declares a one-method interface over (*Links).Link.
//
// Why publishing is a state of its own and not part of the send function:
// the publish function needs s3:PutObject on the notice bucket and no SES,
// the send function SES and no S3, so each keeps least privilege; and it
// must run before the customer notices, whose links expire with the period
// it records. Its refusals are the send stage's names (NotApproved,
// UnapprovedContent), routed to SendingStopped.
package posting
