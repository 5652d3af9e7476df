package scope

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/breach"
	"breachflow/internal/casetable"
	"breachflow/internal/channelplan"
	"breachflow/internal/sharedaddr"
	"breachflow/internal/usertable"
)

// writePage turns one page of matching users into subjects, with Workers
// goroutines each taking every Workers-th user, and merges their counts.
func (s *Scoper) writePage(ctx context.Context, in SegmentInput, items []map[string]types.AttributeValue, report []breach.Category, t *tally) error {
	workers := s.Workers
	if workers <= 0 {
		workers = 16
	}
	workers = min(workers, (len(items)+usertable.MaxBatch-1)/usertable.MaxBatch)
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	stamp := now().UTC().Format(time.RFC3339)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			local := newTally(in)
			batch := make([]map[string]types.AttributeValue, 0, usertable.MaxBatch)
			flush := func() error {
				err := usertable.WriteAll(ctx, s.DB, s.CaseTable, batch)
				batch = batch[:0]
				return err
			}
			for i := w; i < len(items); i += workers {
				item, err := s.subject(ctx, in, items[i], report, stamp, local)
				if err == nil && item != nil {
					if batch = append(batch, item); len(batch) == usertable.MaxBatch {
						err = flush()
					}
				}
				if err != nil {
					cancel(err)
					return
				}
			}
			if err := flush(); err != nil {
				cancel(err)
				return
			}
			t.merge(local)
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// subject claims the user's address (if any) and returns their subject
// item, counting it in local. It returns nil for a user without an id.
func (s *Scoper) subject(ctx context.Context, in SegmentInput, item map[string]types.AttributeValue, report []breach.Category, stamp string, local *tally) (map[string]types.AttributeValue, error) {
	p := read(s.Mapping, item, report)
	if p.id == "" {
		local.Skipped++
		return nil, nil
	}
	shard := casetable.Shard(p.id, in.Shards)
	sub := casetable.Subject{
		PK: casetable.SubjectPK(in.CaseID, shard), SK: casetable.SubjectSK(p.id),
		CaseID: in.CaseID, UserID: p.id, Shard: shard,
		Name: p.name, Email: p.email, Phone: p.phone, Postal: p.postal, Locale: p.locale,
		Jurisdiction: p.jurisdiction, Categories: p.categories,
		Status: casetable.StatusPending, Reason: p.contact, ScopedAt: stamp, UpdatedAt: stamp,
	}
	plan := channelplan.For(in.ChannelPolicy, channelplan.Contacts{Email: p.contact == "", Phone: p.phone != "", Postal: p.postal != ""}, p.categories)
	sub.Plan = plan.String()
	addr := ""
	if p.contact != "" {
		sub.Status = casetable.StatusNoContact
		local.NoContact++
	} else {
		addr = AddressHash(in.CaseID, p.email)
		owner, err := s.claim(ctx, in, addr, &p)
		if err != nil {
			return nil, err
		}
		if owner.ID != p.id {
			if err := sharedaddr.Share(ctx, s.DB, s.CaseTable, in.CaseID, in.Shards, addr, owner, p.sharer()); err != nil {
				return nil, err
			}
			sub.Status, sub.DuplicateOf = casetable.StatusDuplicate, owner.ID
			local.Duplicates++
		} else {
			local.Pending++
		}
	}
	local.Written++
	local.ByJurisdiction[p.jurisdiction]++
	for _, c := range p.categories {
		local.ByCategory[c]++
	}
	countPlan(local.ByChannel, plan)
	local.sum.addMember(p.id, member(addr, sub.Plan))
	out, err := attributevalue.MarshalMap(sub)
	if err != nil {
		return nil, fmt.Errorf("encode subject: %w", err)
	}
	return out, nil
}

func (t *tally) merge(o *tally) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.Written += o.Written
	t.Pending += o.Pending
	t.Duplicates += o.Duplicates
	t.NoContact += o.NoContact
	t.Skipped += o.Skipped
	for k, v := range o.ByJurisdiction {
		t.ByJurisdiction[k] += v
	}
	for k, v := range o.ByChannel {
		t.ByChannel[k] += v
	}
	for k, v := range o.ByCategory {
		t.ByCategory[k] += v
	}
	t.sum.add(o.sum)
}

// countPlan counts one person's plan in byChannel (SegmentResult.ByChannel).
func countPlan(byChannel map[string]int64, plan channelplan.Plan) {
	if len(plan) == 0 {
		byChannel["posted"]++
		return
	}
	for i, step := range plan {
		for _, ch := range step {
			if i == 0 {
				byChannel[ch]++
			} else {
				byChannel[ch+"_fallback"]++
			}
		}
	}
}
