// Package delivery is the send stage: regulator filings first, then one
// customer notice per person through SES v2, paced to the account's rate and
// recorded in the ledger so that a crash, a redrive or a second run sends
// only to people not yet sent.
//
// A Pipeline works one batch (a case's shard from a cursor): it takes the
// shard's send lease (one conditional write; another run's live lease sends
// it back with Busy) for a short term (LeaseTerm, 30 s), renews it every few
// seconds while it works, reads the shard a page ahead of its workers, and
// for each pending person without a send record renders the notice, waits
// for a slot of the pacer, calls SendEmail once and hands the message id to
// a recorder that writes records in batches (one BatchWriteItem for up to
// RecordBatch sends). Workers start no send less than two SendTimeouts
// before the lease they hold ends (renewals move that on, never past the
// deadline), the recorder writes what it holds, the lease is given back,
// and the run returns a cursor: the next run (or a redrive) continues there
// and sends only to people still pending and unrecorded. A crashed
// invocation renews nothing, so its shard is free within a lease term.

// Pacing: the account's rate is split evenly over the invocations that run
// at once, and each paces itself 1 % under its share with a slot schedule
// that never bunches late sends, so no second sees more than the rate.
//
// Duplicate bound. SES has no idempotency key, so a send whose record never
// reached the ledger is repeated by the run that resumes. Sends are made
// with a context that a stop does not cancel and their records are written
// (retried) before the run returns, so only a crash of the process, or a
// ledger that stays unwritable through the retries, leaves such sends
// behind. A worker holds one of Workers + RecordBatch slots from before its
// send until the send's record is written, so at most that many people
// (DuplicateBound) get a second notice per crashed invocation. One more
// source is outside any client's control: a transport error (timeout,
// reset) after SES accepted the request looks like a failure and the retry
// sends again.
//
// Errors: a throttled send (TooManyRequestsException, "Maximum sending rate
// exceeded") backs off with jitter and retries the same person until the
// invocation must stop, then leaves the person to the next run; nobody is
// dropped. Every try waits for the pacer: the SES client makes no retries
// of its own (NewSESClient), so retries cannot push the rate over the
// account's. A server or transport error is tried six times, about three
// seconds, before the run stops for the state machine to retry. A rejected message or an address SES (or our own check) refuses
// marks the person failed, which puts them on the fallback list. The daily
// quota, a paused or suspended account, and a sending identity that is not
// set up stop the batch with the named errors DailyQuotaExceeded,
// SendingPaused and SendConfigInvalid, which the state machine routes on.
//
// # Channels
//
// E-mail is the pipeline's own channel. Another channel plugs in as a
// Channel (Pipeline.Channel; package sms supplies the SMS one): it says how
// one person's message is prepared, sent and how its errors read
// (Outcome), and everything else is the same code: the lease, the pacer,
// the workers, the batched records, the stop errors, so the same
// duplicate bound and crash resume. Its leases and records sit in a send
// partition of its own (casetable.ChannelSendPK), so a person is sent once
// per channel. Where e-mail marks a refused person failed on the subject,
// another channel records the refusal (Refusal's code) in its partition,
// batched like a send: the person's fallback entry on that channel. A
// channel may also prepare a whole page as the page is read, one page ahead
// of the workers (PagePreparer: package sms issues a page's notice links in
// one write), and read only the attributes it needs (Projection).
//
// Each channel sends to a person only when their channel plan makes it due
// (channelplan.Plan.Due). For e-mail that is EmailDue: e-mail in the plan's
// first step, or after a text that failed. A run of the e-mail pipeline
// reads, for each page with someone whose plan texts first, those people's
// SMS records and receipts (ledger.ChannelOutcomes: a few queries a page,
// none for pages without such people) and marks the failed ones
// (casetable.Subject.FailedOn) before Prepare asks. A person not due yet
// gets no record, so the state machine's second e-mail round, after the
// bounce and receipt window, asks again; e-mail's own records keep anyone
// from a second e-mail.
//
// # What it sends
//
// The send stage consumes the approved document set drafting produced: it
// asks its Documents (draft.Approved in the send function) for a case's
// email.Filings and the email.Renderer of its notices, after the approval
// check and with the content hash the approval bound. It neither renders
// nor drafts anything, and imports neither package draft nor notice: the
// two stages meet in package email's types. What is the send stage's own
// is how a message goes out: where each filing goes (FilingAddresses, from
// FILING_ADDRESSES; a filing with none stops the stage with
// SendConfigInvalid before anything is sent), filings as raw MIME
// (email.Raw) with their document attached, notices as SES Simple content
// with the subject cleaned once more by email.Header where it becomes a
// header.
//
// Callers: the send function (internal/functions), the local stack through
// the same wiring, and bench/send.
package delivery
