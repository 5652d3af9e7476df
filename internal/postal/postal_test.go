package postal_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/draft"
	"breachflow/internal/email"
	"breachflow/internal/notice"
	"breachflow/internal/postal"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// kakaoPay renders the sample case's notices as the send stage does.
func kakaoPay(t *testing.T) (email.Renderer, []notice.Duty) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "events", "reports", "kakaopay-alipay.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.ParseAt(b, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	at := r.Timeline.Aware.Add(24 * time.Hour)
	a, err := rules.Assess(r, map[breach.Jurisdiction]int{"KR": 900, "US-CA": 50, "JP": 40}, at)
	if err != nil {
		t.Fatal(err)
	}
	f := draft.Facts(r, a, at)
	set, err := notice.NewNoticeSet(f)
	if err != nil {
		t.Fatal(err)
	}
	return draft.Renderer(set), f.Duties
}

var people = []casetable.Subject{
	{UserID: "u1", Name: "김민준", Postal: "서울특별시 예시구 예시로 12\n101동 1203호\n12345", Locale: "ko", Jurisdiction: "KR", Categories: []string{"name", "credit_information"}, Status: casetable.StatusNoContact},
	{UserID: "u2", Name: "Jane Roe", Postal: "12 Example Street\nSpringfield, CA 90001", Locale: "en-US", Jurisdiction: "US-CA", Categories: []string{"name", "financial_account"}, Status: casetable.StatusNoContact},
	{UserID: "u3", Name: "山田 花子", Postal: "〒100-0001\n東京都千代田区例示町1-2", Locale: "ja", Jurisdiction: "JP", Categories: []string{"name"}, Status: casetable.StatusNoContact},
	// Reached otherwise, or not at all by post:
	{UserID: "u4", Name: "e-mail and post", Email: "a@example.com", Postal: "x", Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusSent},
	{UserID: "u5", Name: "phone and post", Phone: "+821000000000", Postal: "x", Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusNoContact},
	{UserID: "u6", Name: "no contact", Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusNoContact},
	{UserID: "u7", Name: "duplicate", Postal: "x", Locale: "ko", Jurisdiction: "KR", Status: casetable.StatusDuplicate},
}

func walk(ctx context.Context, shard int, fn func(*casetable.Subject) error) error {
	if shard != 0 {
		return nil
	}
	for i := range people {
		if err := fn(&people[i]); err != nil {
			return err
		}
	}
	return nil
}

func TestOneLetterPerPostalOnlyPersonInTheirLanguage(t *testing.T) {
	render, duties := kakaoPay(t)
	out := t.TempDir()
	res, err := postal.Export(context.Background(), postal.Input{
		CaseID: "c1", Shards: 2, Walk: walk, Render: render, Duties: duties, Sender: []string{"Example Pay"},
		ContentHash: "abc", Out: out, At: time.Date(2027, 1, 3, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Letters != 3 || res.ByLocale["ko"] != 1 || res.ByLocale["en"]+res.ByLocale["en-US"] != 1 || res.ByLocale["ja"] != 1 {
		t.Fatalf("letters %d by language %v: want one each for the three postal-only people", res.Letters, res.ByLocale)
	}
	b, err := os.ReadFile(filepath.Join(out, postal.LettersFile))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if n := strings.Count(doc, `<section class="letter"`); n != 3 {
		t.Errorf("%d letters in the file", n)
	}
	for _, p := range people[:3] {
		first := strings.SplitN(p.Postal, "\n", 2)[0]
		i := strings.Index(doc, `data-ref="`+p.UserID+`"`)
		if i < 0 || !strings.Contains(doc[i:], "<p>"+p.Name+"</p>") || !strings.Contains(doc[i:], first) {
			t.Errorf("%s: no letter with their name and address", p.UserID)
		}
	}
	for _, p := range people[3:] {
		if strings.Contains(doc, `data-ref="`+p.UserID+`"`) {
			t.Errorf("%s (%s) got a letter", p.UserID, p.Name)
		}
	}
	if !regexp.MustCompile(`<section class="letter" lang="ko"[^>]*data-ref="u1"`).MatchString(doc) ||
		!regexp.MustCompile(`<section class="letter" lang="ja"[^>]*data-ref="u3"`).MatchString(doc) {
		t.Error("letters are not marked with their language")
	}
	if !strings.Contains(doc, "개인정보 유출 안내") {
		t.Error("the Korean letter is not the Korean notice")
	}
	if fi, _ := os.Stat(filepath.Join(out, postal.LettersFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("letters file mode %v, want 0600: it holds addresses", fi.Mode().Perm())
	}
	if len(res.Files) != 1 || len(res.Files[0].SHA256) != 64 {
		t.Errorf("files %+v", res.Files)
	}
}

// TestLetterMissingARequiredItemStopsTheExport: a rendering that lost the
// contact point (as a broken template would) fails the same content check
// as every notice, naming the element and the law, and writes nothing.
func TestLetterMissingARequiredItemStopsTheExport(t *testing.T) {
	render, duties := kakaoPay(t)
	contact := regexp.MustCompile(`(?s)<section data-element="[^"]*contact_point[^"]*">.*?</section>`)
	broken := func(s *casetable.Subject) (email.Message, error) {
		m, err := render(s)
		m.HTML = contact.ReplaceAllString(m.HTML, "")
		return m, err
	}
	out := t.TempDir()
	_, err := postal.Export(context.Background(), postal.Input{
		CaseID: "c1", Shards: 1, Walk: walk, Render: broken, Duties: duties, Out: out, At: time.Now(),
	})
	var miss *notice.MissingContentElement
	if !errors.As(err, &miss) || miss.Element != breach.ElementContactPoint {
		t.Fatalf("export of letters without a contact point: %v, want a missing contact_point", err)
	}
	for _, p := range people {
		if strings.Contains(err.Error(), p.Name) || (p.Postal != "" && p.Postal != "x" && strings.Contains(err.Error(), p.Postal)) {
			t.Errorf("error names the person: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, postal.LettersFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a letters file was left behind: %v", err)
	}
}
