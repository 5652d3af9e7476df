package posting_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"breachflow/internal/posting"
)

func TestScheduledTakedown(t *testing.T) {
	posted := time.Date(2027, 1, 2, 9, 30, 0, 0, time.UTC)
	pg := posting.Page{Key: "notices/c1/substitute-ko-kr.html", PostedAt: posted, Until: posted.Add(30 * 24 * time.Hour)}
	days := func(n int32) *types.LifecycleExpiration { return &types.LifecycleExpiration{Days: aws.Int32(n)} }
	on := types.ExpirationStatusEnabled
	for _, tc := range []struct {
		name  string
		rules []types.LifecycleRule
		at    time.Time // zero: no takedown
	}{
		{"no rules", nil, time.Time{}},
		{"14 days on notices/: the next midnight after 14 days", []types.LifecycleRule{{Status: on, Expiration: days(14), Filter: &types.LifecycleRuleFilter{Prefix: aws.String("notices/")}}},
			time.Date(2027, 1, 17, 0, 0, 0, 0, time.UTC)},
		{"a whole-bucket rule (empty prefix)", []types.LifecycleRule{{Status: on, Expiration: days(7), Filter: &types.LifecycleRuleFilter{}}},
			time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)},
		{"the legacy top-level prefix", []types.LifecycleRule{{Status: on, Expiration: days(7), Prefix: aws.String("notices/c1/")}},
			time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)},
		{"a date", []types.LifecycleRule{{Status: on, Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC))}, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("notices/")}}},
			time.Date(2027, 1, 20, 0, 0, 0, 0, time.UTC)},
		{"the earliest of two", []types.LifecycleRule{
			{Status: on, Expiration: days(60), Filter: &types.LifecycleRuleFilter{Prefix: aws.String("notices/")}},
			{Status: on, Expiration: days(3), Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{Prefix: aws.String("notices/c1/")}}},
		}, time.Date(2027, 1, 6, 0, 0, 0, 0, time.UTC)},
		{"disabled", []types.LifecycleRule{{Status: types.ExpirationStatusDisabled, Expiration: days(3), Filter: &types.LifecycleRuleFilter{}}}, time.Time{}},
		{"another prefix", []types.LifecycleRule{{Status: on, Expiration: days(3), Filter: &types.LifecycleRuleFilter{Prefix: aws.String("logs/")}}}, time.Time{}},
		{"tagged objects only", []types.LifecycleRule{{Status: on, Expiration: days(3), Filter: &types.LifecycleRuleFilter{Tag: &types.Tag{Key: aws.String("k"), Value: aws.String("v")}}}}, time.Time{}},
		{"old versions only: not a takedown", []types.LifecycleRule{{Status: on, NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(3)}, Filter: &types.LifecycleRuleFilter{}}}, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, ok := posting.ScheduledTakedown(tc.rules, pg)
			if ok != !tc.at.IsZero() || !at.Equal(tc.at) {
				t.Errorf("takedown %v (%v), want %v", at, ok, tc.at)
			}
		})
	}
	if p := (posting.Problem{DraftID: "substitute-ko-kr", What: "scheduled", At: time.Date(2027, 1, 17, 0, 0, 0, 0, time.UTC), Until: pg.Until}); !strings.Contains(p.String(), "scheduled to come down 2027-01-17T00:00:00Z") {
		t.Errorf("warning %q does not say when", p)
	}
}
