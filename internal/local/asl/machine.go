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
	usesContext bool // the state reads $$ or $states
	Next        string
	End         bool

	// JSONata states (jsonata) use these instead of the JSONPath fields
	// below; assign serves both query languages.
	jsonata       bool
	assign        *assignment
	output        *jtemplate
	arguments     *jtemplate
	items         *jtemplate
	itemSelectorJ *jtemplate
	// numeric, timestamp and error fields given as expressions
	timeoutExpr, heartbeatExpr, secondsExpr, timestampExpr *jtemplate
	maxConcExpr, toleratedPctExpr, toleratedCountExpr      *jtemplate
	errorExpr, causeExpr                                   *jtemplate

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
	assign      *assignment
	output      *jtemplate // JSONata
}

// assignment is a compiled Assign field: a JSONata template, or a JSONPath
// payload template.
type assignment struct {
	jsonata *jtemplate
	path    *template
}

type itemBatcher struct {
	maxItems     int
	maxItemsPath *Path
	maxBytes     int
	maxBytesPath *Path
	batchInput   *template
	// JSONata
	maxItemsExpr, maxBytesExpr *jtemplate
	batchInputJ                *jtemplate
}
