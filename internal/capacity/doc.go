// Package capacity answers, before a case sends anything, whether the SES
// account can meet the case's deadlines and what the send will cost.
//
// Schedule works out when sending ends at a given rate and daily quota, and
// for each deadline whether it is met, by how much, and what rate and quota
// would meet it. Estimate prices the whole run in AWS terms (SES, Step
// Functions, Lambda, DynamoDB) with the prices of research/LIMITS.md and the
// constants the workflow itself uses: people per Distributed Map child,
// ledger writes per person, the send stage's pacing.
//
// `breachflow plan` prints both; the tests reproduce LIMITS.md's 40-million
// example.
package capacity
