// Package sesevents applies SES v2 event-destination events (Delivery,
// Bounce, Complaint) to the people of a case, so the ledger shows who was
// reached, and who was not and needs substitute notice.
//
// It reads the event in any of the shapes SES publishes through: an SNS
// notification delivered to Lambda, an EventBridge event ("source":
// "aws.ses"), or the bare SES event. The subject is found by the message
// tags the send stage puts on every notice (case_id, user_id, shard); a
// regulator filing's events (case_id, obligation_id) update the filing's
// record. Mail without these tags (another sender's) is ignored.
//
// Updates are conditional (ledger.ApplyEvent): events arrive late, out of
// order and more than once, and none may move a person back (delivered never
// returns to sent, a bounce or complaint is never overwritten by a
// delivery). A permanent bounce puts the person on the fallback list. A
// transient bounce changes nothing: SES keeps retrying, and a final failure
// comes as a permanent bounce.
//
// Events carry recipients' addresses; this package reads only ids from them
// and never logs an address.
package sesevents
