// Command noticelink serves the per-person link pages an SMS points to
// (<site>/n/<token>) from Lambda behind a function URL (InvokeMode
// RESPONSE_STREAM) through aws-lambda-go's lambdaurl; the notice site's
// distribution routes /n/* to it. The token is the credential: 128 random
// bits, stored hashed, expiring with the posting period.
//
// Start reads the settings from the environment template.yaml sets and
// starts the handler functions.NoticeLink.Build assembles: the same Build
// the local stack (internal/local/deploy) runs.
package main

import "breachflow/internal/functions"

func main() { functions.NoticeLink.Start() }
