package delivery

import (
	"context"

	"breachflow/internal/casetable"
)

// PagePreparer is a Channel that prepares a whole page of people at once,
// for work that costs less in bulk than per person (package sms issues a
// page's notice links in one write). The pipeline calls PreparePage as it
// reads each page, one page ahead of the workers, so the work is off their
// path; the workers then send what it prepared.
type PagePreparer interface {
	// PreparePage returns, for each person of page in order, what Prepare
	// would (the same answers mean the same: skip, refuse, stop the run),
	// or nil to leave each person to Prepare. The subjects carry the case
	// and shard they were read from.
	PreparePage(ctx context.Context, page []casetable.Subject) []Prepared
}

// Projection is a Channel that reads only some of a person's attributes:
// the pipeline reads its pages with just those (besides the keys and the
// user id), which costs the database less to send and the pipeline less to
// decode than whole subjects. The others reach Prepare as zero values.
type Projection interface {
	Attributes() []string
}

// Prepared is one person's prepared message, or why there is none: what
// Channel.Prepare returns.
type Prepared struct {
	Send Outgoing
	Err  error
}

// attributes are the subject attributes the channel reads; nil: all.
func (p *Pipeline) attributes() []string {
	if pr, ok := p.channel().(Projection); ok {
		return pr.Attributes()
	}
	return nil
}

// preparePage prepares page through the channel when it is a
// PagePreparer, bounded like one person's Prepare; nil otherwise.
func (r *run) preparePage(ctx context.Context, page []casetable.Subject) []Prepared {
	pp, ok := r.p.channel().(PagePreparer)
	if !ok || len(page) == 0 {
		return nil
	}
	for i := range page {
		page[i].CaseID, page[i].Shard = r.b.CaseID, r.b.Shard // where it was read, whatever the item says
	}
	pctx, cancel := context.WithTimeout(ctx, r.p.SendTimeout)
	defer cancel()
	out := pp.PreparePage(pctx, page)
	if out != nil && len(out) != len(page) {
		return nil // not what was asked: prepare each person instead
	}
	return out
}
