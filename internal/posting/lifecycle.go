package posting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// A takedown scheduled in advance is, on S3, a lifecycle rule whose
// Expiration reaches a page: on a versioned bucket it puts a delete marker
// on the current version, and the page is gone. The check reads the
// bucket's rules and warns of any that would do so before the page's
// period ends, while there is still time to change the rule.
//
// The local S3 (gofakes3) has no lifecycle API: it answers the request as
// a listing, which the SDK reads as no rules, so locally this part of the
// check never warns; ScheduledTakedown is unit-tested on rules as S3
// returns them.

// lifecycleRules reads the bucket's lifecycle rules; a bucket without a
// configuration has none.
func (c Checker) lifecycleRules(ctx context.Context) ([]types.LifecycleRule, error) {
	res, err := c.S3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(c.Bucket)})
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "NoSuchLifecycleConfiguration" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("lifecycle of %s: %w", c.Bucket, err)
	}
	return res.Rules, nil
}

// ScheduledTakedown returns when the first enabled lifecycle rule that
// expires the page's key would take it down, and whether any would. Days
// count from the page's posting, rounded up to the next midnight UTC as
// S3 does; a Date is the day itself. Rules filtered by tags do not reach a
// page (published pages carry no tags); size filters are ignored, so a
// rule that might reach a page counts.
func ScheduledTakedown(rules []types.LifecycleRule, pg Page) (time.Time, bool) {
	var first time.Time
	for _, r := range rules {
		if r.Status != types.ExpirationStatusEnabled || r.Expiration == nil || !reaches(r, pg.Key) {
			continue
		}
		var at time.Time
		switch {
		case r.Expiration.Date != nil:
			at = r.Expiration.Date.UTC()
		case r.Expiration.Days != nil:
			at = pg.PostedAt.UTC().Add(time.Duration(*r.Expiration.Days) * 24 * time.Hour)
			if midnight := at.Truncate(24 * time.Hour); !midnight.Equal(at) {
				at = midnight.Add(24 * time.Hour)
			}
		default:
			continue
		}
		if first.IsZero() || at.Before(first) {
			first = at
		}
	}
	return first, !first.IsZero()
}

func reaches(r types.LifecycleRule, key string) bool {
	prefix := aws.ToString(r.Prefix)
	if f := r.Filter; f != nil {
		switch {
		case f.Tag != nil:
			return false
		case f.And != nil:
			if len(f.And.Tags) > 0 {
				return false
			}
			prefix = aws.ToString(f.And.Prefix)
		default:
			prefix = aws.ToString(f.Prefix)
		}
	}
	return strings.HasPrefix(key, prefix)
}
