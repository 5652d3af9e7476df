package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"breachflow/internal/approval"
	"breachflow/internal/console"
)

func get(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func post(t *testing.T, u string, form url.Values, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	return m[1]
}

func TestGetNeverDecides(t *testing.T) {
	f := newFixture(t, false)
	link := f.mail.link(t, alice)
	for _, u := range []string{link, link + "?decision=approve", link + "?decision=approve&csrf=x"} {
		code, body, _ := get(t, u)
		if code != http.StatusOK || !strings.Contains(body, `id="approve-form"`) {
			t.Fatalf("GET %s: %d", u, code)
		}
	}
	if n := f.votes(t); n != 0 {
		t.Fatalf("GETs recorded %d votes", n)
	}
	// And the link still works for the real decision.
	_, page, _ := get(t, link)
	code, body := post(t, link, url.Values{"csrf": {csrfOf(t, page)}, "decision": {"approve"}}, nil)
	if code != http.StatusOK || !strings.Contains(body, "Approval recorded") {
		t.Fatalf("POST after GETs: %d %s", code, body)
	}
}

func TestPostNeedsTheLinksCSRFToken(t *testing.T) {
	f := newFixture(t, false)
	aliceLink, bobLink := f.mail.link(t, alice), f.mail.link(t, bob)
	_, bobPage, _ := get(t, bobLink)
	tests := []struct {
		name   string
		form   url.Values
		header map[string]string
		want   int
	}{
		{"no token", url.Values{"decision": {"approve"}}, nil, http.StatusForbidden},
		{"forged token", url.Values{"decision": {"approve"}, "csrf": {"AAAA"}}, nil, http.StatusForbidden},
		{"another link's token", url.Values{"decision": {"approve"}, "csrf": {csrfOf(t, bobPage)}}, nil, http.StatusForbidden},
		{"cross-site form", url.Values{"decision": {"approve"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _ := post(t, aliceLink, tt.form, tt.header); code != tt.want {
				t.Errorf("POST = %d, want %d", code, tt.want)
			}
		})
	}
	if n := f.votes(t); n != 0 {
		t.Fatalf("refused POSTs recorded %d votes", n)
	}
}

func TestDecisionsThroughTheConsole(t *testing.T) {
	f := newFixture(t, true)
	decide := func(addr, decision, comment string) (int, string) {
		link := f.mail.link(t, addr)
		_, page, _ := get(t, link)
		return post(t, link, url.Values{"csrf": {csrfOf(t, page)}, "decision": {decision}, "comment": {comment}}, nil)
	}
	if code, body := decide(alice, "approve", ""); code != http.StatusOK || !strings.Contains(body, "1 of 2") {
		t.Fatalf("alice: %d %s", code, body)
	}
	// Replay of alice's link.
	link := f.mail.link(t, alice)
	if code, body, _ := get(t, link); code != http.StatusGone || !strings.Contains(body, "already been used") {
		t.Errorf("used link GET: %d", code)
	}
	if code, body := decide(bob, "approve", "checked the Korean filing"); code != http.StatusOK || !strings.Contains(body, "quorum reached") {
		t.Fatalf("bob: %d %s", code, body)
	}
	if s, _ := f.tasks.count(); s != 1 {
		t.Fatalf("task successes = %d, want 1", s)
	}
	_, page, _ := get(t, f.srv.URL+"/cases/"+f.case1.ID)
	for _, want := range []string{alice, bob, "checked the Korean filing", "approved"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
}

func TestRejectNeedsAReason(t *testing.T) {
	f := newFixture(t, false)
	link := f.mail.link(t, bob)
	_, page, _ := get(t, link)
	csrf := csrfOf(t, page)
	if code, _ := post(t, link, url.Values{"csrf": {csrf}, "decision": {"reject"}}, nil); code != http.StatusBadRequest {
		t.Errorf("reject without reason: %d", code)
	}
	if code, body := post(t, link, url.Values{"csrf": {csrf}, "decision": {"reject"}, "comment": {"wrong deadline"}}, nil); code != http.StatusOK || !strings.Contains(body, "Rejected") {
		t.Fatalf("reject: %d %s", code, body)
	}
	if _, fails := f.tasks.count(); fails != 1 {
		t.Errorf("task failures = %d", fails)
	}
}

func TestCasePageRendersSafely(t *testing.T) {
	f := newFixture(t, true)
	code, page, hdr := get(t, f.mail.link(t, alice))
	if code != http.StatusOK {
		t.Fatal(code)
	}
	for _, want := range []string{
		"개인정보 유출 신고 (PIPC)",           // the regulator filing
		"Notice of a data breach",     // a text-only notice
		`sandbox="allow-same-origin"`, // no scripts, forms, popups or navigation
		"&lt;script&gt;parent.document.title",
		"&lt;b&gt;about&lt;/b&gt;", // a text notice's markup stays text
		`class="countdown"`,
		"40,450,000", "40,573,100", "<svg",
		alice, // who is deciding
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "second ko sample") {
		t.Error("more than one customer notice sample per locale")
	}
	if strings.Contains(page, "<script>parent") {
		t.Error("a draft's script reached the page unescaped")
	}
	if !strings.Contains(hdr.Get("Content-Security-Policy"), "script-src 'self'") || hdr.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("security headers: %v", hdr)
	}
}

func TestBrowseMode(t *testing.T) {
	closed := newFixture(t, false)
	for _, p := range []string{"/", "/cases/" + closed.case1.ID} {
		if code, _, _ := get(t, closed.srv.URL+p); code != http.StatusNotFound {
			t.Errorf("without Browse, GET %s = %d, want 404", p, code)
		}
	}
	open := newFixture(t, true)
	code, page, _ := get(t, open.srv.URL+"/")
	if code != http.StatusOK || !strings.Contains(page, open.case1.ID) {
		t.Errorf("case list: %d", code)
	}
	if code, _, _ := get(t, open.srv.URL+"/cases/nope"); code != http.StatusNotFound {
		t.Errorf("unknown case: %d", code)
	}
	if code, _, _ := get(t, open.srv.URL+"/static/console.js"); code != http.StatusOK {
		t.Errorf("static script: %d", code)
	}
}

func TestBadLinks(t *testing.T) {
	f := newFixture(t, false)
	link := f.mail.link(t, alice)
	if code, _, _ := get(t, link+"x"); code != http.StatusForbidden {
		t.Errorf("tampered link: %d", code)
	}
	// Drafts re-rendered after the link went out: the link is void, on GET
	// and on POST.
	_, page, _ := get(t, link)
	f.svc.Current = func(context.Context, string) (approval.Hashes, error) {
		return approval.Hashes{Content: "content-h2", RecipientSet: "recipients-h1"}, nil
	}
	if code, body, _ := get(t, link); code != http.StatusConflict || !strings.Contains(body, "Drafts changed") {
		t.Errorf("stale link GET: %d", code)
	}
	if code, _ := post(t, link, url.Values{"csrf": {csrfOf(t, page)}, "decision": {"approve"}}, nil); code != http.StatusConflict {
		t.Errorf("stale link POST: %d", code)
	}
	if n := f.votes(t); n != 0 {
		t.Errorf("a stale link recorded %d votes", n)
	}
	f.svc.Now = func() time.Time { return time.Now().Add(approval.DefaultLinkTTL + time.Minute) }
	if code, _, _ := get(t, link); code != http.StatusGone {
		t.Errorf("expired link: %d", code)
	}
}

func TestCasePageShowsEscalation(t *testing.T) {
	f := newFixture(t, true)
	code, page, _ := get(t, f.srv.URL+"/cases/"+f.case1.ID)
	if code != http.StatusOK || strings.Contains(page, `id="escalation"`) {
		t.Fatalf("before escalation: %d, banner shown %v", code, strings.Contains(page, `id="escalation"`))
	}
	// The earliest deadline is 28h away; 5h later it is inside the 24h margin.
	f.svc.Now = func() time.Time { return time.Now().Add(5 * time.Hour) }
	if out, err := f.svc.Escalate(context.Background()); err != nil || out.Escalated != 1 {
		t.Fatalf("Escalate = %+v, %v", out, err)
	}
	_, page, _ = get(t, f.srv.URL+"/cases/"+f.case1.ID)
	if !strings.Contains(page, `id="escalation"`) || !strings.Contains(page, "within 24h0m0s") {
		t.Error("the case page does not show the escalation")
	}
}

// The case page lists the unverified contact details the drafts print,
// from every draft (here a sample that is not shown), and no list when
// they print none.
func TestCasePageListsUnverifiedContacts(t *testing.T) {
	f := newFixture(t, true)
	_, page, _ := get(t, f.srv.URL+"/cases/"+f.case1.ID)
	for _, want := range []string{`id="unverified-contacts"`, "Personal Information Dispute Mediation Committee (KR)", "www.kopico.go.kr; 1833-6972"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	plain := f.case1
	plain.Drafts = plain.Drafts[:1]
	srv := httptest.NewServer(console.New(console.Config{Browse: true}, console.Deps{Approval: f.svc, Cases: console.StaticCases{plain}}))
	defer srv.Close()
	_, page, _ = get(t, srv.URL+"/cases/"+plain.ID)
	if strings.Contains(page, `id="unverified-contacts"`) {
		t.Error("a case whose drafts print no contact details shows the unverified list")
	}
}

// The case page shows the approvers the people per channel plan, and after
// the close how every person is accounted for, the unreached marked.
func TestCasePageShowsChannelsAndReach(t *testing.T) {
	f := newFixture(t, true)
	c := f.case1
	c.Channels = []console.NamedCount{{Name: "email", Count: 1200}, {Name: "posted", Count: 3}, {Name: "sms", Count: 40}, {Name: "sms_fallback", Count: 900}}
	c.Reach = []console.NamedCount{{Name: "email", Count: 1100}, {Name: "sms", Count: 140}, {Name: "unreached", Count: 3}}
	srv := httptest.NewServer(console.New(console.Config{Browse: true}, console.Deps{Approval: f.svc, Cases: console.StaticCases{c}}))
	defer srv.Close()
	_, page, _ := get(t, srv.URL+"/cases/"+c.ID)
	for _, want := range []string{`id="channels"`, "<td>sms_fallback</td><td>900</td>", "<td>email</td><td>1,200</td>", `id="reach"`, `<tr class="bad"><td>unreached</td><td>3</td>`} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(page, `id="changed-after-close"`) {
		t.Error("a case nothing changed after its close says it changed")
	}
	_, page, _ = get(t, f.srv.URL+"/cases/"+f.case1.ID)
	if strings.Contains(page, `id="channels"`) {
		t.Error("a case without channel counts shows the channel section")
	}
	c.ChangedShards, c.ChangedAt = 2, time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)
	srv = httptest.NewServer(console.New(console.Config{Browse: true}, console.Deps{Approval: f.svc, Cases: console.StaticCases{c}}))
	defer srv.Close()
	_, page, _ = get(t, srv.URL+"/cases/"+c.ID)
	if !strings.Contains(page, `id="changed-after-close"`) || !strings.Contains(page, "in 2 shard(s), the last at 2026-12-04") || !strings.Contains(page, "breachflow resume "+c.ID) {
		t.Errorf("a case changed after its close: the reach section does not say so")
	}
}
