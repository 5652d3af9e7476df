package notice

import (
	"embed"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	"sync"
	texttemplate "text/template"
)

//go:embed templates
var templateFS embed.FS

// doc is one compiled document template: "subject" (text/template, so the
// subject is not HTML-escaped) and "body" (html/template, which escapes every
// value by context) parsed from the same file.
type doc struct {
	name    string
	locale  string
	subject *texttemplate.Template
	body    *htmltemplate.Template
}

var funcs = map[string]any{
	// has reports whether a set of element names holds e.
	"has": func(set map[string]bool, e string) bool { return set[e] },
	// join lists names with the locale's separator.
	"join": func(s []string, sep string) string { return strings.Join(s, sep) },
}

// parseDoc compiles templates/<dir>/<file> with the shared layout.
func parseDoc(dir, file string) (*doc, error) {
	path := "templates/" + dir + "/" + file
	src, err := fs.ReadFile(templateFS, path)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	body, err := htmltemplate.New(file).Funcs(funcs).ParseFS(templateFS, "templates/layout.html.tmpl", path)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	subject, err := texttemplate.New(file).Funcs(funcs).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	for _, name := range []string{"subject", "body"} {
		if body.Lookup(name) == nil {
			return nil, fmt.Errorf("template %s: no {{define %q}}", path, name)
		}
	}
	locale := strings.TrimSuffix(file, ".html.tmpl")
	if i := strings.LastIndexByte(locale, '.'); i >= 0 {
		locale = locale[i+1:]
	}
	return &doc{name: dir + "/" + file, locale: locale, subject: subject, body: body}, nil
}

// noticeDocs are compiled once per process: templates are fixed at build
// time, so every NoticeSet shares them. The substitute notice (a website
// posting) is the same template with view.Substitute set.
var noticeDocs = sync.OnceValues(func() (map[string]*doc, error) { return parseLocales("notice") })

func parseLocales(dir string) (map[string]*doc, error) {
	out := make(map[string]*doc, len(Locales))
	for _, l := range Locales {
		d, err := parseDoc(dir, l+".html.tmpl")
		if err != nil {
			return nil, err
		}
		out[l] = d
	}
	return out, nil
}

// form is one regulator filing template and the regimes it serves
// (templates/filings.json).
type form struct {
	Form  string   `json:"form"`
	Match []string `json:"match"` // substrings of the lower-case regime id
	Phase string   `json:"phase,omitempty"`
	// Languages the form is written in, the first being the fallback.
	Languages []string `json:"languages"`
	docs      map[string]*doc
}

var forms = sync.OnceValues(func() ([]*form, error) {
	b, err := templateFS.ReadFile("templates/filings.json")
	if err != nil {
		return nil, err
	}
	var fs []*form
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fs); err != nil {
		return nil, fmt.Errorf("templates/filings.json: %w", err)
	}
	for _, f := range fs {
		f.docs = make(map[string]*doc)
		for _, l := range f.Languages {
			d, err := parseDoc("filing", f.Form+"."+l+".html.tmpl")
			if err != nil {
				return nil, err
			}
			f.docs[l] = d
		}
	}
	if len(fs) == 0 || len(fs[len(fs)-1].Match) != 0 {
		return nil, fmt.Errorf("templates/filings.json: the last form must be the catch-all (no match)")
	}
	return fs, nil
})

// formFor picks the filing form for a duty: its Form if set, else the first
// form whose match list has a substring of the regime (and whose phase, if
// any, is the duty's), else the catch-all.
func formFor(d Duty) (*form, error) {
	all, err := forms()
	if err != nil {
		return nil, err
	}
	if d.Form != "" {
		for _, f := range all {
			if f.Form == d.Form {
				return f, nil
			}
		}
		return nil, fmt.Errorf("filing form %q: not in templates/filings.json", d.Form)
	}
	regime := strings.ToLower(d.Regime)
	for _, f := range all {
		if f.Phase != "" && f.Phase != d.Phase {
			continue
		}
		for _, m := range f.Match {
			if strings.Contains(regime, m) {
				return f, nil
			}
		}
	}
	return all[len(all)-1], nil
}

// FormNames lists every filing form and its languages, for tests and docs.
func FormNames() (map[string][]string, error) {
	all, err := forms()
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(all))
	for _, f := range all {
		out[f.Form] = f.Languages
	}
	return out, nil
}
