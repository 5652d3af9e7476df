package notice

import "breachflow/internal/email"

// RenderSlow renders through the templates only, for tests that compare it
// with the fast path.
func RenderSlow(s *NoticeSet, r Recipient) (email.Message, error) {
	l := ResolveLocale(r.Locale, r.Jurisdiction)
	b, err := s.base(l, r.Jurisdiction, comboOf(r))
	if err != nil {
		return email.Message{}, err
	}
	own, cats := s.categoriesOf(r)
	return b.renderSlow(email.Name(r.Name), own, cats)
}

// FastPath reports whether Render splices for r's shape.
func FastPath(s *NoticeSet, r Recipient) bool {
	b, err := s.base(ResolveLocale(r.Locale, r.Jurisdiction), r.Jurisdiction, comboOf(r))
	own, _ := s.categoriesOf(r)
	return err == nil && b.skeleton(email.Name(r.Name) != "", own) != nil
}

func comboOf(r Recipient) string {
	if len(r.Holders) == 0 {
		return ""
	}
	return Combination(append([]string{r.Jurisdiction}, r.Holders...)...)
}
