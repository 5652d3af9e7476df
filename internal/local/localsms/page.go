package localsms

import (
	"encoding/json"
	"html/template"
	"net/http"
	"time"
)

// store serves the accepted messages as JSON ({"messages": [...]}), the
// counterpart of the SES emulator's /store.
func (s *Server) store(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": s.Messages()})
}

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"when": func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02 15:04:05.000") },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Local SMS outbox</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;text-align:left}pre{margin:0;white-space:pre-wrap;max-width:40em}</style>
</head><body>
<h1>Local SMS outbox</h1>
<p>{{len .}} messages (newest first). JSON: <a href="/store">/store</a>.</p>
<table><thead><tr><th>At (UTC)</th><th>To</th><th>From</th><th>Text</th><th>Message id</th></tr></thead><tbody>
{{range .}}<tr><td>{{when .At}}</td><td>{{.Destination}}</td><td>{{.Origination}}</td><td><pre>{{.Body}}</pre></td><td>{{.MessageID}}</td></tr>
{{end}}</tbody></table></body></html>
`))

// page lists the messages newest first, like the SES emulator's mailbox.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	msgs := s.Messages()
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	if len(msgs) > 1000 {
		msgs = msgs[:1000]
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pageTmpl.Execute(w, msgs)
}
