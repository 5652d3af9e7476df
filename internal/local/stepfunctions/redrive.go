package stepfunctions

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"time"

	"breachflow/internal/local/asl"
)

// RedriveExecution restarts an unsuccessful STANDARD execution (FAILED,
// TIMED_OUT or ABORTED) where it failed, with the same input and ARN, as
// AWS does: the successful steps are not run again, their results come from
// the execution's journal; tasks whose error was caught keep it (the run
// takes the same Catch path); tasks that failed uncaught, or never finished,
// run again, and in a Map only the items that did. The history keeps the
// earlier attempt, then ExecutionRedriven and what the redrive does.
//
// The journal exists only when the service has a directory (Options.Dir):
// without one an execution is not redrivable.
func (s *Service) RedriveExecution(ctx context.Context, arn string) (Execution, error) {
	if err := checkArn(arn, "execution"); err != nil {
		return Execution{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ex, ok := s.execs[arn]
	switch {
	case !ok:
		return Execution{}, apiErr(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	case ex.smType != TypeStandard:
		return Execution{}, apiErr(CodeExecutionNotRedrivable, "Execution '%s' is an EXPRESS execution, which cannot be redriven", arn)
	case ex.e.Status == StatusRunning || ex.e.Status == StatusSucceeded:
		return Execution{}, apiErr(CodeExecutionNotRedrivable, "Execution '%s' is %s, only FAILED, TIMED_OUT or ABORTED executions can be redriven", arn, ex.e.Status)
	case s.store == nil:
		return Execution{}, apiErr(CodeExecutionNotRedrivable, "Execution '%s' cannot be redriven: this local engine keeps no journal (start it with a state directory)", arn)
	case s.closed:
		return Execution{}, apiErr(CodeValidationException, "service is closed")
	}
	if ex.machine == nil {
		m, err := asl.Parse([]byte(ex.def))
		if err != nil {
			return Execution{}, apiErr(CodeInvalidDefinition, "%v", err)
		}
		ex.machine = m
	}
	input, err := asl.DecodeJSON([]byte(ex.e.Input))
	if err != nil {
		return Execution{}, apiErr(CodeInvalidExecutionInput, "%v", err)
	}
	if ex.done != nil {
		<-ex.done // an aborted run's goroutine has unwound
	}
	j, err := s.store.redriveJournal(arn)
	if err != nil {
		return Execution{}, err
	}
	ex.journal = j
	now := s.clock.Now()
	ex.e.Status, ex.e.StopDate, ex.e.Error, ex.e.Cause, ex.e.Output = StatusRunning, time.Time{}, "", "", ""
	ex.e.RedriveCount++
	ex.e.RedriveDate = now
	ex.stopped = false
	ex.evMu.Lock()
	ex.sealed = false
	ex.replayed = newReplaySet(ex.events.all())
	ex.evMu.Unlock()
	s.emitLocked(ex, asl.Event{Type: "ExecutionRedriven", DetailsField: "executionRedrivenEventDetails",
		Details: &executionRedrivenDetails{RedriveCount: ex.e.RedriveCount}}, 0)
	if err := s.persistLocked(ex); err != nil {
		return Execution{}, err
	}
	s.launchLocked(ex, input)
	return ex.e, nil
}

type executionRedrivenDetails struct {
	RedriveCount int `json:"redriveCount"`
}

// redriveJournal rewrites an execution's journal for a redrive: every
// record stays but the errors of tasks that failed uncaught, with what
// belongs to their attempts (task tokens, retry waits, jitter draws), so
// the replay runs those tasks again.
func (st *store) redriveJournal(arn string) (*journal, error) {
	old, err := st.openJournal(arn)
	if err != nil {
		return nil, err
	}
	recs := old.recs
	if err := old.close(); err != nil {
		return nil, err
	}
	var caught, failed []string
	for k, r := range recs {
		switch r.Kind {
		case "caught":
			caught = append(caught, strings.TrimSuffix(k, "/caught"))
		case "error":
			failed = append(failed, k)
		}
	}
	isCaught := func(k string) bool {
		for _, c := range caught {
			if k == c || strings.HasPrefix(k, c+"@") || strings.HasPrefix(k, c+"/") {
				return true
			}
		}
		return false
	}
	for _, k := range failed {
		if isCaught(k) {
			continue
		}
		delete(recs, k)
		for other := range recs {
			if strings.HasPrefix(other, k+"/") {
				delete(recs, other)
			}
		}
	}
	path := st.execPath(arn, ".journal")
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	enc := json.NewEncoder(f)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	return st.openJournal(arn)
}

// replaySet holds the state visits of an earlier attempt that ended (exited,
// or left through a Catch), keyed by their StateEntered event. A redrive's
// replay emits those visits again; emit drops each one once, with every
// event of the visit after it, so the history shows them once.
type replaySet struct {
	entered map[string]int
}

func newReplaySet(events []HistoryEvent) *replaySet {
	byID := make(map[int64]*HistoryEvent, len(events))
	for i := range events {
		byID[events[i].ID] = &events[i]
	}
	ended := map[int64]bool{}
	// back walks from an event to the visit it belongs to; skip says which
	// events may lie between.
	back := func(from int64, skip func(string) bool) {
		for ev := byID[from]; ev != nil; ev = byID[ev.PreviousEventID] {
			if strings.HasSuffix(ev.Type, "StateEntered") {
				ended[ev.ID] = true
				return
			}
			if !skip(ev.Type) {
				return
			}
		}
	}
	anything := func(string) bool { return true }
	taskEvent := func(t string) bool {
		return strings.HasPrefix(t, "Task") && !strings.HasSuffix(t, "StateExited") ||
			strings.HasPrefix(t, "LambdaFunction") || strings.HasPrefix(t, "Activity")
	}
	for _, ev := range events {
		switch {
		case strings.HasSuffix(ev.Type, "StateExited"):
			back(ev.PreviousEventID, anything)
		case strings.HasSuffix(ev.Type, "StateEntered"):
			// entered right after a task's own events: that task's
			// error was caught and its Catch led here
			back(ev.PreviousEventID, taskEvent)
		}
	}
	rs := &replaySet{entered: map[string]int{}}
	for _, ev := range events {
		if ended[ev.ID] {
			rs.entered[visitKey(ev.Type, ev.Details)]++
		}
	}
	// A Map item that succeeded is replayed whole, its iteration events
	// too: they carry the same details (the Map's name and the index).
	for _, ev := range events {
		if ev.Type == "MapIterationSucceeded" {
			rs.entered[visitKey("MapIterationStarted", ev.Details)]++
		}
	}
	return rs
}

func visitKey(typ string, details any) string {
	b, _ := json.Marshal(details)
	return typ + "\x00" + string(b)
}

// take reports whether ev starts a visit (a state's, or a Map item's) that
// the history already shows, and counts it off.
func (rs *replaySet) take(ev asl.Event) bool {
	k := visitKey(ev.Type, ev.Details)
	if rs.entered[k] == 0 {
		return false
	}
	rs.entered[k]--
	return true
}
