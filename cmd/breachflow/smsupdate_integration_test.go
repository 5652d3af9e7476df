//go:build integration

package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/casetable"
	"breachflow/internal/delivery"
	"breachflow/internal/draft"
	"breachflow/internal/ledger"
	"breachflow/internal/local/localsms"
	"breachflow/internal/notice"
	"breachflow/internal/sms"
)

// TestAmendedCaseTextsTheUpdate: a case with SMS senders texts its
// phone-only people their first text; after an amendment that changes
// what everyone must know, each of them gets, exactly once, the update
// text the approvers read, with their own earlier text's date (in their
// language's form and their zone) and their own link. People the plan
// keeps on e-mail get no text in either version, and nobody is texted the
// first text twice.
func TestAmendedCaseTextsTheUpdate(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	people := channelPopulation(60)
	lc, _ := startChannelCase(ctx, t, people, liveDemoReport(t))
	env, caseID := lc.env, lc.caseID
	db := env.dynamo()
	lc.awaitApproval(t)
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "version 1")
	textsTo := func() map[string][]localsms.Message {
		out := map[string][]localsms.Message{}
		for _, m := range lc.up.stack.SMSServer.Messages() {
			out[m.Context[sms.ContextUser]] = append(out[m.Context[sms.ContextUser]], m)
		}
		return out
	}
	var texted []channelPerson
	for _, p := range people {
		if p.kind == kindPhone && !p.senderless {
			texted = append(texted, p)
		}
	}
	if len(texted) < 3 {
		t.Fatalf("only %d phone-only people with a sender in the population", len(texted))
	}
	v1 := textsTo()
	c, err := env.cases().Get(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	// The date each version-1 text was sent, as the ledger holds it.
	sentAt := map[string]time.Time{}
	for shard := range c.Shards {
		err := ledger.ChannelSends(ctx, db, env.CaseTable, casetable.SetID(caseID, 1), shard, casetable.ChannelSMS, func(r ledger.ChannelSend) error {
			if r.MessageID != "" && r.Failed == "" {
				sentAt[r.UserID] = r.SentAt
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	ds, _, err := draft.Load(ctx, db, env.CaseTable, caseID)
	if err != nil {
		t.Fatal(err)
	}
	drafts := map[string]string{}
	for _, d := range ds {
		drafts[d.ID] = d.Text
	}
	for _, p := range texted {
		got := v1[delivery.TagValue(p.ID)]
		if len(got) != 1 {
			t.Fatalf("version 1 texted a phone-only person %d times, want once", len(got))
		}
		lang := textLanguage(p.Locale)
		if head := strings.TrimSuffix(drafts["sms-"+lang], sms.SampleLink); !strings.HasPrefix(got[0].Body, head) || strings.Contains(got[0].Body, sms.SampleLink) {
			t.Errorf("version 1 sent %q, want the approved first text %q with the person's link", got[0].Body, drafts["sms-"+lang])
		}
		if at, ok := sentAt[p.ID]; !ok || at.Sub(time.UnixMilli(got[0].At)).Abs() > 5*time.Second {
			t.Errorf("the ledger's record of a version-1 text is at %v, the text at %v", at, time.UnixMilli(got[0].At))
		}
	}
	for _, d := range ds {
		if strings.HasPrefix(d.ID, "sms-update-") {
			t.Errorf("version 1 drafted %s: nobody is updated yet", d.ID)
		}
	}

	// The amendment: the people's names were involved too, which each of
	// them must be told (an update for everyone already notified).
	raw, err := env.cases().RawReport(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	v2Report := editReport(t, raw, func(doc map[string]any) {
		doc["data_categories"] = append(doc["data_categories"].([]any), "name")
	})
	if out := runCLI(ctx, t, "amend", caseID, writeReport(t, v2Report)); !strings.Contains(out, "version 2 recorded") {
		t.Fatalf("amend said:\n%s", out)
	}
	if c, err = env.cases().Get(ctx, caseID); err != nil {
		t.Fatal(err)
	}
	lc.arn = aws.String(c.ExecutionArn)
	approveNewRound(ctx, t, env, caseID, lc.report.Approvers)
	lc.succeeded(t, "version 2")
	if ds, _, err = draft.Load(ctx, db, env.CaseTable, caseID); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		drafts[d.ID] = d.Text
	}
	for _, l := range notice.Locales {
		if drafts["sms-update-"+l] == "" {
			t.Fatalf("version 2's approvers read no update text in %s", l)
		}
	}

	all := textsTo()
	led := &ledger.Ledger{DB: db, Table: env.CaseTable}
	for _, p := range texted {
		got := all[delivery.TagValue(p.ID)]
		if len(got) != 2 {
			t.Errorf("a phone-only person got %d texts over both versions, want the first and one update", len(got))
			continue
		}
		sub, err := led.Person(ctx, casetable.SetID(caseID, 2), casetable.Shard(p.ID, c.Shards), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sub.NoticeKind != casetable.NoticeUpdate {
			t.Errorf("version 2 marks a texted person %q, want an update", sub.NoticeKind)
		}
		lang := textLanguage(sub.Locale)
		date, err := notice.FormatDate(lang, sub.Jurisdiction, sentAt[p.ID])
		if err != nil {
			t.Fatal(err)
		}
		sample, err := sms.SampleDate(lang)
		if err != nil {
			t.Fatal(err)
		}
		approved := drafts["sms-update-"+lang]
		body := got[1].Body
		link := body[strings.LastIndexByte(body, ' ')+1:]
		want := strings.Replace(strings.TrimSuffix(approved, sms.SampleLink), sample, date, 1) + link
		if body != want || !strings.Contains(link, "/n/") || link == sms.SampleLink || !strings.Contains(body, date) {
			t.Errorf("the update text sent is %q, want the approved %q with the date %s and the person's link", body, approved, date)
		}
		if got[0].Body == got[1].Body {
			t.Error("the same text was sent twice")
		}
	}
	for _, p := range people {
		if slices.ContainsFunc(texted, func(q channelPerson) bool { return q.ID == p.ID }) {
			continue
		}
		if n := len(all[delivery.TagValue(p.ID)]); n != 0 {
			t.Errorf("a %s person (sender %v) got %d texts, want none", p.kind, !p.senderless, n)
		}
	}
}

// textLanguage is the language of the texts a person of locale reads: the
// locale's language when notices are written in it, else English.
func textLanguage(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(locale), "-")
	if slices.Contains(notice.Locales, lang) {
		return lang
	}
	return "en"
}

// TestPossibleLeakTexts: a PIPA possible leak, then ruled out, with SMS
// senders. A Korean resident with only a phone is texted the possibility
// (not that their data leaked), then, once, the closing text the
// approvers read; a phone-only person outside Korea, whose notice treats
// the suspected leak as a leak, gets the first text once and nothing more
// (PIPA Art. 34(2), Decree Arts. 39-2, 39-3(3)).
func TestPossibleLeakTexts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	people := channelPopulation(60)
	lc, _ := startChannelCase(ctx, t, people, possibleReport(t, liveDemoReport(t)))
	env, caseID := lc.env, lc.caseID
	lc.awaitApproval(t)
	if err := demoApprove(ctx, &bytes.Buffer{}, env, caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "version 1")
	raw, err := env.cases().RawReport(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	resolve(ctx, t, lc, raw, "ruled_out")
	ds, _, err := draft.Load(ctx, env.dynamo(), env.CaseTable, caseID)
	if err != nil {
		t.Fatal(err)
	}
	drafts := map[string]string{}
	for _, d := range ds {
		drafts[d.ID] = strings.TrimSuffix(d.Text, sms.SampleLink)
	}
	texts := map[string][]string{}
	for _, m := range lc.up.stack.SMSServer.Messages() {
		texts[m.Context[sms.ContextUser]] = append(texts[m.Context[sms.ContextUser]], m.Body)
	}
	org := lc.report.Organisation.Name
	korean, other := 0, 0
	for _, p := range people {
		if p.kind != kindPhone || p.senderless {
			continue
		}
		got, lang := texts[delivery.TagValue(p.ID)], textLanguage(p.Locale)
		if p.Country == "KR" {
			korean++
			possible, err := sms.SamplePossibility(org, lang)
			if err != nil {
				t.Fatal(err)
			}
			closing := drafts["sms-closing-kr-"+lang]
			if closing == "" {
				t.Fatalf("the ruling-out drafted no closing text in %s", lang)
			}
			if len(got) != 2 || !strings.HasPrefix(got[0], strings.TrimSuffix(possible.String(), sms.SampleLink)) || !strings.HasPrefix(got[1], closing) {
				t.Errorf("a Korean resident with only a phone got %q, want the possibility text, then the closing text %q", got, closing)
			}
			continue
		}
		other++
		if len(got) != 1 || !strings.HasPrefix(got[0], drafts["sms-"+lang]) {
			t.Errorf("a phone-only person outside Korea got %q, want the first text %q once", got, drafts["sms-"+lang])
		}
	}
	if korean == 0 || other == 0 {
		t.Fatalf("%d Korean and %d other phone-only people with a sender: both kinds are needed", korean, other)
	}
}
