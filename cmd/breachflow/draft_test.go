package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDraftPreview(t *testing.T) {
	dir := t.TempDir()
	cmd := newDraftCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{filepath.Join("..", "..", "events", "reports", "kakaopay-alipay.json"), "--preview", dir, "--now", "2024-08-14T09:00:00+09:00"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"filing-kr-pipa-34-regulator.html", "notice-ko-kr.html", "notice-en-kr.html", "substitute-ko-kr.html"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(string(index), `href="`+f+`"`) {
			t.Errorf("index.html does not link %s", f)
		}
	}
	if !strings.Contains(out.String(), "content hash") {
		t.Errorf("output %q", out.String())
	}
	// The Kakao Pay case's Korean notices print the Korean complaint and
	// mediation bodies' numbers, which the research did not verify: both
	// the output and the index say so.
	for _, want := range []string{"UNVERIFIED", "Personal Information Dispute Mediation Committee (KR): www.kopico.go.kr"} {
		if !strings.Contains(out.String(), want) || !strings.Contains(string(index), want) {
			t.Errorf("output and index.html should both name %q; output:\n%s", want, out.String())
		}
	}
}
