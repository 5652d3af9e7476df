//go:build integration

package localsms_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"breachflow/internal/local/localsms"
)

// awsCLI is Debian's AWS CLI v2 (2.9.19), which `make test` installs; it
// has the pinpoint-sms-voice-v2 commands.
const awsCLI = "/usr/bin/aws"

func TestAWSCLISendsAText(t *testing.T) {
	if _, err := os.Stat(awsCLI); err != nil {
		t.Fatalf("this test drives %s (make test installs Debian's awscli): %v", awsCLI, err)
	}
	s, _ := start(t, localsms.Options{Identities: map[string]string{"0215881234": "82"}})
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(awsCLI, append(append([]string{"pinpoint-sms-voice-v2"}, args...), "--endpoint-url", s.Endpoint, "--output", "json")...)
		cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=secret",
			"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"}
		return cmd.CombinedOutput()
	}
	out, err := run("send-text-message", "--destination-phone-number", "+821012345678", "--origination-identity", "0215881234",
		"--message-body", "안내 https://n.example/t/abc", "--message-type", "TRANSACTIONAL", "--context", "case_id=c-1")
	if err != nil {
		t.Fatalf("send-text-message: %v\n%s", err, out)
	}
	var res struct{ MessageId string }
	if err := json.Unmarshal(out, &res); err != nil || res.MessageId == "" {
		t.Fatalf("send-text-message printed %s", out)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].MessageID != res.MessageId || msgs[0].Body != "안내 https://n.example/t/abc" || msgs[0].Context["case_id"] != "c-1" {
		t.Fatalf("messages = %+v", msgs)
	}
	out, err = run("send-text-message", "--destination-phone-number", "+14155550100", "--origination-identity", "0215881234", "--message-body", "x")
	if err == nil || !strings.Contains(string(out), "ValidationException") || !strings.Contains(string(out), "cannot send to the destination") {
		t.Fatalf("a number of another country: %v\n%s", err, out)
	}
}
