package scope

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/sharedaddr"
)

// Address claims. Each normalised address is claimed once per case, under
// its hash (AddressHash) in the case's address partitions
// (casetable.AddressPK): the first person to claim it is its holder and
// gets the notice; everyone else with the address is a duplicate of them.

// claim makes p the holder of an address in the case, unless another user
// holds it already, and returns the holder. The write is conditional: the
// first user to claim wins, and the same user claiming again (a rerun)
// passes, so a retried segment keeps the same holders. The claim records
// the holder's jurisdiction and exposed categories, which is how a user
// who finds the address taken learns the holder's (sharedaddr.Share needs
// them); only the holder ever writes the claim item, so a rerun rewrites
// the same content.
func (s *Scoper) claim(ctx context.Context, in SegmentInput, addr string, p *person) (sharedaddr.Person, error) {
	key := map[string]types.AttributeValue{
		casetable.AttrPK: &types.AttributeValueMemberS{Value: casetable.AddressPK(in.CaseID, casetable.Shard(addr, in.Shards))},
		casetable.AttrSK: &types.AttributeValueMemberS{Value: casetable.AddressSK(addr)},
	}
	item := map[string]types.AttributeValue{
		"user_id":      &types.AttributeValueMemberS{Value: p.id},
		"case_id":      &types.AttributeValueMemberS{Value: in.CaseID},
		"jurisdiction": &types.AttributeValueMemberS{Value: p.jurisdiction},
	}
	if len(p.categories) > 0 {
		item["categories"] = &types.AttributeValueMemberSS{Value: p.categories}
	}
	for k, v := range key {
		item[k] = v
	}
	_, err := s.DB.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.CaseTable),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #u = :u"),
		ExpressionAttributeNames:  map[string]string{"#pk": casetable.AttrPK, "#u": "user_id"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": item["user_id"]},
	})
	if err == nil {
		return p.sharer(), nil
	}
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		return sharedaddr.Person{}, fmt.Errorf("claim address: %w", err)
	}
	out, err := s.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.CaseTable), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return sharedaddr.Person{}, fmt.Errorf("read address claim: %w", err)
	}
	h := sharedaddr.Person{ID: text(out.Item, "user_id"), Jurisdiction: text(out.Item, "jurisdiction")}
	if h.ID == "" {
		return sharedaddr.Person{}, fmt.Errorf("address claim in case %s has no holder", in.CaseID)
	}
	if ss, ok := out.Item["categories"].(*types.AttributeValueMemberSS); ok {
		h.Categories = ss.Value
	}
	return h, nil
}
