//go:build integration

package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"breachflow/internal/scope"
	"breachflow/internal/usertable"
)

const possibleUsers, possibleSeed = 400, 11

// possibleLeakCase runs version 1 of a PIPA possible-leak case (unlawful
// access from outside; whose data left is not known: Decree Art. 39-2) on
// its own local stack to the close, and checks what it sent: Korean
// residents the possibility notice, PIPC/KISA nothing yet. It returns the
// case, the Korean residents' addresses and what version 1 sent.
func possibleLeakCase(ctx context.Context, t *testing.T) (*localCase, []byte, map[string]bool, map[string][]string, []string) {
	t.Helper()
	full, err := readDemo(t)
	if err != nil {
		t.Fatal(err)
	}
	v1 := possibleReport(t, full)
	lc := startLocalCaseFrom(ctx, t, localOptions{template: "../../template.yaml"}, possibleUsers, possibleSeed, v1)
	kr := map[string]bool{}
	for i := range possibleUsers {
		u := usertable.Generate(possibleSeed, i)
		if addr, ok := scope.NormaliseEmail(u.Email); ok && u.Country == "KR" && u.PaymentService == "kakaopay" && u.OverseasTransfer {
			kr[addr] = true
		}
	}
	if err := demoApprove(ctx, &bytes.Buffer{}, lc.env, lc.caseID, lc.report.Approvers); err != nil {
		t.Fatal(err)
	}
	lc.succeeded(t, "version 1")
	notices, filings := mailsTo(ctx, t, lc)
	told := 0
	for to, subjects := range notices {
		if !kr[to] {
			continue
		}
		told++
		if len(subjects) != 1 || !strings.Contains(subjects[0], "가능성") && !strings.Contains(subjects[0], "Possible") {
			t.Errorf("a Korean resident got %q, want one possibility notice", subjects)
		}
	}
	if told < 50 {
		t.Fatalf("only %d Korean residents told of the possibility", told)
	}
	for _, f := range filings {
		if strings.Contains(f, "kr-pipa") {
			t.Errorf("PIPC/KISA was filed with while the leak was only possible: %s", f)
		}
	}
	raw, err := lc.env.cases().RawReport(ctx, lc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	return lc, raw, kr, notices, filings
}

// possibleReport is report full as a PIPA possible leak, still open: an
// attacker reached the server, and whose records were read is unknown.
func possibleReport(t *testing.T, full []byte) []byte {
	t.Helper()
	return editReport(t, full, func(doc map[string]any) {
		doc["organisation"].(map[string]any)["sector"].(map[string]any)["kr_credit_information_company"] = false
		doc["cause"] = map[string]any{"vector": "hacking", "external": true, "description": "An attacker reached the transfer server; the logs do not show whose records were read."}
		doc["exfiltration"] = "suspected"
		doc["possible_leak"] = map[string]any{"circumstance": "unlawful_access", "known_at": doc["timeline"].(map[string]any)["aware"]}
	})
}

func readDemo(t *testing.T) ([]byte, error) {
	t.Helper()
	raw, err := os.ReadFile("../../" + demoReport)
	if err != nil {
		return nil, err
	}
	return liveTimeline(raw, time.Now().Add(-2*time.Hour))
}

// resolve amends the case with the possibility's outcome (an hour ago) and
// approves the round it starts; it returns what was sent since version 1.
func resolve(ctx context.Context, t *testing.T, lc *localCase, raw []byte, outcome string) (map[string][]string, []string) {
	t.Helper()
	v2 := editReport(t, raw, func(doc map[string]any) {
		doc["exfiltration"] = outcome
		p := doc["possible_leak"].(map[string]any)
		p["outcome"], p["resolved_at"] = outcome, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	})
	out := runCLI(ctx, t, "amend", lc.caseID, writeReport(t, v2))
	if !strings.Contains(out, "version 2 recorded") || !strings.Contains(out, "possible_leak") {
		t.Fatalf("amend said:\n%s", out)
	}
	c, err := lc.env.cases().Get(ctx, lc.caseID)
	if err != nil {
		t.Fatal(err)
	}
	lc.arn = aws.String(c.ExecutionArn)
	approveNewRound(ctx, t, lc.env, lc.caseID, lc.report.Approvers)
	lc.succeeded(t, "version 2")
	return mailsTo(ctx, t, lc)
}

// TestPossibleLeakConfirmed: the amendment confirms the leak. Everyone told
// of the possibility gets the full Art. 34(1) notice once (an update of the
// possibility notice), and PIPC/KISA gets its first report; people outside
// Korea, whose notice already treated the suspected leak as a leak, get
// nothing more (PIPA Decree Art. 39-3(2); Art. 34(3)).
func TestPossibleLeakConfirmed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	lc, raw, kr, v1, v1Filings := possibleLeakCase(ctx, t)
	notices, filings := resolve(ctx, t, lc, raw, "confirmed")
	for to, subjects := range notices {
		switch {
		case kr[to]:
			if len(subjects) != 2 || strings.Contains(subjects[1], "가능성") || strings.Contains(subjects[1], "Possible") {
				t.Errorf("a Korean resident got %q, want the possibility notice, then the full notice", subjects)
			}
		case len(subjects) != len(v1[to]):
			t.Errorf("someone outside Korea got %q after the confirmation, want nothing more", subjects)
		}
	}
	pipc := 0
	for _, f := range filings[len(v1Filings):] {
		if strings.Contains(f, "kr-pipa-34-regulator") {
			pipc++
			if strings.Contains(f, "보완 신고") {
				t.Errorf("PIPC/KISA's first report is written as a follow-up: %s", f)
			}
		}
	}
	if pipc != 1 {
		t.Errorf("%d reports to PIPC/KISA after the confirmation, want 1: %v", pipc, filings)
	}
	verifyAudit(ctx, t, lc.env, lc.caseID)
}

// TestPossibleLeakRuledOut: the amendment rules the leak out. Everyone told
// of the possibility is told, once, that nothing leaked; nobody else gets
// anything, and PIPC/KISA is not filed with (PIPA Decree Art. 39-3(3)).
func TestPossibleLeakRuledOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	lc, raw, kr, v1, v1Filings := possibleLeakCase(ctx, t)
	notices, filings := resolve(ctx, t, lc, raw, "ruled_out")
	closed := 0
	for to, subjects := range notices {
		switch {
		case kr[to]:
			if len(subjects) != 2 || !strings.Contains(subjects[1], "유출되지 않음") && !strings.Contains(subjects[1], "not leaked") {
				t.Errorf("a Korean resident got %q, want the possibility notice, then the closing notice", subjects)
			}
			closed++
		case len(subjects) != len(v1[to]):
			t.Errorf("someone outside Korea got %q after the ruling-out, want nothing more", subjects)
		}
	}
	if closed == 0 {
		t.Error("nobody told of the possibility was told it was ruled out")
	}
	for _, f := range filings[len(v1Filings):] {
		if strings.Contains(f, "kr-pipa") {
			t.Errorf("PIPC/KISA filed with after the leak was ruled out: %s", f)
		}
	}
	verifyAudit(ctx, t, lc.env, lc.caseID)
}
