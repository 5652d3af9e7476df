// Package ledger is the send stage's record of who has been notified: it
// leases a shard to one send run at a time, files the run's sends in
// batches, reads a shard's pages with those sends folded in, applies SES
// delivery events to subjects without letting an out-of-order event regress
// a state, and lists and exports the fallback (substitute-notice) list.
//
// Lease. A send run takes its shard with one conditional write on the
// shard's lease item (CASE#<id>#M#<shard> / LEASE) for a short term, and
// renews it (another conditional write, on the lease's token) every few
// seconds while it lives; while the lease lasts no other run sends to the
// shard's people, and a run that crashed frees the shard one term after
// its last renewal. The lease's fencing token grows with every taking; the
// holder checks it before each page and stops if another run has taken
// over (only possible if its renewals failed for a whole term).
//
// Records. A send is recorded after SendEmail returns, in the same
// partition, as part of a batch item filed under the page the person was
// read from (PAGE#<page cursor>#<token>#<batch>#<n>). Records are blind
// puts of new keys: they never overwrite a subject, so they cannot undo the
// bounce an SES event wrote. A shard's pages are always the next N
// subjects in key order whatever their states, N fixed by the shard's first
// lease (stored on the lease item), so a later run or a reader finds page
// P's records with one query.
//
// Per person that is a share of one page read and a share of one batch
// write; the duplicate bound this leaves is the delivery package's to state.
// Failures (an address SES refuses) are rare and written one by one, on the
// subject.
//
// The fallback list is not a separate set of items: it is the subjects whose
// status is failed, no_contact or bounced. Listing it reads the case's
// subject shards with a filter; nothing extra is written per person.
//
// Regulator filings, a handful per case, still use the claim-and-complete
// records of Claim, Complete, Fail and Release: a conditional write before
// and after each send.
//
// Channels. Every channel but e-mail has a send partition of its own per
// shard (casetable.ChannelSendPK: "<SendPK>#sms"), with its own lease and
// records (LeaseChannel; Lease.Channel), so each person is sent once per
// channel and the subject's status stays e-mail's. A person the channel
// refuses gets a record too, with the reason in Send.Failed instead of a
// message id: the channel's fallback entry. Delivery receipts of such a
// channel (ApplyReceipt) are one item per person in the same partition
// ("EVENT#<user>"), never regressed by a late or repeated receipt;
// ChannelSends reads records and receipts a page at a time, and
// ChannelOutcomes reads them for one page of another partition's run (the
// e-mail stage asking which of its page's people a text failed for,
// whatever page size each partition was leased with).
//
// Streams. Everything above is keyed by a subject set id where it says
// case id: a case amended after sending has one set per report version
// (casetable.SetID), and each set is a stream with its own leases, pages
// and records; the guarantees hold per stream, and a person is in a
// version's stream once, so no version reaches them twice. Notices carry
// the set id in their case_id tag, so SES events find the subject in its
// set. Filings stay under the case: a later version's follow-up has an id
// of its own ("<filing>-v<n>", package draft).
//
// The delivery and sesevents packages write through it; reconcile, evidence
// and the CLI read through Walk.
package ledger
