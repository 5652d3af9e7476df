// Package capacity answers, before a case sends anything, whether each
// channel can meet the case's deadlines and what the case will cost.
//
// Schedule works out when sending ends at a given rate and daily quota, and
// for each deadline whether it is met, by how much, and what rate and quota
// would meet it. Estimate prices the whole run in AWS terms (SES, Step
// Functions, Lambda, DynamoDB) with the prices of research/LIMITS.md and the
// constants the workflow itself uses: people per Distributed Map child,
// ledger writes per person, the send stage's pacing.
//
// Beside e-mail (and SMS, whose per-country arithmetic is package sms's
// PlanTexts):
//   - PlanLetters is the postal channel: the mailing house's lead time and
//     daily rate until the last letter is handed to the post, then each
//     country's delivery days, and postage plus printing per letter.
//     postal.json holds the figures; research/ cites none and no tariff page
//     could be found, so every one is UNVERIFIED, as the file says.
//   - PlanPosted is the posted notice: S3 holding the pages and CloudFront
//     serving them for the posting period (package posting's periods.json
//     gives the period with its citation), each view priced in the edge
//     region of the viewer's country. posted.json marks each price S (read
//     in a secondary source found with the search tool, named there) or
//     UNVERIFIED; CloudFront's free tier is not subtracted.
//   - ChannelRow.Against judges when a channel ends (its last send, its
//     last letter's expected delivery, its pages going up) against every
//     deadline; Apportion spreads a case-wide count over countries.
//
// `breachflow plan` prints them all and ends with one table of every
// channel against every deadline; `plan --case` reads the counts from a
// scoped case. The tests reproduce LIMITS.md's 40-million example.
package capacity
