package scope

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
)

// AddressHash is the key under which a case claims an address: a SHA-256
// of the case id and the normalised address. Salting with the case id keeps
// one person's keys from linking across cases; the key never holds the
// address itself.
func AddressHash(caseID, email string) string {
	h := sha256.New()
	h.Write([]byte(caseID))
	h.Write([]byte{0})
	h.Write([]byte(email))
	return hex.EncodeToString(h.Sum(nil))
}

// setSum is an order-independent running hash of a set of subjects: the sum
// modulo 2^256 of each member's SHA-256. Segments sum their own members, the
// aggregation adds the sums, and RecipientSetHash recomputes the same sum
// from the subject set itself, in any order, in constant memory.
type setSum [4]uint64

// member is what the set hash takes of a subject besides its user id: its
// address hash and, when it has one, its channel plan, so an approval that
// binds to the recipient set binds to every person's channels too.
func member(addrHash, plan string) string {
	if plan == "" {
		return addrHash
	}
	return addrHash + "\x00plan:" + plan
}

func (s *setSum) addMember(userID, addrHash string) {
	h := sha256.New()
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(addrHash))
	var e setSum
	sum := h.Sum(nil)
	for i := range e {
		e[i] = binary.BigEndian.Uint64(sum[24-8*i:])
	}
	s.add(e)
}

func (s *setSum) add(o setSum) {
	var carry uint64
	for i := range s { // limb 0 is the least significant
		s[i], carry = bits.Add64(s[i], o[i], carry)
	}
}

func (s setSum) String() string {
	var b [32]byte
	for i := range s {
		binary.BigEndian.PutUint64(b[24-8*i:], s[i])
	}
	return hex.EncodeToString(b[:])
}

func parseSetSum(h string) (setSum, error) {
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != 32 {
		return setSum{}, fmt.Errorf("set sum %q: want 64 hex digits", h)
	}
	var s setSum
	for i := range s {
		s[i] = binary.BigEndian.Uint64(b[24-8*i:])
	}
	return s, nil
}

// finish turns a case's set sum and member count into the recipient-set
// hash an approval binds to.
func finish(caseID string, count int64, s setSum) string {
	h := sha256.New()
	fmt.Fprintf(h, "breachflow/recipient-set/v1\n%s\n%d\n%s", caseID, count, s)
	return hex.EncodeToString(h.Sum(nil))
}

// Querier is the part of the DynamoDB client RecipientSetHash needs.
type Querier interface {
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// RecipientSetHash recomputes a case's recipient-set hash by reading every
// shard of its subject set: a hash over each subject's user id, address
// hash and channel plan, independent of order. It equals the RecipientSetHash that Aggregate
// reports when the subject set is the one scoping wrote, so an approval can
// bind to it and a sender can check it. It also returns the subject count.
func RecipientSetHash(ctx context.Context, db Querier, table, caseID string, shards int) (string, int64, error) {
	var sum setSum
	var count int64
	for shard := range shards {
		p := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
			TableName:                aws.String(table),
			KeyConditionExpression:   aws.String("#pk = :pk"),
			ProjectionExpression:     aws.String("#u, #e, #p"),
			ExpressionAttributeNames: map[string]string{"#pk": casetable.AttrPK, "#u": "user_id", "#e": "email", "#p": "plan"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: casetable.SubjectPK(caseID, shard)},
			},
			ConsistentRead: aws.Bool(true),
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return "", 0, fmt.Errorf("read subjects of shard %d: %w", shard, err)
			}
			for _, it := range page.Items {
				addr := ""
				if e := text(it, "email"); e != "" {
					addr = AddressHash(caseID, e)
				}
				sum.addMember(text(it, "user_id"), member(addr, text(it, "plan")))
				count++
			}
		}
	}
	return finish(caseID, count, sum), count, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

func quote(s string) string { return strconv.Quote(s) }
