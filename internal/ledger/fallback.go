package ledger

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"breachflow/internal/casetable"
	"breachflow/internal/sheet"
)

// FallbackStatuses are the states that put a subject on the fallback list:
// email cannot reach them, so the law's substitute notice (website, media,
// SMS or post) must.
var FallbackStatuses = []casetable.Status{casetable.StatusFailed, casetable.StatusNoContact, casetable.StatusBounced}

// Fallback calls fn for every subject of the subject set (a case id, or an
// amendment's casetable.SetID) on the fallback list, shard by shard
// (shards is the case's shard count), in key order.
func (l *Ledger) Fallback(ctx context.Context, caseID string, shards int, fn func(*casetable.Subject) error) error {
	for shard := range max(shards, 1) {
		cursor := ""
		for {
			in := &dynamodb.QueryInput{
				TableName:                aws.String(l.Table),
				KeyConditionExpression:   aws.String("pk = :pk"),
				FilterExpression:         aws.String("#s IN (:f, :n, :b)"),
				ExpressionAttributeNames: map[string]string{"#s": "status"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":pk": str(casetable.SubjectPK(caseID, shard)),
					":f":  str(string(FallbackStatuses[0])), ":n": str(string(FallbackStatuses[1])), ":b": str(string(FallbackStatuses[2])),
				},
			}
			p, err := query(ctx, l.DB, in, cursor)
			if err != nil {
				return fmt.Errorf("fallback: %w", err)
			}
			for i := range p.Subjects {
				if err := fn(&p.Subjects[i]); err != nil {
					return err
				}
			}
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
	}
	return nil
}

// CSVHeader is the first row of the fallback export.
var CSVHeader = []string{"user_id", "jurisdiction", "locale", "status", "reason", "has_phone", "has_email", "phone", "email", "version"}

// ExportFallbackCSV writes the case's fallback list as CSV, one row per
// person per report version (versions is the case's latest: each
// amendment scopes its own subject set, casetable.SetID, and a person can
// be unreachable in more than one), every cell neutralised against CSV
// injection (package sheet, so a phone number reads "'+8210..."), and
// returns how many rows it wrote. The file is the one place breachflow
// writes phone numbers and addresses outside the case table: substitute
// notice by SMS or post needs them. Treat it like the table.
func (l *Ledger) ExportFallbackCSV(ctx context.Context, w io.Writer, caseID string, versions, shards int) (int, error) {
	cw := sheet.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return 0, fmt.Errorf("fallback csv: %w", err)
	}
	n := 0
	for v := 1; v <= max(versions, 1); v++ {
		version := strconv.Itoa(v)
		err := l.Fallback(ctx, casetable.SetID(caseID, v), shards, func(s *casetable.Subject) error {
			n++
			reason := s.Reason
			if reason == "" && s.Status == casetable.StatusNoContact {
				reason = "no_email"
			}
			return cw.Write([]string{
				s.UserID, s.Jurisdiction, s.Locale, string(s.Status), reason,
				strconv.FormatBool(s.Phone != ""), strconv.FormatBool(s.Email != ""), s.Phone, s.Email, version,
			})
		})
		if err != nil {
			return n, fmt.Errorf("fallback of version %d: %w", v, err)
		}
	}
	if err := cw.Flush(); err != nil {
		return n, fmt.Errorf("fallback csv: %w", err)
	}
	return n, nil
}
