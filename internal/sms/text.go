package sms

import (
	"context"
	"errors"
	"strings"

	"breachflow/internal/breach"
	"breachflow/internal/notice"
)

// Part is one piece of a text message with the content element it carries
// (empty for glue such as a greeting).
type Part struct {
	Element breach.Element
	Text    string
}

// Text is one person's text message: its parts, in order, and the link to
// the full notice, if it carries one.
type Text struct {
	Parts []Part
	// Link is the short link to the person's full notice page: an opaque
	// per-person token and nothing else personal (Linker).
	Link string
}

// String is the message body as it is sent.
func (t Text) String() string {
	var b strings.Builder
	for i, p := range t.Parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Text)
	}
	if t.Link != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.Link)
	}
	return b.String()
}

// LinkElements are what an SMS must still say itself when the rest of the
// notice is behind its link: who is writing and that a breach of the
// person's data happened. An SMS that said less would not be recognisable
// as the notice at all (the SK Telecom text of 2025 that PIPC found
// wanting, research/INCIDENTS_2025.md).
var LinkElements = []breach.Element{breach.ElementOrganisation, breach.ElementNature}

// Check is the content check for the SMS channel: a text carries every
// element duty d requires, or carries a link to the full notice together
// with LinkElements; the full notice behind the link is checked on its own
// page with notice.Check. The error is the notice package's
// *MissingContentElement, naming the element, the law and the document.
func Check(document string, t Text, d notice.Duty) error {
	have := map[breach.Element]bool{}
	for _, p := range t.Parts {
		if p.Element != "" && strings.TrimSpace(p.Text) != "" {
			have[p.Element] = true
		}
	}
	need := d.Elements
	if t.Link != "" {
		need = linkNeeds(d)
	}
	for _, e := range need {
		if !have[e] {
			return &notice.MissingContentElement{Element: e, ObligationID: d.ID, Regime: d.Regime, Citation: d.Citation, Document: document}
		}
	}
	return nil
}

// linkNeeds is what a text with a link must say itself for duty d: who
// writes and what the notice behind the link is about (Headline). For the
// closing notice of a possible leak ruled out that is that nothing leaked,
// for the possibility notice that a leak is possible (PIPA Art. 34(2),
// Decree Arts. 39-2, 39-3(3)), not that a breach happened; otherwise
// LinkElements.
func linkNeeds(d notice.Duty) []breach.Element {
	if h := Headline(d); h != breach.ElementNature {
		return []breach.Element{breach.ElementOrganisation, h}
	}
	return LinkElements
}

// Linker gives the link to one person's full notice page: the posted
// notice's links (package posting's Links, whose method this is): an
// opaque per-person token (a group id and 128 random bits of the person's
// own) that expires with the posting period, and nothing else personal.
// The SMS channel only puts the link in the text. A Linker error other
// than ErrNoLink (the notice is not posted, or its period has ended)
// concerns the whole case and stops the run.
type Linker interface {
	Link(ctx context.Context, caseID, userID string, shard int) (string, error)
}

// PageLinker is a Linker that also issues the links of several people of
// one shard at once, in order (package posting's Links.LinkAll: one read of
// the posting and one write for a page of people, where Link costs one of
// each per person). The channel then prepares a page at a time
// (PreparePage).
type PageLinker interface {
	LinkAll(ctx context.Context, caseID string, shard int, userIDs []string) ([]string, error)
}

// ErrNoLink is a Linker's answer when one person has no page: that person
// fails on SMS ("no_link"), the others are sent.
var ErrNoLink = errors.New("sms: no notice page for the person")
