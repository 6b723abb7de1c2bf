package face

import (
	"container/heap"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
)

// Index is an in-memory duplicate-search index: N embeddings stored as one
// contiguous row-major float32 matrix and searched by brute force, which is
// exact, needs no training, and at 100,000 × 512 is a ~200 MB scan split
// across cores. Safe for concurrent Search; Add takes a write lock.
type Index struct {
	mu   sync.RWMutex
	dim  int
	data []float32
	ids  []string
}

// Hit is one search result.
type Hit struct {
	ID    string  `json:"id"`
	Row   int     `json:"row"`
	Score float32 `json:"score"`
}

// NewIndex makes an empty index for embeddings of dimension dim.
func NewIndex(dim int) (*Index, error) {
	if dim <= 0 {
		return nil, fmt.Errorf("index: dimension %d must be positive", dim)
	}
	return &Index{dim: dim}, nil
}

// Len is the number of stored embeddings.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// Grow reserves room for n more embeddings, avoiding repeated copying when
// loading a large set.
func (x *Index) Grow(n int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if n > 0 {
		x.data = append(make([]float32, 0, len(x.data)+n*x.dim), x.data...)
		x.ids = append(make([]string, 0, len(x.ids)+n), x.ids...)
	}
}

// Add appends one embedding (normalised copy) under id.
func (x *Index) Add(id string, e Embedding) error {
	if len(e) != x.dim {
		return fmt.Errorf("index: embedding dimension %d, index has %d", len(e), x.dim)
	}
	v := append(Embedding(nil), e...)
	if err := Normalize(v); err != nil {
		return fmt.Errorf("index: add %q: %w", id, err)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.data = append(x.data, v...)
	x.ids = append(x.ids, id)
	return nil
}

// parallelMin is the row count below which one goroutine is faster than
// splitting the scan.
const parallelMin = 8192

// Search returns the k stored embeddings most similar to query (cosine),
// best first. Ties keep insertion order.
func (x *Index) Search(query Embedding, k int) ([]Hit, error) {
	if len(query) != x.dim {
		return nil, fmt.Errorf("index: query dimension %d, index has %d", len(query), x.dim)
	}
	if k <= 0 {
		return nil, errors.New("index: k must be positive")
	}
	q := append(Embedding(nil), query...)
	if err := Normalize(q); err != nil {
		return nil, fmt.Errorf("index: query: %w", err)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := len(x.ids)
	if n == 0 {
		return nil, nil
	}
	k = min(k, n)
	parts := 1
	if n >= parallelMin {
		parts = min(runtime.GOMAXPROCS(0), n/(parallelMin/2))
	}
	results := make([]topK, parts)
	var wg sync.WaitGroup
	chunk := (n + parts - 1) / parts
	for p := 0; p < parts; p++ {
		lo, hi := p*chunk, min((p+1)*chunk, n)
		wg.Add(1)
		go func(p, lo, hi int) {
			defer wg.Done()
			t := topK{k: k}
			d := x.dim
			for r := lo; r < hi; r++ {
				t.offer(r, dot(q, x.data[r*d:(r+1)*d]))
			}
			results[p] = t
		}(p, lo, hi)
	}
	wg.Wait()
	var all []Hit
	for _, t := range results {
		for _, h := range t.h {
			all = append(all, Hit{ID: x.ids[h.row], Row: h.row, Score: h.score})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Score != all[j].Score {
			return all[i].Score > all[j].Score
		}
		return all[i].Row < all[j].Row
	})
	return all[:k], nil
}

// dotGo is the portable inner product, unrolled with independent
// accumulators so the CPU can overlap the multiply-adds (the Go compiler does
// not vectorise); amd64 uses an AVX2/FMA kernel when the CPU has one.
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		s0 += a[i]*b[i] + a[i+4]*b[i+4]
		s1 += a[i+1]*b[i+1] + a[i+5]*b[i+5]
		s2 += a[i+2]*b[i+2] + a[i+6]*b[i+6]
		s3 += a[i+3]*b[i+3] + a[i+7]*b[i+7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

type scored struct {
	row   int
	score float32
}

// topK keeps the k best scores in a min-heap.
type topK struct {
	k int
	h minHeap
}

func (t *topK) offer(row int, s float32) {
	if len(t.h) < t.k {
		heap.Push(&t.h, scored{row, s})
		return
	}
	if s > t.h[0].score {
		t.h[0] = scored{row, s}
		heap.Fix(&t.h, 0)
	}
}

type minHeap []scored

func (h minHeap) Len() int { return len(h) }
func (h minHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score < h[j].score
	}
	return h[i].row > h[j].row
}
func (h minHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(v any)   { *h = append(*h, v.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
