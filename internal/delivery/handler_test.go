package delivery

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/google/go-cmp/cmp"

	"breachflow/internal/approval"
	"breachflow/internal/casetable"
	"breachflow/internal/email"
	"breachflow/internal/ledger"
)

// oneSubjectDB is a ledger table with one pending person, a free send
// lease and no send records; every write succeeds.
type oneSubjectDB struct{ s casetable.Subject }

func (d oneSubjectDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	pk := in.ExpressionAttributeValues[":pk"].(*ddbtypes.AttributeValueMemberS).Value
	if pk != casetable.SubjectPK(d.s.CaseID, d.s.Shard) {
		return &dynamodb.QueryOutput{}, nil
	}
	item, err := attributevalue.MarshalMap(d.s)
	return &dynamodb.QueryOutput{Items: []map[string]ddbtypes.AttributeValue{item}}, err
}

func (d oneSubjectDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if in.ReturnValues == ddbtypes.ReturnValueUpdatedNew { // the lease
		return &dynamodb.UpdateItemOutput{Attributes: map[string]ddbtypes.AttributeValue{
			"tokens": &ddbtypes.AttributeValueMemberN{Value: "1"}, "page_size": &ddbtypes.AttributeValueMemberN{Value: "500"},
		}}, nil
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (d oneSubjectDB) GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return &dynamodb.GetItemOutput{}, nil
}

func (d oneSubjectDB) PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return &dynamodb.PutItemOutput{}, nil
}

func (d oneSubjectDB) BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return &dynamodb.BatchWriteItemOutput{}, nil
}

type sendFunc func(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)

func (f sendFunc) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	return f(ctx, in, opts...)
}

// approvedAs is an approval check that verifies every case as approved
// with the content hash h.
func approvedAs(h string) ApprovalCheck {
	return func(context.Context, string, string) (string, error) { return h, nil }
}

// TestHandlerSendsNothingUnapproved: when the approval check refuses, no
// stage reads a document or calls SES, and Lambda reports the refusal's own
// type name (NotApproved), which the state machine's Catch routes on.
func TestHandlerSendsNothingUnapproved(t *testing.T) {
	for _, stage := range []string{StageFilings, StageNotices} {
		t.Run(stage, func(t *testing.T) {
			sends := 0
			ses := sendFunc(func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
				sends++
				return &sesv2.SendEmailOutput{MessageId: aws.String("m")}, nil
			})
			s := casetable.Subject{CaseID: "c1", UserID: "u1", Email: "kim@example.org", Status: casetable.StatusPending}
			led := &ledger.Ledger{DB: oneSubjectDB{s}, Table: "cases"}
			loaded := false
			h := &Handler{
				Approval: func(_ context.Context, caseID, claimed string) (string, error) {
					return "", &approval.NotApproved{CaseID: caseID, Reason: "approval request r1 is pending"}
				},
				Pipeline: &Pipeline{Ledger: led, SES: ses, From: "privacy@example.com",
					Render: func(*casetable.Subject) (email.Message, error) { return email.Message{Subject: "s", Text: "t"}, nil }},
				Notices: func(context.Context, string, string) (email.Renderer, error) { loaded = true; return nil, nil },
				Filer:   &Filer{Ledger: led, SES: ses, From: "privacy@example.com"},
				Filings: func(context.Context, string, string) ([]email.Filing, error) { loaded = true; return nil, nil },
			}
			_, err := lambda.NewHandler(h.Handle).Invoke(context.Background(),
				[]byte(`{"stage":"`+stage+`","case_id":"c1","shard":0,"content_hash":"forged"}`))
			if typ := reflect.TypeOf(err); typ == nil || typ.Elem().Name() != "NotApproved" {
				t.Errorf("Lambda error type = %v (%v), want NotApproved", typ, err)
			}
			if sends != 0 || loaded {
				t.Errorf("refused send still sent %d messages (documents loaded: %v)", sends, loaded)
			}
		})
	}
}

// TestHandlerErrorNames checks the names Lambda reports for the errors the
// state machine's Catch routes on, through the same JSON path as a deployed
// function.
func TestHandlerErrorNames(t *testing.T) {
	for _, tc := range []struct {
		sesErr error
		want   string
	}{
		{&types.SendingPausedException{Message: aws.String("paused")}, "SendingPaused"},
		{&types.AccountSuspendedException{Message: aws.String("suspended")}, "SendingPaused"},
		{&types.TooManyRequestsException{Message: aws.String("Daily message quota exceeded.")}, "DailyQuotaExceeded"},
		{&types.MailFromDomainNotVerifiedException{Message: aws.String("no")}, "SendConfigInvalid"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			s := casetable.Subject{CaseID: "c1", UserID: "u1", Email: "kim@example.org", Status: casetable.StatusPending}
			h := &Handler{Approval: approvedAs("h1"), Pipeline: &Pipeline{
				Ledger: &ledger.Ledger{DB: oneSubjectDB{s}, Table: "cases"},
				SES: sendFunc(func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
					return nil, tc.sesErr
				}),
				Render: func(*casetable.Subject) (email.Message, error) { return email.Message{Subject: "s", Text: "t"}, nil },
				From:   "privacy@example.com",
			}}
			_, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), []byte(`{"stage":"notices","case_id":"c1","shard":0}`))
			if err == nil {
				t.Fatal("no error")
			}
			typ := reflect.TypeOf(err)
			if typ.Kind() == reflect.Pointer {
				typ = typ.Elem()
			}
			if typ.Name() != tc.want {
				t.Errorf("Lambda error type = %s (%v), want %s", typ.Name(), err, tc.want)
			}
		})
	}
}

// failureDB is oneSubjectDB that keeps the failure notes written to it.
type failureDB struct {
	oneSubjectDB
	notes *[]map[string]ddbtypes.AttributeValue
}

func (d failureDB) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if strings.Contains(aws.ToString(in.UpdateExpression), "failed_error = ") {
		note := map[string]ddbtypes.AttributeValue{}
		maps.Copy(note, in.Key)
		maps.Copy(note, in.ExpressionAttributeValues)
		*d.notes = append(*d.notes, note)
	}
	return d.oneSubjectDB.UpdateItem(ctx, in, opts...)
}

// TestHandlerNotesWhyAShardFailed: a notices batch that ends in an error
// (a stop error, SES down, a refused approval) notes on its shard the type
// name Lambda reports and the message, addresses masked, for status and
// the console; a batch that succeeds notes nothing.
func TestHandlerNotesWhyAShardFailed(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sesErr   error
		approval error
		want     string // error name noted; "" for none
		cause    string
	}{
		{name: "ok"},
		{name: "paused", sesErr: &types.SendingPausedException{Message: aws.String("paused")}, want: "SendingPaused", cause: "SendingPausedException"},
		{name: "SES down", sesErr: errors.New("dial tcp 127.0.0.1:8005: connect: connection refused"), want: "wrapError", cause: "connection refused"},
		{name: "refused approval", approval: &approval.NotApproved{CaseID: "c1", Reason: "approval request r1 is pending"}, want: "NotApproved", cause: "r1 is pending"},
		{name: "address in a message", sesErr: errors.New("unexpected answer about kim@example.org"), want: "wrapError", cause: "about <address>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var notes []map[string]ddbtypes.AttributeValue
			s := casetable.Subject{CaseID: "c1", UserID: "u1", Shard: 3, Email: "kim@example.org", Status: casetable.StatusPending}
			check := approvedAs("h1")
			if tc.approval != nil {
				check = func(context.Context, string, string) (string, error) { return "", tc.approval }
			}
			h := &Handler{Approval: check, Pipeline: &Pipeline{
				Ledger: &ledger.Ledger{DB: failureDB{oneSubjectDB{s}, &notes}, Table: "cases"},
				SES: sendFunc(func(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
					if tc.sesErr != nil {
						return nil, tc.sesErr
					}
					return &sesv2.SendEmailOutput{MessageId: aws.String("m")}, nil
				}),
				Render:  func(*casetable.Subject) (email.Message, error) { return email.Message{Subject: "s", Text: "t"}, nil },
				From:    "privacy@example.com",
				Backoff: Backoff{Base: time.Millisecond, Max: time.Millisecond},
			}}
			_, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), []byte(`{"stage":"notices","case_id":"c1","shard":3}`))
			if (err != nil) != (tc.want != "") {
				t.Fatalf("Handle error %v", err)
			}
			if tc.want == "" {
				if len(notes) != 0 {
					t.Errorf("a batch that succeeded noted a failure: %v", notes)
				}
				return
			}
			if len(notes) != 1 {
				t.Fatalf("%d failure notes, want 1", len(notes))
			}
			n := notes[0]
			str := func(k string) string { v, _ := n[k].(*ddbtypes.AttributeValueMemberS); return v.Value }
			if str("pk") != casetable.SendPK("c1", 3) || str(":e") != tc.want || !strings.Contains(str(":c"), tc.cause) || strings.Contains(str(":c"), "kim@") {
				t.Errorf("note on %s: error %q cause %q; want %q with %q and no address", str("pk"), str(":e"), str(":c"), tc.want, tc.cause)
			}
		})
	}
}

// filingDB is a ledger table on which every filing claim succeeds.
type filingDB struct{ oneSubjectDB }

func (filingDB) UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return &dynamodb.UpdateItemOutput{Attributes: map[string]ddbtypes.AttributeValue{"attempts": &ddbtypes.AttributeValueMemberN{Value: "1"}}}, nil
}

// TestFilingsAddressedBeforeAnyIsSent: a filing with no configured address
// stops the filings stage with SendConfigInvalid (the name the state
// machine routes on) before any filing goes out; configured, each goes to
// its address, tagged with its id.
func TestFilingsAddressedBeforeAnyIsSent(t *testing.T) {
	filings := []email.Filing{
		{ID: "filing-kr-pipa", ObligationIDs: []string{"kr-pipa-34-regulator"}, Regulator: "PIPC", Message: email.Message{Subject: "신고", Text: "t"}},
		{ID: "filing-jp-appi", ObligationIDs: []string{"jp-appi-26-preliminary"}, Regulator: "PPC", Message: email.Message{Subject: "報告", Text: "t"}},
	}
	for _, tc := range []struct {
		name  string
		addrs FilingAddresses
		want  string // Lambda error type, "" for none
		to    []string
	}{
		{"one unaddressed", FilingAddresses{"kr-pipa-34-regulator": "pipc@example.org"}, "SendConfigInvalid", nil},
		{"all addressed", FilingAddresses{"PIPC": "pipc@example.org", "*": "filings+{id}@example.org"}, "", []string{"pipc@example.org", "filings+filing-jp-appi@example.org"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var to, tags []string
			ses := sendFunc(func(_ context.Context, in *sesv2.SendEmailInput, _ ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
				to = append(to, in.Destination.ToAddresses...)
				for _, tag := range in.EmailTags {
					if aws.ToString(tag.Name) == TagObligation {
						tags = append(tags, aws.ToString(tag.Value))
					}
				}
				return &sesv2.SendEmailOutput{MessageId: aws.String("m")}, nil
			})
			h := &Handler{
				Approval: approvedAs("h1"),
				Filer:    &Filer{Ledger: &ledger.Ledger{DB: filingDB{}, Table: "cases"}, SES: ses, From: "privacy@example.com", Addresses: tc.addrs},
				Filings:  func(context.Context, string, string) ([]email.Filing, error) { return filings, nil },
			}
			_, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), []byte(`{"stage":"filings","case_id":"c1"}`))
			got := ""
			if typ := reflect.TypeOf(err); typ != nil {
				got = typ.Elem().Name()
			}
			if got != tc.want {
				t.Fatalf("Lambda error type = %q (%v), want %q", got, err, tc.want)
			}
			if diff := cmp.Diff(tc.to, to); diff != "" {
				t.Errorf("sent to (-want +got):\n%s", diff)
			}
			if tc.want == "" && !cmp.Equal([]string{"filing-kr-pipa", "filing-jp-appi"}, tags) {
				t.Errorf("obligation tags = %v, want the filings' ids", tags)
			}
		})
	}
}

// TestHandlerTextsOnlyApproved: an SMS batch is refused without approval
// like an e-mail one, names no unknown channel, and with no SMS pipeline
// sends nothing and says the shard is done.
func TestHandlerTextsOnlyApproved(t *testing.T) {
	refuse := func(_ context.Context, caseID, _ string) (string, error) {
		return "", &approval.NotApproved{CaseID: caseID, Reason: "pending"}
	}
	smsCalls := 0
	ch := channelFunc(func(context.Context, *casetable.Subject) (Outgoing, error) { smsCalls++; return nil, ErrNotOnChannel })
	s := casetable.Subject{CaseID: "c1", UserID: "u1", Phone: "+821012345678", Status: casetable.StatusPending}
	h := &Handler{Approval: refuse, SMS: &Pipeline{Ledger: &ledger.Ledger{DB: oneSubjectDB{s}, Table: "cases"}, Channel: ch}}
	_, err := lambda.NewHandler(h.Handle).Invoke(context.Background(), []byte(`{"stage":"notices","channel":"sms","case_id":"c1","shard":0,"content_hash":"forged"}`))
	if typ := reflect.TypeOf(err); typ == nil || typ.Elem().Name() != "NotApproved" || smsCalls != 0 {
		t.Errorf("unapproved SMS batch: error %v, %d people prepared; want NotApproved and none", err, smsCalls)
	}
	h = &Handler{Approval: approvedAs("h1")}
	if _, err := h.Handle(context.Background(), Request{Stage: StageNotices, Channel: "fax", ContentHash: "h1", Batch: Batch{CaseID: "c1"}}); err == nil || !strings.Contains(err.Error(), "unknown channel") {
		t.Errorf("channel fax: %v, want unknown channel", err)
	}
	res, err := h.Handle(context.Background(), Request{Stage: StageNotices, Channel: casetable.ChannelSMS, ContentHash: "h1", Batch: Batch{CaseID: "c1", Shard: 3}})
	if err != nil || res.Notices == nil || !res.Notices.Done || res.Notices.Sent != 0 || res.Notices.Shard != 3 {
		t.Errorf("no SMS pipeline: %+v, %v; want done with nothing sent", res.Notices, err)
	}
}

// The SMS batch sends the case's approved texts and nothing when the text
// source refuses (drafts changed after approval).
func TestHandlerTextsAreTheApprovedDrafts(t *testing.T) {
	s := casetable.Subject{CaseID: "c1", UserID: "u1", Phone: "+821012345678", Status: casetable.StatusPending}
	ch := &textChannel{}
	var asked []string
	h := &Handler{
		Approval: approvedAs("h1"),
		SMS:      &Pipeline{Ledger: &ledger.Ledger{DB: oneSubjectDB{s}, Table: "cases"}, Channel: ch},
		Texts: func(_ context.Context, caseID, approved string) (map[string]string, error) {
			asked = append(asked, caseID+"@"+approved)
			return nil, &textsRefused{}
		},
	}
	req := Request{Stage: StageNotices, Channel: casetable.ChannelSMS, ContentHash: "h1", Batch: Batch{CaseID: "c1"}}
	if _, err := h.Handle(context.Background(), req); !errors.As(err, new(*textsRefused)) || ch.prepared != 0 {
		t.Errorf("texts refused: %v, %d prepared; want the source's error unwrapped and none", err, ch.prepared)
	}
	h.Texts = func(context.Context, string, string) (map[string]string, error) {
		return map[string]string{"en": "approved"}, nil
	}
	if _, err := h.Handle(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if ch.prepared != 1 || ch.texts["en"] != "approved" || len(asked) != 1 || asked[0] != "c1@h1" {
		t.Errorf("prepared %d with texts %v (asked %v); want one, with the approved texts of c1@h1", ch.prepared, ch.texts, asked)
	}
}

type textsRefused struct{}

func (*textsRefused) Error() string { return "unapproved" }

// textChannel records the texts it was given and the people it prepared.
type textChannel struct {
	texts    map[string]string
	prepared int
	parent   *textChannel
}

func (c *textChannel) WithTexts(m map[string]string) Channel {
	return &textChannel{texts: m, parent: c}
}
func (*textChannel) Name() string { return casetable.ChannelSMS }
func (c *textChannel) Prepare(context.Context, *casetable.Subject) (Outgoing, error) {
	if c.parent == nil {
		return nil, errors.New("prepared without the approved texts")
	}
	c.parent.prepared++
	c.parent.texts = c.texts
	return nil, ErrNotOnChannel
}
func (*textChannel) Classify(error) Outcome { return OutcomeReject }

type channelFunc func(context.Context, *casetable.Subject) (Outgoing, error)

func (channelFunc) Name() string { return casetable.ChannelSMS }
func (f channelFunc) Prepare(ctx context.Context, s *casetable.Subject) (Outgoing, error) {
	return f(ctx, s)
}
func (channelFunc) Classify(error) Outcome { return OutcomeReject }

// A policy that leaves e-mail out keeps the person off the e-mail channel;
// a plan that puts e-mail after a text keeps them off it until the text
// failed; a plan with e-mail first puts them on it at once.
func TestEmailFollowsThePlan(t *testing.T) {
	p := &Pipeline{Render: func(*casetable.Subject) (email.Message, error) { return email.Message{Subject: "s", Text: "t"}, nil }, From: "privacy@example.com"}
	ch := emailChannel{p}
	for _, tc := range []struct {
		plan     string
		failedOn []string
		want     error
	}{
		{"sms>postal", nil, ErrNotOnChannel},
		{"sms>postal", []string{"sms"}, ErrNotOnChannel},
		{"email>sms", nil, nil},
		{"sms>email", nil, ErrNotOnChannel},
		{"sms>email", []string{"sms"}, nil},
		{"email+sms>postal", nil, nil},
		{"", nil, nil},
	} {
		_, err := ch.Prepare(context.Background(), &casetable.Subject{CaseID: "c1", UserID: "u1", Email: "kim@example.org", Plan: tc.plan, FailedOn: tc.failedOn})
		if !errors.Is(err, tc.want) {
			t.Errorf("plan %q, failed on %v: %v, want %v", tc.plan, tc.failedOn, err, tc.want)
		}
	}
}
