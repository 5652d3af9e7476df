package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"breachflow/internal/email"
	"breachflow/internal/ledger"
)

// FilingResult counts what SendFilings did.
type FilingResult struct {
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"` // already sent (or being sent) by an earlier run
}

// Filer sends a case's approved regulator filings, each once, recorded in
// the ledger under the case (FILING#<filing id>) with a conditional claim
// before and a conditional complete after each send: there are only a
// handful, so each gets the tightest bound (a crash repeats at most the one
// in flight). Each goes as one raw message (email.Raw) to the addresses
// Addresses gives it.
type Filer struct {
	Ledger           *ledger.Ledger
	SES              Sender
	From             string
	ConfigurationSet string
	// Addresses says where each filing goes (FILING_ADDRESSES).
	Addresses FilingAddresses
	// Lease bounds a claim (default 5 minutes).
	Lease   time.Duration
	Backoff Backoff
	Now     func() time.Time
	Log     *slog.Logger
}

// SendFilings sends each filing not yet sent. Filings go before notices, one
// at a time: there are few, and each must be on record before the next.
// Every filing is addressed before any is sent, so a filing with no
// configured address stops the stage with SendConfigInvalid and nothing
// goes out. Throttling is retried; a paused account stops with
// SendingPaused.
func (f *Filer) SendFilings(ctx context.Context, caseID string, filings []email.Filing) (FilingResult, error) {
	if f.Now == nil {
		f.Now = time.Now
	}
	if f.Lease <= 0 {
		f.Lease = 5 * time.Minute
	}
	if f.Backoff == (Backoff{}) {
		f.Backoff = DefaultBackoff
	}
	if f.Log == nil {
		f.Log = slog.Default()
	}
	to := make([][]string, len(filings))
	for i, fl := range filings {
		addr, err := f.Addresses.For(fl)
		if err != nil {
			return FilingResult{}, err
		}
		to[i] = []string{addr}
	}
	var res FilingResult
	for i, fl := range filings {
		now := f.Now()
		key := ledger.FilingKey(caseID, fl.ID)
		attempt, err := f.Ledger.ClaimFiling(ctx, key, now, now.Add(f.Lease))
		if errors.Is(err, ledger.ErrNotClaimable) {
			res.Skipped++
			continue
		}
		if err != nil {
			return res, err
		}
		raw, err := email.Raw(f.From, to[i], fl.Message, now)
		if err != nil {
			f.Ledger.Release(ctx, key, attempt, true, now)
			return res, err
		}
		in := &sesv2.SendEmailInput{
			FromEmailAddress: aws.String(f.From),
			Destination:      &types.Destination{ToAddresses: to[i]},
			Content:          &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
			EmailTags: []types.MessageTag{
				{Name: aws.String(TagCase), Value: aws.String(TagValue(caseID))},
				{Name: aws.String(TagObligation), Value: aws.String(TagValue(fl.ID))},
			},
		}
		if f.ConfigurationSet != "" {
			in.ConfigurationSetName = aws.String(f.ConfigurationSet)
		}
		id, err := f.send(ctx, in)
		if err != nil {
			f.Ledger.Release(context.WithoutCancel(ctx), key, attempt, false, f.Now())
			return res, err
		}
		if err := f.Ledger.Complete(context.WithoutCancel(ctx), key, attempt, id, f.Now()); err != nil {
			return res, fmt.Errorf("filing %s: %w", fl.ID, err)
		}
		if fl.FollowsUp != "" {
			if err := f.Ledger.LinkFollowUp(context.WithoutCancel(ctx), key, fl.FollowsUp, fl.FollowsUpRef); err != nil {
				return res, fmt.Errorf("filing %s: %w", fl.ID, err)
			}
		}
		f.Log.Info("filing sent", "case_id", caseID, "obligation_id", fl.ID, "message_id", id)
		res.Sent++
	}
	return res, nil
}

func (f *Filer) send(ctx context.Context, in *sesv2.SendEmailInput) (string, error) {
	for try := 0; ; try++ {
		out, err := f.SES.SendEmail(context.WithoutCancel(ctx), in)
		if err == nil {
			return aws.ToString(out.MessageId), nil
		}
		switch classify(err) {
		case classStopPause:
			return "", &SendingPaused{Reason: errorCode(err)}
		case classStopQuota:
			return "", &DailyQuotaExceeded{}
		case classStopConf:
			return "", &SendConfigInvalid{Reason: errorCode(err)}
		case classReject:
			return "", fmt.Errorf("filing rejected by SES: %w", err)
		}
		if try >= 8 {
			return "", fmt.Errorf("send filing: %w", err)
		}
		select {
		case <-time.After(f.Backoff.Delay(try)):
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}
