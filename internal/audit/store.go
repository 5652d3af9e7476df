package audit

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"breachflow/internal/casetable"
)

// DB is the part of the DynamoDB client the audit log needs.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// KMS is the part of the KMS client the audit log needs: Sign to key
// entries and heads (appenders only), GetPublicKey to check them.
type KMS interface {
	Sign(ctx context.Context, in *kms.SignInput, opts ...func(*kms.Options)) (*kms.SignOutput, error)
	GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, opts ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
}

// DefaultKey is the audit key's alias, as template.yaml's AuditKeyAlias
// names it and the local stack creates it.
const DefaultKey = "alias/breachflow-audit"

// EnvKey names the variable that holds the audit key's id or alias.
const EnvKey = "AUDIT_KEY_ID"

// maxAttempts bounds how often Append re-reads the head after losing a race.
// Each loss means another writer appended, so the chain still moves forward.
const maxAttempts = 20

// ErrContention says Append lost the race for the next sequence number too
// many times in a row.
var ErrContention = errors.New("audit: too many concurrent appends")

// headSK is the sort key of a case's signed head. "AUDITHEAD" does not
// start with SortKeyPrefix, so listing the entries never returns it.
const headSK = "AUDITHEAD"

// Log appends to and reads the audit log in one case table.
type Log struct {
	DB    DB
	Table string
	// KMS signs and checks with the audit key KeyID (an id, ARN or alias;
	// "" means DefaultKey).
	KMS   KMS
	KeyID string
	// Now stamps entries; nil means time.Now.
	Now func() time.Time
}

func (l Log) now() time.Time {
	if l.Now != nil {
		return l.Now().UTC()
	}
	return time.Now().UTC()
}

func (l Log) keyID() string {
	if l.KeyID != "" {
		return l.KeyID
	}
	return DefaultKey
}

// Append adds rec as the next entry of the case's chain, signs the entry
// and the new head, and returns the entry.
//
// Before it chains on, it checks what it chains onto against the signed
// head: a chain cut short or rewritten in the table, or a head not signed
// by the audit key, is refused with a *BreakError, so a truncation shows at
// the next step of the case, not only when someone verifies.
func (l Log) Append(ctx context.Context, caseID string, rec Record) (Entry, error) {
	if l.KMS == nil {
		return Entry{}, fmt.Errorf("audit append %s: no audit key configured", caseID)
	}
	for range maxAttempts {
		// The head first, then the last entry: an appender writes its
		// entry before it signs the head, so read in this order a table
		// that was not cut short always holds at least what the head
		// counts. (Read the other way round, a concurrent appender could
		// write and sign between the two reads and look like a cut.)
		var head *Head
		switch h, err := l.Head(ctx, caseID); {
		case err == nil:
			head = &h
		case !errors.Is(err, ErrNoHead):
			return Entry{}, err
		}
		last, err := l.last(ctx, caseID)
		if err != nil {
			return Entry{}, err
		}
		if head == nil && last.Seq > 0 {
			// The chain's first appender may have signed its empty head
			// and written entry 1 between our two reads: look again.
			if _, err := l.Head(ctx, caseID); err == nil {
				continue
			}
		}
		if err := l.continues(ctx, caseID, head, last); err != nil {
			return Entry{}, fmt.Errorf("audit append %s: %w", caseID, err)
		}
		e := Entry{
			CaseID: caseID, Seq: last.Seq + 1, At: l.now(), Actor: rec.Actor,
			Action: rec.Action, Detail: rec.Detail, PrevHash: last.Hash,
		}
		if e.PrevHash == "" {
			e.PrevHash = Genesis
		}
		e.Hash = e.ComputeHash()
		if e.KeyID, e.Sig, err = l.sign(ctx, EntryDigest(caseID, e.Seq, e.Hash)); err != nil {
			return Entry{}, fmt.Errorf("audit append %s #%d: %w", caseID, e.Seq, err)
		}
		item, err := attributevalue.MarshalMap(e)
		if err != nil {
			return Entry{}, fmt.Errorf("audit append: %w", err)
		}
		item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)}
		item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: SortKey(e.Seq)}
		_, err = l.DB.PutItem(ctx, &dynamodb.PutItemInput{
			TableName:                aws.String(l.Table),
			Item:                     item,
			ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
			ExpressionAttributeNames: map[string]string{"#sk": casetable.AttrSK},
		})
		if _, taken := errors.AsType[*types.ConditionalCheckFailedException](err); taken {
			continue // another writer took this number: chain onto its entry
		}
		if err != nil {
			return Entry{}, fmt.Errorf("audit append %s #%d: %w", caseID, e.Seq, err)
		}
		if err := l.signHead(ctx, e); err != nil {
			return Entry{}, fmt.Errorf("audit append %s #%d: %w", caseID, e.Seq, err)
		}
		return e, nil
	}
	return Entry{}, fmt.Errorf("audit append %s: %w", caseID, ErrContention)
}

// continues checks that last, the chain's last entry in the table, goes on
// from the signed head: the head is the audit key's, counts no more entries
// than the table holds, and names the entry the table holds at its count.
// A head behind the table is normal for a moment (another appender signs
// after it writes), and the entries after it are checked by their links and
// signatures when the chain is verified.
func (l Log) continues(ctx context.Context, caseID string, head *Head, last Entry) error {
	if head == nil {
		if last.Seq == 0 {
			// A new chain starts with a signed head of no entries, so
			// that a head missing later is never the normal state.
			return l.signHead(ctx, Entry{CaseID: caseID, Hash: Genesis})
		}
		return &BreakError{CaseID: caseID, Seq: 1, Head: true, Reason: "the chain has entries but no signed head"}
	}
	keys, err := l.Keys(ctx, head.KeyID)
	if err != nil {
		return err
	}
	at := Entry{Hash: Genesis}
	switch {
	case !keys.verify(head.KeyID, head.Sig, head.Digest()) || head.CaseID != caseID:
		return &BreakError{CaseID: caseID, Seq: head.Count, Head: true, Reason: "the head is not signed by the audit key"}
	case head.Count > last.Seq:
		return &BreakError{CaseID: caseID, Seq: last.Seq + 1, Reason: fmt.Sprintf("entries %d to %d of the %d the signed head counts are missing (chain cut short)", last.Seq+1, head.Count, head.Count)}
	case head.Count == 0:
	case head.Count == last.Seq:
		at = last
	default:
		if at, err = l.entry(ctx, caseID, head.Count); err != nil {
			return err
		}
	}
	if at.Hash != head.Hash {
		return &BreakError{CaseID: caseID, Seq: head.Count, Reason: "entry differs from the one the signed head names (chain rewritten)"}
	}
	return nil
}

// signHead signs (e.Seq, e.Hash) as the case's head and stores it unless a
// later head is already stored (a concurrent appender got further).
func (l Log) signHead(ctx context.Context, e Entry) error {
	h := Head{CaseID: e.CaseID, Count: e.Seq, Hash: e.Hash, SignedAt: l.now()}
	var err error
	if h.KeyID, h.Sig, err = l.sign(ctx, h.Digest()); err != nil {
		return err
	}
	item, err := attributevalue.MarshalMap(h)
	if err != nil {
		return err
	}
	item[casetable.AttrPK] = &types.AttributeValueMemberS{Value: casetable.CasePK(e.CaseID)}
	item[casetable.AttrSK] = &types.AttributeValueMemberS{Value: headSK}
	_, err = l.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(l.Table),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(#sk) OR #count < :count"),
		ExpressionAttributeNames:  map[string]string{"#sk": casetable.AttrSK, "#count": "count"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":count": &types.AttributeValueMemberN{Value: strconv.FormatInt(h.Count, 10)}},
	})
	if _, later := errors.AsType[*types.ConditionalCheckFailedException](err); later {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store the signed head: %w", err)
	}
	return nil
}

func (l Log) sign(ctx context.Context, digest []byte) (keyID, sig string, err error) {
	out, err := l.KMS.Sign(ctx, &kms.SignInput{
		KeyId: aws.String(l.keyID()), Message: digest,
		MessageType: kmstypes.MessageTypeDigest, SigningAlgorithm: kmstypes.SigningAlgorithmSpecEcdsaSha256,
	})
	if err != nil {
		return "", "", fmt.Errorf("sign with the audit key: %w", err)
	}
	return aws.ToString(out.KeyId), base64.StdEncoding.EncodeToString(out.Signature), nil
}

// publicKeys caches public keys by key ARN: a key's public half never
// changes, so one GetPublicKey per key and process is enough.
var publicKeys sync.Map

// Keys returns the public keys of the given key ids (ARNs) from KMS.
func (l Log) Keys(ctx context.Context, keyIDs ...string) (Keys, error) {
	keys := Keys{}
	for _, id := range keyIDs {
		if _, done := keys[id]; done || id == "" {
			continue
		}
		if k, ok := publicKeys.Load(id); ok {
			keys[id] = k.(*ecdsa.PublicKey)
			continue
		}
		out, err := l.KMS.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("audit key %s: %w", id, err)
		}
		pub, err := ParsePublicKey(out.PublicKey)
		if err != nil {
			return nil, err
		}
		publicKeys.Store(id, pub)
		keys[id] = pub
	}
	return keys, nil
}

// ErrNoHead says a case has no signed head: it has no entries, or its head
// was deleted.
var ErrNoHead = errors.New("audit: no signed head")

// Head returns the case's signed head as stored, or ErrNoHead.
func (l Log) Head(ctx context.Context, caseID string) (Head, error) {
	out, err := l.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(l.Table),
		Key:            key(caseID, headSK),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return Head{}, fmt.Errorf("audit head %s: %w", caseID, err)
	}
	if len(out.Item) == 0 {
		return Head{}, fmt.Errorf("case %s: %w", caseID, ErrNoHead)
	}
	var h Head
	if err := attributevalue.UnmarshalMap(out.Item, &h); err != nil {
		return Head{}, fmt.Errorf("audit head %s: %w", caseID, err)
	}
	return h, nil
}

func key(caseID, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// last returns the case's last entry, or a zero Entry when it has none.
func (l Log) last(ctx context.Context, caseID string) (Entry, error) {
	out, err := l.DB.Query(ctx, l.query(caseID, false, 1, nil))
	if err != nil {
		return Entry{}, fmt.Errorf("audit head %s: %w", caseID, err)
	}
	if len(out.Items) == 0 {
		return Entry{}, nil
	}
	var e Entry
	if err := attributevalue.UnmarshalMap(out.Items[0], &e); err != nil {
		return Entry{}, fmt.Errorf("audit head %s: %w", caseID, err)
	}
	return e, nil
}

// entry returns entry seq, or a *BreakError when the table lacks it.
func (l Log) entry(ctx context.Context, caseID string, seq int64) (Entry, error) {
	out, err := l.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(l.Table), Key: key(caseID, SortKey(seq)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Entry{}, fmt.Errorf("audit entry %s #%d: %w", caseID, seq, err)
	}
	if len(out.Item) == 0 {
		return Entry{}, &BreakError{CaseID: caseID, Seq: seq, Reason: "entry missing"}
	}
	var e Entry
	if err := attributevalue.UnmarshalMap(out.Item, &e); err != nil {
		return Entry{}, fmt.Errorf("audit entry %s #%d: %w", caseID, seq, err)
	}
	return e, nil
}

// List returns the case's entries in order, oldest first.
func (l Log) List(ctx context.Context, caseID string) ([]Entry, error) {
	var entries []Entry
	var start map[string]types.AttributeValue
	for {
		out, err := l.DB.Query(ctx, l.query(caseID, true, 0, start))
		if err != nil {
			return nil, fmt.Errorf("audit list %s: %w", caseID, err)
		}
		page := make([]Entry, 0, len(out.Items))
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
			return nil, fmt.Errorf("audit list %s: %w", caseID, err)
		}
		entries = append(entries, page...)
		if len(out.LastEvaluatedKey) == 0 {
			return entries, nil
		}
		start = out.LastEvaluatedKey
	}
}

// Chain is a case's chain as read: its entries, its signed head (nil when
// there is none) and the public keys of every key that signed them.
type Chain struct {
	Entries []Entry
	Head    *Head
	Keys    Keys
}

// Read returns the case's entries, head and keys, unchecked.
func (l Log) Read(ctx context.Context, caseID string) (Chain, error) {
	var c Chain
	var err error
	if c.Entries, err = l.List(ctx, caseID); err != nil {
		return Chain{}, err
	}
	h, err := l.Head(ctx, caseID)
	switch {
	case err == nil:
		c.Head = &h
	case !errors.Is(err, ErrNoHead):
		return Chain{}, err
	}
	ids := make([]string, 0, 2)
	seen := map[string]bool{}
	for _, id := range append(keyIDs(c.Entries), headKey(c.Head)) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if c.Keys, err = l.Keys(ctx, ids...); err != nil {
		return Chain{}, err
	}
	return c, nil
}

func keyIDs(entries []Entry) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.KeyID)
	}
	return out
}

func headKey(h *Head) string {
	if h == nil {
		return ""
	}
	return h.KeyID
}

// Verify reads the case's chain and checks it against its signed head (see
// the function Verify): online verification, against the table.
func (l Log) Verify(ctx context.Context, caseID string) (Chain, error) {
	c, err := l.Read(ctx, caseID)
	if err != nil {
		return Chain{}, err
	}
	return c, Verify(c.Entries, c.Head, c.Keys)
}

func (l Log) query(caseID string, forward bool, limit int32, start map[string]types.AttributeValue) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{
		TableName:              aws.String(l.Table),
		KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :prefix)"),
		ExpressionAttributeNames: map[string]string{
			"#pk": casetable.AttrPK, "#sk": casetable.AttrSK,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":     &types.AttributeValueMemberS{Value: casetable.CasePK(caseID)},
			":prefix": &types.AttributeValueMemberS{Value: SortKeyPrefix},
		},
		ScanIndexForward:  aws.Bool(forward),
		ConsistentRead:    aws.Bool(true),
		ExclusiveStartKey: start,
	}
	if limit > 0 {
		in.Limit = aws.Int32(limit)
	}
	return in
}

// NewLog is the audit log of table with clients built from cfg and the
// audit key keyID ("" means DefaultKey): what functions and the CLI use.
func NewLog(cfg aws.Config, table, keyID string) Log {
	return Log{DB: dynamodb.NewFromConfig(cfg), Table: table, KMS: kms.NewFromConfig(cfg), KeyID: keyID}
}
