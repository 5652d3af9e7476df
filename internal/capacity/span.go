package capacity

import (
	"fmt"
	"time"
)

// Span writes a non-negative duration for a responder: "3h 20m", "2d 4h",
// and whole days from two weeks on ("840 days"), where hours no longer
// matter and "20170h23m0s" would have to be worked out. The CLI's clocks and
// the console's finish-time margins both use it, so they read alike.
func Span(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	hours := int((d % (24 * time.Hour)) / time.Hour)
	mins := int((d % time.Hour) / time.Minute)
	switch {
	case days >= 14:
		return fmt.Sprintf("%d days", days)
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	default:
		return fmt.Sprintf("%dh %dm", hours, mins)
	}
}
