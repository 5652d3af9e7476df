package criteria

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func parse(t testing.TB, s string) *Criteria {
	t.Helper()
	var c Criteria
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatalf("unmarshal %s: %v", s, err)
	}
	return &c
}

func TestValidateAccepts(t *testing.T) {
	for _, s := range []string{
		`{"attr":"country","op":"=","value":"KR"}`,
		`{"attr":"age","op":"<>","value":30}`,
		`{"attr":"age","op":"<","value":1e3}`,
		`{"attr":"age","op":"<=","value":-2.5}`,
		`{"attr":"name","op":">","value":"가"}`,
		`{"attr":"name","op":">=","value":""}`,
		`{"attr":"age","op":"between","value":[18, 65]}`,
		`{"attr":"age","op":"between","value":[10, 9.99e1]}`,
		`{"attr":"signup_at","op":"between","value":["2024-01-01T00:00:00Z","2024-02-01T00:00:00Z"]}`,
		`{"attr":"email","op":"begins_with","value":"kim"}`,
		`{"attr":"data_held","op":"contains","value":"rrn"}`,
		`{"attr":"closed_at","op":"exists"}`,
		`{"attr":"closed_at","op":"not_exists"}`,
		`{"attr":"country","op":"in","value":["KR","JP","SG"]}`,
		`{"attr":"payment_service","op":"=","value":true}`,
		`{"attr":"signup_at","op":"within","from":"2018-01-01T00:00:00Z","to":"2024-06-01T00:00:00+09:00"}`,
		`{"attr":"signup_at","op":"within","from":"2018-01-01T00:00:00Z"}`,
		`{"attr":"signup_at","op":"within","to":"2018-01-01T00:00:00Z"}`,
		`{"all":[{"attr":"country","op":"=","value":"KR"},{"any":[{"attr":"a","op":"exists"},{"not":{"attr":"b","op":"exists"}}]}]}`,
	} {
		t.Run(s, func(t *testing.T) {
			if err := parse(t, s).Validate(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestValidateRejectsWithPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"all":[{"attr":"a","op":"exists"},{"attr":"b","op":"~","value":1}]}`, `scope.all[1].op: unknown operator "~"`},
		{`{}`, `scope: empty condition: want one of all, any, not, or attr with op`},
		{`[]`, `scope: want an object, got an array`},
		{`null`, `scope: want an object, got null`},
		{`{"all":[]}`, `scope.all: empty list`},
		{`{"all":{}}`, `scope.all: want an array, got an object`},
		{`{"any":[5]}`, `scope.any[0]: want an object, got a number`},
		{`{"all":[{"attr":"a","op":"exists"}],"attr":"b"}`, `scope: a condition holds one of all, any, not, attr/op; this one has all and attr/op`},
		{`{"attr":"a","op":"=","valu":1}`, `scope: unknown field "valu"`},
		{`{"attr":5,"op":"="}`, `scope.attr: want a string, got a number`},
		{`{"op":"=","value":1}`, `scope.attr: missing`},
		{`{"attr":"a","value":1}`, `scope.op: missing`},
		{`{"attr":"a","op":"="}`, `scope.value: missing`},
		{`{"attr":"a","op":"=","value":null}`, `scope.value: want a string, number or boolean, got null`},
		{`{"attr":"a","op":"=","value":{"x":1}}`, `scope.value: want a string, number or boolean, got an object`},
		{`{"attr":"a","op":"<","value":true}`, `scope.value: operator "<" does not take a boolean`},
		{`{"attr":"a","op":"begins_with","value":""}`, `scope.value: begins_with wants a non-empty string`},
		{`{"attr":"a","op":"begins_with","value":3}`, `scope.value: begins_with wants a non-empty string`},
		{`{"attr":"a","op":"exists","value":1}`, `scope.value: operator "exists" takes no value`},
		{`{"attr":"a","op":"between","value":1}`, `scope.value: operator "between" wants an array, got a number`},
		{`{"attr":"a","op":"between","value":[1]}`, `scope.value: between wants [low, high], got 1 values`},
		{`{"attr":"a","op":"between","value":[5,1]}`, `scope.value: between wants low <= high`},
		{`{"attr":"a","op":"between","value":["b","a"]}`, `scope.value: between wants low <= high`},
		{`{"attr":"a","op":"between","value":[1,"z"]}`, `scope.value[1]: mixes types with value[0]`},
		{`{"attr":"a","op":"between","value":[true,false]}`, `scope.value[0]: between compares strings or numbers, not booleans`},
		{`{"attr":"a","op":"in","value":[]}`, `scope.value: in wants 1 to 100 values, got 0`},
		{`{"attr":"a","op":"in","value":["x",[1]]}`, `scope.value[1]: want a string, number or boolean, got an array`},
		{`{"attr":"a","op":"within"}`, `scope: time window needs from, to, or both`},
		{`{"attr":"a","op":"within","from":"yesterday"}`, `scope.from: want an RFC 3339 time such as 2024-05-01T00:00:00Z, got "yesterday"`},
		{`{"attr":"a","op":"within","from":"2024-01-02T00:00:00Z","to":"2024-01-01T00:00:00Z"}`, `scope.to: must be after from`},
		{`{"attr":"a","op":"=","value":1,"from":"2024-01-01T00:00:00Z"}`, `scope: from/to belong to op "within" only`},
		{`{"not":{"not":{"attr":"a"}}}`, `scope.not.not.op: missing`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			err := parse(t, tt.in).Validate()
			var ic *InvalidCriteria
			if !errors.As(err, &ic) {
				t.Fatalf("got %v, want *InvalidCriteria", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestValidateLimits(t *testing.T) {
	deep := `{"attr":"a","op":"exists"}`
	for range MaxDepth {
		deep = `{"not":` + deep + `}`
	}
	if err := parse(t, deep).Validate(); err == nil {
		t.Error("criteria nested past MaxDepth passed")
	}
	var many []Criteria
	for range MaxNodes {
		many = append(many, Criteria{Attr: "a", Op: OpExists})
	}
	if err := (&Criteria{Any: many}).Validate(); err == nil {
		t.Error("criteria with more than MaxNodes conditions passed")
	}
	var nilc *Criteria
	if err := nilc.Validate(); err == nil || err.Error() != "scope: missing" {
		t.Errorf("nil criteria: %v", err)
	}
}

func TestCriteriaRoundTrip(t *testing.T) {
	in := `{"all":[{"attr":"country","op":"in","value":["KR","JP"]},{"not":{"attr":"closed_at","op":"exists"}},{"attr":"signup_at","op":"within","from":"2018-01-01T00:00:00Z"}]}`
	c := parse(t, in)
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, parse(t, string(out)), cmpopts.IgnoreUnexported(Criteria{})); diff != "" {
		t.Errorf("round trip (-first +second):\n%s", diff)
	}
}

// FuzzCriteria checks that no input makes decoding or validation panic, and
// that whatever validates survives a marshal round trip still valid.
func FuzzCriteria(f *testing.F) {
	for _, s := range []string{
		`{"all":[{"attr":"country","op":"=","value":"KR"},{"any":[{"attr":"a","op":"exists"},{"not":{"attr":"b","op":"between","value":[1,2]}}]}]}`,
		`{"attr":"a","op":"in","value":["x","y"]}`,
		`{"attr":"a","op":"within","from":"2018-01-01T00:00:00Z"}`,
		`{"any":[null,1,"x",[]]}`, `{"not":5}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Criteria
		if json.Unmarshal(b, &c) != nil {
			return
		}
		if c.Validate() != nil {
			return
		}
		out, err := json.Marshal(&c)
		if err != nil {
			t.Fatalf("marshal valid criteria: %v", err)
		}
		var back Criteria
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", out, err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("valid criteria invalid after round trip %s: %v", out, err)
		}
	})
}
