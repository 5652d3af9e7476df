package capacity

import (
	"math"
	"slices"
)

// Apportion splits total over the keys of weights in proportion to their
// weights, by largest remainder, so the parts add up to total exactly
// (ties go to the key that sorts first). It is how a count the case
// record keeps for the whole case (people first on SMS) is spread over
// the countries it keeps people by, when nothing counts them per country.
// Keys whose share is nobody are left out; no weight at all gives nil.
func Apportion(total int64, weights map[string]int64) map[string]int64 {
	var sum int64
	for _, w := range weights {
		sum += max(w, 0)
	}
	if sum == 0 || total <= 0 {
		return nil
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k, w := range weights {
			if w > 0 && !yield(k) {
				return
			}
		}
	})
	out := make(map[string]int64, len(keys))
	rem := make(map[string]float64, len(keys))
	var given int64
	for _, k := range keys {
		exact := float64(total) * float64(weights[k]) / float64(sum)
		out[k] = int64(math.Floor(exact))
		rem[k] = exact - math.Floor(exact)
		given += out[k]
	}
	slices.SortStableFunc(keys, func(a, b string) int {
		switch {
		case rem[a] > rem[b]:
			return -1
		case rem[a] < rem[b]:
			return 1
		}
		return 0
	})
	for i := 0; given < total; i++ {
		out[keys[i%len(keys)]]++
		given++
	}
	// A key whose share rounds to nobody is left out: a country with no
	// one in it has no row.
	for k, v := range out {
		if v == 0 {
			delete(out, k)
		}
	}
	return out
}
