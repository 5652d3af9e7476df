package channelplan

import (
	"fmt"
	"slices"
	"strings"
)

// Contacts says which channels a person can be reached on: what the user
// table holds for them, not the details themselves.
type Contacts struct {
	Email, Phone, Postal bool
}

func (c Contacts) has(ch string) bool {
	switch ch {
	case Email:
		return c.Email
	case SMS:
		return c.Phone
	case Postal:
		return c.Postal
	}
	return false
}

// Plan is one person's channel plan: steps in order, each the channels sent
// at once. The zero Plan has no step: the posted notice covers the person.
type Plan [][]string

// For is the plan policy p gives a person with contacts c and the exposed
// categories.
func For(p *Policy, c Contacts, categories []string) Plan {
	var plan Plan
	if p.all(categories) {
		var first []string
		for _, ch := range p.order() {
			if ch != Postal && c.has(ch) {
				first = append(first, ch)
			}
		}
		if len(first) > 0 {
			plan = append(plan, first)
		}
		if slices.Contains(p.order(), Postal) && c.Postal {
			plan = append(plan, []string{Postal})
		}
		return plan
	}
	for _, ch := range p.order() {
		if c.has(ch) {
			plan = append(plan, []string{ch})
		}
	}
	return plan
}

// Posted is the stored form of a plan without a step: only the posted
// notice reaches the person. (An empty stored plan means none was fixed:
// a subject scoped before plans existed.)
const Posted = "posted"

// String is the plan's stored form: steps joined by ">", the channels of a
// step by "+" ("email+sms>postal"); Posted for no step.
func (p Plan) String() string {
	if len(p) == 0 {
		return Posted
	}
	steps := make([]string, len(p))
	for i, s := range p {
		steps[i] = strings.Join(s, "+")
	}
	return strings.Join(steps, ">")
}

// Parse reads a plan's stored form.
func Parse(s string) (Plan, error) {
	if s == "" || s == Posted {
		return nil, nil
	}
	var p Plan
	for i, step := range strings.Split(s, ">") {
		chs := strings.Split(step, "+")
		for _, ch := range chs {
			if !slices.Contains(Known, ch) {
				return nil, fmt.Errorf("channel plan: step %d: unknown channel", i+1)
			}
		}
		p = append(p, chs)
	}
	return p, nil
}

// Channels lists every channel of the plan, in order.
func (p Plan) Channels() []string {
	var out []string
	for _, s := range p {
		out = append(out, s...)
	}
	return out
}

// First lists the channels of the plan's first step.
func (p Plan) First() []string {
	if len(p) == 0 {
		return nil
	}
	return p[0]
}

// Due reports whether the person is to be sent to on ch now: ch is in the
// plan's first step, or in a later step every channel before which has
// failed (failed says whether a channel failed for the person).
func (p Plan) Due(ch string, failed func(string) bool) bool {
	for _, step := range p {
		if slices.Contains(step, ch) {
			return true
		}
		for _, c := range step {
			if !failed(c) {
				return false
			}
		}
	}
	return false
}

// Exhausted reports whether every channel of the plan has failed: the
// posted notice is then what covers the person (and so it is for an
// empty plan).
func (p Plan) Exhausted(failed func(string) bool) bool {
	for _, ch := range p.Channels() {
		if !failed(ch) {
			return false
		}
	}
	return true
}
