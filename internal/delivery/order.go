package delivery

import (
	"context"
	"slices"

	"breachflow/internal/casetable"
	"breachflow/internal/channelplan"
	"breachflow/internal/ledger"
)

// EmailDue reports whether s is to get their e-mail now, by their channel
// plan (casetable.Subject.Plan): e-mail is in the plan's first step, or
// every channel of the steps before it failed for them (s.FailedOn, which
// the send stage fills from those channels' send partitions: SMS refused
// at send or reported undeliverable). A plan without e-mail never makes it
// due. A subject scoped before plans existed (no plan) gets e-mail, as
// before.
//
// One exception: the holder of an address others in scope share
// (HolderJurisdictions set) is e-mailed at once whatever their plan, since
// that one e-mail is the notice of everyone who shares the address.
func EmailDue(s *casetable.Subject) (bool, error) {
	if s.Plan == "" {
		return true, nil
	}
	plan, err := channelplan.Parse(s.Plan)
	if err != nil {
		return false, err
	}
	if len(s.HolderJurisdictions) > 0 && slices.Contains(plan.Channels(), channelplan.Email) {
		return true, nil
	}
	return plan.Due(channelplan.Email, func(ch string) bool { return slices.Contains(s.FailedOn, ch) }), nil
}

// waitsForText reports whether s's e-mail depends on how their text went:
// their plan has e-mail after a step with SMS, so EmailDue needs their SMS
// outcome.
func waitsForText(s *casetable.Subject) bool {
	if s.Plan == "" || len(s.HolderJurisdictions) > 0 {
		return false
	}
	plan, err := channelplan.Parse(s.Plan)
	if err != nil {
		return false // Prepare refuses the plan itself
	}
	return !plan.Due(channelplan.Email, func(string) bool { return false }) &&
		plan.Due(channelplan.Email, func(ch string) bool { return ch == channelplan.SMS })
}

// readOutcomes fills, on an e-mail run, FailedOn of the page's people whose
// plan puts a text before their e-mail, from the shard's SMS send partition
// (ledger.ChannelOutcomes: a few queries for the page, none when nobody on
// it waits for a text). Runs of other channels read nothing: SMS after
// e-mail reads e-mail's state from the subject itself.
func (r *run) readOutcomes(ctx context.Context, p *ledger.Page) error {
	if r.p.Channel != nil {
		return nil
	}
	wait := false
	for i := range p.Subjects {
		if wait = waitsForText(&p.Subjects[i]); wait {
			break
		}
	}
	if !wait {
		return nil
	}
	texts, err := r.p.Ledger.ChannelOutcomes(ctx, r.lease, casetable.ChannelSMS, *p)
	if err != nil {
		return err
	}
	for i := range p.Subjects {
		if t, ok := texts[p.Subjects[i].UserID]; ok && !t.Reached() {
			p.Subjects[i].FailedOn = append(p.Subjects[i].FailedOn, channelplan.SMS)
		}
	}
	return nil
}
