package assess

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/rules"
)

func TestSummarise(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ob := func(kind breach.RecipientKind, required bool, due time.Time) rules.Obligation {
		return rules.Obligation{RecipientKind: kind, Required: required, DueAt: due}
	}
	for _, tc := range []struct {
		name string
		obs  []rules.Obligation
		want Output
	}{
		{
			name: "nothing required waits the default week",
			obs:  []rules.Obligation{ob(breach.RecipientRegulator, false, time.Time{})},
			want: Output{CaseID: "c", NotRequired: 1, ApprovalTimeoutSeconds: 7 * 24 * 3600},
		},
		{
			name: "wait ends the margin before the earliest required deadline",
			obs: []rules.Obligation{
				ob(breach.RecipientRegulator, true, now.Add(72*time.Hour)),
				ob(breach.RecipientIndividuals, true, now.Add(48*time.Hour)),
				ob(breach.RecipientRegulator, false, now.Add(time.Hour)), // not required: ignored
			},
			want: Output{
				CaseID: "c", Required: 2, NotRequired: 1, RegulatorFilings: 1, IndividualNotices: true,
				EarliestDue: "2026-11-25T09:00:00Z", ApprovalTimeoutSeconds: 36 * 3600,
			},
		},
		{
			// Australia's 30-day assessment of a suspected breach is the
			// organisation's own duty: nothing to draft or approve.
			name: "a self-assessment alone is no notification",
			obs:  []rules.Obligation{ob(breach.RecipientSelf, true, now.Add(30*24*time.Hour)), ob(breach.RecipientRegulator, false, time.Time{})},
			want: Output{
				CaseID: "c", NotRequired: 1, SelfAssessments: 1,
				EarliestDue: "2026-12-23T09:00:00Z", ApprovalTimeoutSeconds: 30*24*3600 - 12*3600,
			},
		},
		{
			name: "a deadline already passed still leaves an hour to approve",
			obs:  []rules.Obligation{ob(breach.RecipientIndividuals, true, now.Add(-24*time.Hour))},
			want: Output{
				CaseID: "c", Required: 1, IndividualNotices: true,
				EarliestDue: "2026-11-22T09:00:00Z", ApprovalTimeoutSeconds: 3600,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summarise("c", rules.Assessment{Obligations: tc.obs}, now, 12*time.Hour)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("summarise (-want +got):\n%s", d)
			}
		})
	}
}
