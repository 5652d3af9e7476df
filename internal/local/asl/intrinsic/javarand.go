package intrinsic

// javaRandom is the linear congruential generator of java.util.Random. AWS
// documents that States.MathRandom with the same seed returns the same
// number; using the generator the service is built on keeps a seeded call's
// result stable across runs and, as far as we can tell, equal to AWS's.
type javaRandom struct{ seed int64 }

const (
	javaMultiplier = 0x5DEECE66D
	javaMask       = (int64(1) << 48) - 1
)

func newJavaRandom(seed int64) *javaRandom {
	return &javaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

func (r *javaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + 0xB) & javaMask
	return int32(uint64(r.seed) >> (48 - bits))
}

// nextInt returns a value in [0, bound); bound must be positive.
func (r *javaRandom) nextInt(bound int32) int32 {
	if bound&(-bound) == bound { // a power of two
		return int32((int64(bound) * int64(r.next(31))) >> 31)
	}
	for {
		bits := r.next(31)
		val := bits % bound
		if bits-val+(bound-1) >= 0 { // int32 overflow means a biased draw
			return val
		}
	}
}
