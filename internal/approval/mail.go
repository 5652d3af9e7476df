package approval

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// message is a plain-text email. Its fields come from ids, hashes, times and
// configuration, never from affected people's data; the subject is built
// here from a case id, and CR/LF is stripped anyway so no header can be
// injected through a crafted case id.
type message struct {
	Subject string
	Text    string
}

func (s *Service) send(ctx context.Context, to []string, m message) error {
	if len(to) == 0 {
		return nil
	}
	_, err := s.Mail.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(s.Config.From),
		Destination:      &types.Destination{ToAddresses: to},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(oneLine(m.Subject)), Charset: aws.String("UTF-8")},
			Body:    &types.Body{Text: &types.Content{Data: aws.String(m.Text), Charset: aws.String("UTF-8")}},
		}},
	})
	return err
}

func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}

func approverMail(c Config, r Request, url string, expires time.Time) message {
	var b strings.Builder
	fmt.Fprintf(&b, "Breach case %s is waiting for your approval before anything is sent.\n\n", r.CaseID)
	if due, ok := r.Earliest(); ok {
		fmt.Fprintf(&b, "Earliest legal deadline: %s.\n", due.UTC().Format(time.RFC1123))
	}
	fmt.Fprintf(&b, "Approvals needed: %d distinct approvers.\n\n", r.Required)
	if len(r.Channels) > 0 {
		// Each person's channel plan was fixed at scoping; the drafts
		// include each channel's text (the notices, the SMS texts).
		fmt.Fprintf(&b, "People to reach, by channel plan (under a channel, those it reaches first; under <channel>_fallback, those it reaches if an earlier channel fails; under posted, those only the posted notice reaches):\n")
		for _, ch := range slices.Sorted(maps.Keys(r.Channels)) {
			fmt.Fprintf(&b, "  %s: %d\n", ch, r.Channels[ch])
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Review the drafts and approve or reject here (the link is yours alone, works once, and expires %s):\n\n%s\n\n",
		expires.UTC().Format(time.RFC1123), url)
	fmt.Fprintf(&b, "Opening the link decides nothing; only the button on the page does.\n")
	fmt.Fprintf(&b, "Content hash %s, recipient set hash %s.\n", r.ContentHash, r.RecipientSetHash)
	return message{Subject: "Approval needed: breach case " + r.CaseID, Text: b.String()}
}

func stageEscalationMail(c Config, d StageDeadline, margin time.Duration) message {
	var b strings.Builder
	fmt.Fprintf(&b, "Breach case %s has a staged duty, %s (%s), due %s (within %s), and its filing has not been drafted yet.\n\n",
		d.CaseID, d.ObligationID, d.Citation, d.DueAt.UTC().Format(time.RFC1123), margin)
	if d.Note != "" {
		fmt.Fprintf(&b, "Why it has not started: %s.\n\n", d.Note)
	}
	fmt.Fprintf(&b, "The stage run starts once the case's own run has ended and the first filing is on record; check with `breachflow status %s`.\n\n", d.CaseID)
	fmt.Fprintf(&b, "Case page: %s/cases/%s\n", strings.TrimRight(c.ConsoleURL, "/"), d.CaseID)
	return message{Subject: fmt.Sprintf("ESCALATION: breach case %s staged duty %s due within %s", d.CaseID, d.ObligationID, margin), Text: b.String()}
}

func escalationMail(c Config, r Request, due time.Time, margin time.Duration, approved int) message {
	var b strings.Builder
	fmt.Fprintf(&b, "Breach case %s still waits for approval, and its earliest legal deadline is %s (within %s).\n\n",
		r.CaseID, due.UTC().Format(time.RFC1123), margin)
	fmt.Fprintf(&b, "Approvals so far: %d of %d.\n\n", approved, r.Required)
	fmt.Fprintf(&b, "Case page: %s/cases/%s\n", strings.TrimRight(c.ConsoleURL, "/"), r.CaseID)
	return message{Subject: fmt.Sprintf("ESCALATION: breach case %s approval pending, deadline within %s", r.CaseID, margin), Text: b.String()}
}
