package asl

import "time"

// Machine is a parsed, validated state machine (or a Parallel branch or Map
// item processor, which have the same shape).
type Machine struct {
	StartAt        string
	States         map[string]*State
	TimeoutSeconds int
	// Raw is the decoded definition.
	Raw map[string]any
}

// State is one parsed state. Fields that do not apply to its Type are zero.
type State struct {
	Name        string
	Type        string
	usesContext bool // the state reads $$
	Next        string
	End         bool

	inputPath, outputPath *Path // nil: "$"
	inputNull, outputNull bool  // explicit JSON null
	resultPath            *Path // nil: "$"
	resultNull            bool
	parameters            *template
	resultSelector        *template
	result                any
	hasResult             bool

	// Task
	Resource             string
	timeoutSeconds       int
	heartbeatSeconds     int
	timeoutSecondsPath   *Path
	heartbeatSecondsPath *Path
	retry                []retrier
	catch                []catcher

	// Choice
	choices     []*choiceRule
	defaultNext string

	// Wait
	seconds       *int
	timestamp     *time.Time
	secondsPath   *Path
	timestampPath *Path

	// Fail
	errName, cause       string
	errorPath, causePath *dynamic

	// Parallel
	branches []*Machine

	// Map
	itemsPath          *Path
	itemSelector       *template
	processor          *Machine
	distributed        bool
	executionType      string
	maxConcurrency     int
	maxConcurrencyPath *Path
	batcher            *itemBatcher
	toleratedPct       float64
	toleratedPctPath   *Path
	toleratedCount     int
	toleratedCountPath *Path
	hasToleratedPct    bool
	hasToleratedCount  bool
	itemReader         bool
	label              string
}

type retrier struct {
	errorEquals []string
	interval    float64
	maxAttempts int
	backoff     float64
	maxDelay    float64 // 0: none
	jitterFull  bool
}

type catcher struct {
	errorEquals []string
	next        string
	resultPath  *Path
	resultNull  bool
}

type itemBatcher struct {
	maxItems     int
	maxItemsPath *Path
	maxBytes     int
	maxBytesPath *Path
	batchInput   *template
}
