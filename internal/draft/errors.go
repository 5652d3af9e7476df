package draft

import (
	"errors"

	"breachflow/internal/notice"
)

// unwrapNamed returns the named error the state machine routes on
// (*notice.MissingContentElement, *ConcurrentDraftError) without its
// wrapping, since Lambda reports the outermost type's name; anything else
// is returned as it is.
func unwrapNamed(err error) error {
	var miss *notice.MissingContentElement
	if errors.As(err, &miss) {
		return miss
	}
	var conc *ConcurrentDraftError
	if errors.As(err, &conc) {
		return conc
	}
	return err
}
