package stepfunctions

import (
	"context"
	"strings"
	"time"

	"breachflow/internal/local/asl"
)

// StartExecution starts an execution. For a STANDARD machine, the same name
// with the same input while the first is RUNNING returns that execution;
// otherwise a reused name is ExecutionAlreadyExists.
func (s *Service) StartExecution(ctx context.Context, in StartExecutionInput) (Execution, error) {
	if err := checkArn(in.StateMachineArn, "stateMachine"); err != nil {
		return Execution{}, err
	}
	if in.Input == "" {
		in.Input = "{}"
	}
	if len(in.Input) > asl.MaxPayloadBytes {
		return Execution{}, apiErr(CodeInvalidExecutionInput, "Input exceeds the maximum size of %d bytes", asl.MaxPayloadBytes)
	}
	input, err := asl.DecodeJSON([]byte(in.Input))
	if err != nil {
		return Execution{}, apiErr(CodeInvalidExecutionInput, "Invalid State Machine Execution Input: '%v'", err)
	}
	if in.Name == "" {
		in.Name = newUUID()
	}
	if !validName(in.Name) {
		return Execution{}, apiErr(CodeInvalidName, "Invalid Name: '%s'", in.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Execution{}, apiErr(CodeValidationException, "service is closed")
	}
	sm, ok := s.machines[in.StateMachineArn]
	if !ok {
		return Execution{}, apiErr(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", in.StateMachineArn)
	}
	arn := s.execArn(sm, in.Name)
	if old, ok := s.execs[arn]; ok {
		if sm.Type == TypeStandard && old.e.Status == StatusRunning && old.e.Input == in.Input {
			return old.e, nil
		}
		return Execution{}, apiErr(CodeExecutionAlreadyExists, "Execution Already Exists: '%s'", arn)
	}
	m := s.parsed[sm.Arn]
	if m == nil {
		var err error
		if m, err = asl.Parse([]byte(sm.Definition)); err != nil {
			return Execution{}, apiErr(CodeInvalidDefinition, "%v", err)
		}
		s.parsed[sm.Arn] = m
	}
	ex := &execution{
		e:      Execution{Arn: arn, StateMachineArn: sm.Arn, Name: in.Name, Status: StatusRunning, StartDate: s.clock.Now(), Input: in.Input},
		smType: sm.Type, def: sm.Definition, machine: m, smName: sm.Name, roleArn: sm.RoleArn,
	}
	if s.store != nil {
		j, err := s.store.openJournal(arn)
		if err != nil {
			return Execution{}, err
		}
		ex.journal = j
	}
	s.execs[arn] = ex
	s.emitLocked(ex, asl.Event{Type: "ExecutionStarted", DetailsField: "executionStartedEventDetails",
		Details: &asl.ExecutionStartedDetails{Input: asl.NewJSONText(input), RoleArn: sm.RoleArn}}, 0)
	if err := s.persistLocked(ex); err != nil {
		delete(s.execs, arn)
		return Execution{}, err
	}
	s.launchLocked(ex, input)
	return ex.e, nil
}

// launchLocked runs the execution in a goroutine.
func (s *Service) launchLocked(ex *execution, input any) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ex.cancel = cancel
	opts := asl.Options{Clock: s.clock, Functions: s.opts.Functions, Intrinsic: s.opts.Intrinsic,
		Region: s.opts.Region, Account: s.opts.Account}
	info := asl.ExecutionInfo{ID: ex.e.Arn, Name: ex.e.Name, RoleArn: ex.roleArn, StartTime: ex.e.StartDate,
		StateMachineID: ex.e.StateMachineArn, StateMachineName: ex.smName, RedriveCount: ex.e.RedriveCount}
	hooks := asl.Hooks{
		Emit:   func(ev asl.Event, prev int64) int64 { return s.emit(ex, ev, prev) },
		Tokens: s.tokens,
		OnToken: func(token string) {
			s.mu.Lock()
			if ex.tokenSet == nil {
				ex.tokenSet = map[string]bool{}
			}
			ex.tokenSet[token] = true
			s.mu.Unlock()
		},
	}
	if ex.journal != nil {
		hooks.Journal = ex.journal
	}
	ex.done = make(chan struct{})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(ex.done)
		defer cancel(nil)
		out, xerr := ex.machine.Run(ctx, opts, info, input, hooks)
		s.finish(ex, out, xerr)
	}()
}

func (s *Service) finish(ex *execution, out any, xerr *asl.ExecError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ex.closing || ex.stopped || ex.e.Status != StatusRunning {
		return
	}
	now := s.clock.Now()
	ex.e.StopDate = now
	switch {
	case xerr == nil:
		b, err := asl.EncodeJSON(out)
		if err != nil {
			b = []byte("null")
		}
		ex.e.Status, ex.e.Output = StatusSucceeded, string(b)
		s.emitLocked(ex, asl.Event{Type: "ExecutionSucceeded", DetailsField: "executionSucceededEventDetails",
			Details: &asl.ExecutionSucceededDetails{Output: asl.NewJSONText(out)}}, 0)
	case asl.IsExecutionTimeout(xerr):
		ex.e.Status, ex.e.Error, ex.e.Cause = StatusTimedOut, xerr.Name, xerr.Cause
		s.emitLocked(ex, asl.Event{Type: "ExecutionTimedOut", DetailsField: "executionTimedOutEventDetails",
			Details: &asl.ErrorDetails{Error: xerr.Name, Cause: xerr.Cause}}, 0)
	default:
		ex.e.Status, ex.e.Error, ex.e.Cause = StatusFailed, xerr.Name, xerr.Cause
		s.emitLocked(ex, asl.Event{Type: "ExecutionFailed", DetailsField: "executionFailedEventDetails",
			Details: &asl.ErrorDetails{Error: xerr.Name, Cause: xerr.Cause}}, 0)
	}
	s.forgetTokensLocked(ex)
	ex.evMu.Lock()
	ex.replayed = nil
	ex.evMu.Unlock()
	if err := s.persistLocked(ex); err == nil && ex.journal != nil {
		// The history now holds everything. A successful run's journal
		// is of no more use; an unsuccessful one's is what a redrive
		// replays.
		if ex.e.Status == StatusSucceeded {
			_ = ex.journal.remove()
		} else {
			_ = ex.journal.close()
		}
	}
}

// emit records an event from the engine. It takes only the execution's own
// lock, so executions do not contend with each other or with API reads.
func (s *Service) emit(ex *execution, ev asl.Event, prev int64) int64 {
	ex.evMu.Lock()
	defer ex.evMu.Unlock()
	if ex.sealed {
		// ended or closing: what the engine does while it unwinds is not history
		return int64(ex.events.len())
	}
	if ex.replayed != nil {
		// A redrive replays the visits the history already shows: the
		// visit's StateEntered is dropped, and (by the negative id its
		// frame then carries) every event of the visit after it.
		switch {
		case strings.HasSuffix(ev.Type, "StateEntered"), ev.Type == "MapIterationStarted":
			if ex.replayed.take(ev) {
				return -1
			}
		case prev < 0:
			return -1
		}
	}
	if prev < 0 {
		prev = 0
	}
	return s.appendEvent(ex, ev, prev)
}

// emitLocked records an event from the service itself (s.mu held). final
// seals the history: later engine events are dropped.
func (s *Service) emitLocked(ex *execution, ev asl.Event, prev int64) int64 {
	ex.evMu.Lock()
	defer ex.evMu.Unlock()
	switch ev.Type {
	case "ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted":
		ex.sealed = true
	}
	return s.appendEvent(ex, ev, prev)
}

// appendEvent appends an event (ex.evMu held). Events without a known
// predecessor follow the previous event, as in AWS's linear histories.
func (s *Service) appendEvent(ex *execution, ev asl.Event, prev int64) int64 {
	id := int64(ex.events.len() + 1)
	if prev == 0 {
		prev = id - 1
	}
	ts := s.clock.Now()
	if id == 1 {
		ts = ex.e.StartDate
	}
	ex.events.add(HistoryEvent{ID: id, PreviousEventID: prev, Timestamp: ts,
		Type: ev.Type, DetailsField: ev.DetailsField, Details: ev.Details})
	return id
}

// history returns a copy of the events.
func (ex *execution) history() []HistoryEvent {
	ex.evMu.Lock()
	defer ex.evMu.Unlock()
	return ex.events.all()
}

func (s *Service) forgetTokensLocked(ex *execution) {
	for t := range ex.tokenSet {
		s.tokens.Forget(t)
	}
	ex.tokenSet = nil
}

func (s *Service) persistLocked(ex *execution) error {
	if s.store == nil {
		return nil
	}
	rec := execFile{Execution: ex.e, Definition: ex.def, Type: ex.smType, StateMachineName: ex.smName, RoleArn: ex.roleArn}
	if ex.e.Status != StatusRunning {
		rec.History = ex.history()
	}
	return s.store.saveExecution(&rec)
}

var _ = time.Second

// eventLog stores a history in fixed-size chunks, so that a history of
// hundreds of thousands of events (a large Map) never gets copied to grow.
type eventLog struct {
	chunks [][]HistoryEvent
	n      int
}

const eventChunk = 4096

func (l *eventLog) len() int { return l.n }

func (l *eventLog) add(ev HistoryEvent) {
	if l.n%eventChunk == 0 {
		size := eventChunk
		if l.n == 0 {
			size = 64 // most executions are short
		}
		l.chunks = append(l.chunks, make([]HistoryEvent, 0, size))
	}
	last := len(l.chunks) - 1
	if len(l.chunks[last]) == cap(l.chunks[last]) { // the small first chunk is full
		grown := make([]HistoryEvent, len(l.chunks[last]), eventChunk)
		copy(grown, l.chunks[last])
		l.chunks[last] = grown
	}
	l.chunks[last] = append(l.chunks[last], ev)
	l.n++
}

func (l *eventLog) all() []HistoryEvent {
	out := make([]HistoryEvent, 0, l.n)
	for _, c := range l.chunks {
		out = append(out, c...)
	}
	return out
}
