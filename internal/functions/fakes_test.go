package functions_test

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"breachflow/internal/audit"
	"breachflow/internal/cases"
	"breachflow/internal/casetable"
	"breachflow/internal/report"
	"breachflow/internal/rules"
)

// The fakes below stand in for the narrow interfaces the handlers consume
// (their stores and clients), for the error names test.

// reports gives one stored report.
type reports struct{ r *report.Report }

func (f reports) Report(context.Context, string) (*report.Report, string, error) {
	return f.r, "sha", nil
}

// assessments gives one stored assessment.
type assessments struct{ a rules.Assessment }

func (f assessments) Get(context.Context, string) (rules.Assessment, error) { return f.a, nil }

// caseReader gives one case and its report.
type caseReader struct {
	c cases.Case
	r *report.Report
}

func (f caseReader) Get(context.Context, string) (cases.Case, error) { return f.c, nil }
func (f caseReader) Report(context.Context, string) (*report.Report, string, error) {
	return f.r, "sha", nil
}

// tasks records the SendTaskFailure calls that answer waiting tasks.
type tasks struct {
	mu       sync.Mutex
	failures []*sfn.SendTaskFailureInput
}

func (f *tasks) SendTaskSuccess(context.Context, *sfn.SendTaskSuccessInput, ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error) {
	return &sfn.SendTaskSuccessOutput{}, nil
}

func (f *tasks) SendTaskFailure(_ context.Context, in *sfn.SendTaskFailureInput, _ ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures = append(f.failures, in)
	return &sfn.SendTaskFailureOutput{}, nil
}

// mailbox keeps what SendEmail was asked to send.
type mailbox struct {
	mu   sync.Mutex
	text map[string]string // the last message's text by recipient
}

func (m *mailbox) SendEmail(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.text == nil {
		m.text = map[string]string{}
	}
	for _, to := range in.Destination.ToAddresses {
		m.text[to] = aws.ToString(in.Content.Simple.Body.Text.Data)
	}
	return &sesv2.SendEmailOutput{MessageId: aws.String("m")}, nil
}

func (m *mailbox) last(to string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.text[to]
}

// auditor accepts every audit entry.
type auditor struct{}

func (auditor) Append(_ context.Context, caseID string, rec audit.Record) (audit.Entry, error) {
	return audit.Entry{CaseID: caseID, Action: rec.Action}, nil
}

// table is a fake of the DynamoDB calls the handlers make: items by key,
// conditional puts that fail on an existing item (attribute_not_exists) or,
// with lostRace, always, as when another writer got there first. Queries
// and scans find nothing.
type table struct {
	mu       sync.Mutex
	items    map[string]map[string]types.AttributeValue
	lostRace bool
}

func newTable() *table { return &table{items: map[string]map[string]types.AttributeValue{}} }

func itemKey(m map[string]types.AttributeValue) string {
	s := func(k string) string {
		v, _ := m[k].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	return s(casetable.AttrPK) + "\x00" + s(casetable.AttrSK)
}

func (d *table) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return &dynamodb.GetItemOutput{Item: d.items[itemKey(in.Key)]}, nil
}

func (d *table) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	k := itemKey(in.Item)
	if cond := aws.ToString(in.ConditionExpression); cond != "" {
		if _, exists := d.items[k]; d.lostRace || (exists && strings.Contains(cond, "attribute_not_exists")) {
			return nil, &types.ConditionalCheckFailedException{Message: aws.String("conditional request failed")}
		}
	}
	d.items[k] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (d *table) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{}, nil
}

func (d *table) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return &dynamodb.ScanOutput{}, nil
}

func (d *table) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{}, nil
}

func (d *table) DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return &dynamodb.DeleteItemOutput{}, nil
}

func (d *table) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return &dynamodb.BatchWriteItemOutput{}, nil
}
