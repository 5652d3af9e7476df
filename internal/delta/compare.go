package delta

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/ledger"
	"breachflow/internal/scope"
)

// DB is what Compare reads and writes.
type DB interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Earlier is an earlier version whose notices went out, with its facts.
type Earlier struct {
	Version int
	Facts   *Facts
	// SentAt is when the version's sending finished: the date an update
	// names when the earlier notice went to someone else at the person's
	// address.
	SentAt time.Time
}

// Result counts what Compare settled, people only, no personal data.
type Result struct {
	First   int64 `json:"first"`
	Update  int64 `json:"update"`
	Current int64 `json:"current"`
}

func (r *Result) add(o Result) { r.First += o.First; r.Update += o.Update; r.Current += o.Current }

// Comparer settles a later version's people against earlier notices.
type Comparer struct {
	DB    DB
	Table string
	// Now stamps the writes; nil means time.Now.
	Now func() time.Time
}

// Compare settles every pending person of version's subject set (see the
// package doc). earlier are the versions before it whose notices went
// out, in any order; shards is the case's shard count.
func (c *Comparer) Compare(ctx context.Context, caseID string, version int, facts *Facts, earlier []Earlier, shards int) (Result, error) {
	var total Result
	if version <= 1 || len(earlier) == 0 {
		return total, nil
	}
	for shard := range shards {
		r, err := c.shard(ctx, caseID, version, facts, earlier, shard, shards)
		if err != nil {
			return total, fmt.Errorf("compare shard %d of %s v%d: %w", shard, caseID, version, err)
		}
		total.add(r)
	}
	return total, nil
}

// stream is one earlier set's shard, read in key order.
type stream struct {
	v    Earlier
	next func() (*casetable.Subject, bool)
	stop func()
	cur  *casetable.Subject
	err  *error
}

func (s *stream) advanceTo(userID string) *casetable.Subject {
	for s.cur != nil && s.cur.UserID < userID {
		s.pull()
	}
	if s.cur != nil && s.cur.UserID == userID {
		return s.cur
	}
	return nil
}

func (s *stream) pull() {
	if v, ok := s.next(); ok {
		s.cur = v
	} else {
		s.cur = nil
	}
}

func (c *Comparer) walk(ctx context.Context, set string, shard int) (func() (*casetable.Subject, bool), func(), *error) {
	var werr error
	seq := func(yield func(*casetable.Subject) bool) {
		err := ledger.Walk(ctx, c.DB, c.Table, set, shard, func(s *casetable.Subject) error {
			cp := *s
			if !yield(&cp) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			werr = err
		}
	}
	next, stop := iter.Pull(iter.Seq[*casetable.Subject](seq))
	return next, stop, &werr
}

var errStop = errors.New("stop")

// textStream is one earlier set's shard's SMS records, in key order.
type textStream struct {
	next func() (ledger.ChannelSend, bool)
	stop func()
	cur  *ledger.ChannelSend
	err  *error
}

// texts reads the SMS records of set's shard in key order, as walk reads
// its subjects. A shard nobody was texted in (no item in its SMS send
// partition: e-mail only) costs one query, not a second walk of the set.
func (c *Comparer) texts(ctx context.Context, set string, shard int) *textStream {
	var werr error
	seq := func(yield func(ledger.ChannelSend) bool) {
		probe, err := c.DB.Query(ctx, &dynamodb.QueryInput{
			TableName:              aws.String(c.Table),
			KeyConditionExpression: aws.String("pk = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: casetable.ChannelSendPK(set, shard, casetable.ChannelSMS)},
			},
			Limit:                aws.Int32(1),
			ProjectionExpression: aws.String("pk"),
		})
		if err != nil {
			werr = fmt.Errorf("read the SMS records of shard %d: %w", shard, err)
			return
		}
		if len(probe.Items) == 0 {
			return
		}
		err = ledger.ChannelSends(ctx, c.DB, c.Table, set, shard, casetable.ChannelSMS, func(r ledger.ChannelSend) error {
			if !yield(r) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			werr = err
		}
	}
	next, stop := iter.Pull(iter.Seq[ledger.ChannelSend](seq))
	t := &textStream{next: next, stop: stop, err: &werr}
	t.pull()
	return t
}

func (t *textStream) pull() {
	if r, ok := t.next(); ok {
		t.cur = &r
	} else {
		t.cur = nil
	}
}

// sentTo reports whether the set texted userID a notice (a message the
// service accepted, whatever its receipt said since), and when.
func (t *textStream) sentTo(userID string) (string, bool) {
	for t.cur != nil && t.cur.UserID < userID {
		t.pull()
	}
	if t.cur == nil || t.cur.UserID != userID || t.cur.MessageID == "" || t.cur.Failed != "" {
		return "", false
	}
	return t.cur.SentAt.UTC().Format(time.RFC3339Nano), true
}

// notified: an earlier version sent this person a notice (a send record,
// whatever SES said of it since).
func notified(s *casetable.Subject) bool {
	switch s.Status {
	case casetable.StatusSent, casetable.StatusDelivered, casetable.StatusBounced, casetable.StatusComplained:
		return true
	}
	return false
}

func (c *Comparer) shard(ctx context.Context, caseID string, version int, facts *Facts, earlier []Earlier, shard, shards int) (Result, error) {
	var res Result
	streams := make([]*stream, 0, len(earlier))
	texts := make([]*textStream, 0, len(earlier))
	defer func() {
		for _, s := range streams {
			s.stop()
		}
		for _, s := range texts {
			s.stop()
		}
	}()
	for _, e := range earlier {
		next, stop, err := c.walk(ctx, casetable.SetID(caseID, e.Version), shard)
		s := &stream{v: e, next: next, stop: stop, err: err}
		s.pull()
		streams = append(streams, s)
		texts = append(texts, c.texts(ctx, casetable.SetID(caseID, e.Version), shard))
	}
	set := casetable.SetID(caseID, version)
	err := ledger.Walk(ctx, c.DB, c.Table, set, shard, func(s *casetable.Subject) error {
		// A person without a usable e-mail address is "no_contact" from
		// scoping on, yet their plan may text them or post them a letter:
		// they are settled as everyone else is.
		if s.Status != casetable.StatusPending && s.Status != casetable.StatusNoContact {
			return nil
		}
		var prior *casetable.Subject
		var pv Earlier
		sentAt := ""
		for i, st := range streams {
			p := st.advanceTo(s.UserID)
			if p == nil || prior != nil && st.v.Version < pv.Version {
				continue
			}
			if notified(p) {
				prior, pv, sentAt = p, st.v, p.SentAt
			} else if at, ok := texts[i].sentTo(s.UserID); ok {
				// Texted, not mailed (no e-mail, or it failed before
				// sending): the text was their notice.
				prior, pv, sentAt = p, st.v, at
			}
		}
		if prior == nil && s.Email != "" && s.Status == casetable.StatusPending {
			// Nobody sent this person a notice; maybe their address got
			// one, written for whoever held it then (the holder of a
			// shared address can change between versions).
			p, e, err := c.addressHolder(ctx, caseID, s.Email, shards, earlier)
			if err != nil {
				return err
			}
			if p != nil {
				prior, pv, sentAt = p, e, e.SentAt.UTC().Format(time.RFC3339Nano)
			}
		}
		if prior == nil {
			if facts.closingOnly(s.Jurisdiction) {
				// A possible leak ruled out is told only to those told of
				// the possibility (PIPA Decree Art. 39-3(3)): someone never
				// notified gets nothing.
				res.Current++
				return c.settle(ctx, set, shard, s.UserID, "SET #s = :cur", map[string]types.AttributeValue{
					":cur": &types.AttributeValueMemberS{Value: string(casetable.StatusCurrent)},
				})
			}
			res.First++
			return nil
		}
		now, err := MustKnow(s, facts)
		if err != nil {
			return err
		}
		then, err := MustKnow(prior, pv.Facts)
		if err != nil {
			return err
		}
		if now == then {
			res.Current++
			return c.settle(ctx, set, shard, s.UserID, "SET #s = :cur, prior_version = :pv", map[string]types.AttributeValue{
				":cur": &types.AttributeValueMemberS{Value: string(casetable.StatusCurrent)},
				":pv":  &types.AttributeValueMemberN{Value: fmt.Sprint(pv.Version)},
			})
		}
		res.Update++
		return c.settle(ctx, set, shard, s.UserID, "SET notice_kind = :k, update_of = :at, prior_version = :pv", map[string]types.AttributeValue{
			":k":  &types.AttributeValueMemberS{Value: casetable.NoticeUpdate},
			":at": &types.AttributeValueMemberS{Value: sentAt},
			":pv": &types.AttributeValueMemberN{Value: fmt.Sprint(pv.Version)},
		})
	})
	if err != nil {
		return res, err
	}
	for _, s := range streams {
		if *s.err != nil {
			return res, *s.err
		}
	}
	for _, s := range texts {
		if *s.err != nil {
			return res, *s.err
		}
	}
	return res, nil
}

// settle writes one person's outcome, if they are still pending (or have
// no e-mail address, "no_contact", whose status no send changes): a rerun,
// or an e-mail that already reached them, leaves them as they are. For a
// no_contact person a rerun writes the same outcome again, the comparison
// reading nothing this version sends.
func (c *Comparer) settle(ctx context.Context, set string, shard int, userID, update string, vals map[string]types.AttributeValue) error {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	vals[":p"] = &types.AttributeValueMemberS{Value: string(casetable.StatusPending)}
	vals[":nc"] = &types.AttributeValueMemberS{Value: string(casetable.StatusNoContact)}
	vals[":now"] = &types.AttributeValueMemberS{Value: now().UTC().Format(time.RFC3339Nano)}
	key, err := attributevalue.MarshalMap(ledger.SubjectKey(set, shard, userID))
	if err != nil {
		return err
	}
	_, err = c.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(c.Table),
		Key:                       key,
		UpdateExpression:          aws.String(update + ", updated_at = :now"),
		ConditionExpression:       aws.String("#s = :p OR #s = :nc"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: vals,
	})
	if ccf := (*types.ConditionalCheckFailedException)(nil); errors.As(err, &ccf) {
		return nil
	}
	return err
}

// addressHolder finds, in the latest earlier version that claimed the
// address, its holder's subject: that version's notice to the address was
// theirs. A holder that version could not reach (failed, or the address
// unusable) did not make the address notified.
func (c *Comparer) addressHolder(ctx context.Context, caseID, email string, shards int, earlier []Earlier) (*casetable.Subject, Earlier, error) {
	var best *casetable.Subject
	var bv Earlier
	for _, e := range earlier {
		if best != nil && e.Version < bv.Version {
			continue
		}
		set := casetable.SetID(caseID, e.Version)
		addr := scope.AddressHash(set, email)
		out, err := c.DB.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(c.Table),
			Key: map[string]types.AttributeValue{
				casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.AddressPK(set, casetable.Shard(addr, shards))},
				casetable.AttrSK: &types.AttributeValueMemberS{Value: casetable.AddressSK(addr)},
			},
			ConsistentRead: aws.Bool(true),
		})
		if err != nil {
			return nil, bv, fmt.Errorf("read address claim: %w", err)
		}
		holder, _ := out.Item["user_id"].(*types.AttributeValueMemberS)
		if holder == nil {
			continue
		}
		key, err := attributevalue.MarshalMap(ledger.SubjectKey(set, casetable.Shard(holder.Value, shards), holder.Value))
		if err != nil {
			return nil, bv, err
		}
		got, err := c.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(c.Table), Key: key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, bv, fmt.Errorf("read address holder: %w", err)
		}
		var sub casetable.Subject
		if got.Item == nil || attributevalue.UnmarshalMap(got.Item, &sub) != nil {
			continue
		}
		switch sub.Status {
		case casetable.StatusFailed, casetable.StatusNoContact, casetable.StatusDuplicate, casetable.StatusCurrent:
			continue
		}
		best, bv = &sub, e
	}
	return best, bv, nil
}
