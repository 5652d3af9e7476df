package ledger

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ShardFailure is why a shard's last send run ended in an error: the Map
// of send children reports only that its failure threshold was exceeded,
// so the send stage notes the cause on the shard itself for `status` and
// the console. It carries the error's type and text, never personal data.
type ShardFailure struct {
	Shard int
	// Error is the error's type name as Lambda reports it ("SendingPaused").
	Error string
	// Cause is the error's message, cut to MaxCauseLen bytes, with anything
	// shaped like an e-mail address masked.
	Cause string
	At    time.Time
}

// MaxCauseLen is the most bytes of an error message a ShardFailure keeps.
const MaxCauseLen = 1000

// address matches what could be an e-mail address inside an error message
// (an SES refusal can quote one).
var address = regexp.MustCompile(`[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+`)

// cleanCause masks addresses in an error message and cuts it to
// MaxCauseLen bytes on a character boundary.
func cleanCause(msg string) string {
	msg = address.ReplaceAllString(msg, "<address>")
	if len(msg) <= MaxCauseLen {
		return msg
	}
	cut := MaxCauseLen
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// RecordShardFailure notes f on the shard's lease item, without touching
// the lease: the next run that takes the shard clears it (LeaseShard).
func (l *Ledger) RecordShardFailure(ctx context.Context, caseID string, f ShardFailure) error {
	_, err := l.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        aws.String(l.Table),
		Key:              leaseKey(caseID, f.Shard).av(),
		UpdateExpression: aws.String("SET failed_error = :e, failed_cause = :c, failed_at = :a"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":e": str(f.Error), ":c": str(cleanCause(f.Cause)), ":a": num(f.At.UnixMilli()),
		},
	})
	return wrap(err, fmt.Sprintf("record the failure of shard %d", f.Shard))
}

// ShardFailures returns the failures noted on the case's shards
// 0..shards-1 and not cleared since, by shard. It reads each shard's lease
// item, 16 at a time.
func ShardFailures(ctx context.Context, db Querier, table, caseID string, shards int) ([]ShardFailure, error) {
	found := make([]ShardFailure, shards)
	noted := make([]bool, shards)
	errs := make([]error, shards)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for shard := range shards {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			found[shard], noted[shard], errs[shard] = shardFailure(ctx, db, table, caseID, shard)
		})
	}
	wg.Wait()
	var out []ShardFailure
	for shard, f := range found {
		if errs[shard] != nil {
			return nil, errs[shard]
		}
		if noted[shard] {
			out = append(out, f)
		}
	}
	return out, nil
}

// shardFailure reads the failure noted on one shard; false when none is.
func shardFailure(ctx context.Context, db Querier, table, caseID string, shard int) (ShardFailure, bool, error) {
	k := leaseKey(caseID, shard)
	out, err := db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("pk = :pk AND sk = :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(k.PK), ":sk": str(k.SK)},
		ProjectionExpression:      aws.String("failed_error, failed_cause, failed_at"),
	})
	if err != nil {
		return ShardFailure{}, false, fmt.Errorf("read the failure of shard %d: %w", shard, err)
	}
	if len(out.Items) == 0 {
		return ShardFailure{}, false, nil
	}
	item := out.Items[0]
	name, ok := item["failed_error"].(*types.AttributeValueMemberS)
	if !ok {
		return ShardFailure{}, false, nil
	}
	f := ShardFailure{Shard: shard, Error: name.Value}
	if c, ok := item["failed_cause"].(*types.AttributeValueMemberS); ok {
		f.Cause = c.Value
	}
	if a, ok := item["failed_at"].(*types.AttributeValueMemberN); ok {
		if ms, err := strconv.ParseInt(a.Value, 10, 64); err == nil {
			f.At = time.UnixMilli(ms)
		}
	}
	return f, true, nil
}

// Named returns the error's name when it is one of breachflow's named
// errors (an exported type such as SendingPaused), and "" for a plain
// error, whose type name (wrapError, errorString) says nothing to a
// responder.
func (f ShardFailure) Named() string {
	if r, _ := utf8.DecodeRuneInString(f.Error); r >= 'A' && r <= 'Z' {
		return f.Error
	}
	return ""
}

// String says the failure in one line for a responder.
func (f ShardFailure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "shard %d", f.Shard)
	if !f.At.IsZero() {
		b.WriteString(" at " + f.At.UTC().Format(time.RFC3339))
	}
	if n := f.Named(); n != "" {
		b.WriteString(": " + n)
	}
	if f.Cause != "" {
		b.WriteString(": " + f.Cause)
	}
	return b.String()
}
