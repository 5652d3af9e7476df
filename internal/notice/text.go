package notice

import (
	"html"
	"strings"
)

// HTMLToText turns a rendered document into the plain-text alternative
// part. It knows only the markup breachflow's own templates use: headings
// and paragraphs become blocks, list items "- " lines, <br> a line break,
// and <head>, <style> and <script> are dropped. Text is unescaped once, so
// an escaped "&lt;script&gt;" in a name reads as the name was typed, in a
// text part no client executes.
func HTMLToText(s string) string {
	var b strings.Builder
	b.Grow(len(s) / 2)
	nl := 2 // pending line breaks (start as if after a block, so no leading blank)
	space := false
	for i := 0; i < len(s); {
		if s[i] == '<' {
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				break
			}
			tag := s[i+1 : i+end]
			i += end + 1
			closing := strings.HasPrefix(tag, "/")
			name := strings.ToLower(strings.TrimPrefix(tag, "/"))
			if k := strings.IndexAny(name, " \t\n/"); k >= 0 {
				name = name[:k]
			}
			switch name {
			case "head", "style", "script", "title":
				if !closing {
					if j := strings.Index(s[i:], "</"+name); j >= 0 {
						i += j
					}
				}
			case "h1", "h2", "h3", "p", "section", "div", "table", "ul", "ol", "header", "footer", "hr", "dl", "blockquote":
				nl = max(nl, 2)
				space = false
			case "li", "tr", "dt", "dd":
				nl = max(nl, 1)
				space = false
				if !closing && name == "li" {
					flush(&b, &nl)
					b.WriteByte('-')
					space = true
				}
			case "br":
				nl = max(nl, 1)
				space = false
			case "td", "th":
				if !closing && b.Len() > 0 && nl == 0 {
					b.WriteString(": ")
				}
			}
			continue
		}
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			j = len(s) - i
		}
		text := s[i : i+j]
		i += j
		if strings.IndexByte(text, '&') >= 0 {
			text = html.UnescapeString(text)
		}
		for k := 0; k < len(text); k++ {
			c := text[k]
			if isSpace(c) {
				space = true
				continue
			}
			switch {
			case nl > 0:
				flush(&b, &nl)
			case space && b.Len() > 0:
				b.WriteByte(' ')
			}
			space = false
			b.WriteByte(c)
		}
	}
	return b.String() + "\n"
}

func flush(b *strings.Builder, nl *int) {
	if *nl > 0 && b.Len() > 0 {
		for range *nl {
			b.WriteByte('\n')
		}
	}
	*nl = 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }
