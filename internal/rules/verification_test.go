package rules

import (
	"testing"

	"breachflow/internal/notice"
)

// notice cannot import rules (rules imports notice), so it spells the
// UNVERIFIED mark of its contact details itself; the two must agree.
func TestNoticeSpellsUnverifiedAsTheRulebook(t *testing.T) {
	if string(Unverified) != notice.Unverified {
		t.Errorf("notice.Unverified = %q, rules.Unverified = %q", notice.Unverified, Unverified)
	}
}
