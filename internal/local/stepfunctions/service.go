package stepfunctions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"breachflow/internal/local/asl"
)

// Service is the local Step Functions service: it stores state machines,
// runs executions in goroutines and records their history.
type Service struct {
	opts   Options
	clock  asl.Clock
	tokens *asl.TaskTokens
	store  *store // nil without a Dir

	mu       sync.Mutex
	machines map[string]*StateMachine // by ARN
	parsed   map[string]*asl.Machine  // by state machine ARN, parsed once
	execs    map[string]*execution    // by ARN
	closed   bool
	wg       sync.WaitGroup
}

type execution struct {
	e        Execution
	smType   string
	def      string
	machine  *asl.Machine
	smName   string
	roleArn  string
	cancel   context.CancelCauseFunc
	done     chan struct{} // closed when the run's goroutine ends
	journal  *journal
	stopped  bool // StopExecution
	closing  bool // Service.Close: leave the status as it is
	tokenSet map[string]bool

	evMu   sync.Mutex // guards events, sealed and replayed; taken after s.mu
	events eventLog
	sealed bool
	// replayed, during a redrive, holds the events of the earlier attempt
	// that its replay emits again and the history must not repeat.
	replayed *replaySet
}

// New returns a Service; with opts.Dir it reloads what an earlier Service
// stored there and resumes executions that were still running.
func New(opts Options) (*Service, error) {
	if opts.Clock == nil {
		opts.Clock = asl.RealClock{}
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	s := &Service{opts: opts, clock: opts.Clock, tokens: asl.NewTaskTokens(),
		machines: map[string]*StateMachine{}, parsed: map[string]*asl.Machine{}, execs: map[string]*execution{}}
	if opts.Dir != "" {
		st, err := openStore(opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", opts.Dir, err)
		}
		s.store = st
		if err := s.load(); err != nil {
			return nil, fmt.Errorf("load %s: %w", opts.Dir, err)
		}
	}
	return s, nil
}

func apiErr(code, format string, args ...any) *APIError {
	return &APIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// validName checks AWS's rules for state machine and execution names.
func validName(n string) bool {
	if n == "" || len([]rune(n)) > 80 {
		return false
	}
	for _, r := range n {
		if r <= 0x20 || (r >= 0x7f && r <= 0x9f) || strings.ContainsRune("<>{}[]?*\"#%\\^|~`$&,;:/", r) {
			return false
		}
	}
	return true
}

func (s *Service) machineArn(name string) string {
	return fmt.Sprintf("arn:aws:states:%s:%s:stateMachine:%s", s.opts.Region, s.opts.Account, name)
}

func (s *Service) execArn(sm *StateMachine, name string) string {
	if sm.Type == TypeExpress {
		return fmt.Sprintf("arn:aws:states:%s:%s:express:%s:%s:%s", s.opts.Region, s.opts.Account, sm.Name, name, newUUID())
	}
	return fmt.Sprintf("arn:aws:states:%s:%s:execution:%s:%s", s.opts.Region, s.opts.Account, sm.Name, name)
}

func checkArn(arn, kind string) error {
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[0] != "arn" || parts[2] != "states" || (parts[5] != kind && !(kind == "execution" && parts[5] == "express")) {
		return apiErr(CodeInvalidArn, "Invalid Arn: '%s'", arn)
	}
	return nil
}

// CreateStateMachine validates the definition and stores the state machine.
// Creating the same name with the same definition, role and type returns the
// existing one, as AWS does; a different one is StateMachineAlreadyExists.
func (s *Service) CreateStateMachine(ctx context.Context, in CreateStateMachineInput) (StateMachine, error) {
	if !validName(in.Name) {
		return StateMachine{}, apiErr(CodeInvalidName, "Invalid Name: '%s'", in.Name)
	}
	if in.Type == "" {
		in.Type = TypeStandard
	}
	if in.Type != TypeStandard && in.Type != TypeExpress {
		return StateMachine{}, apiErr(CodeValidationException, "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", in.Type)
	}
	parsed, err := asl.Parse([]byte(in.Definition))
	if err != nil {
		return StateMachine{}, apiErr(CodeInvalidDefinition, "Invalid State Machine Definition: '%v'", err)
	}
	arn := s.machineArn(in.Name)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.machines[arn]; ok {
		if old.Definition == in.Definition && old.RoleArn == in.RoleArn && old.Type == in.Type {
			return *old, nil
		}
		return StateMachine{}, apiErr(CodeStateMachineAlreadyExists, "State Machine Already Exists: '%s'", arn)
	}
	sm := &StateMachine{Arn: arn, Name: in.Name, Definition: in.Definition, RoleArn: in.RoleArn, Type: in.Type,
		Status: "ACTIVE", CreationDate: s.clock.Now()}
	if s.store != nil {
		if err := s.store.saveMachine(sm); err != nil {
			return StateMachine{}, fmt.Errorf("save state machine: %w", err)
		}
	}
	s.machines[arn] = sm
	s.parsed[arn] = parsed
	return *sm, nil
}

// DescribeStateMachine returns a state machine by ARN.
func (s *Service) DescribeStateMachine(ctx context.Context, arn string) (StateMachine, error) {
	if err := checkArn(arn, "stateMachine"); err != nil {
		return StateMachine{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, ok := s.machines[arn]
	if !ok {
		return StateMachine{}, apiErr(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", arn)
	}
	return *sm, nil
}

// ListStateMachines returns all state machines, ordered by name.
func (s *Service) ListStateMachines(ctx context.Context) ([]StateMachine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StateMachine, 0, len(s.machines))
	for _, sm := range s.machines {
		out = append(out, *sm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DeleteStateMachine deletes a state machine. As in AWS, executions already
// running go on to their end; deleting an unknown ARN succeeds.
func (s *Service) DeleteStateMachine(ctx context.Context, arn string) error {
	if err := checkArn(arn, "stateMachine"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.machines[arn]; !ok {
		return nil
	}
	delete(s.machines, arn)
	delete(s.parsed, arn)
	if s.store != nil {
		if err := s.store.deleteMachine(arn); err != nil {
			return fmt.Errorf("delete state machine: %w", err)
		}
	}
	return nil
}

// DescribeExecution returns an execution by ARN.
func (s *Service) DescribeExecution(ctx context.Context, arn string) (Execution, error) {
	if err := checkArn(arn, "execution"); err != nil {
		return Execution{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ex, ok := s.execs[arn]
	if !ok {
		return Execution{}, apiErr(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	return ex.e, nil
}

// ListExecutions returns the executions of a state machine, newest first,
// optionally only those with statusFilter ("" = all).
func (s *Service) ListExecutions(ctx context.Context, stateMachineArn, statusFilter string) ([]Execution, error) {
	if err := checkArn(stateMachineArn, "stateMachine"); err != nil {
		return nil, err
	}
	switch statusFilter {
	case "", StatusRunning, StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted, "PENDING_REDRIVE":
	default:
		return nil, apiErr(CodeValidationException, "1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint", statusFilter)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.machines[stateMachineArn]; !ok {
		return nil, apiErr(CodeStateMachineDoesNotExist, "State Machine Does Not Exist: '%s'", stateMachineArn)
	}
	var out []Execution
	for _, ex := range s.execs {
		if ex.e.StateMachineArn == stateMachineArn && (statusFilter == "" || ex.e.Status == statusFilter) {
			out = append(out, ex.e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartDate.Equal(out[j].StartDate) {
			return out[i].StartDate.After(out[j].StartDate)
		}
		return out[i].Arn > out[j].Arn
	})
	return out, nil
}

// GetExecutionHistory returns the events of an execution, oldest first.
func (s *Service) GetExecutionHistory(ctx context.Context, executionArn string) ([]HistoryEvent, error) {
	if err := checkArn(executionArn, "execution"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ex, ok := s.execs[executionArn]
	if !ok {
		return nil, apiErr(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", executionArn)
	}
	return ex.history(), nil
}

// StopExecution aborts a running execution and returns its stop date.
func (s *Service) StopExecution(ctx context.Context, arn, errName, cause string) (time.Time, error) {
	if err := checkArn(arn, "execution"); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	ex, ok := s.execs[arn]
	if !ok {
		s.mu.Unlock()
		return time.Time{}, apiErr(CodeExecutionDoesNotExist, "Execution Does Not Exist: '%s'", arn)
	}
	if ex.e.Status != StatusRunning {
		stop := ex.e.StopDate
		s.mu.Unlock()
		return stop, nil
	}
	now := s.clock.Now()
	ex.stopped = true
	ex.e.Status, ex.e.StopDate, ex.e.Error, ex.e.Cause = StatusAborted, now, errName, cause
	s.forgetTokensLocked(ex)
	ex.cancel(&asl.ExecError{Name: asl.ErrExecutionAborted, Cause: cause})
	done := ex.done
	s.mu.Unlock()
	// Let the engine unwind first, so that the states it was in record
	// their ...StateAborted events before ExecutionAborted, as in AWS. It
	// stops at once: waits and calls select on the cancelled context.
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.emitLocked(ex, asl.Event{Type: "ExecutionAborted", DetailsField: "executionAbortedEventDetails", Details: &asl.ErrorDetails{Error: errName, Cause: cause}}, 0)
	return now, s.persistLocked(ex)
}

// SendTaskSuccess completes the task waiting on token with output (JSON).
func (s *Service) SendTaskSuccess(ctx context.Context, token, output string) error {
	if _, err := asl.DecodeJSON([]byte(output)); err != nil {
		return apiErr(CodeInvalidOutput, "Invalid Output: '%s'", err)
	}
	if len(output) > asl.MaxPayloadBytes {
		return apiErr(CodeInvalidOutput, "Output exceeds the maximum size of %d bytes", asl.MaxPayloadBytes)
	}
	return tokenErr(s.tokens.Succeed(token, output))
}

// SendTaskFailure fails the task waiting on token with errName and cause.
func (s *Service) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	return tokenErr(s.tokens.Fail(token, errName, cause))
}

// SendTaskHeartbeat records a heartbeat for the task waiting on token.
func (s *Service) SendTaskHeartbeat(ctx context.Context, token string) error {
	return tokenErr(s.tokens.Heartbeat(token))
}

func tokenErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, asl.ErrTokenInvalid):
		return apiErr(CodeInvalidToken, "Invalid Token: the task token is malformed")
	case errors.Is(err, asl.ErrTokenTimedOut):
		return apiErr(CodeTaskTimedOut, "Task Timed Out")
	default:
		return apiErr(CodeTaskDoesNotExist, "Task Does Not Exist")
	}
}

// Close stops every running execution's goroutine without changing its
// recorded status, so that a Service opened later on the same Dir resumes it.
func (s *Service) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for _, ex := range s.execs {
		if ex.e.Status == StatusRunning {
			ex.closing = true
			ex.evMu.Lock()
			ex.sealed = true
			ex.evMu.Unlock()
			ex.cancel(errClosing)
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	var first error
	for _, ex := range s.execs {
		if ex.journal != nil {
			if err := ex.journal.close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}

var errClosing = errors.New("service closing")
