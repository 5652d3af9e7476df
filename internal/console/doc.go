// Package console is the approval console: an http.Handler that shows a
// case's obligations with live countdowns to their deadlines, the affected
// people by jurisdiction as a chart, the regulator filings and customer
// notices exactly as they will be sent, and who has approved so far; and
// that takes an approver's decision.
//
// The same handler runs on 127.0.0.1:8080 in the local stack (Serve refuses
// any other interface) and, in AWS, behind a Lambda function URL through
// aws-lambda-go's lambdaurl (functions/console).
//
// Deciding follows package approval's rules, and two of the console's own:
// a GET never decides (approval links open a confirmation page, because mail
// scanners fetch links), and only a POST carrying the CSRF token bound to
// that link does; cross-origin POSTs are refused as well. Drafts render in
// an iframe's srcdoc, escaped, with sandbox="allow-same-origin": no scripts,
// forms, popups or navigation, and the page's Content-Security-Policy
// (script-src 'self') is inherited as well, so a draft's HTML shows exactly
// as sent but cannot act. (A fully opaque sandbox would be stricter still,
// but headless Chromium then paints the frames blank, and the screenshot
// evidence of what was approved matters; without scripts same-origin access
// is unusable.) Pages carry no-referrer (the link token is in the URL) and
// no-store.
//
// Without Config.Browse, only link pages are served: that is the mode for a
// public function URL, where the link is the credential. With Browse the
// case list and read-only case pages are served too (the local stack, or a
// deployment behind IAM-authenticated access).
//
// Templates and static assets are embedded; there is no CDN.
package console
