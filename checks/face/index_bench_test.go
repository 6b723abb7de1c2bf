package face

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// randomIndex builds an index of n random unit vectors (deterministic seed).
func randomIndex(tb testing.TB, n, dim int) (*Index, [][]float32) {
	tb.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	x, err := NewIndex(dim)
	if err != nil {
		tb.Fatal(err)
	}
	x.Grow(n)
	var keep [][]float32
	for i := 0; i < n; i++ {
		v := make(Embedding, dim)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		if err := x.Add(strconv.Itoa(i), v); err != nil {
			tb.Fatal(err)
		}
		if i%1000 == 0 {
			keep = append(keep, v)
		}
	}
	return x, keep
}

// BenchmarkSearch100k measures duplicate search over 100,000 512-d faces
// (goal ≤ 20 ms per query on the project's 2-core machine).
func BenchmarkSearch100k(b *testing.B) {
	x, qs := randomIndex(b, 100_000, 512)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := x.Search(qs[i%len(qs)], 10); err != nil {
			b.Fatal(err)
		}
	}
}
