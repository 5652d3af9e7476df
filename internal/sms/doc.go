// Package sms is the SMS channel: phone numbers checked and written in
// E.164, a sender identity per country, texts counted the way each
// country's carriers count them, the short text with a link to the
// person's full notice and its content check, and the delivery.Channel that
// sends through AWS End User Messaging SMS. The send pipeline of package
// delivery runs it with the same lease, pacer, batched records, duplicate
// bound and crash resume as e-mail; its records sit in the shard's SMS send
// partition (casetable.ChannelSendPK), one per person.
//
// # End User Messaging SMS, not SNS
//
// Texts go out through End User Messaging SMS (the pinpoint-sms-voice-v2
// API, SendTextMessage), not through SNS Publish to a phone number. Both
// reach the same carriers; what decides is what a breach notice needs:
//
//   - Sender identity per message. SendTextMessage names the origination
//     identity of each text (OriginationIdentity: a phone number, sender ID
//     or pool), so each country gets the identity registered for it:
//     Korea's registered numeric sender number (research/INCIDENTS_2025.md,
//     Channels: numeric sender IDs only), a registered long code or
//     toll-free number for the US, a sender ID where one is allowed. SNS
//     takes them only as per-message attributes (AWS.SNS.SMS.SenderID,
//     AWS.MM.SMS.OriginationNumber); the identities themselves are bought
//     and registered in End User Messaging SMS either way.
//   - Delivery receipts with our ids. A configuration set
//     (ConfigurationSetName) sends each text's events, carrier delivery
//     reports included, to its event destinations (an SNS topic, Firehose,
//     CloudWatch Logs, or EventBridge), with the Context map we put on the
//     send (case, user and shard ids, never a number) echoed in every
//     event, as SES tags are for e-mail. That is how receipts reach the
//     ledger (Event; the event's form: End User Messaging user guide,
//     "Messaging Events", SMS example log). SNS writes SMS delivery status
//     only to CloudWatch Logs (log group
//     sns/<region>/<account>/DirectPublishToPhoneNumber), and each entry
//     carries the destination phone number (re:Post knowledge center,
//     monitor-sns-texts-cloudwatch): a second copy of the breach's phone
//     numbers in the logs, which breachflow must not create.
//   - Registration where the law or carriers require it (US 10DLC and
//     toll-free, Korea's sender number, India's entity and template ids
//     through DestinationCountryParameters) lives in this API
//     (CreateRegistration, ...), next to the identities it unlocks.
//   - Quotas are stated per origination identity in message parts per
//     second (MPS) plus a monthly spend limit, which is what pacing needs;
//     SNS adds its own account-wide SMS transactions per second on top.
//     The plan counts parts (SplitText) and per-country MPS (countries.json,
//     UNVERIFIED until the account's figures replace them).
//   - Guard rails per send: MaxPrice refuses a text that would cost more
//     than expected (a long text split into many UCS-2 parts), and
//     MessageType TRANSACTIONAL asks for the route meant for must-deliver
//     messages.
//
// SNS would be simpler only for fan-out to topics, which a per-person
// notice does not use. Neither API takes an idempotency key, so the
// duplicate bound is the pipeline's, as for SES (delivery.DuplicateBound).
//
// # Counting a text
//
// SplitText counts in the country's encoding: Korea in EUC-KR bytes (SMS up
// to 90 bytes, LMS up to 2,000; EUC-KR characters only), elsewhere GSM-7
// (160 septets, 153 per part of a longer text) or UCS-2 (70, then 67), the
// sources cited at the constants. A text over its limit, a number that is
// not E.164 or belongs to a country without a configured sender, and a
// person without a notice page are refused per person (delivery.Refusal):
// the ledger records the failure on the SMS channel, which is the person's
// fallback entry there, and nobody is lost.
//
// # What a text says
//
// A text carries what the law requires, or says who writes and that the
// person's data was breached and links to the full notice (LinkElements,
// Check). The link holds only an opaque per-person token; the page that
// serves it, and the token, belong to the posted notice (Linker).
//
// A person gets one of three texts (kinds.go): the first text; the update
// text, when an earlier version of the report already reached them
// (package delta marks them), naming the date of that notice as the update
// e-mail does; or the closing text, when a possible leak they were told of
// was ruled out (PIPA Decree Art. 39-3(3); wording UNVERIFIED). The send
// stage sends the approved drafts of each (Channel.Approved), filling in
// the person's link and, in the update text, their earlier notice's date.
//
// Callers: the send stage (internal/functions, through delivery.Pipeline
// with Channel set), bench/sms, and `breachflow plan` (Countries).
package sms
