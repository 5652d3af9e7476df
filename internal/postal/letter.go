package postal

import "html/template"

// page is the mailing house's file: A4 sheets, one letter each (a letter
// longer than a sheet runs on and the next letter starts on a new sheet),
// the recipient's address where a DIN/DL window envelope shows it (20 mm
// from the left, 45 mm from the top), body text 12 pt (California asks for
// at least 10), and CJK fonts named first for the Korean and Japanese
// letters (Debian's fonts-noto-cjk, which `make chromium` installs).
// Every field is escaped by html/template; the notice bodies are the
// approved, already escaped renderings.
var page = template.Must(template.New("letters").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Letters: case {{.CaseID}} ({{len .Letters}})</title>
<style>
@page { size: A4; margin: 0 }
* { box-sizing: border-box }
html, body { margin: 0; padding: 0 }
body { font-family: "Noto Sans CJK KR", "Noto Sans KR", "Noto Sans", "DejaVu Sans", sans-serif; font-size: 12pt; line-height: 1.5; color: #000 }
:lang(ja) { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Noto Sans", sans-serif }
.letter { position: relative; width: 210mm; min-height: 297mm; padding: 100mm 20mm 20mm 25mm; break-after: page; page-break-after: always }
.letter:last-child { break-after: auto; page-break-after: auto }
.sender { position: absolute; left: 20mm; top: 40mm; width: 85mm; font-size: 7pt; border-bottom: 0.2mm solid #000 }
.address { position: absolute; left: 20mm; top: 45mm; width: 85mm; height: 40mm; font-size: 11pt; line-height: 1.35; overflow: hidden }
.address p { margin: 0 }
.meta { position: absolute; right: 20mm; top: 45mm; text-align: right; font-size: 9pt }
.body h1 { font-size: 16pt; margin-top: 0 } .body h2 { font-size: 13pt } .body h3 { font-size: 12pt }
.body table { border-collapse: collapse } .body td, .body th { border: 0.2mm solid #666; padding: 1mm 2mm; text-align: left; vertical-align: top }
.body h1, .body h2, .body h3 { break-after: avoid }
</style>
</head>
<body>
{{range .Letters}}<section class="letter" lang="{{.Lang}}" data-seq="{{.Seq}}" data-ref="{{.Ref}}">
<div class="sender">{{range $i, $s := $.Sender}}{{if $i}} · {{end}}{{$s}}{{end}}</div>
<div class="address">{{range .Address}}<p>{{.}}</p>{{end}}</div>
<div class="meta">{{$.Date}}<br>{{.Seq}} / {{len $.Letters}} · {{.Ref}}</div>
<div class="body">{{.Body}}</div>
</section>
{{end}}</body>
</html>
`))
