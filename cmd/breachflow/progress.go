package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a progress bar drawn only on a terminal: redirected into a
// log or a CI transcript, carriage returns and redraws are noise, and the
// command's closing line says what was done anyway. The rate appears once a
// second has passed, so the first tick cannot claim millions a second from
// a few microseconds of elapsed time.
type progress struct {
	bar   *progressbar.ProgressBar
	what  string
	unit  string
	start time.Time
	done  int
}

// newProgress returns a bar of total units on out; it draws nothing unless
// out is a terminal.
func newProgress(out io.Writer, total int, what, unit string) *progress {
	p := &progress{what: what, unit: unit, start: time.Now()}
	if f, ok := out.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	return p
}

// Add records n more units done.
func (p *progress) Add(n int) { p.Set(p.done + n) }

// Set records that n units are done in all.
func (p *progress) Set(n int) {
	p.done = n
	if p.bar == nil {
		return
	}
	if rate, ok := p.rate(time.Now()); ok {
		p.bar.Describe(fmt.Sprintf("%s (%.0f %s/s)", p.what, rate, p.unit))
	}
	p.bar.Set(n)
}

// rate is the units a second so far, once at least a second has passed.
func (p *progress) rate(now time.Time) (float64, bool) {
	el := now.Sub(p.start)
	if el < time.Second {
		return 0, false
	}
	return float64(p.done) / el.Seconds(), true
}

// Finish clears the bar.
func (p *progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
