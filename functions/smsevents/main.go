// Command smsevents files the SMS channel's delivery receipts (from the SMS
// configuration set's SNS topic) in each person's SMS ledger entry.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.SmsEvents.Build assembles: the same Build the
// local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.SmsEvents.Start() }
