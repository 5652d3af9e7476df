package asl

import (
	"fmt"
	"strconv"
	"strings"
)

func parseBracket(s string) (segment, string, error) {
	s = strings.TrimLeft(s, " ")
	if s == "" {
		return segment{}, s, fmt.Errorf("unclosed [")
	}
	if s[0] == '*' {
		rest := strings.TrimLeft(s[1:], " ")
		if !strings.HasPrefix(rest, "]") {
			return segment{}, s, fmt.Errorf("expected ] after *")
		}
		return segment{kind: segWildcard}, rest[1:], nil
	}
	if s[0] == '?' {
		rest := strings.TrimLeft(s[1:], " ")
		if !strings.HasPrefix(rest, "(") {
			return segment{}, s, fmt.Errorf("expected ( after ?")
		}
		e, rest, err := parseFilter(rest[1:])
		if err != nil {
			return segment{}, s, err
		}
		rest = strings.TrimLeft(rest, " ")
		if !strings.HasPrefix(rest, ")") {
			return segment{}, s, fmt.Errorf("expected ) closing filter")
		}
		rest = strings.TrimLeft(rest[1:], " ")
		if !strings.HasPrefix(rest, "]") {
			return segment{}, s, fmt.Errorf("expected ] closing filter")
		}
		return segment{kind: segFilter, filter: e}, rest[1:], nil
	}
	// names, indices, unions, slices
	var parts []segment
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return segment{}, s, fmt.Errorf("unclosed [")
		}
		switch {
		case s[0] == '\'' || s[0] == '"':
			str, rest, err := parseQuoted(s)
			if err != nil {
				return segment{}, s, err
			}
			parts = append(parts, segment{kind: segName, name: str})
			s = rest
		default:
			n := 0
			for n < len(s) && (s[n] == '-' || s[n] == ':' || s[n] == ' ' || (s[n] >= '0' && s[n] <= '9')) {
				n++
			}
			tok := strings.TrimSpace(s[:n])
			if tok == "" {
				return segment{}, s, fmt.Errorf("bad subscript %q", s)
			}
			if strings.Contains(tok, ":") {
				sl, err := parseSlice(tok)
				if err != nil {
					return segment{}, s, err
				}
				parts = append(parts, sl)
			} else {
				i, err := strconv.Atoi(tok)
				if err != nil {
					return segment{}, s, fmt.Errorf("bad index %q", tok)
				}
				parts = append(parts, segment{kind: segIndex, index: i})
			}
			s = s[n:]
		}
		s = strings.TrimLeft(s, " ")
		if strings.HasPrefix(s, "]") {
			s = s[1:]
			break
		}
		if strings.HasPrefix(s, ",") {
			s = s[1:]
			continue
		}
		return segment{}, s, fmt.Errorf("expected , or ] in subscript")
	}
	if len(parts) == 1 && parts[0].kind != segSlice {
		return parts[0], s, nil
	}
	if len(parts) == 1 {
		return parts[0], s, nil
	}
	for _, p := range parts {
		if p.kind == segSlice {
			return segment{}, s, fmt.Errorf("slice inside union")
		}
	}
	return segment{kind: segUnion, union: parts}, s, nil
}

func parseSlice(tok string) (segment, error) {
	fields := strings.Split(tok, ":")
	if len(fields) > 3 {
		return segment{}, fmt.Errorf("bad slice %q", tok)
	}
	sg := segment{kind: segSlice}
	for i, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return segment{}, fmt.Errorf("bad slice %q", tok)
		}
		sg.slice[i] = &n
	}
	if sg.slice[2] != nil && *sg.slice[2] == 0 {
		return segment{}, fmt.Errorf("slice step 0")
	}
	return sg, nil
}

func parseQuoted(s string) (string, string, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			b.WriteByte(s[i])
			continue
		}
		if c == q {
			return b.String(), s[i+1:], nil
		}
		b.WriteByte(c)
	}
	return "", s, fmt.Errorf("unterminated string")
}
