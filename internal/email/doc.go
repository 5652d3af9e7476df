// Package email is the message breachflow sends, as one type from the
// stage that writes it to the stage that sends it, and the one place that
// makes text from data safe to put in a message.
//
// Who uses it:
//   - package notice renders customer notices and regulator filings as
//     Messages;
//   - package draft stores them, has them approved, and hands the send
//     stage a case's approved document set: its regulator filings as
//     Filings and its customer notices as a Renderer (draft.Approved);
//   - package delivery sends them through SES v2: notices as Simple
//     content, filings as Raw messages with their attachment.
//
// The dependency runs from each of those to this package, never between
// draft and delivery: drafting does not know how a message is sent, and
// sending does not know how one is drafted.
//
// # Cleaning
//
// Text that reaches a message from data (a person's name, a subject built
// from the organisation's words, a file name) passes one of two functions
// here before it is written:
//
//   - Header, for any header value (a subject, an attachment's name): CR,
//     LF, tabs and every other control or space character become one
//     space, so no CR/LF can reach a header and start a header of its own;
//     the result is trimmed and cut at MaxHeader runes.
//   - Name, for a personalised field (a person's name, which goes into a
//     notice's bodies): the same, cut at MaxName runes.
//
// Both also remove, without a trace, the Unicode bidirectional controls
// (U+202A-202E, U+2066-2069, U+200E, U+200F and the Arabic letter mark
// U+061C) and the zero-width characters (U+200B-200D, U+2060, U+FEFF), and
// drop invalid UTF-8. A bidi override in a name reorders how the notice's
// own sentence around it is displayed; a zero-width character makes two
// different strings look the same. Neither belongs in a name shown to its
// owner, and removing them (rather than putting a space) keeps the letters
// of the name together. Scripts that use the zero-width joiners (Persian,
// some Indic scripts, emoji sequences) keep every letter; only how two of
// them join may change.
//
// A name is cut at MaxName = 100 runes. Real names fit well inside that
// (a passport's machine-readable zone holds a whole name in 39 characters);
// the attack review of issue 22 sent a 5,000-character name, which was
// rendered whole into the greeting. Cutting on a rune boundary keeps the
// text valid UTF-8.
//
// Both functions return their argument itself when it is already clean,
// without allocating, so the send stage cleans every subject again at the
// header it writes (a producer that forgot would still not reach a header)
// and a clean approved subject is sent byte for byte as approved.
package email
