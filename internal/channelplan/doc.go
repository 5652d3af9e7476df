// Package channelplan fixes, for each person in scope, the channels their
// notice goes out on and in what order, from what the user table holds for
// them (an e-mail address, a phone number, a postal address) and the
// case's channel policy (the report's channel_policy).
//
// A plan is a list of steps. The channels of the first step are sent at
// once; each later step is taken only when every channel before it has
// failed for the person (an e-mail bounced, was refused or was never
// possible; a text was refused or reported undeliverable). A person with
// no channel at all has an empty plan: the posted notice (the substitute
// notice on the company's site, for its legal period) covers them, as it
// covers anyone whose last step fails.
//
// Scoping computes the plan (For) and stores it on the subject in its
// text form ("email>sms>postal", "email+sms>postal"): channel names only,
// never the contact details behind them, so the plan may appear in
// payload counts, the ledger export and the console. The send stage asks
// Due before sending on a channel; reconcile and the evidence pack read
// the plan to say on which channel each person was, or should have been,
// reached.
package channelplan
