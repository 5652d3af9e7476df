package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"breachflow/internal/awsenv"
	"breachflow/internal/delivery"
	"breachflow/internal/localstack"
)

func selfCPU() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func selfSys() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Stime.Nano()).Seconds()
}

func nodeSys(st *localstack.Stack) float64 {
	total := 0.0
	for _, pid := range st.PIDs() {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		f := strings.Fields(string(b)[strings.LastIndex(string(b), ")")+2:])
		s, _ := strconv.Atoi(f[12])
		total += float64(s) / 100
	}
	return total
}

func nodeCPU(st *localstack.Stack) float64 {
	total := 0.0
	for _, pid := range st.PIDs() {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		f := strings.Fields(string(b)[strings.LastIndex(string(b), ")")+2:])
		u, _ := strconv.Atoi(f[11])
		s, _ := strconv.Atoi(f[12])
		total += float64(u+s) / 100
	}
	return total
}

func main() {
	ctx := context.Background()
	stack, err := localstack.Start(ctx, localstack.Options{})
	if err != nil {
		panic(err)
	}
	defer stack.Close()
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	cfg, _ := awsenv.Load(ctx)
	ses := delivery.NewSESClient(cfg)
	txt := strings.Repeat("안내 문구 ", 60)
	mk := func(i int64) *sesv2.SendEmailInput {
		u := aws.String("UTF-8")
		return &sesv2.SendEmailInput{FromEmailAddress: aws.String("p@example.com"),
			Destination: &types.Destination{ToAddresses: []string{fmt.Sprintf("r%09d@example.org", i)}},
			Content: &types.EmailContent{Simple: &types.Message{Subject: &types.Content{Data: aws.String("subj 고객"), Charset: u},
				Body: &types.Body{Text: &types.Content{Data: aws.String(txt), Charset: u}, Html: &types.Content{Data: aws.String("<p>" + txt), Charset: u}}}}}
	}
	run := func(n int) float64 {
		var next atomic.Int64
		var wg sync.WaitGroup
		t := time.Now()
		for range 32 {
			wg.Go(func() {
				for i := next.Add(1); i <= int64(n); i = next.Add(1) {
					if _, err := ses.SendEmail(ctx, mk(i)); err != nil {
						panic(err)
					}
				}
			})
		}
		wg.Wait()
		(localstack.Mailbox{URL: stack.SES}).Clear(ctx)
		return float64(n) / time.Since(t).Seconds()
	}
	run(5000)
	for r := range 6 {
		gc := []int{100, 400}[r%2]
		debug.SetGCPercent(gc)
		c0 := nodeCPU(stack)
		g0 := selfCPU()
		ns0, gs0 := nodeSys(stack), selfSys()
		rate := run(20000)
		fmt.Printf("GOGC=%d rate %.0f/s  node CPU %.3f ms/send (sys %.3f)  go CPU %.3f ms/send (sys %.3f)\n", gc, rate, (nodeCPU(stack)-c0)/20, (nodeSys(stack)-ns0)/20, (selfCPU()-g0)/20, (selfSys()-gs0)/20)
	}
}
