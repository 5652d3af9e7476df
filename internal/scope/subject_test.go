package scope

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/usertable"
)

func TestRead(t *testing.T) {
	S := func(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
	report := []breach.Category{breach.CategoryEmail, breach.CategoryName, breach.CategoryPaymentCard, breach.CategoryRRN}
	withCats := func(c usertable.Categories) *usertable.Mapping {
		return &usertable.Mapping{ID: "id", Email: "email", Locale: "locale", Country: "country", Region: "region", Categories: c}
	}
	tests := []struct {
		name string
		m    *usertable.Mapping
		item map[string]types.AttributeValue
		want person
	}{
		{"string set, per-category and always", withCats(usertable.Categories{Attribute: "held", PerCategory: map[breach.Category]string{"payment_card": "card"}, Always: []breach.Category{"name"}}),
			map[string]types.AttributeValue{"id": S("1"), "email": S(" A@B.example.com"), "country": S("us"), "region": S("ny"), "held": &types.AttributeValueMemberSS{Value: []string{"email", "phone"}}, "card": S("tok")},
			person{id: "1", email: "a@b.example.com", locale: "en-US", jurisdiction: "US-NY", categories: []string{"email", "name", "payment_card"}}},
		{"list and a false per-category flag", withCats(usertable.Categories{Attribute: "held", PerCategory: map[breach.Category]string{"payment_card": "card"}}),
			map[string]types.AttributeValue{"id": &types.AttributeValueMemberN{Value: "7"}, "locale": S("ko_KR"), "country": S("KR"), "held": &types.AttributeValueMemberL{Value: []types.AttributeValue{S("rrn")}}, "card": &types.AttributeValueMemberBOOL{Value: false}},
			person{id: "7", locale: "ko-KR", jurisdiction: "KR", categories: []string{"rrn"}, contact: "no_email"}},
		{"comma-separated string, null email", withCats(usertable.Categories{Attribute: "held"}),
			map[string]types.AttributeValue{"id": S("2"), "email": &types.AttributeValueMemberNULL{Value: true}, "country": S("FR"), "held": S("name, email")},
			person{id: "2", locale: "fr", jurisdiction: "FR", categories: []string{"email", "name"}, contact: "no_email"}},
		{"no category mapping exposes the report's", withCats(usertable.Categories{}),
			map[string]types.AttributeValue{"id": S("3"), "email": S("not an address"), "country": S("Korea")},
			person{id: "3", locale: "en", jurisdiction: "ZZ", categories: []string{"email", "name", "payment_card", "rrn"}, contact: "malformed_email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := read(tt.m, tt.item, report)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(person{})); diff != "" {
				t.Errorf("read (-want +got):\n%s", diff)
			}
		})
	}
}
