// Package channelplan fixes, for each person in scope, the channels their
// notice goes out on and in what order, from what the user table holds for
// them (an e-mail address, a phone number, a postal address) and the
// case's channel policy (the report's channel_policy).
//
// A plan is a list of steps. The channels of the first step are sent at
// once; each later step is taken only when every channel before it has
// failed for the person (Due): an e-mail bounced, was refused or was never
// possible; a text was refused at send (malformed number, no sender for
// the country, too long, opted out, no senders at all) or a delivery
// receipt said it was undeliverable. A person with no channel at all has
// an empty plan: the posted notice (the substitute notice on the company's
// site, for its legal period) covers them, as it covers anyone whose last
// step fails.
//
// Every order the policy accepts is honoured, not only the default
// (email>sms>postal). With "order": ["sms", "email"] a person with both a
// phone and an address is texted first and e-mailed only if the text
// fails: the send stage asks Due before each e-mail with the person's SMS
// outcome read from the shard's SMS send partition (package delivery), and
// the state machine gives e-mail a second round after the bounce and
// receipt window, as it gives SMS one for e-mail bounces. One exception:
// the holder of an e-mail address others in scope share is e-mailed at
// once whatever their plan, because that one e-mail is the others' only
// notice (package sharedaddr).
//
// # Postal comes last
//
// A letter's failure is never known to the run: the postal export is a
// file for a mailing house, and no receipt of an undelivered letter comes
// back. A step after a letter would therefore never be due, and the
// policy would only pretend to order it. So Validate refuses a policy
// that names postal before an electronic channel (e-mail or SMS) with a
// *FieldError on that channel_policy.order[i] entry, rather than giving
// the order a meaning it cannot keep (sending the later channel at once,
// say, which is what all_channels_for is for). Postal may come anywhere
// after the electronic channels, or be the only channel.
//
// Scoping computes the plan (For) and stores it on the subject in its
// text form ("email>sms>postal", "email+sms>postal", "sms>email"): channel
// names only, never the contact details behind them, so the plan may
// appear in payload counts, the ledger export and the console. The send
// stage asks Due before sending on a channel; reconcile and the evidence
// pack read the plan to say on which channel each person was, or should
// have been, reached.
package channelplan
