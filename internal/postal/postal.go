package postal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/notice"
)

// PostalOnly reports whether a scoped person is reached by post only: a
// postal address, no usable e-mail and no phone, and not a duplicate of
// someone else's notice.
func PostalOnly(s *casetable.Subject) bool {
	return s.Postal != "" && s.Email == "" && s.Phone == "" && s.Status != casetable.StatusDuplicate
}

// Walker visits the scoped people of one shard of a case (ledger.Walk).
type Walker func(ctx context.Context, shard int, fn func(*casetable.Subject) error) error

// Input is one export: whose letters, rendered how, checked against what,
// written where.
type Input struct {
	CaseID string
	Shards int
	Walk   Walker
	// Select says who of those Walk visits gets a letter; nil: PostalOnly.
	// The CLI's walk gives only those whose channel plan has them on post
	// now, so it selects everyone with an address.
	Select func(*casetable.Subject) bool
	// Render writes a person's approved notice (draft.Approved.Notices).
	Render email.Renderer
	// Duties are the case's duties; every individuals duty that covers a
	// person's jurisdiction is checked on their letter (notice.Check), as
	// drafting checks every e-mail notice.
	Duties []notice.Duty
	// Sender is the organisation's return address block, one line each.
	Sender []string
	// ContentHash is the approved drafts' hash the letters were rendered
	// under; it is printed in the manifest.
	ContentHash string
	Out         string
	At          time.Time
}

// File is one written file with its SHA-256.
type File struct {
	Name   string `json:"name" dynamodbav:"name"`
	SHA256 string `json:"sha256" dynamodbav:"sha256"`
	Bytes  int64  `json:"bytes" dynamodbav:"bytes"`
}

// Result is what an export wrote: counts and hashes, no addresses.
type Result struct {
	CaseID      string         `json:"case_id" dynamodbav:"case_id"`
	At          time.Time      `json:"exported_at" dynamodbav:"exported_at"`
	Letters     int            `json:"letters" dynamodbav:"letters"`
	ByLocale    map[string]int `json:"by_locale" dynamodbav:"by_locale"`
	ContentHash string         `json:"content_hash" dynamodbav:"content_hash"`
	Files       []File         `json:"files" dynamodbav:"files"`
}

// LettersFile is the mailing house's file: every letter, print-ready.
const LettersFile = "letters.html"

type letter struct {
	Seq     int
	Ref     string // the person's user id: the mailing house's key for returns
	Lang    string
	Address []string
	Body    template.HTML
}

// Export writes one letter per postal-only person of the case into
// Out/letters.html (A4, one letter per sheet, the address placed for a DL
// window envelope, each in the person's language) and Out/manifest.json
// (counts and hashes only). A letter that lacks an element its law
// requires stops the export with *notice.MissingContentElement, naming the
// element and the language, never the person; nothing is left half written.
func Export(ctx context.Context, in Input) (Result, error) {
	res := Result{CaseID: in.CaseID, At: in.At.UTC(), ByLocale: map[string]int{}, ContentHash: in.ContentHash}
	var letters []letter
	for shard := range in.Shards {
		err := in.Walk(ctx, shard, func(s *casetable.Subject) error {
			if sel := in.Select; (sel == nil && !PostalOnly(s)) || (sel != nil && !sel(s)) {
				return nil
			}
			m, err := in.Render(s)
			if err != nil {
				return fmt.Errorf("letter %s/%s: %w", s.Locale, s.Jurisdiction, err)
			}
			body := bodyOf(m.HTML)
			for _, d := range in.Duties {
				if d.Kind != breach.RecipientIndividuals || !d.Required || !notice.Applies(d.Jurisdiction, s.Jurisdiction) {
					continue
				}
				if err := notice.Check("letter "+s.Locale+" for "+s.Jurisdiction, body, d); err != nil {
					return err
				}
			}
			lang := langOf(m.HTML, s.Locale)
			letters = append(letters, letter{Ref: s.UserID, Lang: lang, Address: lines(s.Name, s.Postal), Body: template.HTML(body)})
			res.ByLocale[lang]++
			return nil
		})
		if err != nil {
			return Result{}, err
		}
	}
	// Sorted by reference, so the same case exports the same file.
	slices.SortFunc(letters, func(a, b letter) int { return strings.Compare(a.Ref, b.Ref) })
	for i := range letters {
		letters[i].Seq = i + 1
	}
	res.Letters = len(letters)
	if err := os.MkdirAll(in.Out, 0o700); err != nil {
		return Result{}, err
	}
	f, err := write(filepath.Join(in.Out, LettersFile), func(w io.Writer) error {
		return page.Execute(w, struct {
			CaseID  string
			Sender  []string
			Date    string
			Letters []letter
		}{in.CaseID, in.Sender, in.At.UTC().Format("2006-01-02"), letters})
	})
	if err != nil {
		return Result{}, err
	}
	res.Files = append(res.Files, f)
	return res, nil
}

// write writes a file (0600: it holds addresses) through a temporary name,
// so a failed export leaves no partial file, and returns its hash.
func write(path string, fill func(io.Writer) error) (File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".postal-*")
	if err != nil {
		return File{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	cw := &counter{w: io.MultiWriter(tmp, h)}
	if err := fill(cw); err != nil {
		tmp.Close()
		return File{}, fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := tmp.Close(); err != nil {
		return File{}, err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return File{}, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return File{}, err
	}
	return File{Name: filepath.Base(path), SHA256: hex.EncodeToString(h.Sum(nil)), Bytes: cw.n}, nil
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// bodyOf is the inside of a rendered notice's <body>: the letter prints it
// under its own address block and styles.
func bodyOf(doc string) string {
	i := strings.Index(doc, "<body")
	if i < 0 {
		return doc
	}
	rest := doc[i:]
	if j := strings.IndexByte(rest, '>'); j >= 0 {
		rest = rest[j+1:]
	}
	if k := strings.LastIndex(rest, "</body>"); k >= 0 {
		rest = rest[:k]
	}
	return rest
}

// langOf reads the notice's language from its <html lang>.
func langOf(doc, fallback string) string {
	const attr = `<html lang="`
	if i := strings.Index(doc, attr); i >= 0 {
		rest := doc[i+len(attr):]
		if j := strings.IndexByte(rest, '"'); j >= 0 {
			return rest[:j]
		}
	}
	return fallback
}

// lines is the address block: the name, then the address's own lines.
func lines(name, postal string) []string {
	var out []string
	if n := strings.TrimSpace(name); n != "" {
		out = append(out, n)
	}
	for _, l := range strings.Split(postal, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
