package criteria

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"breachflow/internal/usertable"
)

func TestCompile(t *testing.T) {
	m := usertable.DefaultMapping()
	S := func(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
	N := func(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }
	B := func(b bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: b} }
	tests := []struct {
		in     string
		filter string
		names  map[string]string // filter placeholders only
		values map[string]types.AttributeValue
	}{
		{`{"attr":"country","op":"=","value":"KR"}`, "#n0 = :v0", map[string]string{"#n0": "country"}, map[string]types.AttributeValue{":v0": S("KR")}},
		{`{"attr":"id","op":"<>","value":"u1"}`, "#n0 <> :v0", map[string]string{"#n0": "user_id"}, map[string]types.AttributeValue{":v0": S("u1")}},
		{`{"attr":"user_id","op":"<","value":"u5"}`, "#n0 < :v0", map[string]string{"#n0": "user_id"}, map[string]types.AttributeValue{":v0": S("u5")}},
		{`{"attr":"age","op":"<=","value":30}`, "#n0 <= :v0", map[string]string{"#n0": "age"}, map[string]types.AttributeValue{":v0": N("30")}},
		{`{"attr":"age","op":">","value":1.5e1}`, "#n0 > :v0", map[string]string{"#n0": "age"}, map[string]types.AttributeValue{":v0": N("1.5e1")}},
		{`{"attr":"age","op":">=","value":65}`, "#n0 >= :v0", map[string]string{"#n0": "age"}, map[string]types.AttributeValue{":v0": N("65")}},
		{`{"attr":"age","op":"between","value":[20,29]}`, "#n0 BETWEEN :v0 AND :v1", map[string]string{"#n0": "age"}, map[string]types.AttributeValue{":v0": N("20"), ":v1": N("29")}},
		{`{"attr":"email","op":"begins_with","value":"kim"}`, "begins_with(#n0, :v0)", map[string]string{"#n0": "email"}, map[string]types.AttributeValue{":v0": S("kim")}},
		{`{"attr":"name","op":"contains","value":"민"}`, "contains(#n0, :v0)", map[string]string{"#n0": "name"}, map[string]types.AttributeValue{":v0": S("민")}},
		{`{"attr":"categories","op":"contains","value":"rrn"}`, "contains(#n0, :v0)", map[string]string{"#n0": "data_held"}, map[string]types.AttributeValue{":v0": S("rrn")}},
		{`{"attr":"card_token","op":"exists"}`, "attribute_exists(#n0)", map[string]string{"#n0": "card_token"}, nil},
		{`{"attr":"region","op":"not_exists"}`, "attribute_not_exists(#n0)", map[string]string{"#n0": "region"}, nil},
		{`{"attr":"country","op":"in","value":["KR","JP"]}`, "#n0 IN (:v0, :v1)", map[string]string{"#n0": "country"}, map[string]types.AttributeValue{":v0": S("KR"), ":v1": S("JP")}},
		{`{"attr":"overseas_transfer","op":"=","value":true}`, "#n0 = :v0", map[string]string{"#n0": "overseas_transfer"}, map[string]types.AttributeValue{":v0": B(true)}},
		{`{"attr":"signup_at","op":"within","from":"2024-01-01T09:00:00+09:00","to":"2024-07-01T00:00:00Z"}`, "(#n0 >= :v0 AND #n0 < :v1)", map[string]string{"#n0": "signup_at"},
			map[string]types.AttributeValue{":v0": S("2024-01-01T00:00:00Z"), ":v1": S("2024-07-01T00:00:00Z")}},
		{`{"attr":"last_login","op":"within","from":"2024-01-01T00:00:00Z"}`, "#n0 >= :v0", map[string]string{"#n0": "last_login"}, map[string]types.AttributeValue{":v0": N("1704067200")}},
		{`{"attr":"last_login","op":">","value":"2024-01-01T00:00:00Z"}`, "#n0 > :v0", map[string]string{"#n0": "last_login"}, map[string]types.AttributeValue{":v0": N("1704067200")}},
		{`{"attr":"last_login","op":">","value":1704067200}`, "#n0 > :v0", map[string]string{"#n0": "last_login"}, map[string]types.AttributeValue{":v0": N("1704067200")}},
		{`{"all":[{"attr":"country","op":"=","value":"KR"},{"any":[{"attr":"overseas_transfer","op":"=","value":true},{"not":{"attr":"country","op":"exists"}}]}]}`,
			"(#n0 = :v0 AND (#n1 = :v1 OR (NOT attribute_exists(#n0))))", map[string]string{"#n0": "country", "#n1": "overseas_transfer"},
			map[string]types.AttributeValue{":v0": S("KR"), ":v1": B(true)}},
		{`{"any":[{"attr":"tier","op":"=","value":"vip"}]}`, "#n0 = :v0", map[string]string{"#n0": "tier"}, map[string]types.AttributeValue{":v0": S("vip")}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := Compile(parse(t, tt.in), m)
			if err != nil {
				t.Fatal(err)
			}
			if p.Filter != tt.filter {
				t.Errorf("filter %q, want %q", p.Filter, tt.filter)
			}
			for ph, attr := range tt.names {
				if p.Names[ph] != attr {
					t.Errorf("name %s = %q, want %q", ph, p.Names[ph], attr)
				}
			}
			if diff := cmp.Diff(tt.values, p.Values, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberBOOL{})); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			for _, a := range []string{"user_id", "email", "data_held", "card_token"} {
				if !strings.Contains(p.Projection, placeholderOf(p.Names, a)) {
					t.Errorf("projection %q lacks %s", p.Projection, a)
				}
			}
		})
	}
}

func placeholderOf(names map[string]string, attr string) string {
	for p, a := range names {
		if a == attr {
			return p
		}
	}
	return "<none>"
}

func TestCompileRejects(t *testing.T) {
	m := usertable.DefaultMapping()
	tests := []struct{ in, want string }{
		{`{"all":[{"attr":"country","op":"=","value":"KR"},{"attr":"countyr","op":"=","value":"KR"}]}`, `scope.all[1].attr: unknown attribute "countyr"`},
		{`{"attr":"age","op":"=","value":"30"}`, `scope: attribute "age" (number): want a number value`},
		{`{"attr":"country","op":"=","value":82}`, `scope: attribute "country" (string): want a string value`},
		{`{"attr":"overseas_transfer","op":"=","value":"yes"}`, `scope: attribute "overseas_transfer" (bool): want a bool value`},
		{`{"attr":"overseas_transfer","op":"<","value":1}`, `scope: attribute "overseas_transfer" (bool): operator "<" does not apply`},
		{`{"attr":"age","op":"begins_with","value":"3"}`, `scope: attribute "age" (number): operator "begins_with" does not apply`},
		{`{"attr":"country","op":"within","from":"2024-01-01T00:00:00Z"}`, `scope: attribute "country" (string): operator "within" does not apply`},
		{`{"attr":"categories","op":"=","value":"rrn"}`, `scope: attribute "categories" (set): operator "=" does not apply`},
		{`{"attr":"signup_at","op":">","value":"last year"}`, `scope: attribute "signup_at" (time): want an RFC 3339 time`},
		{`{"attr":"signup_at","op":">","value":5}`, `scope: attribute "signup_at" (time): want an RFC 3339 time`},
		{`{"not":{"attr":"x","op":"~"}}`, `scope.not.op: unknown operator "~"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Compile(parse(t, tt.in), m)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want prefix %s", err, tt.want)
			}
			if _, ok := err.(*InvalidCriteria); !ok {
				t.Errorf("error is %T, want *InvalidCriteria", err)
			}
		})
	}
}

func TestCompileLongFilterRejected(t *testing.T) {
	var c Criteria
	for range 100 {
		c.Any = append(c.Any, Criteria{Attr: "tier", Op: OpIn, Value: []byte(`["` + strings.Repeat("x", 10) + `","b","c","d","e","f","g","h","i","j"]`)})
	}
	if _, err := Compile(&c, usertable.DefaultMapping()); err == nil || !strings.Contains(err.Error(), "DynamoDB takes at most 4096") {
		t.Fatalf("got %v", err)
	}
}

func TestCompileNilSelectsEveryone(t *testing.T) {
	p, err := Compile(nil, usertable.DefaultMapping())
	if err != nil || p.Filter != "" || p.Values != nil || p.Projection == "" {
		t.Fatalf("plan %+v, err %v", p, err)
	}
}

func indexedMapping() *usertable.Mapping {
	m := usertable.DefaultMapping()
	m.Indexes = []usertable.Index{{Name: "by-country", PartitionKey: "country"}}
	return m
}

func TestCompileQueryPlan(t *testing.T) {
	S := func(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
	tests := []struct {
		in     string
		index  string
		keys   []types.AttributeValue
		filter string
	}{
		{`{"attr":"country","op":"=","value":"KR"}`, "by-country", []types.AttributeValue{S("KR")}, ""},
		{`{"all":[{"attr":"age","op":">","value":20},{"attr":"country","op":"in","value":["KR","JP","KR"]}]}`, "by-country", []types.AttributeValue{S("KR"), S("JP")}, "#n1 > :v0"},
		{`{"all":[{"attr":"country","op":"=","value":"KR"},{"attr":"age","op":">","value":20},{"attr":"tier","op":"=","value":"vip"}]}`, "by-country", []types.AttributeValue{S("KR")}, "(#n1 > :v0 AND #n2 = :v1)"},
		{`{"any":[{"attr":"country","op":"=","value":"KR"},{"attr":"age","op":">","value":20}]}`, "", nil, "(#n0 = :v0 OR #n1 > :v1)"},
		{`{"attr":"country","op":"<>","value":"KR"}`, "", nil, "#n0 <> :v0"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := Compile(parse(t, tt.in), indexedMapping())
			if err != nil {
				t.Fatal(err)
			}
			if p.Index != tt.index || p.Filter != tt.filter {
				t.Errorf("index %q filter %q, want %q %q", p.Index, p.Filter, tt.index, tt.filter)
			}
			if diff := cmp.Diff(tt.keys, p.KeyValues, cmpopts.IgnoreUnexported(types.AttributeValueMemberS{})); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
			if tt.index != "" && p.KeyCondition != placeholderOf(p.Names, "country")+" = "+KeyPlaceholder {
				t.Errorf("key condition %q", p.KeyCondition)
			}
		})
	}
	if _, err := Compile(parse(t, `{"attr":"country","op":"=","value":82}`), indexedMapping()); err == nil {
		t.Error("a number for a string index key compiled")
	}
}
