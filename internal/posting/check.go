package posting

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Reader is the part of the S3 client the check uses.
type Reader interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	GetBucketLifecycleConfiguration(ctx context.Context, in *s3.GetBucketLifecycleConfigurationInput, opts ...func(*s3.Options)) (*s3.GetBucketLifecycleConfigurationOutput, error)
}

// Problem says a required posting would end early, or has.
type Problem struct {
	DraftID string
	URL     string
	// What is "missing" (no page at the key: taken down, or never there),
	// "changed" (the page is not the bytes that went up) or "scheduled" (a
	// lifecycle rule of the bucket will take it down before Until).
	What string
	// At is when the page was taken down, when the bucket's versions show
	// it (a delete marker), or when a rule will take it down; zero
	// otherwise.
	At    time.Time
	Until time.Time
}

// String is the warning status and the console print.
func (p Problem) String() string {
	switch {
	case p.What == "scheduled":
		return fmt.Sprintf("posted notice %s is scheduled to come down %s by a lifecycle rule of the bucket, %s before the end of its required period (%s): change the rule", p.DraftID, p.At.Format(time.RFC3339), p.Until.Sub(p.At).Round(time.Hour), p.Until.Format(time.RFC3339))
	case p.What == "changed":
		return fmt.Sprintf("posted notice %s changed: the page at %s is not the approved one it must show until %s", p.DraftID, p.URL, p.Until.Format(time.RFC3339))
	case !p.At.IsZero():
		return fmt.Sprintf("posted notice %s taken down %s, %s before the end of its required period (%s): %s", p.DraftID, p.At.Format(time.RFC3339), p.Until.Sub(p.At).Round(time.Hour), p.Until.Format(time.RFC3339), p.URL)
	default:
		return fmt.Sprintf("posted notice %s is missing from %s; it must stay up until %s", p.DraftID, p.URL, p.Until.Format(time.RFC3339))
	}
}

// Checker compares a case's posted pages with what the bucket serves.
type Checker struct {
	S3     Reader
	Store  Store
	Bucket string
}

// Check returns the case's pages and a problem for each one whose
// required period has not ended but whose page is missing or changed, or
// which a lifecycle rule of the bucket will take down before its period
// ends. A case with nothing posted has no pages and no problems.
func (c Checker) Check(ctx context.Context, caseID string, now time.Time) ([]Page, []Problem, error) {
	pages, err := c.Store.Pages(ctx, caseID)
	if err != nil {
		return nil, nil, err
	}
	if len(pages) == 0 {
		return nil, nil, nil
	}
	rules, err := c.lifecycleRules(ctx)
	if err != nil {
		return nil, nil, err
	}
	var probs []Problem
	for _, pg := range pages {
		if !now.Before(pg.Until) {
			continue // served its period; taking it down is allowed
		}
		prob, err := c.page(ctx, pg)
		if err != nil {
			return nil, nil, err
		}
		if prob != nil {
			probs = append(probs, *prob)
			continue
		}
		if at, ok := ScheduledTakedown(rules, pg); ok && at.Before(pg.Until) {
			probs = append(probs, Problem{DraftID: pg.DraftID, URL: pg.URL, What: "scheduled", At: at, Until: pg.Until})
		}
	}
	return pages, probs, nil
}

func (c Checker) page(ctx context.Context, pg Page) (*Problem, error) {
	res, err := c.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(c.Bucket), Key: aws.String(pg.Key)})
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		at, err := c.deletedAt(ctx, pg.Key)
		if err != nil {
			return nil, err
		}
		return &Problem{DraftID: pg.DraftID, URL: pg.URL, What: "missing", At: at, Until: pg.Until}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read page %s: %w", pg.DraftID, err)
	}
	defer res.Body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, res.Body); err != nil {
		return nil, fmt.Errorf("read page %s: %w", pg.DraftID, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != pg.SHA256 {
		return &Problem{DraftID: pg.DraftID, URL: pg.URL, What: "changed", Until: pg.Until}, nil
	}
	return nil, nil
}

// deletedAt is when the key's latest delete marker was set (the bucket is
// versioned, so a takedown leaves one), or zero.
func (c Checker) deletedAt(ctx context.Context, key string) (time.Time, error) {
	res, err := c.S3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(c.Bucket), Prefix: aws.String(key)})
	if err != nil {
		return time.Time{}, fmt.Errorf("versions of %s: %w", key, err)
	}
	for _, m := range res.DeleteMarkers {
		if aws.ToString(m.Key) == key && aws.ToBool(m.IsLatest) {
			return aws.ToTime(m.LastModified), nil
		}
	}
	return time.Time{}, nil
}
