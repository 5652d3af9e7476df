package notice

// RenderSlow renders through the templates only, for tests that compare it
// with the fast path.
func RenderSlow(s *NoticeSet, r Recipient) (Message, error) {
	l := ResolveLocale(r.Locale, r.Jurisdiction)
	b, err := s.base(l, r.Jurisdiction)
	if err != nil {
		return Message{}, err
	}
	cats := r.Categories
	if len(cats) == 0 {
		cats = s.facts.Categories
	}
	return b.renderSlow(normName(r.Name), len(r.Categories) > 0, cats)
}

// FastPath reports whether Render splices for r's shape.
func FastPath(s *NoticeSet, r Recipient) bool {
	b, err := s.base(ResolveLocale(r.Locale, r.Jurisdiction), r.Jurisdiction)
	return err == nil && b.skeleton(normName(r.Name) != "", len(r.Categories) > 0) != nil
}
