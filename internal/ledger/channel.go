package ledger

import (
	"context"
	"time"

	"breachflow/internal/casetable"
)

// ChannelSend is one person's record on a channel other than e-mail: the
// message the channel accepted, or why it could not send (Failed).
type ChannelSend struct {
	UserID    string
	MessageID string
	SentAt    time.Time
	Failed    string
}

// ChannelSends calls fn for every person of the shard with a record on
// channel, in key order, with their first record (the notice of record).
// It pages the shard as the channel's sends were paged and holds one page
// at a time. A person the channel skipped has no record and is not
// reported.
func (l *Ledger) ChannelSends(ctx context.Context, caseID string, shard int, channel string, fn func(ChannelSend) error) error {
	size, err := channelPage(ctx, l.DB, l.Table, caseID, shard, channel, l.page())
	if err != nil {
		return err
	}
	pk := casetable.ChannelSendPK(caseID, shard, channel)
	cursor := ""
	for {
		p, err := readPage(ctx, l.DB, l.Table, caseID, shard, cursor, size, false)
		if err != nil {
			return err
		}
		if len(p.Subjects) > 0 {
			sent, err := pageSends(ctx, l.DB, l.Table, pk, cursor)
			if err != nil {
				return err
			}
			for _, s := range p.Subjects {
				e, ok := sent[s.UserID]
				if !ok {
					continue
				}
				if err := fn(ChannelSend{UserID: s.UserID, MessageID: e.MessageID, SentAt: time.UnixMilli(e.SentAt).UTC(), Failed: e.Failed}); err != nil {
					return err
				}
			}
		}
		if p.Next == "" {
			return nil
		}
		cursor = p.Next
	}
}
