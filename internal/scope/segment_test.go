package scope

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"breachflow/internal/breach"
	"breachflow/internal/criteria"
	"breachflow/internal/usertable"
)

// The state machine routes on these type names: a rename is a contract
// change.
func TestSegmentErrorNames(t *testing.T) {
	s := &Scoper{Mapping: usertable.DefaultMapping()} // no DB: every case fails before touching it
	good := SegmentInput{CaseID: "c1", TotalSegments: 4, ReportCategories: []breach.Category{breach.CategoryName}}
	tests := []struct {
		name string
		edit func(*SegmentInput)
		want string
	}{
		{"bad criteria", func(in *SegmentInput) { in.Criteria = &criteria.Criteria{Attr: "a", Op: "~"} }, "InvalidCriteria"},
		{"unknown attribute", func(in *SegmentInput) { in.Criteria = &criteria.Criteria{Attr: "ssn", Op: criteria.OpExists} }, "InvalidCriteria"},
		{"case id", func(in *SegmentInput) { in.CaseID = "a#b" }, "InvalidInput"},
		{"segment", func(in *SegmentInput) { in.Segment = 4 }, "InvalidInput"},
		{"total", func(in *SegmentInput) { in.TotalSegments = 0 }, "InvalidInput"},
		{"shards", func(in *SegmentInput) { in.Shards = -1 }, "InvalidInput"},
		{"categories", func(in *SegmentInput) { in.ReportCategories = nil }, "InvalidInput"},
		{"category", func(in *SegmentInput) { in.ReportCategories = []breach.Category{"ssn"} }, "InvalidInput"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			_, err := s.Segment(context.Background(), in)
			if err == nil {
				t.Fatal("no error")
			}
			if got := reflect.TypeOf(err).Elem().Name(); got != tt.want {
				t.Errorf("error type %s (%v), want %s", got, err, tt.want)
			}
		})
	}
}

func TestSegmentInputJSON(t *testing.T) {
	var in SegmentInput
	raw := `{"case_id":"c1","segment":2,"total_segments":8,"report_categories":["name","rrn"],"criteria":{"attr":"payment_service","op":"=","value":true},"shards":64}`
	if err := json.Unmarshal([]byte(raw), &in); err != nil {
		t.Fatal(err)
	}
	if in.Segment != 2 || in.TotalSegments != 8 || in.Shards != 64 || in.Criteria == nil || in.Criteria.Attr != "payment_service" || len(in.ReportCategories) != 2 {
		t.Errorf("decoded %+v", in)
	}
}

func TestAggregate(t *testing.T) {
	var a, b setSum
	a.addMember("u1", "h1")
	b.addMember("u2", "")
	segs := []SegmentResult{
		{CaseID: "c", Segment: 1, TotalSegments: 2, Scanned: 10, Matched: 4, Written: 4, Pending: 2, Duplicates: 1, NoContact: 1,
			ByJurisdiction: map[string]int64{"KR": 3, "US-CA": 1}, ByCategory: map[string]int64{"name": 4}, SetSum: a.String()},
		{CaseID: "c", Segment: 0, TotalSegments: 2, Scanned: 5, Matched: 1, Written: 1, Pending: 1,
			ByJurisdiction: map[string]int64{"KR": 1}, ByCategory: map[string]int64{"name": 1, "rrn": 1}, SetSum: b.String()},
	}
	got, err := Aggregate(AggregateInput{CaseID: "c", Segments: segs})
	if err != nil {
		t.Fatal(err)
	}
	var both setSum
	both.addMember("u2", "")
	both.addMember("u1", "h1")
	want := &Totals{CaseID: "c", Segments: 2, Scanned: 15, Matched: 5, Written: 5, Pending: 3, Duplicates: 1, NoContact: 1,
		ByJurisdiction: map[string]int64{"KR": 4, "US-CA": 1}, ByCategory: map[string]int64{"name": 5, "rrn": 1},
		RecipientSetHash: finish("c", 5, both), Shards: 64}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}

	bad := []struct {
		name string
		segs []SegmentResult
		want string
	}{
		{"missing", segs[:1], "segments: 1 of 2 segments"},
		{"twice", []SegmentResult{segs[0], segs[0]}, "segment 1 appears twice"},
		{"other case", []SegmentResult{segs[0], {CaseID: "d", Segment: 0, TotalSegments: 2}}, `segment of case "d"`},
		{"bad sum", []SegmentResult{segs[0], {CaseID: "c", Segment: 0, TotalSegments: 2, SetSum: "zz"}}, "set_sum"},
		{"other shards", []SegmentResult{segs[0], {CaseID: "c", Segment: 0, TotalSegments: 2, Shards: 8, SetSum: segs[1].SetSum}}, "segments[1].shards: 8, but segments[0] says 64"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Aggregate(AggregateInput{CaseID: "c", Segments: tt.segs})
			var ii *InvalidInput
			if !errors.As(err, &ii) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want InvalidInput containing %q", err, tt.want)
			}
		})
	}
}

func TestSetSumIsOrderIndependent(t *testing.T) {
	var x, y setSum
	ids := []string{"a", "b", "c", "d"}
	for _, id := range ids {
		x.addMember(id, AddressHash("c", id+"@example.com"))
	}
	for i := len(ids) - 1; i >= 0; i-- {
		y.addMember(ids[i], AddressHash("c", ids[i]+"@example.com"))
	}
	if x != y {
		t.Fatal("order changed the sum")
	}
	back, err := parseSetSum(x.String())
	if err != nil || back != x {
		t.Fatalf("round trip %v %v", back, err)
	}
	var z setSum
	z.addMember("a", "")
	if z == x {
		t.Fatal("different sets, same sum")
	}
}

func TestNormaliseEmailAndJurisdiction(t *testing.T) {
	for in, want := range map[string]string{" Min.Kim@Example.COM ": "min.kim@example.com", "a@b.c": "a@b.c"} {
		if got, ok := NormaliseEmail(in); !ok || got != want {
			t.Errorf("NormaliseEmail(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "no-at", "a@", "@b.c", "a@b", "a b@c.d", "a@b.c\r\nBcc: x@y.z", "a@@b.c", "<a@b.c>"} {
		if got, ok := NormaliseEmail(in); ok {
			t.Errorf("NormaliseEmail(%q) accepted as %q", in, got)
		}
	}
	m := usertable.DefaultMapping()
	for _, tt := range [][3]string{{"US", "CA", "US-CA"}, {"US", "", "US"}, {"KR", "11", "KR"}, {"", "", "ZZ"}, {"KOR", "", "ZZ"}, {"US", "CALIF", "US"}} {
		if got := Jurisdiction(m, tt[0], tt[1]); got != tt[2] {
			t.Errorf("Jurisdiction(%q, %q) = %q, want %q", tt[0], tt[1], got, tt[2])
		}
	}
}

// The sample Lambda events decode into the handlers' inputs and pass their
// checks, so the demo and docs show payloads that work.
func TestSampleEvents(t *testing.T) {
	files, err := filepath.Glob("../../events/scope/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d := json.NewDecoder(bytes.NewReader(raw))
			d.DisallowUnknownFields()
			if strings.HasPrefix(filepath.Base(f), "aggregate") {
				var in AggregateInput
				if err := d.Decode(&in); err != nil {
					t.Fatal(err)
				}
				if _, err := Aggregate(in); err != nil {
					t.Fatal(err)
				}
				return
			}
			var in SegmentInput
			if err := d.Decode(&in); err != nil {
				t.Fatal(err)
			}
			if err := in.check(); err != nil {
				t.Fatal(err)
			}
			if _, err := criteria.Compile(in.Criteria, usertable.DefaultMapping()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The set hash binds each person's channel plan: the same people with
// another plan hash differently; subjects without a plan hash as before.
func TestSetSumBindsThePlan(t *testing.T) {
	var a, b, c setSum
	a.addMember("u1", member("h1", "email>sms"))
	b.addMember("u1", member("h1", "sms>email"))
	c.addMember("u1", member("h1", ""))
	if a == b {
		t.Error("two plans hash alike")
	}
	var old setSum
	old.addMember("u1", "h1")
	if c != old {
		t.Error("a subject without a plan hashes differently from before")
	}
}
