package posting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"breachflow/internal/audit"
	"breachflow/internal/casetable"
	"breachflow/internal/draft"
)

// Putter is the part of the S3 client publishing uses.
type Putter interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// ActionPublished is the audit action of a page going up.
const ActionPublished = "posting.published"

// Publisher puts a case's approved posted notices in the bucket the site
// serves, and records each page.
type Publisher struct {
	S3     Putter
	Store  Store
	Audit  audit.Appender
	Bucket string
	// BaseURL is the site's address, e.g. "https://notice.example.com".
	BaseURL string
	Now     func() time.Time
}

// PageKey is where a draft's page lives in the bucket (and, under the
// site's address, its path): notices/<case>/<draft id>.html. Case and
// draft ids are the pipeline's own; neither holds personal data.
func PageKey(caseID, draftID string) string {
	return "notices/" + caseID + "/" + draftID + ".html"
}

// Posted reports which drafts a case posts: the substitute notice in each
// locale and the public statements (draft.KindSubstitute).
func Posted(ds []draft.Draft) []draft.Draft {
	var out []draft.Draft
	for _, d := range ds {
		if d.Kind == draft.KindSubstitute {
			out = append(out, d)
		}
	}
	return out
}

// Publish puts each posted draft of a case (already checked against the
// approval: contentHash is what the approvers bound) as a page, records
// it, appends it to the audit chain and writes the case's posting summary.
// A page already posted with the same bytes keeps its first posting time,
// so a retried or redriven run never restarts a period; a page whose
// content changed (a new approved version) starts its own.
func (p *Publisher) Publish(ctx context.Context, caseID, contentHash string, ds []draft.Draft, period Period) ([]Page, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	old, err := p.Store.Pages(ctx, caseID)
	if err != nil {
		return nil, err
	}
	byDraft := map[string]Page{}
	for _, pg := range old {
		byDraft[pg.DraftID] = pg
	}
	var out []Page
	for _, d := range Posted(ds) {
		body := []byte(d.HTML)
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		key := PageKey(caseID, d.ID)
		pg := Page{
			PK: casetable.CasePK(caseID), SK: pagePrefix + d.ID, CaseID: caseID, DraftID: d.ID, Locale: d.Locale,
			Key: key, URL: strings.TrimSuffix(p.BaseURL, "/") + "/" + key, SHA256: hash, DraftSHA256: d.SHA256,
			ContentHash: contentHash, Period: period,
		}
		prev, ok := byDraft[d.ID]
		again := ok && prev.SHA256 == hash
		if again {
			pg.PostedAt = prev.PostedAt
		} else {
			pg.PostedAt = now().UTC().Truncate(time.Second)
		}
		pg.Until = period.Until(pg.PostedAt)
		// Put every time: a retry after a crash between the put and the
		// record must still find the page up; S3 keeps the versions.
		res, err := p.S3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String(p.Bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentType: aws.String("text/html; charset=utf-8"), CacheControl: aws.String("public, max-age=300"),
			Metadata: map[string]string{"sha256": hash, "case": caseID, "draft": d.ID},
		})
		if err != nil {
			return nil, fmt.Errorf("publish %s: %w", d.ID, err)
		}
		pg.VersionID = aws.ToString(res.VersionId)
		// The audit entry goes before the record: a crash between the two
		// repeats the entry on retry rather than losing it; a page already
		// recorded with these bytes was audited when it went up.
		if p.Audit != nil && !again {
			if _, err := p.Audit.Append(ctx, caseID, audit.Record{Actor: "publish", Action: ActionPublished, Detail: map[string]string{
				"draft_id": d.ID, "url": pg.URL, "sha256": hash, "version_id": pg.VersionID, "content_hash": contentHash,
				"posted_at": pg.PostedAt.Format(time.RFC3339), "until": pg.Until.Format(time.RFC3339), "period": period.Cites(),
			}}); err != nil {
				return nil, fmt.Errorf("audit page %s: %w", d.ID, err)
			}
		}
		if err := p.Store.put(ctx, pg); err != nil {
			return nil, fmt.Errorf("record page %s: %w", d.ID, err)
		}
		out = append(out, pg)
	}
	if len(out) == 0 {
		return nil, nil
	}
	sum := Summary{PK: casetable.CasePK(caseID), SK: skSummary, CaseID: caseID, ContentHash: contentHash, Days: period.Days, Pages: len(out)}
	for _, pg := range out {
		if sum.PostedAt.IsZero() || pg.PostedAt.Before(sum.PostedAt) {
			sum.PostedAt = pg.PostedAt
		}
		if pg.Until.After(sum.Until) {
			sum.Until = pg.Until
		}
	}
	if err := p.Store.put(ctx, sum); err != nil {
		return nil, fmt.Errorf("record posting of %s: %w", caseID, err)
	}
	return out, nil
}
