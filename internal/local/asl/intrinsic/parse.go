package intrinsic

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// MaxNesting is how deeply calls may nest inside one field, as AWS allows.
const MaxNesting = 10

// Error is an intrinsic function that cannot be parsed or evaluated. The
// interpreter reports it as States.IntrinsicFailure.
type Error struct {
	// Func is the function that failed ("States.Format"), empty for a
	// syntax error outside any call.
	Func string
	// Reason says what was wrong, without echoing argument values (they may
	// hold personal data).
	Reason string
	// Err is the underlying error (for example from resolve), if any.
	Err error
}

func (e *Error) Error() string {
	msg := e.Reason
	if e.Func != "" {
		msg = e.Func + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Expr is a parsed intrinsic function call, safe for concurrent use.
type Expr struct {
	src  string
	call *call
}

// String returns the source text of the call.
func (e *Expr) String() string { return e.src }

// node is one argument: a literal, a path or a nested call.
type node interface{}

type call struct {
	name string
	fn   *function
	args []node
}

type literal struct {
	value any
	// segments is set for string literals: the text split at unescaped "{}",
	// so that States.Format can tell a placeholder from an escaped \{\}.
	segments []string
}

type path string

// IsIntrinsic reports whether s looks like an intrinsic call: the interpreter
// uses it to decide between Eval and a plain JSONPath for a `.$` value.
func IsIntrinsic(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "States.")
}

var cache sync.Map // string -> *Expr; definitions are finite, see maxCached
var cached int64
var cacheMu sync.Mutex

const maxCached = 4096

// Parse parses expr, a complete call such as
// "States.Format('Hello {}', $.name)".
func Parse(expr string) (*Expr, error) {
	p := &parser{src: expr}
	p.skipSpace()
	c, err := p.parseCall(1)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, p.errorf("unexpected text after the closing parenthesis at offset %d", p.pos)
	}
	return &Expr{src: expr, call: c}, nil
}

// Eval parses and evaluates expr. resolve evaluates a JSONPath argument
// ("$.a", "$$.Execution.Id") against the current input and context.
// Parsed calls are cached, so calling Eval on a definition's fields again and
// again costs only the evaluation.
func Eval(expr string, resolve func(path string) (any, error)) (any, error) {
	if v, ok := cache.Load(expr); ok {
		return v.(*Expr).Eval(resolve)
	}
	e, err := Parse(expr)
	if err != nil {
		return nil, err
	}
	cacheMu.Lock()
	if cached < maxCached {
		cache.Store(expr, e)
		cached++
	}
	cacheMu.Unlock()
	return e.Eval(resolve)
}

type parser struct {
	src string
	pos int
}

func (p *parser) errorf(format string, args ...any) *Error {
	return &Error{Reason: "invalid intrinsic function call: " + fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *parser) parseCall(depth int) (*call, error) {
	if depth > MaxNesting {
		return nil, p.errorf("more than %d nested intrinsic functions", MaxNesting)
	}
	start := p.pos
	for p.pos < len(p.src) && (isNameChar(p.src[p.pos])) {
		p.pos++
	}
	name := p.src[start:p.pos]
	if !strings.HasPrefix(name, "States.") {
		return nil, p.errorf("expected a function name starting with \"States.\" at offset %d", start)
	}
	fn, ok := functions[name]
	if !ok {
		return nil, p.errorf("unknown function %q", name)
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, p.errorf("expected '(' after %s", name)
	}
	p.pos++
	c := &call{name: name, fn: fn}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		return c, c.checkArity()
	}
	for {
		p.skipSpace()
		arg, err := p.parseArg(depth)
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, arg)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, p.errorf("missing ')' to close %s", name)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return c, c.checkArity()
		default:
			return nil, p.errorf("expected ',' or ')' in %s at offset %d", name, p.pos)
		}
	}
}

func (c *call) checkArity() error {
	n := len(c.args)
	if n < c.fn.minArgs || (c.fn.maxArgs >= 0 && n > c.fn.maxArgs) {
		want := fmt.Sprintf("%d", c.fn.minArgs)
		switch {
		case c.fn.maxArgs < 0:
			want = fmt.Sprintf("at least %d", c.fn.minArgs)
		case c.fn.maxArgs != c.fn.minArgs:
			want = fmt.Sprintf("%d to %d", c.fn.minArgs, c.fn.maxArgs)
		}
		return &Error{Func: c.name, Reason: fmt.Sprintf("takes %s arguments, got %d", want, n)}
	}
	return nil
}

func isNameChar(b byte) bool {
	return b == '.' || b == '_' || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
}

func (p *parser) parseArg(depth int) (node, error) {
	if p.pos >= len(p.src) {
		return nil, p.errorf("missing argument at the end")
	}
	switch b := p.src[p.pos]; {
	case b == '\'':
		return p.parseString()
	case b == '$':
		return p.parsePath()
	case b == '-' || (b >= '0' && b <= '9'):
		return p.parseNumber()
	case strings.HasPrefix(p.src[p.pos:], "States."):
		return p.parseCall(depth + 1)
	default:
		for _, kw := range []struct {
			word  string
			value any
		}{{"null", nil}, {"true", true}, {"false", false}} {
			if strings.HasPrefix(p.src[p.pos:], kw.word) {
				end := p.pos + len(kw.word)
				if end == len(p.src) || !isNameChar(p.src[end]) {
					p.pos = end
					return literal{value: kw.value}, nil
				}
			}
		}
		return nil, p.errorf("unexpected character %q at offset %d", b, p.pos)
	}
}

// parseString reads a '...' literal. \' \{ \} \\ are the only escapes; any
// other backslash is an "open escape", which AWS rejects.
func (p *parser) parseString() (node, error) {
	p.pos++ // opening quote
	var text, seg strings.Builder
	var segments []string
	for p.pos < len(p.src) {
		b := p.src[p.pos]
		switch {
		case b == '\'':
			p.pos++
			segments = append(segments, seg.String())
			return literal{value: text.String(), segments: segments}, nil
		case b == '\\':
			if p.pos+1 >= len(p.src) {
				return nil, p.errorf("open escape '\\' at the end of a string")
			}
			e := p.src[p.pos+1]
			if e != '\'' && e != '{' && e != '}' && e != '\\' {
				return nil, p.errorf("open escape '\\' before %q at offset %d (only \\', \\{, \\} and \\\\ are escapes)", e, p.pos)
			}
			text.WriteByte(e)
			seg.WriteByte(e)
			p.pos += 2
		case b == '{' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '}':
			text.WriteString("{}")
			segments = append(segments, seg.String())
			seg.Reset()
			p.pos += 2
		default:
			text.WriteByte(b)
			seg.WriteByte(b)
			p.pos++
		}
	}
	return nil, p.errorf("unterminated string literal")
}

// parsePath reads a JSONPath up to the ',' or ')' that ends the argument,
// skipping over bracketed, quoted member names such as $.abc['def, ghi'].
func (p *parser) parsePath() (node, error) {
	start := p.pos
	depth := 0
	var quote byte
	for p.pos < len(p.src) {
		b := p.src[p.pos]
		switch {
		case quote != 0:
			if b == '\\' {
				p.pos++
			} else if b == quote {
				quote = 0
			}
		case b == '\'' || b == '"':
			if depth == 0 {
				return nil, p.errorf("unexpected quote in path at offset %d", p.pos)
			}
			quote = b
		case b == '[' || b == '(':
			depth++
		case b == ']' || (b == ')' && depth > 0):
			depth--
		case depth == 0 && (b == ',' || b == ')'):
			return path(strings.TrimSpace(p.src[start:p.pos])), nil
		}
		p.pos++
	}
	if depth != 0 || quote != 0 {
		return nil, p.errorf("unterminated path starting at offset %d", start)
	}
	return path(strings.TrimSpace(p.src[start:p.pos])), nil
}

func (p *parser) parseNumber() (node, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.src) {
		b := p.src[p.pos]
		if (b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-' {
			p.pos++
			continue
		}
		break
	}
	text := p.src[start:p.pos]
	var f float64
	if err := json.Unmarshal([]byte(text), &f); err != nil {
		return nil, p.errorf("invalid number %q at offset %d", text, start)
	}
	return literal{value: floatNumber(f)}, nil
}
