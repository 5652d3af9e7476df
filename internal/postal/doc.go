// Package postal writes the postal export: for the people of a case who
// can be reached by post only (a postal address, no usable e-mail, no
// phone), one letter each, in their language, in one print-ready file for
// a mailing house.
//
// The letter is the person's approved notice, rendered exactly as their
// e-mail would be (draft.Approved.Notices, which refuses content that is
// not what the approvers signed), under an address block placed for a
// window envelope. Each letter passes the same content check as every
// notice (notice.Check against every individuals duty covering the
// person's jurisdiction); one that lacks a required element stops the
// export with *notice.MissingContentElement, and no file is left behind.
//
// Why print-ready HTML (letters.html, A4 pages via CSS @page, one letter
// per sheet): it is the format every mailing house's pipeline and any
// browser can print, it carries the approved markup unchanged, and the
// CLI turns it into a PDF with headless Chromium (`--pdf`) where one is
// wanted; Korean and Japanese letters name the Noto CJK fonts that `make
// chromium` installs. The file holds names and addresses because that is
// its purpose; it is written 0600. What the case table and the evidence
// pack keep of an export is counts per language and the files' SHA-256
// (Store), never an address; the audit chain records the same.
//
// Called by `breachflow export postal CASE --out DIR`.
package postal
