package stepfunctions

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"breachflow/internal/local/asl"
)

// store keeps state machines and executions in a directory:
//
//	machines/<name>.json          one StateMachine
//	executions/<id>.json          an execFile (status, input, definition; history once closed)
//	executions/<id>.journal       JSON lines of asl.Record (see package asl's Journal)
//
// <id> is the execution ARN in unpadded base64url, so any name is a safe file name.
type store struct {
	dir string
}

type execFile struct {
	Execution        Execution
	Definition       string
	Type             string
	StateMachineName string
	RoleArn          string
	History          []HistoryEvent `json:",omitempty"`
}

func openStore(dir string) (*store, error) {
	for _, sub := range []string{"machines", "executions"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	return &store{dir: dir}, nil
}

func writeAtomic(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (st *store) machinePath(arn string) string {
	return filepath.Join(st.dir, "machines", base64.RawURLEncoding.EncodeToString([]byte(arn))+".json")
}

func (st *store) execPath(arn, ext string) string {
	return filepath.Join(st.dir, "executions", base64.RawURLEncoding.EncodeToString([]byte(arn))+ext)
}

func (st *store) saveMachine(sm *StateMachine) error { return writeAtomic(st.machinePath(sm.Arn), sm) }

func (st *store) deleteMachine(arn string) error {
	err := os.Remove(st.machinePath(arn))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

func (st *store) saveExecution(rec *execFile) error {
	return writeAtomic(st.execPath(rec.Execution.Arn, ".json"), rec)
}

// journal is an asl.Journal backed by an append-only file.
type journal struct {
	mu   sync.Mutex
	recs map[string]asl.Record
	f    *os.File
	path string
}

func (st *store) openJournal(arn string) (*journal, error) {
	path := st.execPath(arn, ".journal")
	j := &journal{recs: map[string]asl.Record{}, path: path}
	if b, err := os.ReadFile(path); err == nil {
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		sc.Buffer(make([]byte, 0, 64*1024), 4*asl.MaxPayloadBytes)
		for sc.Scan() {
			var r asl.Record
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				break // a torn last line from a crash: ignore it
			}
			j.recs[r.Key] = r
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	j.f = f
	return j, nil
}

// Get returns the record stored under key.
func (j *journal) Get(key string) (asl.Record, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.recs[key]
	return r, ok
}

// Put stores a record and appends it to the file.
func (j *journal) Put(r asl.Record) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.recs[r.Key] = r
	if j.f == nil {
		return
	}
	b, _ := json.Marshal(r)
	_, _ = j.f.Write(append(b, '\n'))
}

// pendingTokens returns tokens that were issued but whose task has no
// recorded result.
func (j *journal) pendingTokens() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []string
	for k, r := range j.recs {
		if r.Kind != "token" {
			continue
		}
		if _, done := j.recs[strings.TrimSuffix(k, "/token")]; !done {
			out = append(out, r.Value)
		}
	}
	return out
}

// remove closes and deletes the journal of an execution that has ended.
func (j *journal) remove() error {
	if err := j.close(); err != nil {
		return err
	}
	return os.Remove(j.path)
}

func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// load reads the directory and resumes running executions.
func (s *Service) load() error {
	mfiles, _ := filepath.Glob(filepath.Join(s.store.dir, "machines", "*.json"))
	for _, p := range mfiles {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var sm StateMachine
		if err := json.Unmarshal(b, &sm); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		s.machines[sm.Arn] = &sm
	}
	efiles, _ := filepath.Glob(filepath.Join(s.store.dir, "executions", "*.json"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range efiles {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var rec struct {
			execFile
			History []json.RawMessage
		}
		if err := json.Unmarshal(b, &rec); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		ex := &execution{e: rec.Execution, smType: rec.Type, def: rec.Definition, smName: rec.StateMachineName, roleArn: rec.RoleArn}
		for _, raw := range rec.History {
			ex.events.add(decodeEvent(raw))
		}
		s.execs[ex.e.Arn] = ex
		if ex.e.Status != StatusRunning {
			continue
		}
		m, err := asl.Parse([]byte(ex.def))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		ex.machine = m
		j, err := s.store.openJournal(ex.e.Arn)
		if err != nil {
			return err
		}
		ex.journal = j
		for _, t := range j.pendingTokens() {
			s.tokens.Expect(t)
		}
		input, err := asl.DecodeJSON([]byte(ex.e.Input))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		// The history is rebuilt by replaying the journal.
		s.emitLocked(ex, asl.Event{Type: "ExecutionStarted", DetailsField: "executionStartedEventDetails",
			Details: &asl.ExecutionStartedDetails{Input: asl.NewJSONText(input), RoleArn: ex.roleArn}}, 0)
		s.launchLocked(ex, input)
	}
	return nil
}

// storedEvent is a history event read back from disk: Details stays raw JSON.
type storedEvent struct {
	ID              int64
	PreviousEventID int64
	Timestamp       json.RawMessage
	Type            string
	DetailsField    string
	Details         json.RawMessage
}

func decodeEvent(raw json.RawMessage) HistoryEvent {
	var se storedEvent
	_ = json.Unmarshal(raw, &se)
	ev := HistoryEvent{ID: se.ID, PreviousEventID: se.PreviousEventID, Type: se.Type, DetailsField: se.DetailsField}
	_ = json.Unmarshal(se.Timestamp, &ev.Timestamp)
	if len(se.Details) > 0 && string(se.Details) != "null" {
		ev.Details = se.Details
	}
	return ev
}
