package notice

import (
	"fmt"
	"html"
	"strings"

	"breachflow/internal/breach"
)

// MissingContentElement is the error of a failed content check: a document
// lacks an element its law requires. Drafting stops on it; the message names
// the element, the law and the document, never any personal data.
type MissingContentElement struct {
	Element      breach.Element
	ObligationID string
	Regime       string
	Citation     string
	Document     string // e.g. "filing/pipc.ko" or "notice/en for US-CA"
}

// Error names the element, the citation and the obligation.
func (e *MissingContentElement) Error() string {
	return fmt.Sprintf("content check: %s lacks element %q required by %s (%s, obligation %s)",
		e.Document, e.Element, e.Citation, e.Regime, e.ObligationID)
}

// Elements returns the content elements present in a rendered document:
// those named in the data-element attribute of a <section> whose text is
// not blank. A section may carry several elements, space separated.
func Elements(doc string) map[breach.Element]bool {
	out := make(map[breach.Element]bool)
	const attr = `data-element="`
	rest := doc
	for {
		i := strings.Index(rest, "<section ")
		if i < 0 {
			return out
		}
		rest = rest[i:]
		tagEnd := strings.IndexByte(rest, '>')
		if tagEnd < 0 {
			return out
		}
		tag := rest[:tagEnd]
		rest = rest[tagEnd+1:]
		a := strings.Index(tag, attr)
		if a < 0 {
			continue
		}
		names := tag[a+len(attr):]
		if q := strings.IndexByte(names, '"'); q >= 0 {
			names = names[:q]
		}
		end := strings.Index(rest, "</section>")
		if end < 0 {
			end = len(rest)
		}
		if !blank(rest[:end]) {
			for _, n := range strings.Fields(names) {
				out[breach.Element(n)] = true
			}
		}
	}
}

// blank reports whether markup has no text outside its tags.
func blank(markup string) bool {
	in := false
	for i := 0; i < len(markup); i++ {
		switch c := markup[i]; {
		case c == '<':
			in = true
		case c == '>':
			in = false
		case !in && c != ' ' && c != '\n' && c != '\t' && c != '\r':
			if c == '&' && strings.TrimSpace(html.UnescapeString(markup[i:min(i+8, len(markup))])) == "" {
				continue
			}
			return false
		}
	}
	return true
}

// Check verifies that a rendered document carries every element duty d
// requires, and returns a *MissingContentElement for the first that it
// lacks (in the duty's order).
func Check(document, rendered string, d Duty) error {
	have := Elements(rendered)
	for _, e := range d.Elements {
		if !have[e] {
			return &MissingContentElement{Element: e, ObligationID: d.ID, Regime: d.Regime, Citation: d.Citation, Document: document}
		}
	}
	return nil
}
