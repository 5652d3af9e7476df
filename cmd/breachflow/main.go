// Command breachflow is the incident responder's tool: it runs the local
// stack, starts and steers breach cases, and works offline on reports.
//
// The same commands work against AWS when no local endpoint is set:
// endpoints come only from the SDK's standard variables
// (AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SESV2, AWS_ENDPOINT_URL_SFN).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "breachflow:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "breachflow",
		Short:         "Breach-notification workflow: scope, assess, draft, approve, send, prove",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// One line per command; each lives in its own file.
	root.AddCommand(
		newLocalCmd(),
		newPlanCmd(),
		newAssessCmd(),
		newStartCmd(),
		newStatusCmd(),
		newDemoCmd(),
		newEvidenceCmd(),
		newSeedCmd(),
		newResumeCmd(), newAmendCmd(), newRedraftCmd(),
		newApproveCmd(), newRejectCmd(),
		newDraftCmd(),
		newExportCmd(),
	)
	return root
}
