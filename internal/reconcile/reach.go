package reconcile

import (
	"context"
	"fmt"
	"slices"

	"breachflow/internal/casetable"
	"breachflow/internal/channelplan"
	"breachflow/internal/ledger"
)

// How a person in scope is accounted for (Reach). Every person is exactly
// one of these; only ReachNone is a person nobody has accounted for yet.
const (
	// ReachEmail, ReachSMS and ReachBoth: a notice reached them on that
	// channel (sent and not bounced, refused or reported undelivered).
	ReachEmail = "email"
	ReachSMS   = "sms"
	ReachBoth  = "email+sms"
	// ReachPostal: every electronic channel of their plan failed or was
	// never possible and their plan's next step is a letter: they are in
	// the postal export.
	ReachPostal = "postal"
	// ReachPosted: their plan is spent (or was empty: no contact at all):
	// the posted notice covers them, for its recorded period.
	ReachPosted = "posted"
	// ReachShared: another person's notice to the same address covers
	// them (an explained exception).
	ReachShared = "shared_address"
	// ReachCurrent: an earlier version's notice already tells them all
	// this version would (an explained exception).
	ReachCurrent = "current"
	// ReachNone: not reached and not covered yet: a send still to come,
	// an e-mail that may yet bounce, a channel of their plan that is not
	// configured. Zero after a complete run.
	ReachNone = "unreached"
)

// Reach says how s is accounted for, from their e-mail state (as the
// ledger reports it: Walk), their SMS record (nil: none) and their channel
// plan.
func Reach(s *casetable.Subject, sms *ledger.ChannelSend) string {
	switch s.Status {
	case casetable.StatusCurrent:
		return ReachCurrent
	case casetable.StatusDuplicate:
		return ReachShared
	}
	email := s.Status == casetable.StatusSent || s.Status == casetable.StatusDelivered || s.Status == casetable.StatusComplained
	text := sms != nil && sms.Reached()
	switch {
	case email && text:
		return ReachBoth
	case email:
		return ReachEmail
	case text:
		return ReachSMS
	}
	plan, err := channelplan.Parse(s.Plan)
	if err != nil || s.Plan == "" {
		// Scoped before plans (or a plan no longer readable): e-mail
		// was the only channel.
		plan = channelplan.Plan{{channelplan.Email}}
	}
	failed := failedOn(s, sms)
	switch {
	case plan.Due(channelplan.Postal, failed):
		return ReachPostal
	case plan.Exhausted(failed):
		return ReachPosted
	}
	return ReachNone
}

// Late reports whether s is owed a send that no round made: their plan
// gives them e-mail or SMS now (an earlier channel failed), and that
// channel has nothing for them, not even a refusal. Every send round
// records an attempt for each person a channel is due (a send, or a
// refusal as sms.Off's), so after a round this is a failure the ledger
// learned once the round had passed the person on that channel: an e-mail
// that bounced after the round's texts, a text reported undeliverable
// after its e-mails. Another round sends to them.
func Late(s *casetable.Subject, sms *ledger.ChannelSend) bool {
	if Reach(s, sms) != ReachNone || s.Plan == "" {
		return false
	}
	plan, err := channelplan.Parse(s.Plan)
	if err != nil {
		return false
	}
	failed := failedOn(s, sms)
	emailOwed := s.Status == casetable.StatusPending && plan.Due(channelplan.Email, failed) && failed(channelplan.SMS)
	smsOwed := sms == nil && plan.Due(channelplan.SMS, failed) && failed(channelplan.Email)
	return emailOwed || smsOwed
}

// failedOn says whether a channel failed for s: e-mail when their e-mail
// state is a fallback status (bounced, refused, no address), SMS when
// their text was refused or reported undelivered. Post and the posted
// notice never fail.
func failedOn(s *casetable.Subject, sms *ledger.ChannelSend) func(string) bool {
	return func(ch string) bool {
		switch ch {
		case channelplan.Email:
			return slices.Contains(ledger.FallbackStatuses, s.Status)
		case channelplan.SMS:
			return sms != nil && !sms.Reached()
		}
		return false
	}
}

// CountReach returns how many people of one shard are accounted for in
// each way (Reach). It reads the shard's SMS records first (a map of those
// texted, the only per-shard state it holds) and then walks the shard
// through the ledger a page at a time.
func CountReach(ctx context.Context, db Querier, table, caseID string, shard int) (map[string]int, error) {
	by := map[string]int{}
	err := WalkReach(ctx, db, table, caseID, shard, func(s *casetable.Subject, _ *ledger.ChannelSend, reach string) error {
		by[reach]++
		return nil
	})
	return by, err
}

// WalkReach calls fn for every person of one shard with their SMS record
// (nil: none) and how they are accounted for (Reach).
func WalkReach(ctx context.Context, db Querier, table, caseID string, shard int, fn func(s *casetable.Subject, sms *ledger.ChannelSend, reach string) error) error {
	texts := map[string]ledger.ChannelSend{}
	err := ledger.ChannelSends(ctx, db, table, caseID, shard, casetable.ChannelSMS, func(c ledger.ChannelSend) error {
		texts[c.UserID] = c
		return nil
	})
	if err != nil {
		return fmt.Errorf("sms records of shard %d of %s: %w", shard, caseID, err)
	}
	err = ledger.Walk(ctx, db, table, caseID, shard, func(s *casetable.Subject) error {
		var sms *ledger.ChannelSend
		if c, ok := texts[s.UserID]; ok {
			sms = &c
		}
		return fn(s, sms, Reach(s, sms))
	})
	if err != nil {
		return fmt.Errorf("reach of shard %d of %s: %w", shard, caseID, err)
	}
	return nil
}

// CountAllReach is CountReach over every shard of a case, summed: for
// `breachflow status` and the console on small cases, as Count is.
func CountAllReach(ctx context.Context, db Querier, table, caseID string, shards int) (map[string]int, error) {
	if shards <= 0 {
		shards = casetable.DefaultShards
	}
	total := map[string]int{}
	for shard := range shards {
		by, err := CountReach(ctx, db, table, caseID, shard)
		if err != nil {
			return nil, err
		}
		for k, n := range by {
			total[k] += n
		}
	}
	return total, nil
}
