package stage_test

import (
	"time"

	"breachflow/internal/breach"
	"breachflow/internal/rules"
)

// staged is an assessment with one staged duty (due at due; zero: its
// clock has not started) and its first stage.
func staged(due time.Time) rules.Assessment {
	return rules.Assessment{Obligations: []rules.Obligation{
		{ID: "jp-appi-26-preliminary", Regime: "jp-appi", Required: true, RecipientKind: breach.RecipientRegulator, DueAt: due.Add(-57 * 24 * time.Hour)},
		{ID: "jp-appi-26-final", StageOf: "jp-appi-26-preliminary", Regime: "jp-appi", Required: true, RecipientKind: breach.RecipientRegulator,
			RecipientName: "PPC", Citation: "APPI Art. 26(1); Rule 8(2)", Verification: rules.Verified, DueAt: due, Clock: rules.ClockAware},
	}}
}
