// Package localsms is a local AWS End User Messaging SMS endpoint: it
// speaks the pinpoint-sms-voice-v2 API's own wire protocol (AWS JSON 1.0,
// "X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage", SigV4-signed requests
// for the service "sms-voice") on 127.0.0.1, so the Go SDK, the AWS CLI and
// breachflow's SMS channel reach it exactly as they reach AWS, through
// AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2.
//
// Why it exists: no emulator of this API could be used. LocalStack's
// community edition has no pinpoint-sms-voice-v2; the one Go emulator with
// SendTextMessage (sivchari/kumo v0.33.1) cannot be built here (a module it
// needs cannot be fetched); npm's SMS mocks (aws-sns-local and the Twilio
// mock servers) speak SNS or Twilio, not this API; searched again on
// 2026-12-04 (code and docs corpora). So this package implements the one
// operation breachflow calls, SendTextMessage, with the service's input
// constraints (the API model's patterns and lengths), its error shapes
// (ValidationException with Reason and Fields, ResourceNotFoundException
// with ResourceType and ResourceId, ThrottlingException, ConflictException
// for an opted-out destination, "__type" in the body and X-Amzn-ErrorType
// in the header) and its account settings as a test needs them:
// origination identities by country calling code, configuration sets, a
// message-per-second limit, numbers that opted out and numbers no carrier
// reaches. Any other operation answers UnknownOperationException.
//
// It records every accepted message (Messages; GET /store as JSON; GET /
// as a page like the SES emulator's mailbox) and reports each one's
// delivery receipt to Options.Events with the JSON an event destination
// of a configuration set gets in AWS ("eventType": "TEXT_DELIVERED", ...,
// "context": {...} as the sender set it); the local stack hands it to the
// same function that reads them from the SNS topic in AWS.
//
// Its Host allow-list is package loopback's. It counts the message-parts-
// per-second limit in parts, as the service does, with a simpler count of
// its own (ASCII texts as GSM, others as UCS-2, a Korean destination's
// text as one LMS), so a pacer that forgets parts is caught here.
package localsms
