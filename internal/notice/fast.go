package notice

import (
	"math/bits"
	"strings"

	"breachflow/internal/breach"
)

// The fast path. Executing html/template costs tens of microseconds a
// notice, most of it reflection over parts that are the same for everyone
// in a locale and jurisdiction. So each base is rendered once more per
// shape (name or not, own categories or not) with markers where the
// person's data goes, and Render then only splices escaped values into the
// pieces. Every skeleton is checked against the template path for a probe
// person when it is built; if they differ (a template put personal data in
// a context the splice does not handle), that base keeps using templates.

const (
	markName = "BFXQNAMEQXB"
	markCats = "BFXQCATSQXB"
	markCons = "BFXQCONSQXB"
	markAdv  = "BFXQADVQXB"
)

type slot uint8

const (
	slotLit slot = iota
	slotName
	slotCats
	slotCons
	slotAdv
)

type piece struct {
	lit  string
	slot slot
}

type skeleton struct {
	html, text []piece
	size       int
}

// htmlEscaper escapes exactly as html/template does in element text and
// quoted attributes.
var htmlEscaper = strings.NewReplacer(`"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

// split cuts s at the markers; in HTML a list marker stands for a whole
// "<li>marker</li>" item.
func split(s string, html bool) []piece {
	var out []piece
	marks := []struct {
		tok  string
		slot slot
	}{{markName, slotName}, {markCats, slotCats}, {markCons, slotCons}, {markAdv, slotAdv}}
	if html {
		for i := 1; i < len(marks); i++ {
			marks[i].tok = "<li>" + marks[i].tok + "</li>"
		}
	}
	for len(s) > 0 {
		best, bi := -1, 0
		for i, m := range marks {
			if j := strings.Index(s, m.tok); j >= 0 && (best < 0 || j < best) {
				best, bi = j, i
			}
		}
		if best < 0 {
			out = append(out, piece{lit: s})
			break
		}
		if best > 0 {
			out = append(out, piece{lit: s[:best]})
		}
		out = append(out, piece{slot: marks[bi].slot})
		s = s[best+len(marks[bi].tok):]
	}
	return out
}

// person is what the fast path splices in.
type person struct {
	name               string
	cats, cons, adv    []string // HTML-escaped
	catsT, consT, advT []string // plain
}

func (k *skeleton) render(p *person) (html, text string) {
	var b strings.Builder
	b.Grow(k.size + 2048)
	for _, pc := range k.html {
		switch pc.slot {
		case slotLit:
			b.WriteString(pc.lit)
		case slotName:
			htmlEscaper.WriteString(&b, p.name)
		case slotCats:
			writeItems(&b, p.cats)
		case slotCons:
			writeItems(&b, p.cons)
		case slotAdv:
			writeItems(&b, p.adv)
		}
	}
	html = b.String()
	var t strings.Builder
	t.Grow(len(html) / 2)
	for _, pc := range k.text {
		switch pc.slot {
		case slotLit:
			t.WriteString(pc.lit)
		case slotName:
			t.WriteString(p.name)
		case slotCats:
			writeLines(&t, p.catsT)
		case slotCons:
			writeLines(&t, p.consT)
		case slotAdv:
			writeLines(&t, p.advT)
		}
	}
	return html, t.String()
}

func writeItems(b *strings.Builder, items []string) {
	for _, it := range items {
		b.WriteString("<li>")
		b.WriteString(it)
		b.WriteString("</li>")
	}
}

func writeLines(b *strings.Builder, items []string) {
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n- ")
		}
		b.WriteString(it)
	}
}

// localWords are a locale's category names, consequences and advice,
// escaped for HTML and as the text part shows them, indexed by category
// order and risk kind.
type localWords struct {
	cat, catT   []string
	cons, consT []string
	adv, advT   []string
}

var categoryOrder = breach.Categories()

func wordsFor(ld *localeData) localWords {
	var w localWords
	plain := func(s string) string {
		return strings.TrimSuffix(HTMLToText("<p>"+htmlEscaper.Replace(s)+"</p>"), "\n")
	}
	for _, c := range categoryOrder {
		w.cat = append(w.cat, htmlEscaper.Replace(ld.Categories[c]))
		w.catT = append(w.catT, plain(ld.Categories[c]))
	}
	for _, k := range riskKinds {
		w.cons = append(w.cons, htmlEscaper.Replace(ld.Consequences[k]))
		w.consT = append(w.consT, plain(ld.Consequences[k]))
		w.adv = append(w.adv, htmlEscaper.Replace(ld.Advice[k]))
		w.advT = append(w.advT, plain(ld.Advice[k]))
	}
	return w
}

// categorySet is a bit set of valid categories, by vocabulary order.
func categorySet(cats []breach.Category) uint64 {
	var set uint64
	for _, c := range cats {
		for i, x := range categoryOrder {
			if x == c {
				set |= 1 << i
				break
			}
		}
	}
	return set
}

// person builds the splice values for a name and a category set.
func (b *base) person(name string, set uint64) person {
	p := person{name: name}
	n := bits.OnesCount64(set)
	p.cats, p.catsT = make([]string, 0, n), make([]string, 0, n)
	var risk [8]bool
	for i := range categoryOrder {
		if set&(1<<i) == 0 {
			continue
		}
		p.cats = append(p.cats, b.words.cat[i])
		p.catsT = append(p.catsT, b.words.catT[i])
		if k, ok := categoryRisk[categoryOrder[i]]; ok {
			risk[riskIndex[k]] = true
		}
	}
	risk[len(riskKinds)-1] = true // "general" always
	for i := range riskKinds {
		if risk[i] {
			p.cons = append(p.cons, b.words.cons[i])
			p.consT = append(p.consT, b.words.consT[i])
			p.adv = append(p.adv, b.words.adv[i])
			p.advT = append(p.advT, b.words.advT[i])
		}
	}
	return p
}

var riskIndex = func() map[string]int {
	m := make(map[string]int, len(riskKinds))
	for i, k := range riskKinds {
		m[k] = i
	}
	return m
}()

// skeleton returns the marked-up notice for a shape, built and checked on
// first use; nil means "use the templates".
func (b *base) skeleton(hasName, own bool) *skeleton {
	i := 0
	if hasName {
		i += 2
	}
	if own {
		i++
	}
	b.skelOnce[i].Do(func() { b.skels[i] = b.buildSkeleton(hasName, own) })
	return b.skels[i]
}

func (b *base) buildSkeleton(hasName, own bool) *skeleton {
	v := b.v
	if hasName {
		v.Name = markName
	}
	v.Own = own
	v.Categories = []string{markCats}
	v.Consequences = []string{markCons}
	v.Advice = []string{markAdv}
	var sb strings.Builder
	if err := b.doc.body.ExecuteTemplate(&sb, "body", &v); err != nil {
		return nil
	}
	html := sb.String()
	k := &skeleton{html: split(html, true), text: split(HTMLToText(html), false), size: len(html)}
	// Check the splice against the templates for a probe person whose name
	// needs escaping and whose data spans several risk groups.
	name := ""
	if hasName {
		name = `Probe <&> "x" 'y' +z`
	}
	cats := []breach.Category{breach.CategoryEmail, breach.CategoryRRN, breach.CategoryHealth}
	want, err := b.renderSlow(name, own, cats)
	if err != nil {
		return nil
	}
	p := b.person(name, categorySet(cats))
	html, text := k.render(&p)
	if html != want.HTML || text != want.Text {
		return nil
	}
	return k
}
